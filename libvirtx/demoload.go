package libvirtx

import (
	"hash/fnv"
	"math"
	"sync"
	"time"
)

// The bundled demo host is libvirt's test driver, which reports a CPU time
// that grows alike for every running VM and no memory, disk or network
// figures. So that a first look shows what kvmtui does on a real host, the
// demo's running VMs get synthetic counters of their own: each VM a
// profile from its name (a base load, a slow wave, bursts), advanced with
// the time between sweeps. Only the connection SetDemoLoad names gets
// them; a real connection never does.

// SetDemoLoad gives the demo connection at uri its synthetic load.
func (m *Manager) SetDemoLoad(uri string) {
	if c, err := m.conn(uri); err == nil {
		c.mu.Lock()
		c.demo = &demoLoad{vms: map[string]*demoVM{}}
		c.mu.Unlock()
	}
}

type demoLoad struct {
	mu  sync.Mutex
	vms map[string]*demoVM // by UUID
}

// demoVM is one VM's profile and its counters so far.
type demoVM struct {
	cpu, mem, disk, net float64 // base levels: CPU share, memory in use, bytes/s
	period, phase       float64 // the slow wave
	seed                uint64
	last                time.Time
	cpuNs, rd, wr       float64
	rx, tx              float64
}

func newDemoVM(name string, at time.Time) *demoVM {
	h := fnv.New64a()
	h.Write([]byte(name))
	x := h.Sum64()
	frac := func(shift uint) float64 { return float64((x>>shift)&0xffff) / 0xffff }
	v := &demoVM{
		cpu:    0.02 + 0.55*frac(0)*frac(0), // most idle-ish, a few busy
		mem:    0.35 + 0.5*frac(16),
		disk:   20e3 + 4e6*frac(32)*frac(32),
		net:    5e3 + 2e6*frac(48)*frac(48),
		period: 45 + 240*frac(8),
		phase:  2 * math.Pi * frac(24),
		seed:   x | 1,
		last:   at,
	}
	// Counters that do not start at zero, as a guest that has run a while.
	v.cpuNs, v.rd, v.wr, v.rx, v.tx = 3.6e12*v.cpu, 9e9*frac(40), 4e9*frac(44), 2e9*frac(52), 1e9*frac(56)
	return v
}

// noise is a deterministic pseudo-random value in [0, 1).
func (v *demoVM) noise() float64 {
	v.seed ^= v.seed << 13
	v.seed ^= v.seed >> 7
	v.seed ^= v.seed << 17
	return float64(v.seed>>11) / (1 << 53)
}

// level is the load factor at t: a slow wave, jitter, and now and then a burst.
func (v *demoVM) level(t time.Time) float64 {
	wave := 1 + 0.6*math.Sin(2*math.Pi*float64(t.Unix())/v.period+v.phase)
	l := wave * (0.85 + 0.3*v.noise())
	if v.noise() < 0.04 {
		l *= 2.5
	}
	return l
}

// apply replaces the test driver's figures of the running samples (disk
// and network only those of the groups g).
func (d *demoLoad) apply(samples []Sample, g Groups) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range samples {
		s := &samples[i]
		if !s.State.Active() {
			continue
		}
		v := d.vms[s.UUID]
		if v == nil {
			v = newDemoVM(s.Name, s.At)
			d.vms[s.UUID] = v
		}
		if dt := s.At.Sub(v.last).Seconds(); dt > 0 && s.State == StateRunning {
			l := v.level(s.At)
			vcpus := float64(max(s.VCPUs, 1))
			v.cpuNs += min(v.cpu*l, 1) * vcpus * dt * 1e9
			v.rd += v.disk * l * dt
			v.wr += v.disk * 0.4 * l * v.noise() * dt
			v.rx += v.net * l * dt
			v.tx += v.net * 0.6 * l * v.noise() * dt
		}
		v.last = s.At
		s.HasCPU, s.CPUTimeNs = true, uint64(v.cpuNs)
		if g&DiskStats != 0 {
			s.HasBlock, s.RdBytes, s.WrBytes = true, uint64(v.rd), uint64(v.wr)
			s.RdReqs, s.WrReqs = uint64(v.rd/24e3), uint64(v.wr/12e3) // 24 KB reads, 12 KB writes on average
		}
		if g&NetStats != 0 {
			s.HasNet, s.RxBytes, s.TxBytes = true, uint64(v.rx), uint64(v.tx)
		}
		if s.CurrentKiB > 0 {
			used := min(v.mem*(0.9+0.2*v.noise()), 0.97)
			s.AvailableKiB = s.CurrentKiB
			s.UnusedKiB = uint64(float64(s.CurrentKiB) * (1 - used))
			s.RSSKiB = uint64(float64(s.CurrentKiB) * min(used+0.05, 1))
		}
	}
}
