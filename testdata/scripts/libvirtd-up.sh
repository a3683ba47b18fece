#!/usr/bin/env bash
# Installs (as root, through apt) and starts what a real libvirtd with QEMU needs on Debian 12.
# Idempotent: does nothing that is already done. Recipe from shared/DESIGN.md.
set -euo pipefail

pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev pkg-config
      qemu-system-x86 qemu-utils libxml2-utils tmux cpio busybox-static
      osinfo-db virtinst xorriso ovmf swtpm swtpm-tools
      xvfb virt-viewer   # the graphical console's end-to-end test
      openssh-server     # the SSH tunnel test runs its own sshd on 127.0.0.1
      python3-pyftpdlib  # the FTP install tree test serves on 127.0.0.1
      iptables dnsmasq-base  # isolated virtual networks start for real (firewall rules, DHCP on their bridge)
      libvirt-daemon-config-nwfilter # the filters libvirt ships (clean-traffic, no-spoofing …)
      scrub)             # volume wipes other than zeros
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]}" >&2
    echo "run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  # Install without starting services: openssh-server's own sshd would listen
  # on every address. The tests start what they need, on loopback.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # libvirtd finds iptables and dnsmasq when it starts: a running one
  # restarts to see them (its guests keep running).
  if [ "$(id -u)" = 0 ] && pgrep -x libvirtd >/dev/null; then
    pkill -x libvirtd
    for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
fi

[ "$(id -u)" = 0 ] || { echo "not root: not starting libvirtd" >&2; exit 0; }

getent passwd libvirt-qemu >/dev/null || useradd -r -M -s /usr/sbin/nologin libvirt-qemu
getent group kvm >/dev/null || groupadd -r kvm
mkdir -p /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/images
# /dev/kvm as udev sets it up on a normal host (group kvm, 0660). Left root-only,
# libvirt probes QEMU with KVM as root but then finds KVM unusable for the qemu
# user, calls its capability cache stale and re-probes on every define: 30 s each.
if [ -e /dev/kvm ]; then
  chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  id -nG libvirt-qemu | grep -qw kvm || usermod -aG kvm libvirt-qemu
fi

pgrep -x virtlogd >/dev/null || virtlogd -d
if ! pgrep -x libvirtd >/dev/null; then
  libvirtd -d
fi
for _ in $(seq 1 100); do
  if [ -S /var/run/libvirt/libvirt-sock ] && virsh -c qemu:///system version >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.1
done
echo "libvirtd did not come up (no /var/run/libvirt/libvirt-sock)" >&2
exit 1
