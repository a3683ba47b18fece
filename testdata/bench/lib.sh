# Shared by the bench scripts that drive kvmtui in tmux (source it; SOCK
# names the tmux server).

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", (b-a)/1e6}'; }

# first_list SESSION N T0: waits until the list's title counts at least N
# VMs; prints the milliseconds since T0 (or "?" after 60 s).
first_list() {
	local c
	for _ in $(seq 1 6000); do
		c=$(tmux -L "$SOCK" capture-pane -p -t "$1" | sed -nE '1s/.* ([0-9]+) VMs?, [0-9]+ running.*/\1/p')
		if [ -n "$c" ] && [ "$c" -ge "$2" ]; then
			ms "$3" "$(now)"
			return
		fi
		sleep 0.01
	done
	echo "?"
}

# cursor_line SESSION: the screen line of the list's cursor (reverse video).
cursor_line() { tmux -L "$SOCK" capture-pane -e -p -t "$1" | grep -n $'\e\[7m' | head -n1; }

# key_frames SESSION COUNT KEY...: presses the keys in turn COUNT times, at
# random moments, each time waiting until the cursor's line changed on the
# screen; prints the median and the worst milliseconds.
key_frames() {
	local sess=$1 count=$2 before after t0 lat=()
	shift 2
	local keys=("$@")
	for i in $(seq 0 $((count - 1))); do
		sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
		before=$(cursor_line "$sess")
		t0=$(now)
		tmux -L "$SOCK" send-keys -t "$sess" "${keys[i % ${#keys[@]}]}"
		for _ in $(seq 1 2000); do
			after=$(cursor_line "$sess")
			[ "$after" != "$before" ] && break
		done
		lat+=("$(ms "$t0" "$(now)")")
	done
	printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%s %s\n", a[int((NR+1)/2)], a[NR]}'
}

# virt_manager_start HOME URI DISPLAY [all]: virt-manager on an X display
# (Xvfb's) with settings of its own in HOME: stats every 3 s (its default),
# and with "all" disk, network and memory polling too; sets VMM_PID. Its
# debug log is HOME/log.
virt_manager_start() {
	mkdir -p "$1/.config/glib-2.0/settings"
	{
		echo "[org/virt-manager/virt-manager/stats]"
		echo "update-interval=3"
		if [ "${4:-}" = all ]; then
			echo "enable-disk-poll=true"; echo "enable-net-poll=true"; echo "enable-memory-poll=true"
		fi
	} >"$1/.config/glib-2.0/settings/keyfile"
	DISPLAY=:$3 HOME=$1 XDG_CONFIG_HOME=$1/.config GSETTINGS_BACKEND=keyfile \
		virt-manager --no-fork --debug -c "$2" >"$1/log" 2>&1 &
	VMM_PID=$!
}

# virt_manager_first_list HOME PREFIX N T0: waits until virt-manager's log
# has added N domains named PREFIX… (its model complete; drawing the window
# follows); prints the milliseconds since T0 (or "?" after 60 s).
virt_manager_first_list() {
	local n
	for _ in $(seq 1 3000); do
		n=$(grep -c "domain=$2[0-9]* status=.* added" "$1/log" || true)
		if [ "$n" -ge "$3" ]; then
			ms "$4" "$(now)"
			return
		fi
		sleep 0.02
	done
	echo "?"
}
