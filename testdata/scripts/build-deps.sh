#!/usr/bin/env bash
# Makes sure what building kvmtui needs is there: Go, a C compiler and
# libvirt's development files (cgo). Installs through apt as root; otherwise
# prints the one command to run.
set -euo pipefail

command -v go >/dev/null || { echo "kvmtui needs Go 1.26 (https://go.dev/dl/) on PATH" >&2; exit 1; }

pkgs=(libvirt-dev pkg-config gcc libvirt-clients)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "kvmtui needs: ${missing[*]}" >&2
  echo "run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
