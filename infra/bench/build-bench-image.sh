#!/usr/bin/env bash
# Builds, once, the realistic benchmark image (about 1 GB uncompressed) and leaves it as an OCI
# layout in $BENCH_CACHE/image-oci. A Debian bookworm minbase made with debootstrap is imported as
# the base; a Dockerfile on top installs compilers and runtimes with apt, deletes part of them,
# chmods a tree and copies a few thousand source files. Needs root (buildah vfs, chroot).
set -euo pipefail
cache=${BENCH_CACHE:-/var/tmp/layerlens-bench}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
store=(--root "$cache/storage" --runroot "$cache/run" --storage-driver vfs)
mkdir -p "$cache"

if [ -f "$cache/image-oci/index.json" ]; then
  echo "bench image: cached in $cache/image-oci"
  exit 0
fi

for tool in debootstrap buildah; do
  command -v "$tool" >/dev/null || { echo "bench image: installing $tool"; apt-get install -y -q "$tool" >/dev/null; }
done

if [ ! -f "$cache/rootfs.tar" ]; then
  echo "bench image: debootstrap --variant=minbase bookworm"
  rm -rf "$cache/rootfs"
  debootstrap --variant=minbase bookworm "$cache/rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1
  # The build's RUN steps use the same plain-HTTP mirror (no TLS roots inside builds).
  echo "deb $mirror bookworm main" >"$cache/rootfs/etc/apt/sources.list"
  tar -C "$cache/rootfs" -cf "$cache/rootfs.tar.partial" . && mv "$cache/rootfs.tar.partial" "$cache/rootfs.tar"
  rm -rf "$cache/rootfs"
fi

echo "bench image: importing the base"
base=$(buildah "${store[@]}" from scratch)
buildah "${store[@]}" add "$base" "$cache/rootfs.tar" /
buildah "${store[@]}" commit -q "$base" localhost/layerlens-bench-base:bookworm >/dev/null
buildah "${store[@]}" rm "$base" >/dev/null

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# A few thousand small source files, deterministic.
for d in $(seq 1 40); do
  mkdir -p "$context/src/module$d"
  for f in $(seq 1 100); do
    printf 'package module%d;\n// file %d of module %d\nclass C%d { int v = %d; }\n' "$d" "$f" "$d" "$f" "$((d * f))" >"$context/src/module$d/File$f.java"
  done
done
cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM localhost/layerlens-bench-base:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ make perl python3 python3-dev default-jre-headless
RUN rm -rf /usr/share/doc /usr/share/man /usr/lib/jvm/java-17-openjdk-amd64/lib/modules.d
RUN rm -f /usr/lib/gcc/x86_64-linux-gnu/12/cc1plus && chmod -R g+w /usr/lib/python3.11
COPY src/ /app/src/
RUN chmod -R a+rX /app
DOCKERFILE

echo "bench image: building (apt downloads from $mirror)"
buildah "${store[@]}" bud --isolation chroot --layers -t localhost/layerlens-bench:latest "$context" >"$cache/build.log" 2>&1
buildah "${store[@]}" push localhost/layerlens-bench:latest "oci:$cache/image-oci.partial:latest" >/dev/null
mv "$cache/image-oci.partial" "$cache/image-oci"
du -sh "$cache/image-oci"
