#!/usr/bin/env bash
# Benchmark of `layerlens analyze` (a measurement, not a test):
#  1. builds once and caches a realistic ~1 GB image: a debootstrap'd Debian bookworm base imported
#     with buildah, plus a Dockerfile that installs compilers and runtimes with apt, deletes part of
#     them, chmods a tree and copies a few thousand source files; exported as an OCI layout (gzip);
#  2. times `layerlens analyze` on it against a baseline that only gunzips every layer in parallel;
#  3. prints wall time and peak RSS of both and their ratio (target: ≤ 1.3×, RSS < 300 MB);
#  4. analyses synthetic single-layer images of 125k … 1M small files (time should be linear, memory
#     a few hundred bytes per entry at most).
# Usage: infra/bench.sh [--skip-real] [--skip-synthetic]   (root; needs buildah, network to deb.debian.org)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${LAYERLENS_IMAGE_BENCH_CACHE:-/var/tmp/layerlens-image-bench}"
runs="${LAYERLENS_BENCH_RUNS:-3}"
skip_real=false
skip_synthetic=false
for arg in "$@"; do
  case "$arg" in
    --skip-real) skip_real=true ;;
    --skip-synthetic) skip_synthetic=true ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$cache"

echo "== building layerlens and the bench helper (Release)"
dotnet build -c Release "$repo/src/Cli" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/infra/bench/LayerLens.Bench" -v quiet -nologo >/dev/null
layerlens="$repo/src/Cli/bin/Release/net10.0/layerlens.dll"
bench="$repo/infra/bench/LayerLens.Bench/bin/Release/net10.0/LayerLens.Bench.dll"

# Runs a command $runs times; prints the best wall time and the largest peak RSS.
measure() {
  local label="$1"; shift
  local best="" rss=0
  for _ in $(seq "$runs"); do
    local out
    /usr/bin/time -o "$cache/time.out" -f "%e %M" "$@" >/dev/null 2>"$cache/stderr.out" || { cat "$cache/stderr.out" >&2; return 1; }
    out=$(tail -1 "$cache/time.out")
    local wall="${out% *}" kb="${out#* }"
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then best="$wall"; fi
    if (( kb > rss )); then rss="$kb"; fi
  done
  printf '%-28s wall %6.2f s   peak RSS %5d MB\n' "$label" "$best" "$((rss / 1024))"
  echo "$best $rss" > "$cache/last-measure"
}

build_real_image() {
  local oci="$cache/bench-oci"
  if [[ -f "$oci/index.json" ]]; then return; fi
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  local storage=(--root "$cache/storage" --runroot "$cache/run" --storage-driver vfs)
  if [[ ! -f "$cache/base.tar" ]]; then
    echo "== debootstrap --variant=minbase bookworm"
    rm -rf "$cache/rootfs"
    debootstrap --variant=minbase bookworm "$cache/rootfs" http://deb.debian.org/debian >/dev/null
    tar -C "$cache/rootfs" -cf "$cache/base.tar.tmp" . && mv "$cache/base.tar.tmp" "$cache/base.tar"
    rm -rf "$cache/rootfs"
  fi
  echo "== importing the base with buildah"
  local ctr
  ctr=$(buildah "${storage[@]}" from scratch)
  buildah "${storage[@]}" add "$ctr" "$cache/base.tar" / >/dev/null
  buildah "${storage[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah "${storage[@]}" commit --rm "$ctr" localhost/bench-base >/dev/null

  echo "== building the bench image (apt installs compilers and runtimes)"
  local ctx="$cache/context"
  rm -rf "$ctx" && mkdir -p "$ctx/src"
  # A few thousand source files: C headers of the host, as a project would copy its sources.
  cp -r /usr/include/. "$ctx/src/" 2>/dev/null || true
  cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM localhost/bench-base
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ make cmake python3 python3-dev perl ruby default-jdk-headless git && ls /var/lib/apt/lists
RUN rm -rf /usr/share/doc /usr/share/man /usr/lib/jvm/*/legal /usr/share/locale
RUN chmod -R g+w /usr/lib/python3
COPY src/ /src/
RUN find /src -name '*.h' | head -500 | xargs rm -f
DOCKERFILE
  buildah "${storage[@]}" bud --layers --isolation chroot -t localhost/bench-image "$ctx" >/dev/null
  buildah "${storage[@]}" push localhost/bench-image "oci:$oci.tmp:latest" >/dev/null
  mv "$oci.tmp" "$oci"
}

if ! $skip_real; then
  build_real_image
  oci="$cache/bench-oci"
  echo "== real image: $(du -sh "$oci" | cut -f1) compressed"
  measure "baseline (gunzip, parallel)" dotnet "$bench" baseline "$oci"
  read -r base_wall base_rss < "$cache/last-measure"
  measure "layerlens analyze" dotnet "$layerlens" analyze "oci:$oci:latest" --format json
  read -r wall rss < "$cache/last-measure"
  awk -v a="$wall" -v b="$base_wall" 'BEGIN { printf "ratio analyze/baseline: %.2f× (target ≤ 1.3×)\n", a / b }'
  dotnet "$layerlens" analyze "oci:$oci:latest" --format table | head -8
fi

if ! $skip_synthetic; then
  echo "== synthetic single-layer images of small files"
  for n in 125000 250000 500000 1000000; do
    dir="$cache/synth-$n"
    [[ -f "$dir/index.json" ]] || dotnet "$bench" synth "$dir" "$n"
    measure "$n files" dotnet "$layerlens" analyze "oci:$dir" --format json
    read -r wall rss < "$cache/last-measure"
    awk -v w="$wall" -v r="$rss" -v n="$n" 'BEGIN { printf "    %.2f µs/file, %.0f bytes of peak RSS per file\n", w * 1e6 / n, r * 1024 / n }'
  done
fi
