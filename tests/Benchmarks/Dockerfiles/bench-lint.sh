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

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk "BEGIN { print $e - $s }"; }
peer=$(seconds node "$work/npm/peer-lint.js" "$work/corpus20")
ours=$(seconds "${layerlens[@]}" lint "$work/corpus20" --format json)
printf 'files linted: %d\n' "$files"
printf 'dockerfile-utils: %.2f s\n' "$peer"
printf 'layerlens lint:   %.2f s\n' "$ours"
printf 'ratio (dockerfile-utils / layerlens): %.1fx\n' "$(awk "BEGIN { print $peer / $ours }")"

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
