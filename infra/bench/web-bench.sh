#!/usr/bin/env bash
# Web benchmark (a measurement, not a test): a synthetic image of 1,000,000 files (100 directories of
# 10,000 files, plus a second layer that deletes one and rewrites another) is packed as an oci-archive,
# uploaded to a Release build of the web app and analysed; then Chromium (Playwright) measures
#   - opening the analysis page until the explorer shows the first tree level (target < 1 s), and until it is interactive
#   - clicking a directory of 10,000 entries until its entries are shown        (target < 300 ms)
#   - the web process's extra RSS while three users browse at once              (target < 200 MB)
# Usage: infra/bench/web-bench.sh [FILES]   (needs /usr/bin/chromium; caches the image under $LAYERLENS_BENCH_CACHE)
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
files="${1:-1000000}"
per_dir=10000
cache="${LAYERLENS_BENCH_CACHE:-/var/tmp/layerlens-bench}"
work="$(mktemp -d /var/tmp/layerlens-web-bench.XXXXXX)"
# LAYERLENS_BENCH_DATA=DIR keeps the app's data (and the analysed image) between runs, to time only the browsing.
data="${LAYERLENS_BENCH_DATA:-$work/data}"
port="${LAYERLENS_BENCH_PORT:-5199}"
# The app needs an account: a bootstrap workspace with an admin (the browser signs in) and an API key (the upload).
export LAYERLENS_BENCH_EMAIL="bench@layerlens.local" LAYERLENS_BENCH_PASSWORD="bench-password-0123456789"
key="llk_bench_key_0123456789abcdef0123456789"
mkdir -p "$cache"

echo "== building the web app, the image generator and the browser driver (Release)"
dotnet build -c Release "$repo/src/Web" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/tests/Analyzer.Benchmarks" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/infra/bench/WebBench" -v quiet -nologo >/dev/null

archive="$cache/synthetic-web-$files-$per_dir.oci.tar"
if [[ ! -f "$archive" ]]; then
  echo "== writing a synthetic OCI image of $files files and packing it as an oci-archive"
  layout="$work/layout"
  dotnet "$repo/tests/Analyzer.Benchmarks/bin/Release/net10.0/LayerLens.Analyzer.Benchmarks.dll" synthetic "$layout" "$files" "$per_dir"
  tar -C "$layout" -cf "$archive.tmp" .
  mv "$archive.tmp" "$archive"
  rm -rf "$layout"
fi
echo "   $(du -h "$archive" | cut -f1) $archive"

echo "== starting the web app on port $port"
LayerLens__DataDirectory="$data" ASPNETCORE_ENVIRONMENT=Production \
  LayerLens__Bootstrap__Workspaces__0__Name=bench LayerLens__Bootstrap__Workspaces__0__AdminEmail="$LAYERLENS_BENCH_EMAIL" \
  LayerLens__Bootstrap__Workspaces__0__AdminPassword="$LAYERLENS_BENCH_PASSWORD" LayerLens__Bootstrap__Workspaces__0__ApiKey="$key" \
  dotnet "$repo/src/Web/bin/Release/net10.0/LayerLens.Web.dll" --urls "http://127.0.0.1:$port" >"$work/web.log" 2>&1 &
web=$!
cleanup() { kill "$web" 2>/dev/null || true; wait "$web" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done

id=$(cat "$data/bench-analysis-id" 2>/dev/null || true)
if [[ -n "$id" ]] && curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/analyses/$id" | grep -q '"status":"succeeded"'; then
  echo "== reusing analysis $id in $data"
else
echo "== uploading and analysing"
start=$(date +%s.%N)
id=$(curl -fsS -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/x-tar' --data-binary "@$archive" \
  "http://127.0.0.1:$port/api/v1/analyses?name=synthetic-$files" | sed -E 's/.*"id":"([^"]+)".*/\1/')
while true; do
  status=$(curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/analyses/$id" | sed -E 's/.*"status":"([^"]+)".*/\1/')
  [[ "$status" == "queued" || "$status" == "running" ]] || break
  sleep 1
done
end=$(date +%s.%N)
[[ "$status" == "succeeded" ]] || { echo "analysis $id ended $status"; tail -20 "$work/web.log"; exit 1; }
printf "   upload + analysis: %.1f s; tree file %s\n" "$(echo "$end - $start" | bc)" "$(du -h "$data"/results/*/tree.bin | cut -f1)"
echo "$id" >"$data/bench-analysis-id"
fi

echo "== browsing (5 timed single-user runs, then 3 users at once)"
dotnet "$repo/infra/bench/WebBench/bin/Release/net10.0/LayerLens.WebBench.dll" \
  "http://127.0.0.1:$port" "$id" "$web" "data/d00002" "${LAYERLENS_BENCH_SECONDS:-30}"
