#!/usr/bin/env bash
# Installs what the tests need (when missing) and runs every test in Analyzer.sln.
# Usage: infra/test.sh [extra `dotnet test` arguments, e.g. --filter ...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash infra/install-test-deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration=${CONFIGURATION:-Release}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build Analyzer.sln -c "$configuration" -nologo -v minimal

status=0
started=$(date +%s)
# One test assembly at a time (-m:1): the real-build tests measure rebuild times, which another
# assembly's builds on the same two cores would distort.
dotnet test Analyzer.sln -c "$configuration" --no-build --nologo -m:1 \
  --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line for every runner: totals over all test assemblies, read from their TRX files.
count() { cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{ s += $1 } END { print s + 0 }'; }
echo "suite wall time: $(( $(date +%s) - started )) s"
echo "Tests: $(( $(count passed) + 0 )) passed, $(( $(count failed) + $(count error) + $(count timeout) + 0 )) failed, $(( $(count notExecuted) + 0 )) skipped"
exit $status
