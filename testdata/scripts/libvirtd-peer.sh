#!/usr/bin/env bash
# A second libvirtd on this machine that libvirt treats as another host, for the migration
# tests: qemu+tcp://127.0.0.2/system (loopback only, no auth). Recipe from shared/DESIGN.md.
#
#   libvirtd-peer.sh start   start it unless it answers already; prints its URI
#   libvirtd-peer.sh stop    stop its libvirtd and virtlogd by PID
#
# It runs in a private mount and UTS namespace: its own hostname (kvmtui-peer), host_uuid,
# /run, /var/lib/libvirt/qemu, /var/cache/libvirt and /etc/libvirt (no domains, networks or
# pools of this host). Disk images under /var/lib/libvirt/images are shared storage, as on
# two hosts with one NFS export. /var/lib/libvirt/kvmtui-unshared is not: the peer sees an
# empty tmpfs there, so a disk in it can only reach the peer by copy-storage migration.
# Incoming migrations listen on 127.0.0.2 (migration_address), never on every address.
# Post-copy needs userfaultfd, which QEMU (not root under libvirt 9.0) may use only with
# vm.unprivileged_userfaultfd=1: start sets it, as a host meant for post-copy would.
set -euo pipefail

addr=127.0.0.2
uri="qemu+tcp://$addr/system"
state=/var/lib/kvmtui-peer        # outside the namespace: config copy, PIDs, logs
unshared=/var/lib/libvirt/kvmtui-unshared

[ "$(id -u)" = 0 ] || { echo "libvirtd-peer: needs root" >&2; exit 1; }

answers() { virsh -c "$uri" version >/dev/null 2>&1; }

stop() {
  local f pid
  for f in libvirtd virtlogd; do
    [ -s "$state/$f.pid" ] || continue
    pid=$(cat "$state/$f.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/$f.pid"
  done
}

case "${1:-}" in
stop) stop; exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

[ ! -w /proc/sys/vm/unprivileged_userfaultfd ] || echo 1 >/proc/sys/vm/unprivileged_userfaultfd
if answers; then echo "$uri"; exit 0; fi
stop   # a half-started one from an earlier run

mkdir -p "$state" "$unshared"
rm -rf "$state/etc"
mkdir -p "$state/etc/qemu" "$state/etc/storage" "$state/etc/secrets"
[ ! -d /etc/libvirt/nwfilter ] || cp -a /etc/libvirt/nwfilter "$state/etc/"
cat >"$state/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
auth_tcp = "none"
host_uuid = "6b7d5e0c-4c1f-4d3e-9a43-6b76d0c0ffee"
EOF
cat >"$state/etc/qemu.conf" <<EOF
migration_address = "$addr"
migration_host = "$addr"
EOF
cp /etc/libvirt/libvirt.conf "$state/etc/" 2>/dev/null || true

# Inside the namespace: private mounts, then the daemons; their PIDs are copied out.
unshare --mount --uts --propagation private bash -euc '
  state=$1 unshared=$2
  echo kvmtui-peer >/proc/sys/kernel/hostname   # its own UTS namespace
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -p /run/libvirt /run/lock
  mount -t tmpfs -o mode=0755 tmpfs /var/lib/libvirt/qemu
  chown libvirt-qemu: /var/lib/libvirt/qemu
  mount -t tmpfs -o mode=0755 tmpfs /var/cache/libvirt
  mount -t tmpfs -o mode=0755 tmpfs "$unshared"
  mount --bind "$state/etc" /etc/libvirt
  virtlogd -d
  libvirtd -d --listen
  for _ in $(seq 1 100); do [ -s /run/libvirtd.pid ] && [ -s /run/virtlogd.pid ] && break; sleep 0.1; done
  cp /run/libvirtd.pid /run/virtlogd.pid "$state/"
' _ "$state" "$unshared" >"$state/start.log" 2>&1 || { cat "$state/start.log" >&2; exit 1; }

for _ in $(seq 1 150); do
  if answers; then echo "$uri"; exit 0; fi
  sleep 0.1
done
echo "libvirtd-peer: $uri does not answer; $state/start.log:" >&2
cat "$state/start.log" >&2
stop
exit 1
