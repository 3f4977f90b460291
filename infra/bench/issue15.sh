#!/usr/bin/env bash
# Issue 15 ("Measure") in one run, each time a ratio against a baseline measured in the same run:
#  1. `layerlens rebuild` of the ~1 GB benchmark image with gzip and with zstd, each as a multiple of
#     `layerlens analyze` of the same image run just before it (medians of RUNS paired runs, wall and CPU),
#     peak RSS of every rebuild (/usr/bin/time -v);
#  2. what the rebuild saves: bytes and compressed bytes before/after, layer count before/after, dead bytes,
#     the pull for a host that holds the kept layers, the kept layers' reasons;
#  3. sharing against a full flatten: `--squash` vs the default re-layering, and the bytes a host must pull
#     when it already holds the image's base (the first rewritten layer, which another image built on the
#     same base gets byte-identical from its own rebuild) — with --squash it pulls everything again;
#  4. determinism: the manifest digests of the paired rebuilds are identical.
# RUNS (default 3) pairs. NICE (e.g. -5) runs every measured command at that priority (analyze and rebuild
# alike) on a machine loaded by other work. The CLI is measured as it ships (published ReadyToRun).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

infra/bench/build-bench-image.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli_dir=$work/cli
dotnet publish src/Cli -c Release -r "linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" --self-contained false -o "$cli_dir" -nologo -v quiet >/dev/null
cli=(dotnet "$cli_dir/layerlens.dll")
# The rebuild reads no layer cache: compare it with a cold analyze.
cold=()
if "${cli[@]}" analyze --help 2>/dev/null | grep -q -- '--no-cache'; then
  cold=(--no-cache)
fi
prio=()
[ -n "${NICE:-}" ] && prio=(nice -n "$NICE")
image="oci:$cache/image-oci"
summary=$work/summary

# Runs the command under /usr/bin/time -v; prints "<wall s> <cpu s> <peak RSS KiB>"; keeps its stdout in $2.
measure() {
  local out=$1; shift
  "${prio[@]}" /usr/bin/time -v -o "$work/time" "$@" >"$out" 2>"$work/stderr" || { cat "$work/stderr" >&2; echo "failed: $*" >&2; exit 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    END { printf "%.2f %.2f %d\n", w, u + s, r }' "$work/time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
note() { echo "$*" | tee -a "$summary"; }
# A figure of a rebuild report: field NAME, word N (1-based after the name).
field() { awk -v k="$2" -v n="$3" '$1 == k { gsub(",", "", $(n + 1)); print $(n + 1); exit }' "$1"; }
manifest_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]["digest"])' "$1"; }
# Compressed sizes of an OCI layout's layers, one per line, bottom first.
layer_sizes() {
  python3 -c 'import json,sys; d=sys.argv[1]; i=json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:]
for l in json.load(open(d + "/blobs/sha256/" + i))["layers"]: print(l["size"])' "$1"
}

echo "== 1. rebuild / analyze on $(du -sh "$cache/image-oci" | cut -f1) image, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)${NICE:+, nice $NICE}"
declare -A walls cpus rss digests
for i in $(seq 1 "$runs"); do
  for c in gzip zstd; do
    read -r aw ac _ < <(measure "$work/analyze.json" "${cli[@]}" analyze "$image" --format json "${cold[@]}")
    rm -rf "$work/out-$c"
    read -r rw rc rr < <(measure "$work/report-$c" "${cli[@]}" rebuild "$image" --output "oci:$work/out-$c" --compression "$c")
    walls[$c]+="$(ratio "$rw" "$aw") "; cpus[$c]+="$(ratio "$rc" "$ac") "; rss[$c]+="$rr "
    digests[$c]+="$(manifest_of "$work/out-$c") "
    echo "run $i $c: analyze ${aw} s wall ${ac} s cpu | rebuild ${rw} s wall ${rc} s cpu $((rr / 1024)) MiB -> $(ratio "$rw" "$aw")x wall, $(ratio "$rc" "$ac")x cpu"
  done
done
for c in gzip zstd; do
  goal=$([ "$c" = gzip ] && echo 3 || echo 2)
  # shellcheck disable=SC2086
  note "rebuild $c / analyze: wall $(m ${walls[$c]})x (goal <= ${goal}x), cpu $(m ${cpus[$c]})x; peak RSS max $(( $(printf '%s\n' ${rss[$c]} | sort -g | tail -1) / 1024 )) MiB (goal <= 300 MiB)   (medians of $runs paired runs)"
  # shellcheck disable=SC2086
  note "rebuild $c deterministic: $([ "$(printf '%s\n' ${digests[$c]} | sort -u | wc -l)" = 1 ] && echo "yes, $runs rebuilds gave manifest $(echo ${digests[$c]} | cut -d' ' -f1)" || echo "NO: ${digests[$c]}")"
done

echo "== 2. what the rebuild saves"
r=$work/report-gzip
note "layers: $(field "$r" Layers 1) -> $(field "$r" Layers 3) ($(grep -m1 '^Layers' "$r" | sed 's/.*(//; s/)//'))"
note "bytes (uncompressed): $(field "$r" Size 1) -> $(field "$r" Size 3), saved $(( $(field "$r" Size 1) - $(field "$r" Size 3) ))"
for c in gzip zstd; do
  rc=$work/report-$c
  note "compressed ($c): $(field "$rc" Compressed 1) -> $(field "$rc" Compressed 3), saved $(( $(field "$rc" Compressed 1) - $(field "$rc" Compressed 3) ))"
done
note "dead bytes: $(field "$r" Dead 2) -> $(field "$r" Dead 4)"
note "pull for a host holding the kept layers (gzip): $(field "$r" Pull 1) bytes"
grep '^  layer' "$r" | sed 's/^  /kept: /' | tee -a "$summary"

echo "== 3. sharing vs a full flatten (--squash), gzip"
rm -rf "$work/out-squash"
read -r sw _ sr < <(measure "$work/report-squash" "${cli[@]}" rebuild "$image" --output "oci:$work/out-squash" --squash)
mapfile -t relayered < <(layer_sizes "$work/out-gzip")
mapfile -t squashed < <(layer_sizes "$work/out-squash")
total() { local t=0 s; for s in "$@"; do t=$((t + s)); done; echo "$t"; }
base=${relayered[0]}
note "re-layered: ${#relayered[@]} layers, $(total "${relayered[@]}") bytes; its base layer (the first: byte-identical in the rebuild of another image on the same base whose later layers leave its paths alone): $base bytes"
note "squashed:   ${#squashed[@]} layer,  $(total "${squashed[@]}") bytes (${sw} s wall, $((sr / 1024)) MiB)"
note "a host holding the base pulls: re-layered $(( $(total "${relayered[@]}") - base )) bytes, squashed $(total "${squashed[@]}") bytes; sharing saves $(( $(total "${squashed[@]}") - $(total "${relayered[@]}") + base )) bytes per pull"

echo
echo "== summary (issue 15)"
cat "$summary"
