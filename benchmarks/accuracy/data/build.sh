#!/usr/bin/env bash
# More labeled sets for choosing defaults by leave-one-set-out (docs/defaults.md): fortunes (by category file),
# wordnet-glosses (by lexicographer file), sotu-party and sotu-era (State of the Union passages). Same layout,
# split and duplicate rules as ../shared/data/build.sh, into $DATA_OUT (default ~/.cache/llmfinetune-data).
# Usage: build.sh [SCRIPT...]   (default: all). Needs root or sudo for apt-get, and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DATA_OUT="${DATA_OUT:-$HOME/.cache/llmfinetune-data}"
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(fortunes wordnet_glosses sotu)
for s in "${scripts[@]}"; do
  echo "=== $s" >&2
  python3 -B "$here/$s.py"
done
