package perf

import (
	"testing"
	"time"

	"kvmtui/libvirtx"
)

const testURI = "qemu:///system"

func vmSample(name string, at time.Time, cpuNs uint64, st libvirtx.State) libvirtx.Sample {
	return libvirtx.Sample{Ref: libvirtx.Ref{URI: testURI, UUID: "uuid-" + name, Name: name}, At: at, State: st, HasCPU: true, CPUTimeNs: cpuNs}
}

func lookup(hostCPUs, vcpus int) Lookup {
	return Lookup{
		Host:  func(string) libvirtx.HostInfo { return libvirtx.HostInfo{CPUs: hostCPUs, Hostname: "h1"} },
		VCPUs: func(string, string) int { return vcpus },
	}
}

func host(at time.Time) libvirtx.HostSample { return libvirtx.HostSample{URI: testURI, At: at} }

func TestTrackerRatesAndVCPUShare(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	t0 := time.Unix(1000, 0)
	lk := lookup(8, 2)
	tr.Add([]libvirtx.Sample{vmSample("a", t0, 10e9, libvirtx.StateRunning)}, []libvirtx.HostSample{host(t0)}, lk)
	v := tr.VM(testURI, "uuid-a")
	if v == nil || v.Cur.Valid || v.Cur.VCPUValid {
		t.Fatalf("first sample gave a rate: %+v", v)
	}
	// 2 s elapsed, 3 s of CPU time: 1.5 of the VM's 2 vCPUs = 75 % of its
	// vCPUs, 1.5 of the host's 8 CPUs = 18.75 % of the host.
	t1 := t0.Add(2 * time.Second)
	tr.Add([]libvirtx.Sample{vmSample("a", t1, 13e9, libvirtx.StateRunning)}, []libvirtx.HostSample{host(t1)}, lk)
	if !near(v.Cur.VCPUPct, 75) || !near(v.Cur.CPUPct, 18.75) {
		t.Fatalf("vcpu %v host %v, want 75 18.75", v.Cur.VCPUPct, v.Cur.CPUPct)
	}
	s := v.Series(CPU)
	if s.Len() != 2 {
		t.Fatalf("CPU history has %d values, want 2 (a gap, then 75)", s.Len())
	}
	if last, ok := s.Last(); !ok || !near(last, 75) {
		t.Fatalf("last CPU = %v", last)
	}
	if h := tr.Host(testURI); !near(h.Cur.GuestCPU, 18.75) || h.Cur.Running != 1 || h.Hostname != "h1" {
		t.Fatalf("host aggregate: %+v", h.Cur)
	}
	if top := tr.Top("", CPU, 5); len(top) != 1 || top[0] != v {
		t.Fatalf("top: %v", top)
	}
}

// A VM restarted between two sweeps has counters lower than before: no
// rate (a gap in the history), never a spike or a negative value; the next
// sweep has a rate again.
func TestTrackerRestartIsAGapNotASpike(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	lk := lookup(4, 1)
	t0 := time.Unix(1000, 0)
	s := vmSample("a", t0, 500e9, libvirtx.StateRunning)
	s.HasBlock, s.RdBytes, s.HasNet, s.RxBytes = true, 1<<30, true, 1<<20
	steps := []libvirtx.Sample{s}
	s2 := vmSample("a", t0.Add(time.Second), 501e9, libvirtx.StateRunning)
	s2.HasBlock, s2.RdBytes, s2.HasNet, s2.RxBytes = true, 1<<30+4096, true, 1<<20+1000
	steps = append(steps, s2)
	s3 := vmSample("a", t0.Add(2*time.Second), 1e8, libvirtx.StateRunning) // restarted
	s3.HasBlock, s3.RdBytes, s3.HasNet, s3.RxBytes = true, 512, true, 60
	steps = append(steps, s3)
	s4 := vmSample("a", t0.Add(3*time.Second), 3e8, libvirtx.StateRunning)
	s4.HasBlock, s4.RdBytes, s4.HasNet, s4.RxBytes = true, 1536, true, 560
	steps = append(steps, s4)
	for _, st := range steps {
		tr.Add([]libvirtx.Sample{st}, []libvirtx.HostSample{host(st.At)}, lk)
	}
	v := tr.VM(testURI, "uuid-a")
	for m := Metric(0); m < NumMetrics; m++ {
		r := v.Series(m)
		for i := 0; i < r.Len(); i++ {
			if x := r.At(i); x < 0 || x > 1e9 {
				t.Fatalf("%v[%d] = %v: a spike or a negative rate", m, i, x)
			}
		}
	}
	cpu := v.Series(CPU)
	if _, ok := cpu.Last(); !ok {
		t.Fatal("no rate after the restart settled")
	}
	if x := cpu.At(2); x == x { // NaN != NaN
		t.Fatalf("the restart sweep has CPU %v, want a gap", x)
	}
	if !near(cpu.At(1), 100) || !near(cpu.At(3), 20) {
		t.Fatalf("CPU history %v, want [gap 100 gap 20]", cpu.Tail(4, nil))
	}
	if rd := v.Series(DiskRd); !near(rd.At(1), 4096) || !near(rd.At(3), 1024) {
		t.Fatalf("disk history %v", rd.Tail(4, nil))
	}
}

