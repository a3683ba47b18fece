#!/usr/bin/env bash
# Measured costs of kvmtui on a real libvirtd (issue 7): not a test, a report.
#
#   testdata/bench/cost.sh [path/to/kvmtui]        (make bench runs it)
#
# It defines BENCH_DEFINED guests (default 200) named kvmtui-test-bench-NNN,
# starts BENCH_RUNNING of them (default 20), and measures, each over a window
# of BENCH_SECONDS (default 60) with no key pressed:
#   - CPU seconds per minute of kvmtui and of libvirtd (utime+stime deltas
#     from /proc/PID/stat), for the interactive list at 1 s and 2 s, for
#     `kvmtui top` at 1 s and 2 s, and for `kvmtui top --batch` at 2 s;
#   - bytes per second kvmtui writes to its terminal (tmux pipe-pane), i.e.
#     the bandwidth an idle kvmtui costs over SSH;
#   - the time from launch to the first full list (the title shows every VM);
#   - the same CPU figures for `virsh domstats` in a loop (a floor: one bulk
#     call per tick and nothing else) and for virt-top where installed.
# Then it starts more guests, up to BENCH_RUNNING2 (default 50; 0 skips), and
# measures `kvmtui top` at 2 s again (the dashboard's target: under 1 % of
# one core with 50 running VMs at 2 s).
#
# The guests: type 'qemu' (TCG), 64 MiB, 1 vCPU, no disk, no NIC, no display.
# Booting nothing, they sit in SeaBIOS ("No bootable device", retried every
# 60 s): about 1 % of a core each, where 20 TCG guests booting Linux would
# swamp two cores. All are removed at the end, also on failure or Ctrl-C.
set -euo pipefail

URI=${BENCH_URI:-qemu:///system}
DEFINED=${BENCH_DEFINED:-200}
RUNNING=${BENCH_RUNNING:-20}
RUNNING2=${BENCH_RUNNING2:-50}
WINDOW=${BENCH_SECONDS:-60}
COLS=${BENCH_COLS:-160}
ROWS=${BENCH_ROWS:-50}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/bin/kvmtui}")
PREFIX=kvmtui-test-bench-
SOCK=kvmtui-bench-$$
WORK=$(mktemp -d /tmp/kvmtui-bench.XXXXXX)
HZ=$(getconf CLK_TCK)

# shellcheck source=lib.sh
. "$ROOT/testdata/bench/lib.sh"
say() { printf '%s\n' "$*" >&2; }
v() { virsh -q -c "$URI" "$@"; }

