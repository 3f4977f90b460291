#!/usr/bin/env bash
# Issue 16 in one run, each figure a ratio against a baseline measured in the same run:
#  1. cold `layerlens analyze` of the ~1 GB benchmark image against the floor (every layer inflated in
#     parallel with GZipStream, bytes discarded): wall and CPU ratios (medians of paired runs), peak RSS;
#  2. the 1M-file synthetic image: wall, time and memory per entry (the "no regression" figure);
#  3. infra/bench/cache-bench.sh (warm child vs cold, registry pull bytes) and infra/bench/lint/bench-lint.sh
#     (lint CPU vs dockerfile-utils) when they exist;
# then a summary of the lot, side by side. RUNS (default 3) pairs; SYNTHETIC=0 skips part 2.
# The CLI is measured as it ships: published ReadyToRun for this platform. "Cold" means no layer cache:
# --no-cache is passed when the CLI has it.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

infra/bench/build-bench-image.sh
dotnet build tests/Analyzer.Benchmarks -c Release -nologo -v quiet >/dev/null
cli_dir=$(mktemp -d)
sample=$(mktemp)
summary=$(mktemp)
trap 'rm -rf "$cli_dir" "$sample" "$summary"' EXIT
dotnet publish src/Cli -c Release -r "linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" --self-contained false -o "$cli_dir" -nologo -v quiet >/dev/null
cli=(dotnet "$cli_dir/layerlens.dll")
bench=(dotnet tests/Analyzer.Benchmarks/bin/Release/net10.0/LayerLens.Analyzer.Benchmarks.dll)
cold=()
if "${cli[@]}" analyze --help 2>/dev/null | grep -q -- '--no-cache'; then
  cold=(--no-cache)
fi

# Prints "<wall s> <cpu s (user+sys)> <peak RSS KiB>" of one run of the command; its output is discarded.
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$sample" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$sample"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
note() { echo "$*" | tee -a "$summary"; }

echo "== 1. cold analyze vs the GZipStream floor: $(du -sh "$cache/image-oci" | cut -f1) image, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
walls=(); cpus=(); rss=(); a_walls=(); f_walls=(); a_cpus=(); f_cpus=()
for i in $(seq 1 "$runs"); do
  read -r aw ac ar < <(measure "${cli[@]}" analyze "oci:$cache/image-oci" --format json "${cold[@]}")
  read -r fw fc fr < <(measure "${bench[@]}" gunzip-baseline "$cache/image-oci")
  walls+=("$(ratio "$aw" "$fw")"); cpus+=("$(ratio "$ac" "$fc")"); rss+=("$ar")
  a_walls+=("$aw"); f_walls+=("$fw"); a_cpus+=("$ac"); f_cpus+=("$fc")
  echo "run $i: analyze ${aw} s wall ${ac} s cpu $((ar / 1024)) MiB | floor ${fw} s wall ${fc} s cpu $((fr / 1024)) MiB"
done
m() { printf '%s\n' "$@" | median; }
rss_mib=$(( $(m "${rss[@]}" | cut -d. -f1) / 1024 ))
note "cold analyze:      median $(m "${a_walls[@]}") s wall, $(m "${a_cpus[@]}") s cpu, peak RSS ${rss_mib} MiB (target <= 150 MiB)"
note "GZipStream floor:  median $(m "${f_walls[@]}") s wall, $(m "${f_cpus[@]}") s cpu"
note "analyze / floor:   wall $(m "${walls[@]}") (target <= 1.2), cpu $(m "${cpus[@]}")  (medians of $runs paired runs)"

if [ "${SYNTHETIC:-1}" = 1 ]; then
  echo "== 2. synthetic images: 1,000 and 1,000,000 small files"
  for n in 1000 1000000; do
    dir="$cache/synthetic-$n"
    [ -f "$dir/index.json" ] || { rm -rf "$dir"; "${bench[@]}" synthetic "$dir" "$n" >/dev/null; }
  done
  read -r _ _ small < <(measure "${cli[@]}" analyze "oci:$cache/synthetic-1000" --format json "${cold[@]}")
  walls=(); rss=()
  for i in $(seq 1 "$runs"); do
    read -r w c r < <(measure "${cli[@]}" analyze "oci:$cache/synthetic-1000000" --format json "${cold[@]}")
    walls+=("$w"); rss+=("$r")
    echo "run $i: ${w} s wall ${c} s cpu $((r / 1024)) MiB"
  done
  note "$(awk -v w="$(m "${walls[@]}")" -v r="$(m "${rss[@]}")" -v f="$small" 'BEGIN {
    printf "1M-file image:     median %.2f s wall (%.2f us/file), peak RSS %d MiB, %.0f bytes/entry above the 1,000-file image (was 4-4.5 s, ~120 bytes/entry)",
      w, w, r / 1024, (r - f) * 1024 / 1e6 }')"
fi

# Runs another helper's benchmark when it exists; its lines that state a ratio or a byte count go to the summary.
other() {
  local title=$1 script=$2
  echo "== $title: $script"
  if [ ! -x "$script" ] && [ ! -f "$script" ]; then
    note "$title: skipped, $script does not exist yet"
    return
  fi
  local out
  out=$(mktemp)
  if bash "$script" 2>&1 | tee "$out"; then
    grep -iE 'ratio|bytes|x wall|x cpu' "$out" | sed "s/^/$title: /" >>"$summary" || true
  else
    note "$title: $script failed (see above)"
  fi
  rm -f "$out"
}
other "3. warm cache" infra/bench/cache-bench.sh
other "4. lint" infra/bench/lint/bench-lint.sh

echo
echo "== summary (issue 16)"
cat "$summary"
