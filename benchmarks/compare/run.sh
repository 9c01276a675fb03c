#!/usr/bin/env bash
# Side-by-side: LlmFineTune's own Trainer path vs PyTorch (Debian python3-torch + OpenBLAS) on the same
# training-step shapes, alternating PyTorch / ours round by round; then the `bag` model end to end on
# debian-sections-topical vs `fasttext supervised`; then (optionally) a memory soak. Prints medians,
# ratios (median of the per-round ratios) and the versions used.
#
#   benchmarks/compare/run.sh                           # ROUNDS=5, bag + tiny, end-to-end, no soak
#   ROUNDS=3 E2E=0 benchmarks/compare/run.sh            # steps only (~3 min)
#   SOAK_STEPS=5000 benchmarks/compare/run.sh           # + RSS / live-tensor soak of the bag step
# Environment:
#   ROUNDS=5            alternations (>= 3)            MODELS="bag tiny"   (encoder mlm once wired)
#   AB_DEFAULTS=1       also run ours with TorchRuntime.PerformanceDefaults off, in the same rounds
#   BARE=0              1: also the peers' bare TorchSharp loop (no library) in the same rounds
#   E2E=1  E2E_ROUNDS=3 end-to-end rounds: fastText (5 and 25 epochs) and ours
#   E2E_ARGS="..."      our end-to-end settings (default below)
#   STEP_ARGS=""        extra arguments for both sides' step runs, e.g. "--warmup 20 --steps 150"
#   SOAK_STEPS=0        steps of the soak run (0 = skip)
#   THREADS=2  OUT=benchmarks/compare/results/<timestamp>  SKIP_INSTALL=1  PEERS_DIR=../shared/peers
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROUNDS="${ROUNDS:-5}"
MODELS="${MODELS:-bag tiny}"
AB_DEFAULTS="${AB_DEFAULTS:-1}"
BARE="${BARE:-0}"
E2E="${E2E:-1}"
E2E_ROUNDS="${E2E_ROUNDS:-3}"
E2E_ARGS="${E2E_ARGS:---epochs 5 --lr 0.02 --batch 64 --buckets 131072 --dim 64 --word-ngrams 2}"
STEP_ARGS="${STEP_ARGS:-}"
SOAK_STEPS="${SOAK_STEPS:-0}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}"
DATA="${LLMFT_DATA:-$HOME/.cache/llmfinetune-data}"
PY=/usr/bin/python3
OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread

PEERS_DIR="${PEERS_DIR:-}"
if [[ -z "$PEERS_DIR" ]]; then
  for d in "$ROOT/../shared/peers" "$ROOT/../../shared/peers"; do [[ -f "$d/pytorch_step.py" ]] && { PEERS_DIR="$(cd "$d" && pwd)"; break; }; done
fi
[[ -n "$PEERS_DIR" && -f "$PEERS_DIR/pytorch_step.py" ]] || { echo "needs the peer scripts (pytorch_step.py, fasttext_bench.sh): set PEERS_DIR" >&2; exit 1; }
SHARED_DATA="$(cd "$PEERS_DIR/../data" 2>/dev/null && pwd || true)"

