#!/usr/bin/env bash
# Profile (not a benchmark): where `layerlens lint` spends its CPU on the official corpus x20, by sampling with
# perf. Prints the share per module (CoreLib, runtime, LayerLens, JIT-compiled code and stubs, kernel) and the
# hottest symbols of JIT-compiled code and runtime stubs.
#
# perf names JIT-compiled methods and stubs only when the runtime writes /tmp/perf-PID.map (PerfMapEnabled) AND
# maps code without the W^X double mapping (EnableWriteXorExecute=0): otherwise every such sample lands on an
# anonymous "memfd:doublemapper" and has no name. ReadyToRun code shows per module only (no perf map for it);
# R2R=0 also names the engine's own methods, at the price of JIT time in the profile.
#
# Usage: infra/bench/lint/profile-lint.sh   (from anywhere; needs dotnet and perf)
#   R2R=1  FREQ=4000  TOP=40  CONFIG=<lint config, e.g. one ignoring every rule to see parsing alone>  (environment)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
corpus="$root/../shared/corpus/dockerfiles-official"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building layerlens (Release, published ReadyToRun)" >&2
dotnet publish "$root/src/Cli" -c Release -r "linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" --self-contained false \
  -o "$work/cli" -nologo -v quiet >&2
for i in $(seq 1 20); do
  mkdir -p "$work/corpus20/$i"
  cp "$corpus"/* "$work/corpus20/$i/"
done

cd "$work"
config=()
[ -z "${CONFIG:-}" ] || config=(--config "$CONFIG")
r2r=1
[ "${R2R:-1}" = 1 ] || r2r=0
DOTNET_ReadyToRun=$r2r DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  perf record -q -F "${FREQ:-4000}" -g -o lint.perf dotnet cli/layerlens.dll lint corpus20 --format json "${config[@]}" >/dev/null 2>perf.err || true
echo "== CPU share per module"
perf report -i lint.perf --no-children --sort dso -g none 2>/dev/null | grep '%' | head -12
echo "== hottest symbols (self time)"
perf report -i lint.perf --no-children --sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep '%' | head -"${TOP:-40}" | cut -c1-200
