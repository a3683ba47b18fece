#!/usr/bin/env bash
# Builds the tiny bootable test guest used by kvmtui's end-to-end tests:
#   OUTDIR/vmlinuz     the current Debian 12 kernel (linux-image-6.1.0-*-amd64), extracted
#                      with dpkg-deb, never installed on the host
#   OUTDIR/vmlinux     the same kernel uncompressed (ELF, PVH entry): boots ~5 s faster
#                      under TCG; no Linux text console on the VGA screen (see README.md)
#   OUTDIR/initrd.img  a newc+gzip initramfs: busybox-static, /init, busybox init, acpid,
#                      virtio modules (a test may give the guest a virtio disk or channel),
#                      and Debian's qemu-guest-agent (qemu-ga and the libraries it links),
#                      started on the org.qemu.guest_agent.0 port when the guest has one
#   OUTDIR/stamp       the kernel release, e.g. 6.1.0-56-amd64
# Usage: build.sh [OUTDIR]     (default /var/lib/libvirt/images/kvmtui-guest)
#        FORCE=1 build.sh ...  rebuild even if the outputs are up to date
# Idempotent: does nothing when vmlinuz, initrd.img and stamp exist and are newer than this
# script (a newer Debian kernel is picked up only with FORCE=1).
# Needs root only to apt-get install busybox-static/cpio when they are missing.
# See README.md next to it; domain.xml.in is the matching libvirt domain template.
set -euo pipefail

outdir=${1:-/var/lib/libvirt/images/kvmtui-guest}
self=$(readlink -f "${BASH_SOURCE[0]}")

say() { echo "kvmtui-guest build: $*" >&2; }
die() { say "error: $*"; exit 1; }

uptodate() {
  local f
  for f in vmlinuz initrd.img stamp; do
    [ -s "$outdir/$f" ] && [ "$outdir/$f" -nt "$self" ] || return 1
  done
}

report() {
  echo "kernel: $outdir/vmlinuz"
  [ ! -f "$outdir/vmlinux" ] || echo "kernel: $outdir/vmlinux (same kernel, uncompressed, PVH entry: boots ~5 s faster under TCG)"
  echo "initrd: $outdir/initrd.img"
  echo "stamp:  $outdir/stamp ($(cat "$outdir/stamp"))"
}

# domain.xml.in logs the serial console to /var/log/libvirt/qemu/NAME-serial0.log; libvirtd
# creates that directory only after it has opened the serial log, so make sure it exists.
if [ "$(id -u)" = 0 ] && [ -d /var/log/libvirt ]; then
  mkdir -p /var/log/libvirt/qemu
fi

if [ -z "${FORCE:-}" ] && uptodate; then
  report
  exit 0
fi

mkdir -p "$outdir"
chmod 0755 "$outdir"
# One builder at a time per OUTDIR (tests may run in parallel).
exec 9>"$outdir/.build.lock"
flock 9
if [ -z "${FORCE:-}" ] && uptodate; then   # another builder finished while we waited
  report
  exit 0
fi

# --- host packages -----------------------------------------------------------------------
need=()
for p in busybox-static cpio; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
apt_updated=
apt_update() {
  [ -n "$apt_updated" ] && return 0
  [ "$(id -u)" = 0 ] || die "apt-get update needs root"
  say "apt-get update"
  apt-get update -q >/dev/null
  apt_updated=1
}
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing packages ${need[*]}; run: sudo apt-get install -y ${need[*]}"
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
    || { apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox not found (busybox-static)"
# Not "busybox --list | grep -q": under pipefail an early grep exit can SIGPIPE busybox.
grep -qx acpid <<<"$("$busybox" --list)" || die "this busybox has no acpid applet"

# --- kernel ------------------------------------------------------------------------------
kpkg_name() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}
kpkg=$(kpkg_name)
if [ -z "$kpkg" ]; then apt_update; kpkg=$(kpkg_name); fi
[ -n "$kpkg" ] || die "cannot resolve the kernel package behind linux-image-amd64 (apt-cache depends)"

