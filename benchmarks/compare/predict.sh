#!/usr/bin/env bash
# Bulk prediction side by side: `llmft predict` on a file against `fasttext predict-prob` on the same texts, both with a
# bag-of-n-grams model trained on the same set (words + bigrams, 262,144 buckets, dim 64), both printing every label's
# probability; also `llmft predict` on the model `llmft quantize` makes. Alternates the tools round by round and prints
# one markdown row per tool: median wall time (model load included) and texts/s.
#
#   benchmarks/compare/predict.sh                     # debian-sections-topical test texts x 10, 3 rounds
#   SET=spamassassin REPEAT=5 ROUNDS=5 benchmarks/compare/predict.sh
# Environment: SET (a labeled set in $LLMFT_DATA/labeled), REPEAT, ROUNDS, THREADS=2 (llmft's threads; fastText predicts on one thread), RID=linux-x64,
#              OUT=benchmarks/compare/results/predict-<timestamp>, SKIP_INSTALL=1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SET="${SET:-debian-sections-topical}"
DATA="${LLMFT_DATA:-$HOME/.cache/llmfinetune-data}"
TRAIN="$DATA/labeled/$SET.train.tsv"
TEST="$DATA/labeled/$SET.test.tsv"
OUT="${OUT:-$HERE/results/predict-$(date -u +%Y%m%dT%H%M%SZ)}"
REPEAT="${REPEAT:-10}" ROUNDS="${ROUNDS:-3}" THREADS="${THREADS:-2}" RID="${RID:-linux-x64}"
[[ -f "$TRAIN" && -f "$TEST" ]] || { echo "$TRAIN or $TEST is missing: build the set with ../shared/data/build.sh (or set LLMFT_DATA)" >&2; exit 1; }
if [[ "${SKIP_INSTALL:-0}" != 1 ]] && ! command -v fasttext >/dev/null; then
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y fasttext
fi
mkdir -p "$OUT"
# published for this platform, precompiled (ReadyToRun), as the tool package ships it
echo "publishing llmft (Release, $RID)..." >&2
dotnet publish -c Release -r "$RID" --self-contained false "$HERE/../../src/LlmFineTune.Cli" -o "$OUT/llmft" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
LLMFT=(dotnet "$OUT/llmft/llmft.dll")
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"

# the same texts for both: the test set's texts, repeated
for ((i = 0; i < REPEAT; i++)); do cut -f2- "$TEST"; done >"$OUT/texts.txt"
LINES=$(wc -l <"$OUT/texts.txt")
awk -F'\t' '{ label = $1; $1 = ""; sub(/^ /, ""); gsub(/ /, "_", label); print "__label__" label " " $0 }' OFS=' ' "$TRAIN" >"$OUT/train.ft"

echo "training both models on $SET..." >&2
[[ -f "$OUT/bag/config.json" ]] || "${LLMFT[@]}" finetune --train "$TRAIN" --output "$OUT/bag" >"$OUT/train-llmft.log" 2>&1
[[ -f "$OUT/bag-q8/config.json" ]] || "${LLMFT[@]}" quantize --model "$OUT/bag" --output "$OUT/bag-q8" >"$OUT/quantize.log" 2>&1
[[ -f "$OUT/fasttext.bin" ]] || fasttext supervised -input "$OUT/train.ft" -output "$OUT/fasttext" -wordNgrams 2 -bucket 262144 -dim 64 -epoch 5 -lr 0.5 -thread "$THREADS" >"$OUT/train-fasttext.log" 2>&1

# seconds TOOL COMMAND...: the wall time; the answers go to $OUT/TOOL.out (kept from the last round, checked below)
seconds() { local tool=$1 start end; shift; start=$(date +%s.%N); "$@" >"$OUT/$tool.out"; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
declare -A times=()
for ((r = 1; r <= ROUNDS; r++)); do
  times[fasttext]+="$(seconds fasttext fasttext predict-prob "$OUT/fasttext.bin" "$OUT/texts.txt" -1) "
  times[llmft]+="$(seconds llmft "${LLMFT[@]}" predict --model "$OUT/bag" --input "$OUT/texts.txt") "
  times[llmft-q8]+="$(seconds llmft-q8 "${LLMFT[@]}" predict --model "$OUT/bag-q8" --input "$OUT/texts.txt") "
  echo "round $r/$ROUNDS done" >&2
done
# both answered every text (one line each), or the times compare different work
for tool in fasttext llmft llmft-q8; do
  answered=$(wc -l <"$OUT/$tool.out")
  [[ $answered == "$LINES" ]] || { echo "$tool answered $answered of $LINES texts; see $OUT/$tool.out" >&2; exit 1; }
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "| tool ($SET test texts x $REPEAT = $LINES texts, $ROUNDS rounds) | median wall time | texts/s |"
  echo "|---|---|---|"
  for tool in fasttext llmft llmft-q8; do
    m=$(echo "${times[$tool]}" | median)
    label=$tool; [[ $tool == fasttext ]] && label='`fasttext predict-prob -1`'; [[ $tool == llmft ]] && label='`llmft predict` (bag)'; [[ $tool == llmft-q8 ]] && label='`llmft predict` (bag, quantized)'
    printf '| %s | %.2f s | %.0f |\n' "$label" "$m" "$(echo "$LINES / $m" | bc -l)"
  done
} | tee "$OUT/predict.md"
# nproc --all: plain nproc reports OMP_NUM_THREADS, set above
echo "$(nproc --all) cores, load $(cut -d' ' -f1-3 /proc/loadavg), fasttext $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '(version unknown)'), .NET SDK $(dotnet --version)" | tee -a "$OUT/predict.md"
