#!/usr/bin/env bash
# Installs (as root, through apt) and starts what a real libvirtd with QEMU needs on Debian 12.
# Idempotent: does nothing that is already done. Recipe from shared/DESIGN.md.
set -euo pipefail

# The main daemons, told apart by their PID files from the migration peer's
# (libvirtd-peer.sh), which run under the same names in another namespace.
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
answers() { [ -S /var/run/libvirt/libvirt-sock ] && virsh -c qemu:///system version >/dev/null 2>&1; }

# libvirtd runs under a supervisor, as systemd runs it on a normal host
# (Restart=on-failure): a crash is written to $crashes and restarted, a
# clean stop (SIGTERM) ends both. One supervisor at a time (a lock); five
# failures in a row that each lasted under 5 s end it too. libvirtd logs its
# warnings and errors to /var/log/libvirt/libvirtd.log.
sup_lock=/run/kvmtui-libvirtd-supervisor.lock
crashes=/var/log/libvirt/kvmtui-crashes.log
supervised() { [ -e "$sup_lock" ] && ! flock -n "$sup_lock" true; }
if [ "${1:-}" = --supervise ]; then
  exec 9>"$sup_lock"
  flock -n 9 || exit 0
  quick=0
  while [ $quick -lt 5 ]; do
    rc=0 started=$SECONDS
    LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" libvirtd || rc=$?
    [ "$rc" != 0 ] || break
    what="status $rc"
    [ "$rc" -le 128 ] || what="signal $(kill -l $((rc - 128)))"
    echo "$(date -Is) libvirtd ended with $what; restarted" >>"$crashes"
    if [ $((SECONDS - started)) -lt 5 ]; then quick=$((quick + 1)); else quick=0; fi
    sleep 1
  done
  exit 0
fi

pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev pkg-config
      qemu-system-x86 qemu-utils libxml2-utils tmux cpio busybox-static
      osinfo-db virtinst xorriso ovmf swtpm swtpm-tools
      xvfb virt-viewer   # the graphical console's end-to-end test
      openssh-server     # the SSH tunnel test runs its own sshd on 127.0.0.1
      python3-pyftpdlib  # the FTP install tree test serves on 127.0.0.1
      iptables dnsmasq-base  # isolated virtual networks start for real (firewall rules, DHCP on their bridge)
      libvirt-daemon-config-nwfilter # the filters libvirt ships (clean-traffic, no-spoofing …)
      scrub              # volume wipes other than zeros
      lvm2 parted        # logical and disk pools on loop devices
      tgt libvirt-daemon-driver-storage-iscsi-direct  # an iSCSI target on 127.0.0.1 for iscsi-direct pools with CHAP
      dpkg-dev man-db    # make deb (dpkg-shlibdeps) and its test (man kvmtui)
      sasl2-bin libsasl2-modules libsasl2-modules-db)  # the SASL login test's libvirtd
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
  if [ "$(id -u)" = 0 ] && alive /run/libvirtd.pid; then
    pid=$(cat /run/libvirtd.pid)
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
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

alive /run/virtlogd.pid || virtlogd -d
for _ in $(seq 1 150); do
  answers && exit 0
  # Nothing runs (or it just ended): start the supervisor, holding none of
  # our output open (a caller may wait for its end).
  if ! alive /run/libvirtd.pid && ! supervised; then
    setsid "$0" --supervise </dev/null >/dev/null 2>&1 &
  fi
  sleep 0.1
done
echo "libvirtd did not come up (no /var/run/libvirt/libvirt-sock)" >&2
exit 1