func TestTrackerStoppedVMAndForgetting(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	lk := lookup(2, 1)
	t0 := time.Unix(1000, 0)
	off := vmSample("off", t0, 0, libvirtx.StateShutoff)
	run := vmSample("run", t0, 1e9, libvirtx.StateRunning)
	tr.Add([]libvirtx.Sample{off, run}, []libvirtx.HostSample{host(t0)}, lk)
	if tr.VM(testURI, "uuid-off").Series(CPU) != nil {
		t.Fatal("a VM that never ran got history memory")
	}
	// Sweep 2: "run" stops, "off" is undefined (absent from the sweep).
	t1 := t0.Add(time.Second)
	stopped := vmSample("run", t1, 0, libvirtx.StateShutoff)
	tr.Add([]libvirtx.Sample{stopped}, []libvirtx.HostSample{host(t1)}, lk)
	if tr.VM(testURI, "uuid-off") != nil {
		t.Fatal("an undefined VM is still tracked")
	}
	v := tr.VM(testURI, "uuid-run")
	if _, ok := v.Series(CPU).Last(); ok || v.Series(CPU).Len() != 2 {
		t.Fatal("a stopped VM's sweep is not a gap")
	}
	// A connection that did not answer keeps its VMs.
	tr.Add(nil, nil, lk)
	if tr.VM(testURI, "uuid-run") == nil {
		t.Fatal("a VM was forgotten while its connection was down")
	}
	tr.DropConn(testURI)
	if tr.VM(testURI, "uuid-run") != nil || tr.Host(testURI) != nil {
		t.Fatal("DropConn")
	}
}

func TestHostCPUAndMemory(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	t0 := time.Unix(1000, 0)
	h0 := libvirtx.HostSample{URI: testURI, At: t0, HasCPU: true, Kernel: 100, User: 300, Idle: 1000, IOWait: 0,
		HasMem: true, TotalKiB: 1000, FreeKiB: 100, BuffersKiB: 50, CacheKiB: 250}
	tr.Add(nil, []libvirtx.HostSample{h0}, Lookup{})
	h := tr.Host(testURI)
	if h.Cur.CPUValid {
		t.Fatal("host CPU from one sample")
	}
	// Memory needs one sample: 1000 total, 400 free+buffers+cache: 60 % used.
	if !h.Cur.MemValid || !near(h.Cur.MemUsedPct, 60) || h.Cur.MemAvailKiB != 400 {
		t.Fatalf("memory: %+v", h.Cur)
	}
	// +150 busy (kernel 50 + user 100), +50 idle/iowait: 75 % busy.
	h1 := h0
	h1.At, h1.Kernel, h1.User, h1.Idle, h1.IOWait = t0.Add(time.Second), 150, 400, 1040, 10
	tr.Add(nil, []libvirtx.HostSample{h1}, Lookup{})
	if !h.Cur.CPUValid || !near(h.Cur.CPUPct, 75) {
		t.Fatalf("host CPU %v, want 75", h.Cur.CPUPct)
	}
	if h.Levels[0] != LevelWarn {
		t.Fatalf("host CPU 75 %% is %v, want warn", h.Levels[0])
	}
	al := tr.Alerts()
	if len(al) != 1 || !al[0].Host || al[0].Watch != WatchHostCPU {
		t.Fatalf("alerts: %v", al)
	}
	if s := al[0].String(); s != "warn host qemu:///system CPU 75% ≥ 70%" {
		t.Fatalf("alert text %q", s)
	}
	// Counters going backwards (host rebooted): no value.
	h2 := h1
	h2.At, h2.Kernel, h2.User = t0.Add(2*time.Second), 1, 1
	tr.Add(nil, []libvirtx.HostSample{h2}, Lookup{})
	if h.Cur.CPUValid {
		t.Fatal("a rate from counters that went backwards")
	}
}