# ---- install (Debian 12): PyTorch 1.13, OpenBLAS (python3-torch alone uses the reference BLAS, ~35x slower), fastText
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  need=()
  "$PY" -c 'import torch' 2>/dev/null || need+=(python3-torch)
  [[ -e "$OPENBLAS_DIR/libblas.so.3" ]] || need+=(libopenblas0-pthread)
  command -v fasttext >/dev/null || need+=(fasttext)
  command -v bc >/dev/null || need+=(bc)
  if ((${#need[@]})); then
    SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
  fi
fi
command -v dotnet >/dev/null || { echo "needs the .NET 10 SDK (dotnet) on PATH" >&2; exit 1; }

mkdir -p "$OUT"
echo "building the runner (Release)..." >&2
dotnet build -c Release "$HERE/LlmFineTune.StepRunner/LlmFineTune.StepRunner.csproj" -nologo > "$OUT/build.log" 2>&1 \
  || { tail -30 "$OUT/build.log" >&2; echo "build failed (see $OUT/build.log)" >&2; exit 1; }
RUNNER="$HERE/LlmFineTune.StepRunner/bin/Release/net10.0/LlmFineTune.StepRunner.dll"
if [[ "$BARE" == 1 ]]; then
  BARE_WORK="${PEERS_WORK:-/tmp/llmfinetune-peers}"; mkdir -p "$BARE_WORK"; cp -r "$PEERS_DIR/." "$BARE_WORK/"; chmod -R u+w "$BARE_WORK"
  dotnet build -c Release "$BARE_WORK/torchsharp-step/TorchSharpStep.csproj" -nologo >> "$OUT/build.log" 2>&1
  BARE_DLL="$BARE_WORK/torchsharp-step/bin/Release/net10.0/TorchSharpStep.dll"
fi

{
  echo "date: $(date -u +%FT%TZ)"; echo "kernel: $(uname -r)"
  grep -m1 'model name' /proc/cpuinfo; echo "nproc: $(nproc)"; echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "python3-torch: $(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null)"
  echo "libopenblas0-pthread: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null)"
  echo "fasttext: $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null)"
  echo "dotnet: $(dotnet --version)"
  echo "llmfinetune: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$OUT/env.txt"

# shellcheck disable=SC2086
py()   { LD_LIBRARY_PATH="$OPENBLAS_DIR" "$PY" "$PEERS_DIR/pytorch_step.py" --threads "$THREADS" $STEP_ARGS "$@"; }
ours() { dotnet "$RUNNER" --threads "$THREADS" "$@"; }

# ---- training steps, alternating -------------------------------------------------------------------
mkdir -p "$OUT/steps"
for r in $(seq 1 "$ROUNDS"); do
  for m in $MODELS; do
    echo "round $r/$ROUNDS  $m: pytorch, ours..." >&2
    # shellcheck disable=SC2086
    py --model "$m" > "$OUT/steps/py_${m}_r$r.json"
    # shellcheck disable=SC2086
    ours --model "$m" $STEP_ARGS > "$OUT/steps/ours_${m}_r$r.json"
    if [[ "$AB_DEFAULTS" == 1 ]]; then
      # shellcheck disable=SC2086
      ours --model "$m" $STEP_ARGS --no-perf-defaults --label llmfinetune-no-defaults > "$OUT/steps/oursoff_${m}_r$r.json"
    fi
    if [[ "$BARE" == 1 ]]; then
      # shellcheck disable=SC2086
      dotnet "$BARE_DLL" --threads "$THREADS" --model "$m" $STEP_ARGS > "$OUT/steps/bare_${m}_r$r.json"
    fi
    if [[ "$m" == bag ]]; then
      # The user's path: Trainer.Train(TextClassifier, ITextDataset), tokenizing and collating inside the loop.
      # shellcheck disable=SC2086
      ours --model "$m" $STEP_ARGS --data text --label llmfinetune-text > "$OUT/steps/ourstext_${m}_r$r.json"
    fi
  done
done

# ---- bag end to end vs fastText on debian-sections-topical -----------------------------------------
if [[ "$E2E" == 1 ]]; then
  TRAIN="$DATA/labeled/debian-sections-topical.train.tsv" TEST="$DATA/labeled/debian-sections-topical.test.tsv"
  if [[ ! -f "$TRAIN" ]]; then
    [[ -n "$SHARED_DATA" ]] || { echo "debian-sections-topical is missing and ../shared/data/build.sh was not found" >&2; exit 1; }
    bash "$SHARED_DATA/build.sh" debian_sections >&2
  fi
  mkdir -p "$OUT/e2e"
  for r in $(seq 1 "$E2E_ROUNDS"); do
    echo "end-to-end round $r/$E2E_ROUNDS: fastText (5, 25 epochs), ours..." >&2
    bash "$PEERS_DIR/fasttext_bench.sh" "$TRAIN" "$TEST" "$OUT/e2e/ft_work" > "$OUT/e2e/fasttext_r$r.txt"
    # shellcheck disable=SC2086
    ours --mode e2e --train "$TRAIN" --test "$TEST" $E2E_ARGS > "$OUT/e2e/ours_r$r.json"
  done
fi

# ---- soak: RSS and live tensors over many steps after warm-up ----------------------------------------
if [[ "$SOAK_STEPS" -gt 0 ]]; then
  echo "soak: ours bag, $SOAK_STEPS steps..." >&2
  ours --model bag --mode soak --steps "$SOAK_STEPS" --warmup 200 --sample-every 250 > "$OUT/soak_bag.json"
fi

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/env.txt"
"$PY" "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
