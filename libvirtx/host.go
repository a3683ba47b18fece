package libvirtx

import (
	"errors"
	"time"

	"libvirt.org/go/libvirt"
)

// HostSample is one reading of the host's cumulative CPU times (ns) and its
// memory (KiB), for host-wide rates.
type HostSample struct {
	URI                                     string
	At                                      time.Time
	HasCPU                                  bool
	Kernel, User, Idle, IOWait              uint64
	HasMem                                  bool
	TotalKiB, FreeKiB, BuffersKiB, CacheKiB uint64
}

// HostStats reads the host's CPU and memory counters (virNodeGetCPUStats,
// virNodeGetMemoryStats): two calls per connection per tick. Drivers without
// them (the test driver) leave HasCPU/HasMem false.
func (m *Manager) HostStats(uri string) (HostSample, error) {
	s := HostSample{URI: uri, At: time.Now()}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return s, err
	}
	defer done()
	if cpu, err := lc.GetCPUStats(int(libvirt.NODE_CPU_STATS_ALL_CPUS), 0); err == nil {
		s.HasCPU = cpu.KernelSet && cpu.IdleSet
		s.Kernel, s.User, s.Idle, s.IOWait = cpu.Kernel, cpu.User, cpu.Idle, cpu.Iowait
	}
	if mem, err := lc.GetMemoryStats(int(libvirt.NODE_MEMORY_STATS_ALL_CELLS), 0); err == nil {
		s.HasMem = mem.TotalSet && mem.FreeSet
		s.TotalKiB, s.FreeKiB, s.BuffersKiB, s.CacheKiB = mem.Total, mem.Free, mem.Buffers, mem.Cached
	}
	return s, nil
}

// DomainCapabilities returns libvirt's domain capabilities XML for the
// given emulator/arch/machine/virttype (empty strings mean the defaults).
func (m *Manager) DomainCapabilities(uri, emulator, arch, machine, virtType string) (string, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return "", err
	}
	defer done()
	out, err := lc.GetDomainCapabilities(emulator, arch, machine, virtType, 0)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	return out, nil
}