// A VM's CPU % walks through the levels; hysteresis keeps it from
// flapping, and the cooldown keeps a flapping VM from flooding alerts.
func TestTrackerLevelsAndAlerts(t *testing.T) {
	th := DefaultThresholds() // 70/90, 5 % hysteresis, 60 s cooldown
	tr := NewTracker(th)
	lk := lookup(1, 1)
	t0 := time.Unix(1000, 0)
	cpu := uint64(0)
	at := t0
	stepAfter := func(dt time.Duration, pct float64) []Alert {
		at = at.Add(dt)
		cpu += uint64(pct / 100 * float64(dt)) // pct % of dt on 1 CPU
		return tr.Add([]libvirtx.Sample{vmSample("a", at, cpu, libvirtx.StateRunning)}, []libvirtx.HostSample{host(at)}, lk)
	}
	step := func(pct float64) []Alert { return stepAfter(time.Second, pct) }
	step(0) // baseline
	v := tr.VM(testURI, "uuid-a")
	type want struct {
		pct    float64
		level  Level
		alerts int
	}
	for i, w := range []want{
		{50, LevelOK, 0},
		{72, LevelWarn, 1},  // crosses 70: one alert
		{68, LevelWarn, 0},  // within the hysteresis band (66.5)
		{80, LevelWarn, 0},  // still warn: no new alert
		{95, LevelCrit, 1},  // escalation: told even within the cooldown
		{86, LevelCrit, 0},  // band of 90 is 85.5
		{85, LevelWarn, 0},  // down: no alert
		{92, LevelCrit, 0},  // back up within the cooldown: not told again
		{10, LevelOK, 0},    // all clear
		{75, LevelWarn, 0},  // within the cooldown of the warn alert
		{100, LevelCrit, 0}, // within the cooldown of the crit alert
	} {
		got := step(w.pct)
		if v.Levels[WatchCPU] != w.level || len(got) != w.alerts {
			t.Fatalf("step %d (%v%%): level %v, %d alerts %v; want %v, %d", i, w.pct, v.Levels[WatchCPU], len(got), got, w.level, w.alerts)
		}
	}
	if w, c := tr.Counts(); w != 0 || c != 1 {
		t.Fatalf("counts warn %d crit %d, want 0 1", w, c)
	}
	// After the cooldown the same crossing is told again.
	step(0)
	if got := stepAfter(2*time.Minute, 95); len(got) != 1 || got[0].Level != LevelCrit || got[0].Name != "a" || got[0].Limit != 90 {
		t.Fatalf("after the cooldown: %v", got)
	}
	if s := tr.Alerts()[len(tr.Alerts())-1].String(); s != "crit a CPU 95% ≥ 90%" {
		t.Fatalf("alert text %q", s)
	}
	// A stopped VM drops to OK without an alert.
	at = at.Add(time.Second)
	if got := tr.Add([]libvirtx.Sample{vmSample("a", at, 0, libvirtx.StateShutoff)}, []libvirtx.HostSample{host(at)}, lk); len(got) != 0 || v.Level() != LevelOK {
		t.Fatalf("stopping: level %v alerts %v", v.Level(), got)
	}
}

func TestThresholdNext(t *testing.T) {
	th := Thresholds{Hysteresis: 10}
	th.Limits[WatchDisk] = Limit{Warn: 100, Crit: 0} // crit off
	cases := []struct {
		cur  Level
		v    float64
		want Level
	}{
		{LevelOK, 99, LevelOK},
		{LevelOK, 100, LevelWarn},
		{LevelWarn, 91, LevelWarn},
		{LevelWarn, 89, LevelOK},
		{LevelOK, 1e12, LevelWarn}, // no crit level
	}
	for _, c := range cases {
		if got := th.Next(WatchDisk, c.cur, c.v); got != c.want {
			t.Errorf("Next(%v, %v) = %v, want %v", c.cur, c.v, got, c.want)
		}
	}
	if got := th.Next(WatchNet, LevelOK, 1e12); got != LevelOK {
		t.Errorf("an unwatched metric has level %v", got)
	}
}

func TestTrackerMemoryIsFixedPerVM(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	lk := lookup(2, 1)
	at := time.Unix(1000, 0)
	cpu := uint64(0)
	add := func() {
		at = at.Add(time.Second)
		cpu += 1e8
		tr.Add([]libvirtx.Sample{vmSample("a", at, cpu, libvirtx.StateRunning)}, []libvirtx.HostSample{host(at)}, lk)
	}
	add()
	for i := 0; i < HistoryLen*2; i++ {
		add()
	}
	v := tr.VM(testURI, "uuid-a")
	if n := v.Series(CPU).Len(); n != HistoryLen {
		t.Fatalf("history holds %d values, want %d", n, HistoryLen)
	}
	// Ten minutes at the shortest interval.
	if HistoryLen < 600 {
		t.Fatalf("HistoryLen %d is under 10 minutes at 1 s", HistoryLen)
	}
}