cleanup() {
	set +e
	wait_libvirtd
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "${LOOP_PID:-}" ] && kill "$LOOP_PID" 2>/dev/null
	[ -n "${BATCH_PID:-}" ] && kill "$BATCH_PID" 2>/dev/null
	[ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
	say "removing the ${PREFIX}* guests…"
	for d in $(virsh -q -c "$URI" list --all --name | grep "^$PREFIX"); do
		virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1
		virsh -q -c "$URI" undefine "$d" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BIN" ] || { say "no kvmtui binary at $BIN (make build)"; exit 1; }
command -v tmux >/dev/null || { say "tmux is missing (make test-deps installs it)"; exit 1; }
pgrep -x libvirtd >/dev/null || { say "libvirtd is not running (make test-deps starts it)"; exit 1; }

# ticks PID: utime+stime (+ waited-for children: cutime+cstime) in clock ticks.
ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
secs_per_min() { awk -v t="$1" -v hz="$HZ" -v w="$WINDOW" 'BEGIN{printf "%.3f", t/hz*60/w}'; }
pct_core() { awk -v t="$1" -v hz="$HZ" -v w="$WINDOW" 'BEGIN{printf "%.2f", t/hz/w*100}'; }

RESULTS=$WORK/results
: >"$RESULTS"
# row WHAT CLIENT_TICKS LIBVIRTD_TICKS BYTES FIRST_LIST [RSS_KIB]
row() {
	local bps="-" lsec="?" rss="-"
	[ "$3" != "?" ] && lsec=$(secs_per_min "$3")
	[ "$4" != "-" ] && bps=$(awk -v b="$4" -v w="$WINDOW" 'BEGIN{printf "%.0f", b/w}')
	[ -n "${6:-}" ] && rss=$(awk -v k="$6" 'BEGIN{printf "%.0f", k/1024}')
	printf '%-34s %10s %8s %10s %8s %12s %8s\n' "$1" "$(secs_per_min "$2")" "$(pct_core "$2")" "$lsec" "$bps" "$5" "$rss" >>"$RESULTS"
	say "  $(tail -n1 "$RESULTS")"
}

# rss_kib PID: resident memory, with the children's (virt-manager's helpers).
rss_kib() {
	local t=0
	for p in "$1" $(pgrep -P "$1" || true); do
		t=$((t + $(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

define_guests() {
	say "defining $DEFINED guests (${PREFIX}001…)…"
	for i in $(seq -f '%03g' 1 "$DEFINED"); do
		cat >"$WORK/g.xml" <<EOF
<domain type='qemu'>
  <name>$PREFIX$i</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
EOF
		v define "$WORK/g.xml" >/dev/null
	done
}

start_guests() { # FROM TO
	wait_libvirtd
	say "starting guests $1…$2…"
	for i in $(seq -f '%03g' "$1" "$2"); do v start "$PREFIX$i" >/dev/null; done
}

# wait_libvirtd: other test runs on this host may restart libvirtd; wait
# for it to answer before a measurement.
wait_libvirtd() {
	for _ in $(seq 1 120); do
		virsh -q -c "$URI" version >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	say "libvirtd does not answer"; return 1
}

# libvirtd_pid: the daemon behind qemu:///system (its pid file: a second
# libvirtd, such as the migration tests' peer, may run beside it).
libvirtd_pid() { cat /run/libvirtd.pid 2>/dev/null || pgrep -o -x libvirtd || echo 0; }

# measure_window CLIENT_PID: sleeps WINDOW seconds; sets C_TICKS, L_TICKS.
# libvirtd is looked up each time: other test runs may restart it, and a
# window in which it was restarted reports "?".
measure_window() {
	local c0 l0 lv
	lv=$(libvirtd_pid)
	c0=$(ticks "$1"); l0=$(ticks "$lv")
	sleep "$WINDOW"
	C_TICKS=$(($(ticks "$1") - c0)); L_TICKS=$(($(ticks "$lv") - l0))
	[ "$(libvirtd_pid)" = "$lv" ] || L_TICKS="?"
}

# measure_pane WHAT CMD...: a program in a tmux pane, idle. CFG names the
# config directory (XDG_CONFIG_HOME) kvmtui reads.
measure_pane() {
	local what=$1 sess=b$RANDOM pid t0 t1 first="-" log=$WORK/pane.out
	shift
	wait_libvirtd
	t0=$(date +%s%N)
	tmux -L "$SOCK" new-session -d -s "$sess" -x "$COLS" -y "$ROWS" -e "XDG_CONFIG_HOME=${CFG:-$WORK/cfg}" "$@"
	pid=$(tmux -L "$SOCK" display -p -t "$sess" '#{pane_pid}')
	# The first full list: the list's title counts every VM ("203 VMs, 20
	# running"), or top's status line does ("20/203 running"); other
	# kvmtui-test-* guests may come and go, so at least the bench's count.
	for _ in $(seq 1 3000); do
		n=$(tmux -L "$SOCK" capture-pane -p -t "$sess" |
			sed -nE 's/.* ([0-9]+) VMs?, [0-9]+ running.*/\1/p; s/.*[0-9]+\/([0-9]+) running.*/\1/p' | head -n1)
		if [ -n "$n" ] && [ "$n" -ge "$DEFINED" ]; then
			t1=$(date +%s%N)
			first=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2fs", (b-a)/1e9}')
			break
		fi
		sleep 0.02
	done
	sleep 5 # let the first sweeps and rates settle
	: >"$log"
	tmux -L "$SOCK" pipe-pane -o -t "$sess" "cat >> $log"
	measure_window "$pid"
	rss=$(rss_kib "$pid")
	tmux -L "$SOCK" pipe-pane -t "$sess"
	sleep 0.2
	row "$what" "$C_TICKS" "$L_TICKS" "$(stat -c %s "$log")" "$first" "$rss"
	tmux -L "$SOCK" capture-pane -p -t "$sess" >"$WORK/last-screen"
	tmux -L "$SOCK" kill-session -t "$sess"
	sleep 1
}

measure_domstats() { # INTERVAL
	wait_libvirtd
	(while :; do virsh -q -c "$URI" domstats >/dev/null 2>&1 || true; sleep "$1"; done) &
	LOOP_PID=$!
	sleep 2
	measure_window "$LOOP_PID"
	kill "$LOOP_PID" 2>/dev/null || true; wait "$LOOP_PID" 2>/dev/null || true; LOOP_PID=
	row "virsh domstats loop, ${1}s" "$C_TICKS" "$L_TICKS" - -
}

measure_batch() { # INTERVAL
	wait_libvirtd
	XDG_CONFIG_HOME=$WORK/cfg "$BIN" -c "$URI" top --batch --format csv --interval "$1" >"$WORK/batch.csv" &
	BATCH_PID=$!
	sleep 5
	measure_window "$BATCH_PID"
	kill "$BATCH_PID" 2>/dev/null || true; wait "$BATCH_PID" 2>/dev/null || true; BATCH_PID=
	row "kvmtui top --batch csv, ${1}s" "$C_TICKS" "$L_TICKS" - -
}

# measure_virt_manager WHAT [all]: virt-manager under Xvfb, its stats every
# 3 s (its default); "all" turns on disk, network and memory polling too.
# First list: launch until its log has added every bench guest (its model
# complete; drawing the window follows).
measure_virt_manager() {
	local what=$1 home=$WORK/vmm-$RANDOM t0 first
	wait_libvirtd
	t0=$(now)
	virt_manager_start "$home" "$URI" "$XDISPLAY" "${2:-}"
	first=$(virt_manager_first_list "$home" "$PREFIX" "$DEFINED" "$t0")
	[ "$first" != "?" ] && first=$(awk -v m="$first" 'BEGIN{printf "%.2fs", m/1000}')
	sleep 5
	measure_window "$VMM_PID"
	row "$what" "$C_TICKS" "$L_TICKS" - "$first" "$(rss_kib "$VMM_PID")"
	kill "$VMM_PID" 2>/dev/null || true
	wait "$VMM_PID" 2>/dev/null || true
	sleep 1
}

measure_idle() {
	wait_libvirtd
	sleep 2
	sleep "$WINDOW" &
	measure_window $!
	wait
	row "no client (libvirtd baseline)" 0 "$L_TICKS" - -
}

# Leftovers of an interrupted run would skew the counts.
for d in $(virsh -q -c "$URI" list --all --name | grep "^$PREFIX" || true); do
	v destroy "$d" >/dev/null 2>&1 || true
	v undefine "$d" >/dev/null 2>&1 || true
done
define_guests
start_guests 1 "$RUNNING"
sleep 5

{
	echo "kvmtui measured costs: $(date -u '+%F %T') UTC, $(nproc) CPUs, $(uname -r), $(libvirtd --version)"
	echo "$DEFINED defined / $RUNNING running guests (TCG, 64 MiB, in SeaBIOS) on $URI; window ${WINDOW}s, pane ${COLS}x${ROWS}, idle (no keys)"
	echo
	printf '%-34s %10s %8s %10s %8s %12s %8s\n' "client" "cpu s/min" "% core" "libvirtd" "term B/s" "first list" "RSS MiB"
} >"$WORK/head"
say "measuring (${WINDOW}s windows)…"
measure_idle
measure_domstats 1
measure_domstats 2
if command -v virt-top >/dev/null; then
	measure_pane "virt-top, 1s" virt-top -c "$URI" -d 1
	measure_pane "virt-top, 2s" virt-top -c "$URI" -d 2
else
	VT="virt-top: not installed ($(apt-cache policy virt-top 2>/dev/null | grep -q 'Candidate: [0-9]' && echo 'apt has it: apt-get install virt-top' || echo 'Debian 12 has no virt-top package'))"
	echo "$VT" >>"$RESULTS"
	say "  $VT"
fi
if command -v virt-manager >/dev/null && command -v Xvfb >/dev/null; then
	XDISPLAY=$((90 + RANDOM % 100))
	Xvfb ":$XDISPLAY" -screen 0 1280x1024x24 >/dev/null 2>&1 &
	XVFB_PID=$!
	sleep 1
	measure_virt_manager "virt-manager, 3s (default: CPU)"
	measure_virt_manager "virt-manager, 3s, all metrics" all
	kill "$XVFB_PID" 2>/dev/null || true
	measure_pane "kvmtui (list), 3s" "$BIN" -c "$URI" --interval 3s
else
	echo "virt-manager: not installed (apt-get install virt-manager xvfb)" >>"$RESULTS"
fi
measure_pane "kvmtui (list), 1s" "$BIN" -c "$URI" --interval 1s
measure_pane "kvmtui (list), 2s" "$BIN" -c "$URI" --interval 2s
mkdir -p "$WORK/spark/kvmtui"
echo "list.sparkline = on" >"$WORK/spark/kvmtui/perf.conf"
CFG=$WORK/spark measure_pane "kvmtui (list), 2s, CPU sparklines" "$BIN" -c "$URI" --interval 2s
measure_pane "kvmtui top, 1s" "$BIN" -c "$URI" top --interval 1
measure_pane "kvmtui top, 2s" "$BIN" -c "$URI" top --interval 2
measure_batch 2

if [ "$RUNNING2" -gt "$RUNNING" ]; then
	start_guests $((RUNNING + 1)) "$RUNNING2"
	sleep 5
	echo "with $RUNNING2 running:" >>"$RESULTS"
	measure_idle
	measure_pane "kvmtui top, 2s ($RUNNING2 running)" "$BIN" -c "$URI" top --interval 2
	cp "$WORK/last-screen" "$WORK/top-screen"
	measure_pane "kvmtui (list), 2s ($RUNNING2 running)" "$BIN" -c "$URI" --interval 2s
fi

# The floor under kvmtui's RSS: a Go program that only holds a libvirt
# connection (the cgo binding and the libraries libvirt loads).
if (cd "$ROOT" && "${GO:-go}" build -o "$WORK/rssfloor" ./testdata/bench/rssfloor) &&
	floor=$("$WORK/rssfloor" "$URI" 10); then
	printf '%-34s %10s %8s %10s %8s %12s %8s\n' "floor: rssfloor (a libvirt client)" - - - - - \
		"$(awk -v k="$floor" 'BEGIN{printf "%.0f", k/1024}')" >>"$RESULTS"
fi

echo
cat "$WORK/head" "$RESULTS"
# Side by side: virt-manager's default and all-metrics runs against kvmtui's
# list at the same 3 s interval; libvirtd's share is above the baseline.
if grep -q "^virt-manager, 3s (default" "$RESULTS"; then
	echo
	echo "kvmtui (list, 3 s) against virt-manager (3 s), same run: how many times lighter"
	awk '
		/^no client/ { base = $(NF-3) }
		/^virt-manager, 3s \(default/ { vd = $0 }
		/^virt-manager, 3s, all/ { va = $0 }
		/^kvmtui \(list\), 3s / { k = $0 }
		function f(line, i,   a, n) { n = split(line, a); return a[n - 6 + i] }
		function ratio(x, y) { x += 0; y += 0; return y > 0 ? sprintf("%.1f×", x / y) : "-" }
		END {
			printf "%-28s %14s %14s\n", "", "vs default", "vs all metrics"
			printf "%-28s %14s %14s\n", "client CPU s/min", ratio(f(vd,1), f(k,1)), ratio(f(va,1), f(k,1))
			printf "%-28s %14s %14s\n", "libvirtd CPU caused", ratio(f(vd,3) - base, f(k,3) - base), ratio(f(va,3) - base, f(k,3) - base)
			printf "%-28s %14s %14s\n", "first list", ratio(f(vd,5), f(k,5)), ratio(f(va,5), f(k,5))
			printf "%-28s %14s %14s\n", "RSS", ratio(f(vd,6), f(k,6)), ratio(f(va,6), f(k,6))
		}' "$RESULTS"
fi
if [ -f "$WORK/top-screen" ]; then
	echo; echo "kvmtui top's screen with $RUNNING2 running (${COLS}x${ROWS}):"; cat "$WORK/top-screen"
fi
cat <<EOF

cpu s/min: CPU seconds the client used per minute (utime+stime, with its
children for the virsh loop); % core: the same as a share of one core.
libvirtd: CPU seconds per minute of libvirtd in the same window (compare with
the baseline). term B/s: bytes written to the terminal per second while idle.
first list: launch until the title counts all the VMs (top: its status line).
EOF
