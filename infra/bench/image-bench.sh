#!/usr/bin/env bash
# Benchmark of the image engine (issue 3). In one run:
#  1. `layerlens analyze` on the realistic ~1 GB OCI image against a baseline program that only
#     gunzips every layer in parallel and discards the bytes; wall time, peak RSS and their ratio;
#  2. synthetic images of 250k, 500k and 1M small files: wall time and peak RSS, time per entry and
#     memory per entry (RSS above a 1,000-file image, divided by the file count).
# Medians over RUNS runs (default 3), the two programs alternated so drift hits both alike.
# The CLI is measured as it ships: published ReadyToRun for this platform (as `dotnet pack` packs the
# tool). R2R=0 measures the plain build output instead (every method JIT-compiled at start-up).
# Every analysis runs with --no-cache: this measures reading layers, not the layer cache (cache-bench.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

infra/bench/build-bench-image.sh
dotnet build src/Cli -c Release -nologo -v quiet >/dev/null
dotnet build tests/Analyzer.Benchmarks -c Release -nologo -v quiet >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/layerlens.dll)
if [ "${R2R:-1}" = 1 ]; then
  r2r=$(mktemp -d)
  dotnet publish src/Cli -c Release -r "linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" --self-contained false -o "$r2r" -nologo -v quiet >/dev/null
  cli=(dotnet "$r2r/layerlens.dll")
fi
bench=(dotnet tests/Analyzer.Benchmarks/bin/Release/net10.0/LayerLens.Analyzer.Benchmarks.dll)
sample=$(mktemp)
trap 'rm -f "$sample"; [ -z "${r2r:-}" ] || rm -rf "$r2r"' EXIT

# Prints "<wall seconds> <peak RSS KiB>" of one run of the command.
measure() { /usr/bin/time -f "%e %M" -o "$sample" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; cat "$sample"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== realistic image: $(du -sh "$cache/image-oci" | cut -f1) on disk, $(nproc) cores"
a_wall=(); a_rss=(); b_wall=(); b_rss=(); ratios=()
for i in $(seq 1 "$runs"); do
  read -r aw ar < <(measure "${cli[@]}" analyze "oci:$cache/image-oci" --format json --no-cache)
  read -r bw br < <(measure "${bench[@]}" gunzip-baseline "$cache/image-oci")
  a_wall+=("$aw"); a_rss+=("$ar"); b_wall+=("$bw"); b_rss+=("$br")
  ratios+=("$(awk -v a="$aw" -v b="$bw" 'BEGIN { printf "%.3f", a / b }')")
  echo "run $i: analyze ${aw}s ${ar}KiB | baseline ${bw}s ${br}KiB"
done
aw=$(printf '%s\n' "${a_wall[@]}" | median); bw=$(printf '%s\n' "${b_wall[@]}" | median)
ar=$(printf '%s\n' "${a_rss[@]}" | median); br=$(printf '%s\n' "${b_rss[@]}" | median)
echo "analyze:  median wall ${aw} s, peak RSS $((${ar%.*} / 1024)) MiB"
echo "baseline: median wall ${bw} s, peak RSS $((${br%.*} / 1024)) MiB"
echo "ratio analyze/baseline (median of pairs): $(printf '%s\n' "${ratios[@]}" | median)  (target <= 1.3; RSS target < 300 MiB)"

echo "== synthetic images (many small files)"
for n in 1000 250000 500000 1000000; do
  dir="$cache/synthetic-$n"
  [ -f "$dir/index.json" ] || { rm -rf "$dir"; "${bench[@]}" synthetic "$dir" "$n" >/dev/null; }
done
read -r _ floor < <(measure "${cli[@]}" analyze "oci:$cache/synthetic-1000" --format json --no-cache)
for n in 250000 500000 1000000; do
  walls=(); rsss=()
  for i in $(seq 1 "$runs"); do
    read -r w r < <(measure "${cli[@]}" analyze "oci:$cache/synthetic-$n" --format json --no-cache)
    walls+=("$w"); rsss+=("$r")
  done
  w=$(printf '%s\n' "${walls[@]}" | median); r=$(printf '%s\n' "${rsss[@]}" | median)
  awk -v n="$n" -v w="$w" -v r="$r" -v f="$floor" 'BEGIN {
    printf "%8d files: median wall %.2f s (%.2f us/file), peak RSS %d MiB, %.0f bytes/entry above the 1,000-file image\n",
      n, w, w * 1e6 / n, r / 1024, (r - f) * 1024 / n }'
done
