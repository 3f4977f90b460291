#!/usr/bin/env bash
# Benchmark of the layer-result cache (issue 16). In one run, on a child of the realistic benchmark image (the
# image plus one small layer, as a CI's next build of an app is):
#  1. warm-cache `layerlens analyze` of the child (its parent's layers cached, its new layer not) against a cold
#     analyze of it (--no-cache): wall times, the median of the paired ratios, and the two reports compared;
#  2. a pull of the child from a throwaway docker-registry on 127.0.0.1 with the parent's layers cached: bytes
#     the registry sent (its access log) against the image's compressed size and a cold pull.
# Medians over RUNS pairs (default 5), cold and warm alternated so drift hits both alike. The CLI is measured as it
# ships (ReadyToRun publish, as image-bench.sh does; R2R=0 measures the plain build output).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-5}
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
[ -f "$cache/image-oci/index.json" ] || infra/bench/build-bench-image.sh

dotnet build src/Cli -c Release -nologo -v quiet >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/layerlens.dll)
work=$(mktemp -d)
registry_pid=
trap '[ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null; rm -rf "$work"' EXIT
if [ "${R2R:-1}" = 1 ]; then
  dotnet publish src/Cli -c Release -r "linux-$(dpkg --print-architecture | sed 's/amd64/x64/')" --self-contained false -o "$work/cli" -nologo -v quiet >/dev/null
  cli=(dotnet "$work/cli/layerlens.dll")
fi
sample="$work/sample"
measure() { /usr/bin/time -f "%e" -o "$sample" "$@" 2>/dev/null || { echo "failed: $*" >&2; exit 1; }; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The child: the parent's blobs (hard links), one new gzip layer of a few small files, config and manifest extended.
child="$work/child-oci"
mkdir -p "$child/blobs/sha256" "$work/layer/app"
cp -al "$cache/image-oci/blobs/sha256/." "$child/blobs/sha256/"
cp "$cache/image-oci/oci-layout" "$child/"
for i in $(seq 1 20); do head -c 2000 /dev/urandom | base64 >"$work/layer/app/file$i.txt"; done
tar -C "$work/layer" --owner=0 --group=0 --numeric-owner -cf "$work/layer.tar" app
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"
python3 - "$cache/image-oci" "$child" "$work/layer.tar" "$work/layer.tar.gz" <<'PY'
import hashlib, json, os, sys
parent, child, tar, gz = sys.argv[1:]
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(child, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest
def read(digest):
    with open(os.path.join(parent, "blobs", "sha256", digest.split(":")[1]), "rb") as f:
        return f.read()
index = json.load(open(os.path.join(parent, "index.json")))
manifest = json.loads(read(index["manifests"][0]["digest"]))
config = json.loads(read(manifest["config"]["digest"]))
tar_bytes, gz_bytes = open(tar, "rb").read(), open(gz, "rb").read()
config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(tar_bytes).hexdigest())
config.setdefault("history", []).append({"created_by": "COPY app /app # cache-bench child layer"})
config_bytes = json.dumps(config).encode()
manifest["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": blob(config_bytes), "size": len(config_bytes)}
manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(gz_bytes), "size": len(gz_bytes)})
manifest_bytes = json.dumps(manifest).encode()
index["manifests"] = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest_bytes),
                       "size": len(manifest_bytes), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]
json.dump(index, open(os.path.join(child, "index.json"), "w"))
PY
image_bytes=$(jq '[.layers[].size] | add' "$child/blobs/sha256/$(jq -r '.manifests[0].digest' "$child/index.json" | cut -d: -f2)")
layers=$(jq '.layers | length' "$child/blobs/sha256/$(jq -r '.manifests[0].digest' "$child/index.json" | cut -d: -f2)")

# The parent's layers, cached once; every warm run starts from a copy of it (the child's own layer not cached).
"${cli[@]}" analyze "oci:$cache/image-oci" --format json --cache-dir "$work/parent-cache" >/dev/null
echo "== child image: $layers layers, $((image_bytes / 1000000)) MB compressed, $(nproc) cores; cache of the parent: $(du -sh "$work/parent-cache" | cut -f1)"
cold=(); warm=(); ratios=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/run-cache" && cp -a "$work/parent-cache" "$work/run-cache"
  measure "${cli[@]}" analyze "oci:$child" --format json --no-cache -o "$work/cold.json"; c=$(cat "$sample")
  measure "${cli[@]}" analyze "oci:$child" --format json --cache-dir "$work/run-cache" -o "$work/warm.json"; w=$(cat "$sample")
  cmp -s "$work/cold.json" "$work/warm.json" || { echo "run $i: the warm report differs from the cold one" >&2; diff <(jq . "$work/cold.json") <(jq . "$work/warm.json") | head -20 >&2; exit 1; }
  cold+=("$c"); warm+=("$w"); ratios+=("$(awk -v c="$c" -v w="$w" 'BEGIN { printf "%.3f", w / c }')")
  echo "run $i: cold ${c}s | warm ${w}s | reports identical"
done
echo "cold analyze:       median wall $(printf '%s\n' "${cold[@]}" | median) s"
echo "warm-cache analyze: median wall $(printf '%s\n' "${warm[@]}" | median) s"
echo "ratio warm/cold (median of pairs): $(printf '%s\n' "${ratios[@]}" | median)  (target <= 0.1; reports byte-identical in every run)"

# A throwaway registry with its access log on: the bytes it sends per request are counted from it.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
  secret: cache-bench
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$child:latest" "docker://127.0.0.1:$port/bench/child:1"
# Bytes of every GET answered since line $1 of the access log (combined log format: ... "GET path HTTP/1.1" status bytes ...).
sent() { tail -n +"$1" "$work/registry.log" | awk '$0 ~ /"GET \/v2\/[^ ]+ HTTP/ { for (i = 1; i < NF; i++) if ($i ~ /^[0-9][0-9][0-9]$/ && $(i - 1) ~ /HTTP\/[0-9.]+"$/) { s += $(i + 1); break } } END { print s + 0 }'; }
pull() { # OUTPUT OPTIONS...
  local out=$1 from=$(($(wc -l <"$work/registry.log") + 1))
  shift
  "${cli[@]}" analyze "docker://127.0.0.1:$port/bench/child:1" --insecure --format json "$@" -o "$out" >/dev/null
  sleep 0.5
  sent "$from"
}
rm -rf "$work/run-cache" && cp -a "$work/parent-cache" "$work/run-cache"
cold_bytes=$(pull "$work/pull-cold.json" --no-cache)
warm_bytes=$(pull "$work/pull-warm.json" --cache-dir "$work/run-cache")
cmp -s "$work/pull-cold.json" "$work/pull-warm.json" || { echo "the warm pull's report differs from the cold pull's" >&2; exit 1; }
echo "== registry pull of the child (reports identical)"
echo "cold pull:  $cold_bytes bytes sent by the registry (image $image_bytes bytes compressed)"
awk -v w="$warm_bytes" -v i="$image_bytes" 'BEGIN { printf "warm cache: %d bytes sent (manifest, config and the one new layer): %.5f of the image\n", w, w / i }'
