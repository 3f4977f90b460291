#!/usr/bin/env bash
# Prepares this machine for sandboxed measured builds (see src/Analyzer/Optimisation/Measurement/Sandbox/README.md):
# a dedicated unprivileged user that rootless buildah runs as, with a range of subordinate uids and gids
# for the build's user namespace. Idempotent; run as root (install-test-deps.sh calls it, deployments may too).
# Usage: setup-build-sandbox.sh [USER]   (default layerlens-build, the LayerLens:Measurement:BuildUser default)
set -euo pipefail

user=${1:-layerlens-build}
# 65536 ids (a whole 16-bit range, so images with uids up to 65535 unpack) starting above every regular range.
count=65536

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-build-sandbox: run as root" >&2
  exit 1
fi
for tool in newuidmap newgidmap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup-build-sandbox: $tool is missing (Debian package uidmap)" >&2
    exit 1
  fi
done

if ! id -u "$user" >/dev/null 2>&1; then
  # No login shell, no password; the home directory is never used (builds set HOME inside their own directory).
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  echo "setup-build-sandbox: created user $user"
fi

# Each file gets one line for the user; the range starts after the highest range already allocated.
for file in /etc/subuid /etc/subgid; do
  touch "$file"
  if grep -q "^$user:" "$file"; then
    continue
  fi
  start=$(awk -F: 'BEGIN { next_free = 1000000 } { end = $2 + $3; if (end > next_free) next_free = end } END { print next_free }' "$file")
  echo "$user:$start:$count" >> "$file"
  echo "setup-build-sandbox: $file: $user:$start:$count"
done