tmp=$(mktemp -d /tmp/kvmtui-guest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/deb"
# Let apt's _apt user write there (avoids the "download is performed unsandboxed" warning).
getent passwd _apt >/dev/null && chown _apt "$tmp/deb" 2>/dev/null || true
say "downloading $kpkg"
if ! (cd "$tmp/deb" && apt-get download -q "$kpkg" >/dev/null 2>&1); then
  apt_update   # stale package lists: the name or the pool file may have changed
  kpkg=$(kpkg_name)
  [ -n "$kpkg" ] || die "cannot resolve the kernel package behind linux-image-amd64"
  (cd "$tmp/deb" && apt-get download -q "$kpkg" >/dev/null) || die "apt-get download $kpkg failed"
fi
deb=$(ls "$tmp"/deb/*.deb)
# The ACPI power button (LNXPWRBN) reaches user space only through button.ko + evdev.ko,
# both modules in Debian's kernel (no dependencies); busybox acpid reads /dev/input/event*.
# Extract only those and the kernel (like dpkg-deb -x, without writing 400 MB of modules).
# virtio (in load order): a virtio disk shows as /dev/vda (snapshot, commit and backup tests
# write to it), virtio-serial ports as /dev/vport* (the guest agent's channel). ext4 (with
# jbd2, mbcache, crc16, crc32c; it mounts ext2 too): an ext2 file system on vda is mounted
# on /mnt, so the agent has one to freeze (FIFREEZE needs a file system that can: FAT cannot).
mods=(drivers/input/evdev.ko drivers/acpi/button.ko
  drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_pci_modern_dev.ko
  drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko
  drivers/char/virtio_console.ko lib/crc16.ko crypto/crc32c_generic.ko fs/mbcache.ko fs/jbd2/jbd2.ko fs/ext4/ext4.ko)
mkdir "$tmp/k"
dpkg-deb --fsys-tarfile "$deb" |
  tar -x -C "$tmp/k" --wildcards './boot/vmlinuz-*' './boot/config-*' "${mods[@]/#/*/kernel/}"
vmlinuz=$(ls "$tmp"/k/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $deb"
kver=${vmlinuz##*/vmlinuz-}
say "kernel $kver ($(dpkg-deb -f "$deb" Version))"

# --- guest agent: Debian's qemu-ga, with the libraries it links (ldd on this host) ------
mkdir "$tmp/qga"
(cd "$tmp/deb" && apt-get download -q qemu-guest-agent >/dev/null 2>&1) ||
  { apt_update; (cd "$tmp/deb" && apt-get download -q qemu-guest-agent >/dev/null) || die "apt-get download qemu-guest-agent failed"; }
dpkg-deb --fsys-tarfile "$tmp"/deb/qemu-guest-agent_*.deb | tar -x -C "$tmp/qga" ./usr/sbin/qemu-ga
qga_libs=$(ldd "$tmp/qga/usr/sbin/qemu-ga") || die "ldd qemu-ga failed"
! grep -q "not found" <<<"$qga_libs" || die "qemu-ga needs libraries this host lacks: $(grep 'not found' <<<"$qga_libs" | tr -s ' \t\n' ' ')"

# --- vmlinux: the same kernel, uncompressed, booted through its PVH entry point ------------
# Under TCG the bzImage spends ~6 s decompressing itself before the first console line;
# QEMU boots an ELF vmlinux with a PVH note (CONFIG_PVH=y) directly, ~0.6 s to that line.
# The payload sits at (setup_sects+1)*512 + payload_offset in the bzImage (boot protocol 2.08+).
extract_vmlinux() { # bzImage config out
  local po pl ss start
  grep -qx 'CONFIG_PVH=y' "$2" || { say "kernel lacks CONFIG_PVH: no vmlinux"; return 1; }
  rd() { od -An -t "u$2" -j "$1" -N "$2" "$bz" | tr -d ' '; }
  local bz=$1
  ss=$(rd $((0x1f1)) 1); [ "$ss" -ne 0 ] || ss=4
  po=$(rd $((0x248)) 4); pl=$(rd $((0x24c)) 4)
  start=$(( (ss + 1) * 512 + po ))
  [ "$(od -An -tx1 -j "$start" -N 6 "$bz" | tr -d ' ')" = fd377a585a00 ] ||
    { say "kernel payload is not xz: no vmlinux"; return 1; }
  dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$pl" status=none |
    xz -dc --single-stream >"$3" || { say "xz failed: no vmlinux"; return 1; }
  [ "$(head -c 4 "$3" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || { say "not ELF: no vmlinux"; return 1; }
}
have_vmlinux=
if command -v xz >/dev/null && extract_vmlinux "$vmlinuz" "$tmp/k/boot/config-$kver" "$tmp/vmlinux"; then
  have_vmlinux=1
fi

# --- initramfs ---------------------------------------------------------------------------
r=$tmp/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc/acpi/PWRF,proc,sys,dev,tmp,run,root,var,lib/modules}
ln -s /run "$r/var/run"; ln -s /run/log "$r/var/log"   # both on the /run tmpfs
install -m 0755 "$busybox" "$r/bin/busybox"
"$busybox" --list-full | while read -r a; do
  [ "$a" = bin/busybox ] || [ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
done
for m in "${mods[@]}"; do
  f=$(find "$tmp/k" -path "*/lib/modules/$kver/kernel/$m" | head -n1)
  [ -n "$f" ] || die "module $m not in $kpkg"
  install -m 0644 "$f" "$r/lib/modules/"
done
if [ "$(id -u)" = 0 ]; then   # the kernel's built-in initramfs has it too; belt and braces
  mknod -m 0600 "$r/dev/console" c 5 1
fi

install -m 0755 "$tmp/qga/usr/sbin/qemu-ga" "$r/usr/sbin/qemu-ga"
for lib in $(awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' <<<"$qga_libs"); do
  mkdir -p "$r$(dirname "$lib")"
  cp -L "$lib" "$r$lib"
done
mkdir -p "$r/lib64" "$r/var/lib"
[ -e "$r/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"

cat >"$r/init" <<'EOF'
#!/bin/sh
# kvmtui test guest: PID 1 until it hands over to busybox init (see /etc/inittab).
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mkdir -p /run/log
hostname kvmtui-guest

# ACPI power button -> /etc/acpi/PWRF/00000080 -> clean poweroff.
insmod /lib/modules/evdev.ko
insmod /lib/modules/button.ko
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console crc16 crc32c_generic mbcache jbd2 ext4; do
  insmod /lib/modules/$m.ko
done
# An ext2 file system on vda (made on the host with busybox mke2fs) is mounted on /mnt: a
# real block file system for the guest agent's fsfreeze and fsinfo. Any other vda (empty,
# or raw data a test wrote) fails to mount, quietly.
mkdir -p /mnt
if [ -b /dev/vda ] && mount -t ext2 /dev/vda /mnt 2>/dev/null; then
  echo "kvmtui-guest: /dev/vda (ext2) on /mnt"
fi
acpid -l /run/log/acpid.log -p /run/acpid.pid
# acpid writes its pid file once it has opened the event devices: wait for it, so that
# a power button pressed right after the banner is not lost.
i=0; while [ ! -s /run/acpid.pid ] && [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done
[ -s /run/acpid.pid ] || echo "kvmtui-guest: WARNING: acpid did not start" >/dev/console

# Ctrl+Alt+Del: busybox init disables the kernel's hard reboot (ctrl-alt-del=0) and gets
# SIGINT instead; its ::ctrlaltdel: action in /etc/inittab reboots cleanly.

# The guest agent, on the port libvirt names org.qemu.guest_agent.0 (no udev here to
# make the /dev/virtio-ports link: the name is in sysfs).
for port in /sys/class/virtio-ports/vport*; do
  if [ "$(cat "$port/name" 2>/dev/null)" = org.qemu.guest_agent.0 ]; then
    qemu-ga --daemonize -m virtio-serial -p "/dev/${port##*/}" -t /run -f /run/qemu-ga.pid -l /run/log/qemu-ga.log &&
      echo "kvmtui-guest: guest agent on /dev/${port##*/}"
  fi
done

echo "kvmtui-guest: kernel $(uname -r), $(cut -d' ' -f1 /proc/uptime)s since boot"
echo "kvmtui-guest: booted"
# Something to see on the VGA screen (VNC screenshots). Booted from the bzImage, Linux has
# a VGA text console: write to tty1. Booted through PVH (vmlinux) it has none (no screen_info),
# so paint the text straight into the VGA text buffer at 0xB8000 (80x25, grey on black).
vga1="kvmtui-guest: booted"
vga2="kernel $(uname -r); serial console on ttyS0; no Linux console on this screen"
if grep -qs VGA /sys/class/vtconsole/vtcon*/name; then
  printf '\033[H\033[J%s\n%s\n' "$vga1" "kernel $(uname -r); serial console on ttyS0" >/dev/tty1
else
  awk -v a="$vga1" -v b="$vga2" 'BEGIN { for (r = 0; r < 25; r++) {
      l = r == 0 ? a : r == 1 ? b : ""
      for (i = 1; i <= 80; i++) { c = substr(l, i, 1); printf "%c%c", c == "" ? " " : c, 7 } } }' \
    >/run/vga.txt
  dd if=/run/vga.txt of=/dev/mem bs=32 seek=$((0xB8000 / 32)) count=125 2>/dev/null ||
    echo "kvmtui-guest: could not write the VGA text buffer"
  rm -f /run/vga.txt
fi
# From here on only emergency kernel messages reach the console (reboot/power-down lines
# still do), so that the interactive session is not interleaved with kernel chatter.
dmesg -n 1
exec /sbin/init
EOF
chmod 0755 "$r/init"

cat >"$r/etc/inittab" <<'EOF'
# kvmtui test guest (busybox init). /init did the mounts and started acpid.
ttyS0::respawn:-/bin/sh
# A second shell on the first virtual terminal, for keys typed on the VGA screen (VNC,
# send-key); Linux draws it on the screen when booted from the bzImage.
tty1::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/echo kvmtui-guest: going down
EOF

cat >"$r/etc/profile" <<'EOF'
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export PS1='kvmtui-guest# '
export HOME=/root
cd /root
EOF

cat >"$r/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "kvmtui-guest: ACPI power button: powering off" >/dev/console
exec /sbin/poweroff
EOF
chmod 0755 "$r/etc/acpi/PWRF/00000080"

echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
echo "root:*:19000:0:99999:7:::" >"$r/etc/shadow"
chmod 0600 "$r/etc/shadow"
# qemu-ga sets passwords with chpasswd, which busybox lacks: lines "user:password" on
# standard input (-e: already hashed) into /etc/shadow.
cat >"$r/usr/sbin/chpasswd" <<'EOF'
#!/bin/sh
crypted=; [ "$1" = -e ] && crypted=1
while IFS=: read -r user pass; do
  grep -q "^$user:" /etc/shadow || { echo "chpasswd: no user $user" >&2; exit 1; }
  [ -n "$crypted" ] || pass=$(mkpasswd -m sha512 "$pass")
  sed -i "s|^$user:[^:]*:|$user:$pass:|" /etc/shadow
done
EOF
chmod 0755 "$r/usr/sbin/chpasswd"
# qemu-ga's shutdown and reboot run shutdown(8) -h -P / -r, which busybox lacks too.
cat >"$r/sbin/shutdown" <<'EOF'
#!/bin/sh
case " $* " in *" -r "*) exec /sbin/reboot ;; esac
exec /sbin/poweroff
EOF
chmod 0755 "$r/sbin/shutdown"
cat >"$r/etc/os-release" <<'EOF'
NAME="kvmtui test guest"
ID=kvmtui-guest
VERSION_ID=1
VERSION="1 (busybox)"
PRETTY_NAME="kvmtui test guest 1"
EOF
printf 'root:x:0:\ntty:x:5:\n' >"$r/etc/group"
echo kvmtui-guest >"$r/etc/hostname"

(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) |
  gzip -9n >"$tmp/initrd.img"

# --- install -----------------------------------------------------------------------------
install -m 0644 "$vmlinuz" "$outdir/.vmlinuz.new"
if [ -n "$have_vmlinux" ]; then
  install -m 0644 "$tmp/vmlinux" "$outdir/.vmlinux.new"
  mv -f "$outdir/.vmlinux.new" "$outdir/vmlinux"
else
  rm -f "$outdir/vmlinux"
fi
install -m 0644 "$tmp/initrd.img" "$outdir/.initrd.img.new"
echo "$kver" >"$outdir/.stamp.new"
chmod 0644 "$outdir/.stamp.new"
mv -f "$outdir/.vmlinuz.new" "$outdir/vmlinuz"
mv -f "$outdir/.initrd.img.new" "$outdir/initrd.img"
mv -f "$outdir/.stamp.new" "$outdir/stamp"
say "built"
report
