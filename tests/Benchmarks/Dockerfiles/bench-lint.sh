#!/usr/bin/env bash
# Benchmark (not a timed test): `layerlens lint` against the npm `dockerfile-utils` linter on the official
# corpus copied 20 times, whole process each, and instruction-boundary agreement with the npm `dockerfile-ast`.
# Usage: tests/Benchmarks/Dockerfiles/bench-lint.sh   (from anywhere; needs dotnet, node and npm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
corpus="$root/../shared/corpus/dockerfiles-official"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "installing dockerfile-utils and dockerfile-ast into $work/npm" >&2
npm install --silent --prefix "$work/npm" --no-audit --no-fund dockerfile-utils@0.16.3 dockerfile-ast@0.7.1 >&2
cp "$here/peer-lint.js" "$here/peer-boundaries.js" "$work/npm/"

echo "building layerlens (Release)" >&2
dotnet build "$root/src/Cli" -c Release -v q -nologo >&2
layerlens=("dotnet" "$root/src/Cli/bin/Release/net10.0/layerlens.dll")

for i in $(seq 1 20); do
  mkdir -p "$work/corpus20/$i"
  cp "$corpus"/* "$work/corpus20/$i/"
done
files=$(find "$work/corpus20" -type f | wc -l)

# Wall and CPU (user+sys) seconds of a whole process, via bash's time keyword; output discarded.
measure() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || true
  awk -v r="${t%% *}" -v rest="${t#* }" 'BEGIN { split(rest, a, " "); printf "%.2f %.2f\n", r, a[1] + a[2] }'
}
read -r peer_wall peer_cpu < <(measure node "$work/npm/peer-lint.js" "$work/corpus20")
read -r ours_wall ours_cpu < <(measure "${layerlens[@]}" lint "$work/corpus20" --format json)
printf 'files linted: %d\n' "$files"
printf 'dockerfile-utils: %6.2f s wall, %6.2f s cpu\n' "$peer_wall" "$peer_cpu"
printf 'layerlens lint:   %6.2f s wall, %6.2f s cpu\n' "$ours_wall" "$ours_cpu"
printf 'ratio (dockerfile-utils / layerlens): %.1fx wall, %.1fx cpu\n' "$(awk "BEGIN { print $peer_wall / $ours_wall }")" "$(awk "BEGIN { print $peer_cpu / $ours_cpu }")"

# Instruction boundaries: keyword, start line and end line of every instruction, 1-based.
node "$work/npm/peer-boundaries.js" "$corpus" > "$work/peer.tsv"
: > "$work/ours.tsv"
for f in "$corpus"/*; do
  "${layerlens[@]}" parse "$f" --format json \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);for(const i of j.instructions)console.log([process.argv[1],i.keyword,i.startLine,i.endLine].join("\t"))})' "$(basename "$f")" \
    >> "$work/ours.tsv" || echo -e "$(basename "$f")\tPARSE-ERROR\t0\t0" >> "$work/ours.tsv"
done
total=$(wc -l < "$work/ours.tsv")
agree=$(comm -12 <(sort "$work/ours.tsv") <(sort "$work/peer.tsv") | wc -l)
printf 'instruction boundaries: %d of %d agree with dockerfile-ast\n' "$agree" "$total"
echo "differences (< layerlens, > dockerfile-ast):"
diff <(sort "$work/ours.tsv") <(sort "$work/peer.tsv") | grep '^[<>]' | head -50 || true
