#!/usr/bin/env bash
# Makes, without any registry, the two base images the Containerfile names by default, from this Debian host's
# own files, and tags them as local images in the given buildah storage:
#   localhost/layerlens-offline/aspnet:10.0  the .NET runtime and ASP.NET Core (host, shared frameworks), the
#                                            shared libraries they load, CA certificates, an "app" user (1654)
#   localhost/layerlens-offline/sdk:10.0     the same plus the whole .NET SDK and busybox for RUN's /bin/sh
# Then: buildah build --build-arg SDK_IMAGE=localhost/layerlens-offline/sdk:10.0 \
#         --build-arg RUNTIME_IMAGE=localhost/layerlens-offline/aspnet:10.0 -f infra/deploy/Containerfile .
# Usage: offline-bases.sh [buildah storage options…]  (e.g. --root DIR --runroot DIR --storage-driver overlay)
# Existing tags are kept (delete them to rebuild). Needs root, the .NET SDK in /usr/share/dotnet, busybox-static.
set -euo pipefail
store=("$@")
dotnet_root=/usr/share/dotnet
runtime_tag=localhost/layerlens-offline/aspnet:10.0
sdk_tag=localhost/layerlens-offline/sdk:10.0

exists() { buildah "${store[@]}" inspect --type image "$1" >/dev/null 2>&1; }
if exists "$runtime_tag" && exists "$sdk_tag"; then
  echo "offline bases: cached"
  exit 0
fi

work=$(mktemp -d /var/tmp/layerlens-offline-bases.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

# Merged /usr, as Debian 12 and the .NET images have it.
mkdir -p "$rootfs"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc/ssl/certs,tmp,root,home/app,usr/share}
ln -s usr/bin "$rootfs/bin"; ln -s usr/sbin "$rootfs/sbin"; ln -s usr/lib "$rootfs/lib"; ln -s usr/lib64 "$rootfs/lib64"
chmod 1777 "$rootfs/tmp"

# The runtime: host and shared frameworks only (no SDK).
mkdir -p "$rootfs$dotnet_root"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$dotnet_root/LICENSE.txt" "$rootfs$dotnet_root/"
ln -s ../share/dotnet/dotnet "$rootfs/usr/bin/dotnet"

# The libraries the runtime links (ldd) and the ones it loads by name (OpenSSL, ICU).
libs() {
  ldd "$dotnet_root/dotnet" "$dotnet_root"/shared/*/*/*.so "$dotnet_root"/host/fxr/*/*.so 2>/dev/null \
    | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
  ls /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3
  # ICU, loaded by name too: the SDK needs it (the apps run with invariant globalization).
  ls /usr/lib/x86_64-linux-gnu/libicu{uc,i18n,data}.so.[0-9][0-9]
}
for lib in $(libs | sort -u); do
  case "$lib" in
    /lib64/*|/usr/lib64/*) cp -L "$lib" "$rootfs/usr/lib64/$(basename "$lib")" ;;
    *) cp -L "$lib" "$rootfs/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
  esac
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1654:1654:app:/home/app:/usr/sbin/nologin
PASSWD
printf 'root:x:0:\napp:x:1654:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chown 1654:1654 "$rootfs/home/app"

commit() { # rootfs-dir tag
  local container
  container=$(buildah "${store[@]}" from scratch)
  tar -C "$1" -cf "$work/layer.tar" .
  buildah "${store[@]}" add "$container" "$work/layer.tar" / >/dev/null
  buildah "${store[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env DOTNET_ROOT=$dotnet_root --env APP_UID=1654 --os linux --arch amd64 "$container"
  buildah "${store[@]}" commit -q --rm "$container" "$2" >/dev/null
  rm -f "$work/layer.tar"
}

echo "offline bases: $runtime_tag"
commit "$rootfs" "$runtime_tag"

# The SDK stage: the full SDK, and busybox as the shell and the few tools RUN lines use.
rm -rf "$rootfs$dotnet_root"
cp -a "$dotnet_root" "$rootfs$dotnet_root"
cp /bin/busybox "$rootfs/usr/bin/busybox"
for tool in sh mkdir cp mv rm ls cat env tar uname; do ln -s busybox "$rootfs/usr/bin/$tool"; done
echo "offline bases: $sdk_tag"
commit "$rootfs" "$sdk_tag"
