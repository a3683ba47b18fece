#!/usr/bin/env bash
# Throughput of kvmtui's full clone and full backup of a 1 GiB disk against
# cp of the same file (issue 15): not a test, a report.
#
#   testdata/bench/copy.sh [path/to/kvmtui]
#
# A shut-off guest kvmtui-test-copy gets a qcow2 disk of BENCH_MIB (default
# 1024) MiB of random data (incompressible, no holes) in a dir pool of its
# own; then, each timed as a whole process: cp of the image (page cache
# dropped first), kvmtui clone (virStorageVolCreateXMLFrom), kvmtui backup
# (libvirt's backup API; the guest is started paused for it). Everything is
# removed at the end, also on failure or Ctrl-C.
set -euo pipefail

URI=${BENCH_URI:-qemu:///system}
MIB=${BENCH_MIB:-1024}
KVMTUI=${1:-bin/kvmtui}
name=kvmtui-test-copy
pool=kvmtui-test-copy
dir=/var/lib/libvirt/images/$pool
root=$(cd "$(dirname "$0")/../.." && pwd)

cleanup() {
  for d in $name $name-clone; do
    virsh -c "$URI" destroy $d >/dev/null 2>&1 || true
    virsh -c "$URI" undefine $d --checkpoints-metadata >/dev/null 2>&1 || true
  done
  virsh -c "$URI" pool-destroy $pool >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
cleanup
mkdir -p "$dir"
virsh -c "$URI" pool-create-as $pool dir --target "$dir" >/dev/null
head -c $((MIB << 20)) /dev/urandom >"$dir/src.raw"
qemu-img convert -O qcow2 "$dir/src.raw" "$dir/$name.qcow2"
rm "$dir/src.raw"
virsh -c "$URI" pool-refresh $pool >/dev/null
"$root/testdata/guest/build.sh" >/dev/null
sed -e "s|@NAME@|$name|g" -e "s|@KERNEL@|/var/lib/libvirt/images/kvmtui-guest/vmlinux|" \
    -e "s|@INITRD@|/var/lib/libvirt/images/kvmtui-guest/initrd.img|" \
    -e "s|<controller type='usb' model='none'/>|<controller type='usb' model='none'/><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$dir/$name.qcow2'/><target dev='vda' bus='virtio'/></disk>|" \
    "$root/testdata/guest/domain.xml.in" >"$dir/domain.xml"
virsh -c "$URI" define "$dir/domain.xml" >/dev/null

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
flush() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

flush; t_cp=$(secs cp "$dir/$name.qcow2" "$dir/cp-copy.qcow2")
rm "$dir/cp-copy.qcow2"
flush; t_clone=$(secs "$KVMTUI" -c "$URI" clone $name)
flush; t_backup=$(secs "$KVMTUI" -c "$URI" backup $name --to $pool)
rate() { awk -v m="$MIB" -v t="$1" 'BEGIN { printf "%.0f", m / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-28s %8s %10s %8s\n' "$MIB MiB of data" seconds "MiB/s" "vs cp"
printf '%-28s %8.2f %10s %8s\n' "cp" "$t_cp" "$(rate "$t_cp")" "1.00"
printf '%-28s %8.2f %10s %8s\n' "kvmtui clone (full copy)" "$t_clone" "$(rate "$t_clone")" "$(ratio "$t_cp" "$t_clone")"
printf '%-28s %8.2f %10s %8s\n' "kvmtui backup (full)" "$t_backup" "$(rate "$t_backup")" "$(ratio "$t_cp" "$t_backup")"
