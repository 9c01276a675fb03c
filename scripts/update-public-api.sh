#!/usr/bin/env bash
# Records the current public API of every shipped package in its PublicAPI.Shipped.txt.
# Microsoft.CodeAnalysis.PublicApiAnalyzers fails the build (RS0016/RS0017, warnings as errors) when the
# public surface differs from these files, so a surface change is always a deliberate, reviewed diff.
# Run this after such a deliberate change; it rebuilds with the analyzer's errors downgraded and
# writes the symbols the analyzer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dir=$(dirname "$project")
  grep -q '<IsPackable>true</IsPackable>' "$project" || continue
  printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  : > "$dir/PublicAPI.Unshipped.txt"
  log=$(mktemp)
  dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= > "$log" 2>&1 || true
  # only this project's warnings: a build also reports those of the projects it references
  grep -F "[$(realpath "$project")" "$log" \
    | grep -oP "warning RS0016: Symbol '\K.*(?=' is not part of the declared public API)" | sort -u >> "$dir/PublicAPI.Shipped.txt" || true
  echo "$dir: $(($(wc -l < "$dir/PublicAPI.Shipped.txt") - 1)) public symbols"
  rm -f "$log"
done
