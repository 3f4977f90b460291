#!/usr/bin/env bash
# Benchmark (not a timed test): CPU (user+sys) of `layerlens lint` against the npm `dockerfile-utils` linter on the
# official corpus copied 20 times (4,320 files), whole process each, as medians of RUNS paired runs taken
# alternately (so load from other work on the machine hits both sides alike); then instruction-boundary agreement
# with the npm `dockerfile-ast`.
#
# The CLI is measured as it ships: published ReadyToRun for this platform (as `dotnet pack` packs the tool);
# R2R=0 measures the plain build output instead. AOT=1 measures a Native AOT publish of a copy of this tree instead
# (NOT what ships today, an experiment for issue 16: needs clang and lld, compiles for minutes, and the tree's AOT/trim
# warnings are not errors there); a baseline is still built as it ships. BASELINE=<git ref> also builds that commit
# and checks that its JSON and SARIF reports on the corpus x20 are byte-identical to this tree's (findings unchanged), with its CPU.
#
# Usage: infra/bench/lint/bench-lint.sh   (from anywhere; needs dotnet, node and npm)
#   RUNS=5  BOUNDARIES=1  R2R=1  AOT=0  BASELINE=  (environment)
# Last line, for infra/bench runners:  lint: layerlens X s CPU, dockerfile-utils Y s CPU, ratio Z×
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
corpus="$root/../shared/corpus/dockerfiles-official"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "installing dockerfile-utils and dockerfile-ast into $work/npm" >&2
npm install --silent --prefix "$work/npm" --no-audit --no-fund dockerfile-utils@0.16.3 dockerfile-ast@0.7.1 >&2
cp "$here/peer-lint.js" "$here/peer-boundaries.js" "$work/npm/"

rid="linux-$(dpkg --print-architecture | sed 's/amd64/x64/')"
# build_cli SOURCE_ROOT OUT: the CLI as measured (R2R publish, or the plain Release build with R2R=0).
build_cli() {
  if [ "${R2R:-1}" = 1 ]; then
    dotnet publish "$1/src/Cli" -c Release -r "$rid" --self-contained false -o "$2" -nologo -v quiet >&2
  else
    dotnet build "$1/src/Cli" -c Release -v q -nologo -o "$2" >&2
  fi
}
if [ "${AOT:-0}" = 1 ]; then
  echo "building layerlens (Release, Native AOT: an experiment, not the shipped build)" >&2
  # A copy (tracked and untracked files, no bin/obj), so the AOT restore does not touch the tree's own obj folders.
  mkdir -p "$work/aot-src"
  git -C "$root" ls-files -co --exclude-standard -z | tar -C "$root" --null -T - -c | tar -x -C "$work/aot-src"
  dotnet publish "$work/aot-src/src/Cli" -c Release -r "$rid" -p:PublishAot=true -p:PublishReadyToRun=false -p:RuntimeIdentifiers="$rid" \
    -p:TreatWarningsAsErrors=false -o "$work/cli" -nologo -v quiet >&2
  layerlens=("$work/cli/layerlens")
else
  echo "building layerlens (Release, R2R=${R2R:-1})" >&2
  build_cli "$root" "$work/cli"
  layerlens=(dotnet "$work/cli/layerlens.dll")
fi

for i in $(seq 1 20); do
  mkdir -p "$work/corpus20/$i"
  cp "$corpus"/* "$work/corpus20/$i/"
done
files=$(find "$work/corpus20" -type f | wc -l)

# CPU (user+sys) seconds of a whole process, via bash's time keyword; output discarded.
cpu() {
  local TIMEFORMAT='%U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || true
  awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.3f\n", a[1] + a[2] }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cd "$work"
"${layerlens[@]}" lint corpus20 --format json > ours.json || true
"${layerlens[@]}" lint corpus20 --format sarif > ours.sarif || true
if [ -n "${BASELINE:-}" ]; then
  baseline_tree="$work/baseline-src"
  mkdir -p "$baseline_tree"
  git -C "$root" archive "$BASELINE" | tar -x -C "$baseline_tree"
  echo "building baseline $BASELINE" >&2
  build_cli "$baseline_tree" "$work/baseline"
  dotnet "$work/baseline/layerlens.dll" lint corpus20 --format json > base.json || true
  dotnet "$work/baseline/layerlens.dll" lint corpus20 --format sarif > base.sarif || true
  if cmp -s base.json ours.json && cmp -s base.sarif ours.sarif; then
    echo "findings: JSON and SARIF on the corpus x20 byte-identical to $BASELINE ($(wc -c < ours.json) and $(wc -c < ours.sarif) bytes)"
  else
    echo "findings: DIFFER from $BASELINE on the corpus x20"
    diff <(head -c 20000000 base.json) <(head -c 20000000 ours.json) | head -20 || true
  fi
fi

: > peer.cpu; : > ours.cpu; : > base.cpu
for r in $(seq 1 "$runs"); do
  # Alternate which side goes first, so a burst of load elsewhere does not always hit the same one.
  if [ $((r % 2)) = 1 ]; then
    cpu node npm/peer-lint.js corpus20 >> peer.cpu
    cpu "${layerlens[@]}" lint corpus20 --format json >> ours.cpu
  else
    cpu "${layerlens[@]}" lint corpus20 --format json >> ours.cpu
    cpu node npm/peer-lint.js corpus20 >> peer.cpu
  fi
  [ -z "${BASELINE:-}" ] || cpu dotnet "$work/baseline/layerlens.dll" lint corpus20 --format json >> base.cpu
done
peer=$(median < peer.cpu)
ours=$(median < ours.cpu)
ratio=$(awk -v p="$peer" -v o="$ours" 'BEGIN { printf "%.1f", p / o }')

printf 'files linted: %d (%d runs each, medians; json output)\n' "$files" "$runs"
printf 'dockerfile-utils: %6.2f s cpu   (runs: %s)\n' "$peer" "$(paste -sd' ' peer.cpu)"
printf 'layerlens lint:   %6.2f s cpu   (runs: %s)\n' "$ours" "$(paste -sd' ' ours.cpu)"
if [ -n "${BASELINE:-}" ]; then
  base=$(median < base.cpu)
  printf 'baseline %s: %6.2f s cpu   (runs: %s), %.2fx this tree\n' "$BASELINE" "$base" "$(paste -sd' ' base.cpu)" "$(awk -v b="$base" -v o="$ours" 'BEGIN { print b / o }')"
fi

if [ "${BOUNDARIES:-1}" = 1 ]; then
  # Instruction boundaries: keyword, start line and end line of every instruction, 1-based.
  node npm/peer-boundaries.js "$corpus" > peer.tsv
  : > ours.tsv
  for f in "$corpus"/*; do
    "${layerlens[@]}" parse "$f" --format json \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);for(const i of j.instructions)console.log([process.argv[1],i.keyword,i.startLine,i.endLine].join("\t"))})' "$(basename "$f")" \
      >> ours.tsv || echo -e "$(basename "$f")\tPARSE-ERROR\t0\t0" >> ours.tsv
  done
  total=$(wc -l < ours.tsv)
  agree=$(comm -12 <(sort ours.tsv) <(sort peer.tsv) | wc -l)
  printf 'instruction boundaries: %d of %d agree with dockerfile-ast\n' "$agree" "$total"
  echo "differences (< layerlens, > dockerfile-ast):"
  diff <(sort ours.tsv) <(sort peer.tsv) | grep '^[<>]' | head -50 || true
fi

printf 'lint: layerlens %.2f s CPU, dockerfile-utils %.2f s CPU, ratio %s×\n' "$ours" "$peer" "$ratio"
