package perf

import (
	"fmt"
	"time"
)

// Level is how far a value is above its thresholds.
type Level int8

const (
	LevelOK Level = iota
	LevelWarn
	LevelCrit
)

func (l Level) String() string {
	switch l {
	case LevelWarn:
		return "warn"
	case LevelCrit:
		return "crit"
	}
	return "ok"
}

// Watch is a value thresholds apply to. The first four are per VM, the last
// two per host.
type Watch int

const (
	WatchCPU     Watch = iota // VM: CPU use of its own vCPUs, % (100 = all busy)
	WatchMem                  // VM: memory in use, % of its allocation
	WatchDisk                 // VM: disk read + write, bytes/s
	WatchNet                  // VM: network rx + tx, bytes/s
	WatchHostCPU              // host: CPU busy, %
	WatchHostMem              // host: memory used (not free, buffers or cache), %
	NumWatch
)

// NumVMWatch is how many watches apply to a VM (the first ones).
const NumVMWatch = int(WatchHostCPU)

var watchNames = [NumWatch]string{"cpu", "mem", "disk", "net", "host.cpu", "host.mem"}
var watchTitles = [NumWatch]string{"CPU", "MEM", "DISK", "NET", "CPU", "MEM"}

// Name is the watch's key in the config file and the :threshold command.
func (w Watch) Name() string { return watchNames[w] }

// Title is how the UI names it.
func (w Watch) Title() string { return watchTitles[w] }

// Percent tells whether the watch's values are percentages (else bytes/s).
func (w Watch) Percent() bool { return w != WatchDisk && w != WatchNet }

// WatchByName finds a watch by its config name.
func WatchByName(s string) (Watch, bool) {
	for i, n := range watchNames {
		if n == s {
			return Watch(i), true
		}
	}
	return 0, false
}

// Format renders a value of the watch: "93%" or "12.0M/s".
func (w Watch) Format(v float64) string {
	if w.Percent() {
		return fmt.Sprintf("%.0f%%", v)
	}
	return HumanBytes(v) + "/s"
}

// Limit is a watch's warning and critical levels; 0 leaves a level off.
type Limit struct {
	Warn, Crit float64
}

// Thresholds are the levels of every watch and how levels are left.
type Thresholds struct {
	Limits [NumWatch]Limit
	// Hysteresis, in percent of a level: a value enters a level at or above
	// it and leaves it only below level × (1 − Hysteresis/100), so a value
	// wobbling around a level does not flap.
	Hysteresis float64
	// Cooldown: after an alert for a VM's watch, the same VM and watch do
	// not raise another alert of the same or a lower level for this long.
	Cooldown time.Duration
	// MemRSS applies the mem levels to QEMU's resident size too, where the
	// guest reports no memory statistics of its own. Off by default: a
	// guest that touched its memory once keeps an RSS near 100 %.
	MemRSS bool
}

// DefaultThresholds: 70 % / 90 % for CPU and memory, of VMs and hosts; disk
// and network unwatched (what is "high" depends on the storage and the NIC).
func DefaultThresholds() Thresholds {
	var t Thresholds
	for _, w := range []Watch{WatchCPU, WatchMem, WatchHostCPU, WatchHostMem} {
		t.Limits[w] = Limit{Warn: 70, Crit: 90}
	}
	t.Hysteresis = 5
	t.Cooldown = 60 * time.Second
	return t
}

// Next is the level of value v for a watch currently at level cur.
func (t Thresholds) Next(w Watch, cur Level, v float64) Level {
	l := t.Limits[w]
	keep := 1 - t.Hysteresis/100
	at := func(lvl Level, limit float64) bool {
		if limit <= 0 {
			return false
		}
		return v >= limit || (cur >= lvl && v >= limit*keep)
	}
	switch {
	case at(LevelCrit, l.Crit):
		return LevelCrit
	case at(LevelWarn, l.Warn):
		return LevelWarn
	}
	return LevelOK
}

// limitFor is the threshold a level was crossed at.
func (t Thresholds) limitFor(w Watch, l Level) float64 {
	if l == LevelCrit {
		return t.Limits[w].Crit
	}
	return t.Limits[w].Warn
}

// Alert tells that a VM or a host rose to a level.
type Alert struct {
	At    time.Time
	URI   string
	Name  string // the VM's name, or the host's
	Host  bool   // a host alert
	Watch Watch
	Level Level
	Value float64
	Limit float64
}

// String: "crit web-01 CPU 95% ≥ 90%", "warn host h1 MEM 75% ≥ 70%".
func (a Alert) String() string {
	name := a.Name
	if a.Host {
		name = "host " + name
	}
	return fmt.Sprintf("%s %s %s %s ≥ %s", a.Level, name, a.Watch.Title(), a.Watch.Format(a.Value), a.Watch.Format(a.Limit))
}

// gauge is one watch's state for one VM or host.
type gauge struct {
	level     Level
	alertedAt time.Time
	alerted   Level // the level of the last alert
}

// step moves the gauge with a new value (ok false: no value, the level
// drops silently) and reports whether an alert is due.
func (g *gauge) step(t *Thresholds, w Watch, v float64, ok bool, now time.Time) (Level, bool) {
	prev := g.level
	if !ok {
		g.level = LevelOK
		return g.level, false
	}
	g.level = t.Next(w, prev, v)
	if g.level <= prev {
		return g.level, false
	}
	// Rising. Within the cooldown only an escalation past the last alert
	// is told.
	if !g.alertedAt.IsZero() && now.Sub(g.alertedAt) < t.Cooldown && g.level <= g.alerted {
		return g.level, false
	}
	g.alertedAt, g.alerted = now, g.level
	return g.level, true
}
