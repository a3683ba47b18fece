#!/usr/bin/env bash
# kvmtui over a slow link (issue 12): not a test, a report.
#
#   testdata/bench/slowlink.sh [path/to/kvmtui]        (make bench runs it)
#
# tools/slowlink relays a unix socket to libvirtd's, holding every chunk
# BENCH_DELAY (default 10ms) each way: a 20 ms round trip, as to a host across
# a WAN, with libvirtd on this machine. For each count in BENCH_COUNTS
# (default "200 2000") it defines that many guests (kvmtui-test-slow-NNNN,
# TCG, 64 MiB, no disk; BENCH_RUNNING of them, default 10, started, sitting in
# SeaBIOS) and measures over the link (qemu+unix:///system?socket=…):
#   - `virsh list --all`, the floor: a handful of calls;
#   - `kvmtui list`;
#   - the interactive list, launch until its title counts every VM;
#   - key → frame: `j` pressed 20 times at random moments while the list
#     sweeps every second, the time until the cursor's row moved on the
#     screen (tmux capture-pane polled; median and worst);
#   - where virt-manager and Xvfb are installed, virt-manager's launch until
#     its model holds every guest.
# The same four without the link come first, for comparison. All guests are
# removed at the end, also on failure or Ctrl-C.
set -euo pipefail

COUNTS=${BENCH_COUNTS:-200 2000}
RUNNING=${BENCH_RUNNING:-10}
DELAY=${BENCH_DELAY:-10ms}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/bin/kvmtui}")
PREFIX=kvmtui-test-slow-
SOCK=kvmtui-slow-$$
WORK=$(mktemp -d /tmp/kvmtui-slow.XXXXXX)
LINK=$WORK/libvirt.sock
DIRECT=qemu:///system
SLOW="qemu+unix:///system?socket=$LINK"

say() { printf '%s\n' "$*" >&2; }
v() { virsh -q -c "$DIRECT" "$@"; }
# shellcheck source=lib.sh
. "$ROOT/testdata/bench/lib.sh"

cleanup() {
	set +e
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "${LINK_PID:-}" ] && kill "$LINK_PID" 2>/dev/null
	[ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
	remove_guests
	rm -rf "$WORK"
}
remove_guests() {
	for d in $(virsh -q -c "$DIRECT" list --state-running --name | grep "^$PREFIX"); do
		echo "destroy $d"
	done | virsh -q -c "$DIRECT" >/dev/null 2>&1
	for d in $(virsh -q -c "$DIRECT" list --all --name | grep "^$PREFIX"); do
		echo "undefine $d"
	done | virsh -q -c "$DIRECT" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BIN" ] || { say "no kvmtui binary at $BIN (make build)"; exit 1; }
command -v tmux >/dev/null || { say "tmux is missing (make test-deps installs it)"; exit 1; }
v version >/dev/null || { say "libvirtd does not answer on $DIRECT (make test-deps starts it)"; exit 1; }

(cd "$ROOT" && go build -o "$WORK/slowlink" ./tools/slowlink)
"$WORK/slowlink" -listen "$LINK" -delay "$DELAY" &
LINK_PID=$!
for _ in $(seq 100); do [ -S "$LINK" ] && break; sleep 0.05; done

define_guests() { # N
	say "defining $1 guests (${PREFIX}0001…)…"
	for i in $(seq -f '%04g' 1 "$1"); do
		cat <<EOF
<domain type='qemu'>
  <name>$PREFIX$i</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
EOF
	done | awk -v dir="$WORK" 'BEGIN{n=0} /<domain/{n++; f=dir "/g" n ".xml"} {print > f} /<\/domain>/{close(f)}'
	# One virsh session for all: a connection per guest takes minutes.
	for f in "$WORK"/g*.xml; do echo "define $f"; done | virsh -q -c "$DIRECT" >/dev/null
	rm -f "$WORK"/g*.xml
	for i in $(seq -f '%04g' 1 "$RUNNING"); do echo "start $PREFIX$i"; done | virsh -q -c "$DIRECT" >/dev/null
}

# timed CMD...: wall milliseconds of a command.
timed() {
	local t0
	t0=$(now)
	"$@" >/dev/null 2>&1
	ms "$t0" "$(now)"
}

# interactive URI N: launch → full list, then key → frame; prints "FIRST MEDIAN WORST".
interactive() {
	local t0 first
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	t0=$(now)
	tmux -L "$SOCK" new-session -d -s b -x 160 -y 50 -e "XDG_CONFIG_HOME=$WORK/cfg" "$BIN" -c "$1" --interval 1s
	first=$(first_list b "$2" "$t0")
	sleep 2
	echo "$first $(key_frames b 20 j)"
	tmux -L "$SOCK" kill-server
}

# virt-manager, where installed, on the same link: launch until its model
# holds every guest.
VMM=
if command -v virt-manager >/dev/null && command -v Xvfb >/dev/null; then
	XDISPLAY=$((90 + RANDOM % 100))
	Xvfb ":$XDISPLAY" -screen 0 1280x1024x24 >/dev/null 2>&1 &
	XVFB_PID=$!
	VMM=yes
fi
virt_manager() { # URI N
	local t0 home=$WORK/vmm-$RANDOM first
	[ -n "$VMM" ] || { echo "-"; return; }
	t0=$(now)
	virt_manager_start "$home" "$1" "$XDISPLAY"
	first=$(virt_manager_first_list "$home" "$PREFIX" "$2" "$t0")
	kill "$VMM_PID" 2>/dev/null || true
	wait "$VMM_PID" 2>/dev/null || true
	echo "$first"
}

RESULTS=$WORK/results
printf '%-8s %-7s %12s %12s %16s %14s %12s %18s\n' "guests" "link" "virsh list" "kvmtui list" "UI: first list" "key→frame p50" "worst" "virt-manager list" >"$RESULTS"
remove_guests
for n in $COUNTS; do
	define_guests "$n"
	for link in direct slow; do
		uri=$DIRECT
		[ "$link" = slow ] && uri=$SLOW
		say "measuring $n guests, $link…"
		vl=$(timed virsh -q -c "$uri" list --all)
		kl=$(timed env XDG_CONFIG_HOME="$WORK/cfg" "$BIN" -c "$uri" list)
		read -r first p50 worst < <(interactive "$uri" "$n")
		vm=$(virt_manager "$uri" "$n")
		printf '%-8s %-7s %10s ms %10s ms %13s ms %11s ms %9s ms %15s ms\n' "$n" "$link" "$vl" "$kl" "$first" "$p50" "$worst" "$vm" >>"$RESULTS"
		say "  $(tail -n1 "$RESULTS")"
	done
	remove_guests
done

echo
echo "kvmtui over a slow link: $(date -u '+%F %T') UTC, $(nproc) CPUs, $(libvirtd --version)"
echo "slow: tools/slowlink, $DELAY each way (round trip 2×$DELAY) to libvirtd's socket; $RUNNING guests running"
echo
cat "$RESULTS"
cat <<EOF

key→frame: from tmux send-keys to the cursor's row moving in capture-pane
(polled back to back, a few ms each), with the list sweeping every second.
EOF
