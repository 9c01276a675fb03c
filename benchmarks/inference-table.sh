#!/usr/bin/env bash
# One command for the README's inference table (run it on an idle machine): the BenchmarkDotNet inference suite
# (Predict p50/p99 and batch throughput for bag and bert-mini at 128 tokens; the serving benchmark at 1/4/16/64 callers,
# micro-batched vs one-at-a-time) and the bulk comparison with fastText (benchmarks/compare/predict.sh).
# Prints the markdown tables and leaves everything in benchmarks/results/inference-<timestamp>/.
#
#   benchmarks/inference-table.sh            # ~15-25 min on 2 idle cores
#   QUICK=1 benchmarks/inference-table.sh    # 3 iterations per benchmark, one comparison round, REPEAT=1: checks it runs, numbers meaningless
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$HERE/results/inference-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
echo "building the benchmarks (Release)..." >&2
dotnet build -c Release "$HERE/LlmFineTune.Benchmarks" -o "$OUT/bin" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
[[ "${QUICK:-0}" == 1 ]] && export LLMFT_BENCH_QUICK=1
(cd "$OUT" && dotnet bin/LlmFineTune.Benchmarks.dll --filter '*InferenceBenchmarks*' '*ServingBenchmarks*' --exporters github >"$OUT/benchmarkdotnet.log" 2>&1) \
  || { tail -30 "$OUT/benchmarkdotnet.log" >&2; exit 1; }
ROUNDS_DEFAULT=3 REPEAT_DEFAULT=10; [[ "${QUICK:-0}" == 1 ]] && ROUNDS_DEFAULT=1 REPEAT_DEFAULT=1
OUT="$OUT/predict" ROUNDS="${ROUNDS:-$ROUNDS_DEFAULT}" REPEAT="${REPEAT:-$REPEAT_DEFAULT}" "$HERE/compare/predict.sh" >/dev/null
for report in "$OUT"/BenchmarkDotNet.Artifacts/results/*InferenceBenchmarks-report-github.md "$OUT"/BenchmarkDotNet.Artifacts/results/*ServingBenchmarks-report-github.md "$OUT/predict/predict.md"; do
  echo; cat "$report"
done
