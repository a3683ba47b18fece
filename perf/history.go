package perf

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"kvmtui/libvirtx"
)

// Metric is one series a VM's history keeps.
type Metric int

const (
	CPU       Metric = iota // CPU use of the VM's own vCPUs, % (vCPU time / elapsed / vCPUs)
	HostShare               // CPU use as a share of the host's CPUs, % (virt-top's %CPU)
	Mem                     // memory in use, % (balloon stats, else QEMU's RSS)
	DiskRd                  // bytes/s
	DiskWr                  // bytes/s
	DiskRdOps               // requests/s
	DiskWrOps               // requests/s
	NetRx                   // bytes/s
	NetTx                   // bytes/s
	NumMetrics
)

// HostMetric is one series a host's history keeps.
type HostMetric int

const (
	HostCPU      HostMetric = iota // host CPU busy, %
	HostMemUsed                    // host memory used, % (not free, buffers or cache)
	HostMemAvail                   // host memory free + buffers + cache, KiB
	GuestCPU                       // all VMs' CPU as a share of the host, %
	GuestDisk                      // all VMs' disk read + write, bytes/s
	GuestNet                       // all VMs' network rx + tx, bytes/s
	NumHostMetrics
)

// Point is a VM's latest figures.
type Point struct {
	Rates
	At        time.Time
	State     libvirtx.State
	VCPUPct   float64 // CPU
	VCPUValid bool
	MemGuest  bool // MemPct is the guest's own figure (balloon stats), not QEMU's RSS
	CPUTimeNs uint64
	CurKiB    uint64
}

// Value returns one metric of the point; ok is false when it is unknown.
func (p Point) Value(m Metric) (float64, bool) {
	switch m {
	case CPU:
		return p.VCPUPct, p.VCPUValid
	case HostShare:
		return p.CPUPct, p.Valid
	case Mem:
		return p.MemPct, p.MemValid
	case DiskRd:
		return p.RdBps, p.HasDisk
	case DiskWr:
		return p.WrBps, p.HasDisk
	case DiskRdOps:
		return p.RdIOPS, p.HasDisk
	case DiskWrOps:
		return p.WrIOPS, p.HasDisk
	case NetRx:
		return p.RxBps, p.HasNet
	case NetTx:
		return p.TxBps, p.HasNet
	}
	return 0, false
}

// watchValue is the value a watch compares.
func (p Point) watchValue(w Watch) (float64, bool) {
	switch w {
	case WatchCPU:
		return p.VCPUPct, p.VCPUValid
	case WatchMem:
		return p.MemPct, p.MemValid
	case WatchDisk:
		return p.RdBps + p.WrBps, p.HasDisk
	case WatchNet:
		return p.RxBps + p.TxBps, p.HasNet
	}
	return 0, false
}

// VM is one domain's history.
type VM struct {
	libvirtx.Ref
	Cur    Point
	VCPUs  int
	Levels [NumVMWatch]Level

	prev   libvirtx.Sample
	series [NumMetrics]Ring // allocated the first time the VM runs
	gauges [NumVMWatch]gauge
	swept  uint64
}

// Series returns one metric's history; nil while the VM never ran.
func (v *VM) Series(m Metric) *Ring {
	if v.series[m].buf == nil {
		return nil
	}
	return &v.series[m]
}

// Level is the highest level of any watch.
func (v *VM) Level() Level {
	return slices.Max(v.Levels[:])
}

// HostPoint is a host's latest figures.
type HostPoint struct {
	At          time.Time
	CPUStats    bool // the driver gives the host's CPU counters at all
	CPUValid    bool
	CPUPct      float64
	MemValid    bool
	MemTotalKiB uint64
	MemFreeKiB  uint64 // MemFree
	MemAvailKiB uint64 // free + buffers + cache
	MemUsedPct  float64
	VMs         int
	Running     int
	GuestCPU    float64 // sum of the VMs' host shares, %
	GuestDisk   float64
	GuestNet    float64
}

