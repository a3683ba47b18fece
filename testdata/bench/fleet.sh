#!/usr/bin/env bash
# A fleet in one list (issue 12): not a test, a report.
#
#   testdata/bench/fleet.sh [path/to/kvmtui]        (make bench runs it)
#
# BENCH_HOSTS (default 10) test-driver hosts of BENCH_VMS (default 1000) VMs
# each, one in ten running, opened together (-c test:///…/hostNN.xml ×10) in
# a 160x50 tmux pane. It reports:
#   - launch until the title counts every VM, and where the cursor is then
#     (it must still be on the first row: rows arriving do not move it);
#   - G and g (the far ends of the list) to the frame, through tmux;
#   - memory after 20 s: RSS, its anonymous and file-backed parts, and the Go
#     heap after the last GC (GODEBUG=gctrace). The test driver runs inside
#     kvmtui's process, so its copy of every VM is in this RSS too; a real
#     host keeps that in its own libvirtd.
set -euo pipefail

HOSTS=${BENCH_HOSTS:-10}
VMS=${BENCH_VMS:-1000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/bin/kvmtui}")
SOCK=kvmtui-fleet-$$
WORK=$(mktemp -d /tmp/kvmtui-fleet.XXXXXX)
# shellcheck source=lib.sh
. "$ROOT/testdata/bench/lib.sh"

say() { printf '%s\n' "$*" >&2; }
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BIN" ] || { say "no kvmtui binary at $BIN (make build)"; exit 1; }
command -v tmux >/dev/null || { say "tmux is missing (make test-deps installs it)"; exit 1; }

say "writing $HOSTS hosts of $VMS VMs…"
args=()
for h in $(seq -f '%02g' 1 "$HOSTS"); do
	f=$WORK/host$h.xml
	awk -v h="$h" -v n="$VMS" 'BEGIN{
		print "<node xmlns:test=\"http://libvirt.org/schemas/domain/test/1.0\">"
		print "<cpu><mhz>3000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads></cpu>"
		print "<memory>67108864</memory>"
		for (i = 1; i <= n; i++) {
			st = (i % 10 == 0) ? "" : "<test:runstate>5</test:runstate>"
			printf "<domain type=\"test\"><name>h%s-vm-%04d</name><memory unit=\"MiB\">512</memory><vcpu>1</vcpu><os><type arch=\"x86_64\">hvm</type></os>%s</domain>\n", h, i, st
		}
		print "</node>"
	}' >"$f"
	args+=(-c "test://$f")
done
total=$((HOSTS * VMS))

t0=$(now)
tmux -L "$SOCK" new-session -d -s f -x 160 -y 50 -e "XDG_CONFIG_HOME=$WORK/cfg" -e GODEBUG=gctrace=1 \
	"exec $BIN ${args[*]} 2>$WORK/gc.log"
first=$(first_list f "$total" "$t0")
cursor=$(cursor_line f | grep -oE 'h[0-9]+-vm-[0-9]+' || echo none)
top=$(tmux -L "$SOCK" capture-pane -p -t f | sed -n 3p | grep -oE 'h[0-9]+-vm-[0-9]+' || echo none)
sleep 3
read -r p50 worst < <(key_frames f 20 G g)
sleep 20
pid=$(tmux -L "$SOCK" display -p -t f '#{pane_pid}')
read -r rss anon file < <(awk '/^VmRSS/{r=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} END{print r, a, f}' "/proc/$pid/status")
heap=$(sed -nE 's/.*->([0-9]+) MB, [0-9]+ MB goal.*/\1/p' "$WORK/gc.log" | tail -n1)

echo
echo "a fleet in one list: $(date -u '+%F %T') UTC, $(nproc) CPUs, $HOSTS test-driver hosts × $VMS VMs (1 in 10 running), 160x50"
echo
printf '%-34s %s\n' "launch → title counts $total VMs" "$first ms"
printf '%-34s %s\n' "cursor then on" "$cursor (first row: $top)"
printf '%-34s %s\n' "G / g → frame, median, worst" "$p50 ms, $worst ms (tmux polled)"
awk -v r="$rss" -v a="$anon" -v f="$file" -v h="$heap" -v n="$total" 'BEGIN{
	printf "%-34s %.0f MiB (%.1f KiB a VM)\n", "RSS", r/1024, r/n
	printf "%-34s %.0f MiB anonymous, %.0f MiB file-backed\n", "  of which", a/1024, f/1024
	printf "%-34s %s MB (%.1f KB a VM)\n", "Go heap live after the last GC", h, h*1000/n
}'
