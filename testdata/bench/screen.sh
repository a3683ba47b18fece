#!/usr/bin/env bash
# What the screen view (kvmtui screen VM) costs, measured on a real libvirtd
# (issue 19): not a test, a report.
#
#   testdata/bench/screen.sh [path/to/kvmtui]        (make bench runs it)
#
# It boots the test guest (testdata/guest) from its bzImage, so that Linux
# draws its first virtual terminal on the VGA screen, and shows that screen
# with `kvmtui screen` in a tmux pane of 80x24 and of 200x50 while the
# guest's screen
#   - stands still (the shell's prompt, the text cursor hidden),
#   - only blinks its text cursor,
#   - scrolls text (a shell loop prints the date 50 times a second),
#   - changes whole (reverse video on and off, 10 times a second).
# For each, over BENCH_SECONDS (default 20): the frames per second the view
# says it drew, kvmtui's CPU (utime+stime from /proc/PID/stat: % of one core,
# and per frame), and the bytes per second it wrote to its terminal (tmux
# pipe-pane), i.e. what the view costs over SSH, and the bytes per second
# the VNC display sent (the view's own count: what a display reached
# through an SSH tunnel costs that link). BENCH_GRAPHICS lists the
# ways of drawing to measure (default "blocks sixel kitty kitty-edits":
# half blocks, and the pictures kvmtui sends a terminal that draws sixel or
# kitty graphics, KVMTUI_GRAPHICS — kitty whole pictures as Ghostty takes
# them, kitty-edits only what changed as kitty itself takes it (its TERM);
# tmux does not draw those, the bytes count).
# The guest's loops are started on its serial console (the pty libvirt
# gives it, through virsh console), never through the view being measured.
set -euo pipefail

URI=${BENCH_URI:-qemu:///system}
WINDOW=${BENCH_SECONDS:-20}
GRAPHICS=${BENCH_GRAPHICS:-blocks sixel kitty kitty-edits}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/bin/kvmtui}")
VM=kvmtui-test-bench-screen
GUEST=/var/lib/libvirt/images/kvmtui-guest
SOCK=kvmtui-bench-screen-$$
HZ=$(getconf CLK_TCK)

say() { printf '%s\n' "$*" >&2; }
v() { virsh -q -c "$URI" "$@"; }

cleanup() {
	set +e
	tmux -L "$SOCK" kill-server 2>/dev/null
	v destroy "$VM" >/dev/null 2>&1
	v undefine "$VM" >/dev/null 2>&1
	rm -f "${LOG:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BIN" ] || { say "no kvmtui binary at $BIN (make build)"; exit 1; }
command -v tmux >/dev/null || { say "tmux is missing (make test-deps installs it)"; exit 1; }
"$ROOT/testdata/guest/build.sh" "$GUEST" >/dev/null

cleanup
sed -e "s|@NAME@|$VM|g" -e "s|@KERNEL@|$GUEST/vmlinuz|" -e "s|@INITRD@|$GUEST/initrd.img|" \
	"$ROOT/testdata/guest/domain.xml.in" >"/tmp/$VM.xml"
v define "/tmp/$VM.xml" >/dev/null
rm -f "/tmp/$VM.xml"
v start "$VM" >/dev/null
serial=/var/log/libvirt/qemu/$VM-serial0.log
for _ in $(seq 1 600); do grep -qs 'kvmtui-guest: booted' "$serial" && break; sleep 0.2; done
grep -qs 'kvmtui-guest: booted' "$serial" || { say "the guest did not boot"; exit 1; }
sleep 2
# The guest's serial console, in a tmux session of its own.
tmux -L "$SOCK" new-session -d -s serial -x 200 -y 50 virsh -c "$URI" console "$VM" --force
sleep 1
tmux -L "$SOCK" send-keys -t serial Enter

# guest CMD: a line typed on the guest's serial console.
guest() { tmux -L "$SOCK" send-keys -t serial -l "$1"; tmux -L "$SOCK" send-keys -t serial Enter; sleep 0.5; }

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

LOG=$(mktemp /tmp/kvmtui-bench-screen.XXXXXX)
results=()
for gfx in $GRAPHICS; do
for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	for scene in still cursor scrolling whole; do
		guest 'kill $(cat /tmp/loop.pid 2>/dev/null) 2>/dev/null; printf "\033[?5l\033[?25h\033[H\033[J" >/dev/tty1'
		case $scene in
		still) guest 'printf "\033[?25l" >/dev/tty1' ;; # no blinking cursor: nothing changes
		scrolling) guest '(while :; do date; usleep 20000; done >/dev/tty1) & echo $! >/tmp/loop.pid' ;;
		whole) guest '(while :; do printf "\033[?5h"; usleep 50000; printf "\033[?5l"; usleep 50000; done >/dev/tty1) & echo $! >/tmp/loop.pid' ;;
		esac
		term=xterm-256color
		[ "$gfx" = kitty-edits ] && term=xterm-kitty
		# tmux sets its panes' TERM itself: env sets kvmtui's.
		tmux -L "$SOCK" new-session -d -s s -x "$cols" -y "$rows" -e COLORTERM=truecolor -e KVMTUI_GRAPHICS="${gfx%-edits}" env TERM=$term "$BIN" -c "$URI" screen "$VM"
		pid=$(tmux -L "$SOCK" display -p -t s '#{pane_pid}')
		sleep 6 # connected, the first frames drawn, a still screen said so
		: >"$LOG"
		tmux -L "$SOCK" pipe-pane -o -t s "cat >> $LOG"
		t0=$(ticks "$pid")
		sleep "$WINDOW"
		t1=$(ticks "$pid")
		tmux -L "$SOCK" pipe-pane -t s
		info=$(tmux -L "$SOCK" capture-pane -p -t s | sed -n 2p)
		fps=$(sed -nE 's/.* ([0-9.]+) frames\/s.*/\1/p' <<<"$info")
		link=$(sed -nE 's/.* frames\/s · ([0-9.]+[BKMG])\/s.*/\1/p' <<<"$info")
		tmux -L "$SOCK" kill-session -t s
		sleep 0.5
		results+=("$(awk -v gfx="$gfx" -v size="$size" -v scene="$scene" -v fps="${fps:-0}" -v t=$((t1 - t0)) -v hz="$HZ" -v w="$WINDOW" -v b="$(stat -c %s "$LOG")" -v link="${link:--}" 'BEGIN {
			cpu = t / hz / w * 100; per = fps > 0 ? t / hz / (fps * w) * 1000 : 0
			printf "%-11s %-8s %-10s %8.1f %8.2f %10.2f %12.0f %10s", gfx, size, scene, fps, cpu, per, b / w, link }')")
		say "  ${results[-1]}"
	done
done
done
guest 'kill $(cat /tmp/loop.pid 2>/dev/null) 2>/dev/null'

echo "kvmtui screen view: $(date -u '+%F %T') UTC, $(nproc) CPUs, $(uname -r); the test guest's VGA text screen (720x400) over VNC on $URI; window ${WINDOW}s, truecolor"
printf '%-11s %-8s %-10s %8s %8s %10s %12s %10s\n' drawn size screen "frames/s" "CPU %" "ms/frame" "bytes/s" "display/s"
printf '%s\n' "${results[@]}"
