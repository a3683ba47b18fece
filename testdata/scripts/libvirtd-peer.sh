#!/usr/bin/env bash
# Other libvirtds on this machine that libvirt treats as other hosts, on
# loopback addresses (no TLS, no network beyond this machine). Recipe from
# shared/DESIGN.md.
#
#   libvirtd-peer.sh start [peer|sasl]   start one unless it answers already; prints its URI
#   libvirtd-peer.sh stop                stop them all, their libvirtd and virtlogd by PID
#
#   peer  qemu+tcp://127.0.0.2/system, no authentication: the migration tests' destination
#   sasl  qemu+tcp://127.0.0.3/system, SASL (DIGEST-MD5) against the user database
#         /var/lib/kvmtui-peer-sasl/passwd.db (saslpasswd2 -f … -a libvirt USER adds one):
#         the login tests
#
# Each runs in a private mount and UTS namespace: its own hostname (kvmtui-peer, kvmtui-sasl),
# host_uuid, /run, /var/lib/libvirt/qemu, /var/cache/libvirt and /etc/libvirt (no domains,
# networks or pools of this host). Disk images under /var/lib/libvirt/images are shared
# storage, as on two hosts with one NFS export. /var/lib/libvirt/kvmtui-unshared is not: a
# peer sees an empty tmpfs there, so a disk in it can only reach the peer by copy-storage
# migration. Incoming migrations listen on the peer's address (migration_address), never
# on every address. Post-copy needs userfaultfd, which QEMU (not root under libvirt 9.0)
# may use only with vm.unprivileged_userfaultfd=1: start sets it, as a host meant for
# post-copy would.
set -euo pipefail

kind=${2:-peer}
# state: outside the namespace, its config copy, PIDs and logs
states="/var/lib/kvmtui-peer /var/lib/kvmtui-peer-sasl"
case $kind in
peer) addr=127.0.0.2 auth=none state=/var/lib/kvmtui-peer uuid=6b7d5e0c-4c1f-4d3e-9a43-6b76d0c0ffee ;;
sasl) addr=127.0.0.3 auth=sasl state=/var/lib/kvmtui-peer-sasl uuid=6b7d5e0c-4c1f-4d3e-9a43-6b76d0c0fff0 ;;
*) echo "libvirtd-peer: no kind $kind (peer or sasl)" >&2; exit 2 ;;
esac
uri="qemu+tcp://$addr/system"
unshared=/var/lib/libvirt/kvmtui-unshared

[ "$(id -u)" = 0 ] || { echo "libvirtd-peer: needs root" >&2; exit 1; }

# Answers: the open one to virsh; the SASL one (virsh would ask for a login) by listening.
answers() {
  if [ "$auth" = none ]; then virsh -c "$uri" version >/dev/null 2>&1
  else (exec 3<>"/dev/tcp/$addr/16509") 2>/dev/null; fi
}

stop() { # the daemons whose PIDs are in the state directory $1
  local f pid
  for f in libvirtd virtlogd; do
    [ -s "$1/$f.pid" ] || continue
    pid=$(cat "$1/$f.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$1/$f.pid"
  done
}

case "${1:-}" in
stop) for st in $states; do stop "$st"; done; exit 0 ;;
start) ;;
*) echo "usage: $0 start [peer|sasl] | stop" >&2; exit 2 ;;
esac

[ ! -w /proc/sys/vm/unprivileged_userfaultfd ] || echo 1 >/proc/sys/vm/unprivileged_userfaultfd
if answers; then echo "$uri"; exit 0; fi
stop "$state"   # a half-started one from an earlier run

mkdir -p "$state" "$unshared"
rm -rf "$state/etc"
mkdir -p "$state/etc/qemu" "$state/etc/storage" "$state/etc/secrets"
[ ! -d /etc/libvirt/nwfilter ] || cp -a /etc/libvirt/nwfilter "$state/etc/"
cat >"$state/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
auth_tcp = "$auth"
host_uuid = "$uuid"
EOF
cat >"$state/etc/qemu.conf" <<EOF
migration_address = "$addr"
migration_host = "$addr"
EOF
cp /etc/libvirt/libvirt.conf "$state/etc/" 2>/dev/null || true
# SASL's configuration for the application "libvirt", found through SASL_CONF_PATH.
mkdir -p "$state/sasl2"
printf 'mech_list: digest-md5\nsasldb_path: %s\n' "$state/passwd.db" >"$state/sasl2/libvirt.conf"

# Inside the namespace: private mounts, then the daemons; their PIDs are copied out.
unshare --mount --uts --propagation private bash -euc '
  state=$1 unshared=$2
  echo "$3" >/proc/sys/kernel/hostname   # its own UTS namespace
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -p /run/libvirt /run/lock
  mount -t tmpfs -o mode=0755 tmpfs /var/lib/libvirt/qemu
  chown libvirt-qemu: /var/lib/libvirt/qemu
  mount -t tmpfs -o mode=0755 tmpfs /var/cache/libvirt
  mount -t tmpfs -o mode=0755 tmpfs "$unshared"
  mount --bind "$state/etc" /etc/libvirt
  virtlogd -d
  SASL_CONF_PATH=$state/sasl2 libvirtd -d --listen
  for _ in $(seq 1 100); do [ -s /run/libvirtd.pid ] && [ -s /run/virtlogd.pid ] && break; sleep 0.1; done
  cp /run/libvirtd.pid /run/virtlogd.pid "$state/"
' _ "$state" "$unshared" "kvmtui-$kind" >"$state/start.log" 2>&1 || { cat "$state/start.log" >&2; exit 1; }

for _ in $(seq 1 150); do
  if answers; then echo "$uri"; exit 0; fi
  sleep 0.1
done
echo "libvirtd-peer: $uri does not answer; $state/start.log:" >&2
cat "$state/start.log" >&2
stop "$state"
exit 1
