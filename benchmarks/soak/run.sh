#!/usr/bin/env bash
# Soak test: 5,000 training steps and 100,000 predictions on a bag-of-n-grams classifier, with the
# live tensor count and RSS (from /proc/self/status) sampled; prints a Markdown table and FLAT or
# GROWING (exit code 1). Takes a few minutes on 2 cores. Usage: benchmarks/soak/run.sh [steps] [predictions]
set -euo pipefail
cd "$(dirname "$0")"
dotnet run -c Release --project Soak/Soak.csproj -- "$@"
