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

dotnet build Analyzer.sln -c "$configuration" -warnaserror -nologo -v minimal

status=0
started=$(date +%s)
dotnet test Analyzer.sln -c "$configuration" --no-build --nologo \
  --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line for every runner: totals over all test assemblies, read from their TRX files.
python3 - "$results" "$(( $(date +%s) - started ))" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"suite wall time: {sys.argv[2]} s")
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
