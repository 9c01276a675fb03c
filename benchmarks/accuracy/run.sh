#!/usr/bin/env bash
# Accuracy suite (docs/accuracy.md): builds the shared real data, then trains and scores Naive Bayes, fastText,
# bag, bert-mini from scratch and MLM-pretrained bert-mini on four sets at 100, 500 and all labels, and writes
# docs/accuracy-results[-quick].md and docs/accuracy-SET[-quick].png.
#   benchmarks/accuracy/run.sh [--quick] [more AccuracySuite options, e.g. --sets fine-foods --methods bag,fasttext]
# SHARED: the shared folder (default ../shared next to the repository, else /work/shared).
# The pretrained encoder is cached in ~/.cache/llmfinetune-accuracy (--cache DIR); finished runs are kept in
# its work[-quick]/ folder, so a second run only renders (delete that folder to measure again).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${SHARED:-$repo/../shared}"
[[ -d "$shared/data" ]] || shared=/work/shared
command -v fasttext >/dev/null || { SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo; $SUDO apt-get install -y fasttext >/dev/null; }
export DATA_OUT="${LLMFT_DATA:-${DATA_OUT:-$HOME/.cache/llmfinetune-data}}"
"$shared/data/build.sh" spamassassin fine_foods austen_books debian_sections tokenizer_vocabs
cd "$repo"
dotnet build -c Release benchmarks/accuracy/AccuracySuite -v quiet -nologo
exec dotnet benchmarks/accuracy/AccuracySuite/bin/Release/net10.0/AccuracySuite.dll --data "$DATA_OUT" --shared "$shared" --docs "$repo/docs" "$@"