// Memory levels apply to what the guest reports (balloon statistics); QEMU's
// RSS only with mem.rss on.
func TestMemLevelsUseTheGuestsFigures(t *testing.T) {
	for _, c := range []struct {
		name   string
		guest  bool
		memRSS bool
		want   Level
	}{
		{"rss", false, false, LevelOK},
		{"rss with mem.rss", false, true, LevelCrit},
		{"balloon stats", true, false, LevelCrit},
	} {
		th := DefaultThresholds()
		th.MemRSS = c.memRSS
		tr := NewTracker(th)
		s := vmSample("a", time.Unix(1000, 0), 0, libvirtx.StateRunning)
		s.CurrentKiB, s.RSSKiB = 1000, 950 // 95 % by RSS
		if c.guest {
			s.AvailableKiB, s.UnusedKiB = 1000, 50 // 95 % used inside
		}
		tr.Add([]libvirtx.Sample{s}, nil, lookup(1, 1))
		v := tr.VM(testURI, "uuid-a")
		if !v.Cur.MemValid || !near(v.Cur.MemPct, 95) {
			t.Fatalf("%s: mem %v %v", c.name, v.Cur.MemPct, v.Cur.MemValid)
		}
		if v.Levels[WatchMem] != c.want {
			t.Errorf("%s: level %v, want %v", c.name, v.Levels[WatchMem], c.want)
		}
	}
}

// Sweeps of the running domains only: a VM missing from one stopped; its
// history goes on with gaps and its levels drop; it is not forgotten.
func TestActiveOnlySweeps(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	lk := lookup(1, 1)
	t0 := time.Unix(1000, 0)
	add := func(at time.Time, active bool, ss ...libvirtx.Sample) {
		l := lk
		l.ActiveOnly = active
		tr.Add(ss, []libvirtx.HostSample{host(at)}, l)
	}
	add(t0, false, vmSample("a", t0, 0, libvirtx.StateRunning), vmSample("b", t0, 0, libvirtx.StateShutoff))
	t1 := t0.Add(time.Second)
	add(t1, true, vmSample("a", t1, 95e7, libvirtx.StateRunning)) // 95 %
	a := tr.VM(testURI, "uuid-a")
	if a.Level() != LevelCrit || tr.VM(testURI, "uuid-b") == nil {
		t.Fatalf("level %v; b kept: %v", a.Level(), tr.VM(testURI, "uuid-b") != nil)
	}
	t2 := t1.Add(time.Second)
	add(t2, true) // a stopped
	if a.Level() != LevelOK || a.Cur.State.Active() || a.Series(CPU).Len() != 3 {
		t.Fatalf("after stopping: level %v state %v len %d", a.Level(), a.Cur.State, a.Series(CPU).Len())
	}
	if _, ok := a.Series(CPU).Last(); ok {
		t.Fatal("no gap for the stopped sweep")
	}
	// Restarted with a fresh counter: a gap, then rates again.
	t3 := t2.Add(time.Second)
	add(t3, true, vmSample("a", t3, 1e8, libvirtx.StateRunning))
	t4 := t3.Add(time.Second)
	add(t4, true, vmSample("a", t4, 3e8, libvirtx.StateRunning))
	if v, ok := a.Series(CPU).Last(); !ok || !near(v, 20) {
		t.Fatalf("after the restart: %v %v", v, ok)
	}
	// A full sweep forgets what is gone.
	add(t4.Add(time.Second), false, vmSample("a", t4.Add(time.Second), 3e8, libvirtx.StateRunning))
	if tr.VM(testURI, "uuid-b") != nil {
		t.Fatal("b survived a full sweep without it")
	}
}

// A VM's CPU time counts QEMU's own threads too, so it can pass 100 % of
// its vCPUs; the figure (and its alert) stops at 100.
func TestVCPUShareIsCappedAt100(t *testing.T) {
	tr := NewTracker(DefaultThresholds())
	t0 := time.Unix(1_700_000_000, 0)
	for i, at := range []time.Time{t0, t0.Add(2 * time.Second)} {
		tr.Add([]libvirtx.Sample{vmSample("one", at, uint64(i)*2_020_000_000, libvirtx.StateRunning)}, nil, lookup(4, 1))
	}
	v := tr.VMs("")[0]
	if !v.Cur.VCPUValid || v.Cur.VCPUPct != 100 {
		t.Fatalf("2.02 s of CPU in 2 s on 1 vCPU: %v%% (valid %v), want 100", v.Cur.VCPUPct, v.Cur.VCPUValid)
	}
}
