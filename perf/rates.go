// Package perf turns the cumulative counters of two stats sweeps into the
// rates and percentages users read, and keeps their history.
package perf

import "kvmtui/libvirtx"

// Rates are the per-second figures of one domain between two samples.
// Valid is false when there is nothing to compare (first sample, a stopped
// domain, or counters that went backwards after a restart).
type Rates struct {
	Valid     bool
	CPUPct    float64 // share of the whole host, as virt-top computes it
	MemPct    float64 // memory in use, of the guest's current allocation
	MemValid  bool
	RdBps     float64
	WrBps     float64
	RdIOPS    float64
	WrIOPS    float64
	RxBps     float64
	TxBps     float64
	HasDisk   bool
	HasNet    bool
	ElapsedNs int64
}

// Compute derives the rates between prev and cur for a host with hostCPUs
// CPUs. CPU % is Δcpu_time / (Δt × host CPUs) × 100, as virt-top does, so a
// guest saturating 2 of 4 host CPUs shows 50 %.
func Compute(prev, cur libvirtx.Sample, hostCPUs int) Rates {
	var r Rates
	r.MemPct, r.MemValid = MemPercent(cur)
	if !cur.State.Active() || prev.At.IsZero() || !prev.State.Active() {
		return r
	}
	dt := cur.At.Sub(prev.At).Nanoseconds()
	if dt <= 0 || hostCPUs <= 0 {
		return r
	}
	r.ElapsedNs = dt
	secs := float64(dt) / 1e9
	if cur.HasCPU && prev.HasCPU {
		d, ok := delta(prev.CPUTimeNs, cur.CPUTimeNs)
		if !ok {
			return r // the domain restarted between the samples
		}
		r.CPUPct = 100 * float64(d) / (float64(dt) * float64(hostCPUs))
		r.Valid = true
	}
	if cur.HasBlock && prev.HasBlock {
		r.RdBps, r.HasDisk = rate(prev.RdBytes, cur.RdBytes, secs)
		r.WrBps, _ = rate(prev.WrBytes, cur.WrBytes, secs)
		r.RdIOPS, _ = rate(prev.RdReqs, cur.RdReqs, secs)
		r.WrIOPS, _ = rate(prev.WrReqs, cur.WrReqs, secs)
	}
	if cur.HasNet && prev.HasNet {
		r.RxBps, r.HasNet = rate(prev.RxBytes, cur.RxBytes, secs)
		r.TxBps, _ = rate(prev.TxBytes, cur.TxBytes, secs)
	}
	return r
}

// MemPercent is the memory in use. With the guest's balloon statistics it is
// what the guest itself uses ((available-unused)/available); without them,
// the QEMU process's resident size against the allocation.
func MemPercent(s libvirtx.Sample) (float64, bool) {
	switch {
	case !s.State.Active():
		return 0, false
	case s.AvailableKiB > 0 && s.UnusedKiB <= s.AvailableKiB && s.UnusedKiB > 0:
		return 100 * float64(s.AvailableKiB-s.UnusedKiB) / float64(s.AvailableKiB), true
	case s.RSSKiB > 0 && s.CurrentKiB > 0:
		return min(100, 100*float64(s.RSSKiB)/float64(s.CurrentKiB)), true
	}
	return 0, false
}

// delta is cur-prev; a counter that went backwards was reset and gives no delta.
func delta(prev, cur uint64) (uint64, bool) {
	if cur < prev {
		return 0, false
	}
	return cur - prev, true
}

func rate(prev, cur uint64, secs float64) (float64, bool) {
	d, ok := delta(prev, cur)
	if !ok {
		return 0, false
	}
	return float64(d) / secs, true
}