// Value returns one metric of the point.
func (p HostPoint) Value(m HostMetric) (float64, bool) {
	switch m {
	case HostCPU:
		return p.CPUPct, p.CPUValid
	case HostMemUsed:
		return p.MemUsedPct, p.MemValid
	case HostMemAvail:
		return float64(p.MemAvailKiB), p.MemValid
	case GuestCPU:
		return p.GuestCPU, true
	case GuestDisk:
		return p.GuestDisk, true
	case GuestNet:
		return p.GuestNet, true
	}
	return 0, false
}

// Host is one connection's host history: its own CPU and memory and the sum
// of its VMs.
type Host struct {
	URI      string
	Hostname string
	CPUs     int
	Cur      HostPoint
	Levels   [2]Level // host.cpu, host.mem

	prev   libvirtx.HostSample
	series [NumHostMetrics]Ring
	gauges [2]gauge
}

// Series returns one metric's history.
func (h *Host) Series(m HostMetric) *Ring { return &h.series[m] }

// Tracker keeps the history of every VM and host seen in the stats sweeps,
// derives the rates, and raises threshold alerts. It makes no libvirt call:
// it is fed the samples the UI's sweep already took.
type Tracker struct {
	cap    int
	th     Thresholds
	vms    map[vmKey]*VM
	hosts  map[string]*Host
	alerts []Alert // the latest, oldest first, at most maxAlerts
	sweeps uint64
}

const maxAlerts = 64

// NewTracker returns an empty tracker keeping HistoryLen samples a series.
func NewTracker(th Thresholds) *Tracker {
	return &Tracker{cap: HistoryLen, th: th, vms: map[vmKey]*VM{}, hosts: map[string]*Host{}}
}

// vmKey is how the tracker names a VM: the connection URI and the UUID (a
// struct, so a lookup builds no string).
type vmKey struct{ uri, uuid string }

// Thresholds returns the levels in force.
func (t *Tracker) Thresholds() Thresholds { return t.th }

// SetThresholds changes the levels; they apply from the next sweep.
func (t *Tracker) SetThresholds(th Thresholds) { t.th = th }

// VM returns a VM's history, nil when unknown.
func (t *Tracker) VM(uri, uuid string) *VM { return t.vms[vmKey{uri, uuid}] }

// Host returns a host's history, nil when unknown.
func (t *Tracker) Host(uri string) *Host { return t.hosts[uri] }

// Hosts returns the hosts, in URI order.
func (t *Tracker) Hosts() []*Host {
	out := make([]*Host, 0, len(t.hosts))
	for _, h := range t.hosts {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *Host) int { return cmp.Compare(a.URI, b.URI) })
	return out
}

// VMs returns the VMs of a connection ("" for all), in no set order.
func (t *Tracker) VMs(uri string) []*VM {
	out := make([]*VM, 0, len(t.vms))
	for _, v := range t.vms {
		if uri == "" || v.URI == uri {
			out = append(out, v)
		}
	}
	return out
}

