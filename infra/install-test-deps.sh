#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (image builds, registry, PostgreSQL,
# browser). Idempotent: only missing packages are installed, and apt-get update runs only then.
# Works as root or through sudo.
set -euo pipefail

packages=(
  buildah          # builds fixture images (vfs, chroot isolation)
  skopeo           # copies/inspects images, pushes to the test registry
  umoci            # reads OCI layouts back in fixture tests
  docker-registry  # the registry fixture (distribution 2.x)
  busybox-static   # the usual base layer of fixture images
  postgresql       # the PostgreSQL fixture
  chromium         # the browser fixture
  chromium-driver
  apache2-utils    # htpasswd (bcrypt) for the registry's basic auth
  zstd             # zstd layer round trips
  libisal2         # ISA-L inflate for gzip layers (the engine falls back to zlib without it)
  isal             # igzip, to compare with
  libzstd1         # libzstd for zstd layers (the engine falls back to ZstdSharp without it)
  uidmap           # newuidmap/newgidmap: rootless buildah in the build sandbox
  e2fsprogs        # mkfs.ext4: the build sandbox's size-limited store
)

missing=()
for package in "${packages[@]}"; do
  # dpkg -s also succeeds for removed packages whose config files remain, so read the status line.
  status=$(dpkg -s "$package" 2>/dev/null | sed -n 's/^Status: //p' || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

here=$(cd "$(dirname "$0")" && pwd)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#packages[@]} packages already installed"
  # The build sandbox's user and subordinate id ranges (idempotent).
  if [ "$(id -u)" -eq 0 ]; then "$here/setup-build-sandbox.sh"; elif command -v sudo >/dev/null 2>&1; then sudo "$here/setup-build-sandbox.sh"; fi
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-test-deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
# The packages may start system services (postgresql, docker-registry); the fixtures ignore them and
# run their own servers on free loopback ports.
"${as_root[@]}" "$here/setup-build-sandbox.sh"
