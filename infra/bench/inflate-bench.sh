#!/usr/bin/env bash
# Gzip layer inflate: the engine's ISA-L path (libisal.so.2) against GZipStream (zlib-ng, LAYERLENS_INFLATE=zlib)
# on one gzip file, RUNS paired runs alternated (default 5); prints each run and the medians of the per-pair
# wall and CPU (user+sys) ratios ISA-L / zlib. FILE defaults to a 300 MB tar of /usr/share and /usr/lib,
# gzip -6, made once under /var/tmp. A FILE ending in .zst compares libzstd with ZstdSharp (LAYERLENS_ZSTD=managed) instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-5}
file=${1:-/var/tmp/isal-bench-layer.tar.gz}
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
if [ ! -s "$file" ]; then
  tar cf - -C / usr/share usr/lib/x86_64-linux-gnu 2>/dev/null | head -c 300M | gzip -6 >"$file"
fi
dotnet build tests/Analyzer.Benchmarks -c Release -nologo -v quiet >&2
bench=(dotnet tests/Analyzer.Benchmarks/bin/Release/net10.0/LayerLens.Analyzer.Benchmarks.dll inflate "$file")
sample=$(mktemp)
trap 'rm -f "$sample"' EXIT
# Prints "<wall s> <cpu s>" of one run.
measure() { env "$@" /usr/bin/time -f "%e %U %S" -o "$sample" "${bench[@]}" >&2; awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$sample"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

fast=(LAYERLENS_INFLATE=isal); slow=(LAYERLENS_INFLATE=zlib); names=("ISA-L" "GZipStream" isal zlib)
if [[ "$file" == *.zst ]]; then
  fast=(LAYERLENS_ZSTD=native); slow=(LAYERLENS_ZSTD=managed); names=(libzstd ZstdSharp libzstd zstdsharp)
fi
echo "== $file: $(du -h "$file" | cut -f1) compressed, $(nproc) cores"
wall=(); cpu=()
for i in $(seq 1 "$runs"); do
  read -r iw ic < <(measure "${fast[@]}")
  read -r zw zc < <(measure "${slow[@]}")
  wall+=("$(awk -v a="$iw" -v b="$zw" 'BEGIN { printf "%.3f", a / b }')")
  cpu+=("$(awk -v a="$ic" -v b="$zc" 'BEGIN { printf "%.3f", a / b }')")
  echo "run $i: ${names[2]} ${iw}s wall ${ic}s cpu | ${names[3]} ${zw}s wall ${zc}s cpu"
done
echo "${names[0]} / ${names[1]}, medians of pairs: wall $(printf '%s\n' "${wall[@]}" | median), cpu $(printf '%s\n' "${cpu[@]}" | median)"