// Top returns at most n VMs of a connection ("" for all) with a known
// value of m, highest first (name breaks ties).
func (t *Tracker) Top(uri string, m Metric, n int) []*VM {
	var out []*VM
	for _, v := range t.vms {
		if uri != "" && v.URI != uri {
			continue
		}
		if _, ok := v.Cur.Value(m); ok {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *VM) int {
		x, _ := a.Cur.Value(m)
		y, _ := b.Cur.Value(m)
		if c := cmp.Compare(y, x); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Alerts returns the latest alerts, oldest first.
func (t *Tracker) Alerts() []Alert { return t.alerts }

// Counts returns how many VMs are at the warning and at the critical level.
func (t *Tracker) Counts() (warn, crit int) {
	for _, v := range t.vms {
		switch v.Level() {
		case LevelWarn:
			warn++
		case LevelCrit:
			crit++
		}
	}
	return warn, crit
}

// Forget drops one VM's history (the VM was undefined).
func (t *Tracker) Forget(uri, uuid string) { delete(t.vms, vmKey{uri, uuid}) }

// DropConn forgets every VM and the host of a connection.
func (t *Tracker) DropConn(uri string) {
	for k, v := range t.vms {
		if v.URI == uri {
			delete(t.vms, k)
		}
	}
	delete(t.hosts, uri)
}

// Lookup tells the tracker what the samples do not carry: a host's facts
// (CPU count, name) and a VM's vCPU count (from the inventory). Either may
// be nil.
type Lookup struct {
	Host  func(uri string) libvirtx.HostInfo
	VCPUs func(uri, uuid string) int
	// ActiveOnly says the samples are of the running domains only
	// (libvirtx's SweepActive): a VM missing from them stopped, it is not
	// gone. Without it a VM missing from a swept connection is forgotten.
	ActiveOnly bool
}

func (lk Lookup) host(uri string) libvirtx.HostInfo {
	if lk.Host == nil {
		return libvirtx.HostInfo{}
	}
	return lk.Host(uri)
}

// Add takes one sweep: the samples of every connection that answered and
// one host sample for each of them (listing a connection's host sample
// means its sweep succeeded: its VMs missing from samples are gone). It
// returns the alerts the sweep raised.
func (t *Tracker) Add(samples []libvirtx.Sample, hosts []libvirtx.HostSample, lk Lookup) []Alert {
	t.sweeps++
	var raised []Alert
	swept := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		swept[h.URI] = true
		if t.hosts[h.URI] == nil {
			hh := &Host{URI: h.URI}
			for i := range hh.series {
				hh.series[i] = *NewRing(t.cap)
			}
			t.hosts[h.URI] = hh
		}
	}
	for _, s := range samples {
		hostCPUs := lk.host(s.URI).CPUs
		vcpus := s.VCPUs
		if vcpus == 0 && lk.VCPUs != nil {
			vcpus = lk.VCPUs(s.URI, s.UUID)
		}
		raised = t.addVM(s, hostCPUs, vcpus, raised)
	}
	for k, v := range t.vms {
		if !swept[v.URI] || v.swept == t.sweeps {
			continue
		}
		if !lk.ActiveOnly {
			delete(t.vms, k)
			continue
		}
		// Not running: its history goes on with a gap, its levels drop.
		if v.Cur.State.Active() {
			v.Cur = Point{At: v.Cur.At, State: libvirtx.StateShutoff}
			v.prev = libvirtx.Sample{}
			v.Levels = [NumVMWatch]Level{}
			for w := range v.gauges {
				v.gauges[w].level = LevelOK
			}
		}
		if v.series[0].buf != nil {
			for m := range v.series {
				v.series[m].PushGap()
			}
		}
	}
	for _, h := range hosts {
		hh := t.hosts[h.URI]
		info := lk.host(h.URI)
		hh.CPUs, hh.Hostname = info.CPUs, info.Hostname
		raised = t.addHost(hh, h, raised)
	}
	t.alerts = append(t.alerts, raised...)
	if n := len(t.alerts) - maxAlerts; n > 0 {
		t.alerts = slices.Delete(t.alerts, 0, n)
	}
	return raised
}

func (t *Tracker) addVM(s libvirtx.Sample, hostCPUs, vcpus int, raised []Alert) []Alert {
	k := vmKey{s.URI, s.UUID}
	v := t.vms[k]
	if v == nil {
		v = &VM{Ref: s.Ref}
		t.vms[k] = v
	}
	v.Ref, v.swept = s.Ref, t.sweeps
	if vcpus > 0 {
		v.VCPUs = vcpus
	}
	p := Point{Rates: Compute(v.prev, s, hostCPUs), At: s.At, State: s.State, CPUTimeNs: s.CPUTimeNs, CurKiB: s.CurrentKiB,
		MemGuest: s.AvailableKiB > 0 && s.UnusedKiB > 0}
	if p.Valid && v.VCPUs > 0 && hostCPUs > 0 {
		// CPU% is Δcpu/(Δt·hostCPUs); of the VM's own vCPUs it is scaled
		// by hostCPUs/vCPUs, and capped: QEMU's own threads are counted in
		// the VM's CPU time, and "101 % of 1 vCPU" alarms for nothing.
		p.VCPUPct, p.VCPUValid = min(p.CPUPct*float64(hostCPUs)/float64(v.VCPUs), 100), true
	}
	v.prev, v.Cur = s, p
	if s.State.Active() && v.series[0].buf == nil {
		v.allocate(t.cap)
	}
	if v.series[0].buf != nil {
		for m := Metric(0); m < NumMetrics; m++ {
			if x, ok := p.Value(m); ok {
				v.series[m].Push(x)
			} else {
				v.series[m].PushGap()
			}
		}
	}
	for w := Watch(0); w < Watch(NumVMWatch); w++ {
		x, ok := p.watchValue(w)
		if w == WatchMem && !p.MemGuest && !t.th.MemRSS {
			ok = false // QEMU's RSS is what the host spends, not what the guest uses
		}
		lvl, alert := v.gauges[w].step(&t.th, w, x, ok, s.At)
		v.Levels[w] = lvl
		if alert {
			raised = append(raised, Alert{At: s.At, URI: s.URI, Name: s.Name, Watch: w, Level: lvl, Value: x, Limit: t.th.limitFor(w, lvl)})
		}
	}
	return raised
}

// allocate gives a VM its fixed history memory: one block for every series.
func (v *VM) allocate(capacity int) {
	block := make([]float32, int(NumMetrics)*capacity)
	for m := range v.series {
		v.series[m] = Ring{buf: block[m*capacity : (m+1)*capacity : (m+1)*capacity]}
	}
}

func (t *Tracker) addHost(hh *Host, s libvirtx.HostSample, raised []Alert) []Alert {
	p := HostPoint{At: s.At, CPUStats: s.HasCPU}
	if s.HasCPU && hh.prev.HasCPU {
		busy, ok1 := delta(hh.prev.Kernel+hh.prev.User, s.Kernel+s.User)
		idle, ok2 := delta(hh.prev.Idle+hh.prev.IOWait, s.Idle+s.IOWait)
		if ok1 && ok2 && busy+idle > 0 {
			p.CPUPct, p.CPUValid = 100*float64(busy)/float64(busy+idle), true
		}
	}
	if s.HasMem && s.TotalKiB > 0 {
		p.MemValid, p.MemTotalKiB, p.MemFreeKiB = true, s.TotalKiB, s.FreeKiB
		p.MemAvailKiB = min(s.FreeKiB+s.BuffersKiB+s.CacheKiB, s.TotalKiB)
		p.MemUsedPct = 100 * float64(s.TotalKiB-p.MemAvailKiB) / float64(s.TotalKiB)
	}
	for _, v := range t.vms {
		if v.URI != s.URI {
			continue
		}
		p.VMs++
		if v.Cur.State == libvirtx.StateRunning || v.Cur.State == libvirtx.StateBlocked {
			p.Running++
		}
		p.GuestCPU += v.Cur.CPUPct
		p.GuestDisk += v.Cur.RdBps + v.Cur.WrBps
		p.GuestNet += v.Cur.RxBps + v.Cur.TxBps
	}
	hh.prev, hh.Cur = s, p
	for m := HostMetric(0); m < NumHostMetrics; m++ {
		if x, ok := p.Value(m); ok {
			hh.series[m].Push(x)
		} else {
			hh.series[m].PushGap()
		}
	}
	name := hh.Hostname
	if name == "" {
		name = s.URI
	}
	for i, w := range []Watch{WatchHostCPU, WatchHostMem} {
		x, ok := p.CPUPct, p.CPUValid
		if w == WatchHostMem {
			x, ok = p.MemUsedPct, p.MemValid
		}
		lvl, alert := hh.gauges[i].step(&t.th, w, x, ok, s.At)
		hh.Levels[i] = lvl
		if alert {
			raised = append(raised, Alert{At: s.At, URI: s.URI, Name: name, Host: true, Watch: w, Level: lvl, Value: x, Limit: t.th.limitFor(w, lvl)})
		}
	}
	return raised
}

// HumanBytes renders a byte count in binary units, short: "512B", "1.5K",
// "12M", "3.2G".
func HumanBytes(b float64) string {
	if math.IsNaN(b) {
		return "-"
	}
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%.0fB", b)
	}
	units := "KMGTPE"
	i := -1
	for b >= unit && i < len(units)-1 {
		b /= unit
		i++
	}
	if b >= 100 {
		return fmt.Sprintf("%.0f%c", b, units[i])
	}
	return fmt.Sprintf("%.1f%c", b, units[i])
}
