#!/usr/bin/env bash
# Issue 14 (scale out) in one run: throughput of the real processes — one web node, then one or two worker
# processes each pinned to one core with taskset (LayerLens:MaxConcurrentAnalyses=1 each) — on a throwaway
# PostgreSQL (data and Hangfire jobs), for two workloads:
#   big:   BIG (default 2) analyses of the ~1 GB benchmark image, pulled by reference from a local registry;
#   small: SMALL (default 50) uploads of a small image (the 1,000-file synthetic image as an OCI archive);
# each with the store on the local data directory (LayerLens:Storage:Provider=Local, one directory shared by
# every process: one machine) and, when the build has it, on a registry with basic auth (Provider=Registry,
# every process on its own data directory: separate machines). Every figure is a ratio against a baseline of the
# same run: two workers against one (the speed-up), Registry against Local (the store's extra cost).
# Layer-result reuse is off (LayerLens:Cache:Enabled=false): each analysis reads and inflates every layer.
# Wall time counts from the first submission to the last analysis finished. Needs root (PostgreSQL runs as
# postgres), docker-registry, skopeo, htpasswd (apache2-utils), jq, taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
big=${BIG:-2}
small=${SMALL:-50}
stores=${STORES:-Local Registry}

infra/bench/build-bench-image.sh
dotnet build src/Web -c Release -nologo -v quiet >/dev/null
dotnet build tests/Analyzer.Benchmarks -c Release -nologo -v quiet >/dev/null
web_dll=$root/src/Web/bin/Release/net10.0/LayerLens.Web.dll
bench=(dotnet tests/Analyzer.Benchmarks/bin/Release/net10.0/LayerLens.Analyzer.Benchmarks.dll)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d /tmp/layerlens-issue14.XXXXXX)
chmod 755 "$work"
summary=$work/summary
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$work/pg" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
note() { echo "$*" | tee -a "$summary"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The small image: the 1,000-file synthetic image, packed once as an OCI archive (an upload).
[ -f "$cache/synthetic-1000/index.json" ] || "${bench[@]}" synthetic "$cache/synthetic-1000" 1000 >/dev/null
small_tar=$work/small.tar
tar -C "$cache/synthetic-1000" -cf "$small_tar" .

# PostgreSQL, owned by postgres (as root) on a free port; one database per measurement.
mkdir -p "$work/pg" && chown postgres: "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth=trust --no-sync --no-instructions >/dev/null
pg_port=$(free_port)
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $work/pg -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null

# Registries: "source" (anonymous) holds the benchmark image; "store" (basic auth) is the shared store.
registry() { # name port [htpasswd]
  local dir=$work/$1
  mkdir -p "$dir"
  {
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/data"
    printf 'http:\n  addr: 127.0.0.1:%s\n  secret: %s\n' "$2" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    [ -z "${3:-}" ] || printf 'auth:\n  htpasswd:\n    realm: bench\n    path: %s\n' "$3"
  } >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$2/v2/" && return; sleep 0.1; done
  echo "registry $1 did not start" >&2; exit 1
}
source_port=$(free_port); registry source "$source_port"
store_port=$(free_port); store_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
htpasswd -Bbc "$work/htpasswd" bench "$store_password" 2>/dev/null
registry store "$store_port" "$work/htpasswd"
skopeo copy -q --dest-tls-verify=false "oci:$cache/image-oci" "docker://127.0.0.1:$source_port/bench/big:1"

key=llk_bench_issue14_key_0123456789abcdef
# Starts one node: role, data directory, cpu list ("" = any), store; sets $port to its port.
node() {
  local role=$1 data=$2 cpus=$3 store=$4
  port=$(free_port)
  local env=(ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1
    "ConnectionStrings__Default=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db"
    LayerLens__DatabaseProvider=PostgreSql LayerLens__JobStorage=PostgreSql "LayerLens__Role=$role"
    "LayerLens__DataDirectory=$data" LayerLens__MaxConcurrentAnalyses=1 LayerLens__Quotas__MaxRunningAnalysesPerWorkspace=2 LayerLens__Quotas__MaxActiveAnalysesPerWorkspace=1000
    LayerLens__Cache__Enabled=false LayerLens__Security__AllowPrivateNetworkTargets=true
    "LayerLens__Registries__Insecure__0=127.0.0.1:$source_port" "LayerLens__Registries__Insecure__1=127.0.0.1:$store_port"
    LayerLens__RateLimits__RequestsPerKey=1000000 LayerLens__RateLimits__RequestsPerWorkspace=1000000
    "LayerLens__Storage__Provider=$store")
  if [ "$store" = Registry ]; then
    env+=("LayerLens__Storage__Registry__Url=http://127.0.0.1:$store_port" LayerLens__Storage__Registry__Username=bench
      "LayerLens__Storage__Registry__Password=$store_password")
  fi
  if [ "$role" = web ]; then
    env+=(LayerLens__Bootstrap__Workspaces__0__Name=bench LayerLens__Bootstrap__Workspaces__0__AdminEmail=bench@layerlens.test
      LayerLens__Bootstrap__Workspaces__0__AdminPassword=bench-password-0123456789 "LayerLens__Bootstrap__Workspaces__0__ApiKey=$key")
  fi
  local pin=()
  [ -z "$cpus" ] || pin=(taskset -c "$cpus")
  mkdir -p "$data"
  (cd "$(dirname "$web_dll")" && exec env "${env[@]}" "${pin[@]}" dotnet "$web_dll" --urls "http://127.0.0.1:$port") >"$data.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do curl -s -o /dev/null -f "http://127.0.0.1:$port/healthz" && return; sleep 0.2; done
  echo "$role did not become healthy:" >&2; tail -20 "$data.log" >&2; exit 1
}

api() { curl -sS -f -H "Authorization: Bearer $key" "$@"; }
# Waits until every analysis is done; fails loudly when one did not succeed.
wait_all() { # port count
  while :; do
    local page
    page=$(api "http://127.0.0.1:$1/api/v1/analyses?pageSize=200")
    local done failed
    done=$(jq '[.items[] | select(.status == "succeeded")] | length' <<<"$page")
    failed=$(jq '[.items[] | select(.status == "failed" or .status == "cancelled")] | length' <<<"$page")
    if [ "$failed" != 0 ]; then echo "failed analyses:" >&2; jq -c '.items[] | select(.status == "failed") | .error' <<<"$page" >&2; exit 1; fi
    [ "$done" -ge "$2" ] && return
    sleep 0.3
  done
}

# One measurement: store, workers (1 or 2), workload; sets $seconds to the wall time.
measure() {
  local store=$1 workers=$2 load=$3 dir=$work/run-$1-$2-$3
  db=bench_${store,,}_${workers}_$load
  runuser -u postgres -- "$pg_bin/createdb" -h "$work/pg" -p "$pg_port" "$db"
  # Local: one directory every process shares (one machine); Registry: one per process (separate machines).
  data_of() { if [ "$store" = Registry ]; then echo "$dir/$1"; else echo "$dir/shared"; fi; }
  local first=${#pids[@]} web_port
  node web "$(data_of web)" "" "$store"; web_port=$port
  node worker "$(data_of worker0)" 0 "$store"
  [ "$workers" = 1 ] || node worker "$(data_of worker1)" 1 "$store"
  local start end
  start=$(date +%s.%N)
  if [ "$load" = big ]; then
    for i in $(seq 1 "$big"); do
      api -o /dev/null -H 'Content-Type: application/json' -d "{\"image\":\"127.0.0.1:$source_port/bench/big:1\",\"name\":\"big$i\"}" "http://127.0.0.1:$web_port/api/v1/analyses"
    done
    wait_all "$web_port" "$big"
  else
    for i in $(seq 1 "$small"); do
      api -o /dev/null -H 'Content-Type: application/x-tar' --data-binary "@$small_tar" "http://127.0.0.1:$web_port/api/v1/analyses?name=small$i"
    done
    wait_all "$web_port" "$small"
  fi
  end=$(date +%s.%N)
  for pid in "${pids[@]:$first}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=("${pids[@]:0:$first}")
  rm -rf "$dir"
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
}

supports_registry() { grep -q 'StorageProvider.Registry' "$root/src/Web/Storage/ArtifactStoreSetup.cs" 2>/dev/null; }

echo "== issue 14: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(du -sh "$cache/image-oci" | cut -f1) benchmark image x $big, small image x $small"
declare -A wall
for store in $stores; do
  if [ "$store" = Registry ] && ! supports_registry; then
    note "Registry store: skipped, this build has no LayerLens:Storage:Provider=Registry"
    continue
  fi
  for load in big small; do
    for workers in 1 2; do
      measure "$store" "$workers" "$load"
      wall[$store-$load-$workers]=$seconds
      echo "$store $load, $workers worker(s): ${wall[$store-$load-$workers]} s"
    done
  done
done

echo
echo "== summary (issue 14), load average at the end $(cut -d' ' -f1 /proc/loadavg)"
printf '%-9s %-6s %12s %12s %16s\n' store load "1 worker s" "2 workers s" "speed-up (1/2)" | tee -a "$summary"
for store in $stores; do
  for load in big small; do
    [ -n "${wall[$store-$load-1]:-}" ] || continue
    printf '%-9s %-6s %12s %12s %16s\n' "$store" "$load" "${wall[$store-$load-1]}" "${wall[$store-$load-2]}" \
      "$(ratio "${wall[$store-$load-1]}" "${wall[$store-$load-2]}")" | tee -a "$summary"
  done
done
if [ -n "${wall[Registry-big-1]:-}" ]; then
  for load in big small; do
    for workers in 1 2; do
      note "Registry / Local, $load, $workers worker(s): $(ratio "${wall[Registry-$load-$workers]}" "${wall[Local-$load-$workers]}") x wall"
    done
  done
fi
