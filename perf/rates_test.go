package perf

import (
	"math"
	"testing"
	"time"

	"kvmtui/libvirtx"
)

func sample(at time.Time, cpuNs uint64, st libvirtx.State) libvirtx.Sample {
	return libvirtx.Sample{At: at, State: st, HasCPU: true, CPUTimeNs: cpuNs}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCPUPercentLikeVirtTop(t *testing.T) {
	t0 := time.Unix(1000, 0)
	// 2 s elapsed, 2 s of CPU time consumed, 4 host CPUs: one of four CPUs
	// for the whole interval = 25 % of the host.
	prev := sample(t0, 10e9, libvirtx.StateRunning)
	cur := sample(t0.Add(2*time.Second), 12e9, libvirtx.StateRunning)
	r := Compute(prev, cur, 4)
	if !r.Valid || !near(r.CPUPct, 25) {
		t.Fatalf("CPU = %v (valid %v), want 25", r.CPUPct, r.Valid)
	}
	// Saturating all 4 CPUs for 2 s is 8 s of CPU time: 100 %.
	cur.CPUTimeNs = 18e9
	if r := Compute(prev, cur, 4); !near(r.CPUPct, 100) {
		t.Fatalf("CPU = %v, want 100", r.CPUPct)
	}
}

func TestCounterResetGivesNoSpike(t *testing.T) {
	t0 := time.Unix(1000, 0)
	prev := sample(t0, 500e9, libvirtx.StateRunning)
	prev.HasBlock, prev.RdBytes = true, 1<<30
	cur := sample(t0.Add(time.Second), 1e8, libvirtx.StateRunning) // restarted
	cur.HasBlock, cur.RdBytes = true, 4096
	r := Compute(prev, cur, 2)
	if r.Valid || r.CPUPct != 0 || r.RdBps != 0 {
		t.Fatalf("after a restart: %+v, want no rate", r)
	}
}

func TestIORates(t *testing.T) {
	t0 := time.Unix(1000, 0)
	prev := sample(t0, 0, libvirtx.StateRunning)
	prev.HasBlock, prev.RdBytes, prev.WrBytes, prev.RdReqs, prev.WrReqs = true, 1000, 2000, 10, 20
	prev.HasNet, prev.RxBytes, prev.TxBytes = true, 100, 200
	cur := sample(t0.Add(4*time.Second), 0, libvirtx.StateRunning)
	cur.HasBlock, cur.RdBytes, cur.WrBytes, cur.RdReqs, cur.WrReqs = true, 5000, 2000, 50, 24
	cur.HasNet, cur.RxBytes, cur.TxBytes = true, 4100, 1000
	r := Compute(prev, cur, 1)
	want := map[string][2]float64{
		"rd": {r.RdBps, 1000}, "wr": {r.WrBps, 0}, "rdiops": {r.RdIOPS, 10},
		"wriops": {r.WrIOPS, 1}, "rx": {r.RxBps, 1000}, "tx": {r.TxBps, 200},
	}
	for k, v := range want {
		if !near(v[0], v[1]) {
			t.Errorf("%s = %v, want %v", k, v[0], v[1])
		}
	}
}

func TestStoppedOrFirstSampleHasNoRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	cur := sample(t0, 5e9, libvirtx.StateRunning)
	if r := Compute(libvirtx.Sample{}, cur, 2); r.Valid {
		t.Fatalf("first sample gave a rate: %+v", r)
	}
	prev := sample(t0, 5e9, libvirtx.StateRunning)
	off := sample(t0.Add(time.Second), 0, libvirtx.StateShutoff)
	if r := Compute(prev, off, 2); r.Valid || r.MemValid {
		t.Fatalf("stopped domain gave a rate: %+v", r)
	}
}

func TestMemPercent(t *testing.T) {
	s := libvirtx.Sample{State: libvirtx.StateRunning, CurrentKiB: 1 << 20, RSSKiB: 1 << 19}
	if p, ok := MemPercent(s); !ok || !near(p, 50) {
		t.Fatalf("rss/current = %v %v, want 50", p, ok)
	}
	// Guest statistics win over RSS: 1 GiB available, 256 MiB unused = 75 %.
	s.AvailableKiB, s.UnusedKiB = 1<<20, 1<<18
	if p, ok := MemPercent(s); !ok || !near(p, 75) {
		t.Fatalf("guest stats = %v %v, want 75", p, ok)
	}
	// RSS above the allocation (QEMU overhead) is capped at 100.
	s = libvirtx.Sample{State: libvirtx.StateRunning, CurrentKiB: 100, RSSKiB: 150}
	if p, _ := MemPercent(s); p != 100 {
		t.Fatalf("capped = %v, want 100", p)
	}
}
