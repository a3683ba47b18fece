package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// Devices kvmtui lists (so the hardware tree shows everything a VM has,
// and each can be detached or edited as XML) but does not offer to add
// or edit through a form.

// single wraps an optional singleton device as a list.
func single[T any](p *T) []*T {
	if p == nil {
		return nil
	}
	return []*T{p}
}

var (
	kindHostdevOther = register(&Kind{ID: "hostdev", Title: "Host device", Hotplug: true}, &kindDef[lx.DomainHostdev]{
		list: hostdevList("scsi", "scsi_host", "storage", "misc", "net", ""),
		sum: func(h *lx.DomainHostdev) string {
			s := hostdevSubsys(h)
			switch {
			case h.SubsysSCSI != nil:
				return "SCSI host device"
			case h.SubsysSCSIHost != nil:
				return "vhost-scsi host device"
			case s != "":
				return s + " host device"
			}
			return "host device"
		},
		put: putHostdev,
	})
	kindLease = register(&Kind{ID: "lease", Title: "Lease", Hotplug: true}, &kindDef[lx.DomainLease]{
		list: func(def *lx.Domain) []*lx.DomainLease { return pointers(def.Devices.Leases) },
		sum: func(l *lx.DomainLease) string {
			return joinSummary("lease", l.Lockspace+"/"+l.Key)
		},
		put: func(def *lx.Domain, l *lx.DomainLease) { def.Devices.Leases = append(def.Devices.Leases, *l) },
	})
	kindAudio = register(&Kind{ID: "audio", Title: "Audio backend"}, &kindDef[lx.DomainAudio]{
		list: func(def *lx.Domain) []*lx.DomainAudio { return pointers(def.Devices.Audios) },
		sum:  func(a *lx.DomainAudio) string { return fmt.Sprintf("audio backend %d · %s", a.ID, audioType(a)) },
		put:  func(def *lx.Domain, a *lx.DomainAudio) { def.Devices.Audios = append(def.Devices.Audios, *a) },
	})
	kindRedirFilter = register(&Kind{ID: "redirfilter", Title: "USB redirection filter"}, &kindDef[lx.DomainRedirFilter]{
		list: func(def *lx.Domain) []*lx.DomainRedirFilter { return pointers(def.Devices.RedirFilters) },
		sum: func(f *lx.DomainRedirFilter) string {
			return fmt.Sprintf("USB redirection filter · %d rules", len(f.USB))
		},
		put: func(def *lx.Domain, f *lx.DomainRedirFilter) {
			def.Devices.RedirFilters = append(def.Devices.RedirFilters, *f)
		},
	})
	kindHub = register(&Kind{ID: "hub", Title: "USB hub"}, &kindDef[lx.DomainHub]{
		list: func(def *lx.Domain) []*lx.DomainHub { return pointers(def.Devices.Hubs) },
		sum:  func(h *lx.DomainHub) string { return h.Type + " hub" },
		put:  func(def *lx.Domain, h *lx.DomainHub) { def.Devices.Hubs = append(def.Devices.Hubs, *h) },
	})
	kindShmem = register(&Kind{ID: "shmem", Title: "Shared memory", Hotplug: true}, &kindDef[lx.DomainShmem]{
		list: func(def *lx.Domain) []*lx.DomainShmem { return pointers(def.Devices.Shmems) },
		sum: func(s *lx.DomainShmem) string {
			model := ""
			if s.Model != nil {
				model = s.Model.Type
			}
			return joinSummary("shared memory "+s.Name, model)
		},
		put: func(def *lx.Domain, s *lx.DomainShmem) { def.Devices.Shmems = append(def.Devices.Shmems, *s) },
	})
	kindMemory = register(&Kind{ID: "memory", Title: "Memory module", Hotplug: true}, &kindDef[lx.DomainMemorydev]{
		list: func(def *lx.Domain) []*lx.DomainMemorydev { return pointers(def.Devices.Memorydevs) },
		sum: func(m *lx.DomainMemorydev) string {
			size := ""
			if m.Target != nil && m.Target.Size != nil {
				if b, err := ParseSize(utoa(m.Target.Size.Value), orDefault(m.Target.Size.Unit, "KiB")); err == nil {
					size = FormatSize(b)
				}
			}
			return joinSummary(m.Model+" memory", size)
		},
		put: func(def *lx.Domain, m *lx.DomainMemorydev) {
			def.Devices.Memorydevs = append(def.Devices.Memorydevs, *m)
		},
	})
	kindCrypto = register(&Kind{ID: "crypto", Title: "Crypto device"}, &kindDef[lx.DomainCrypto]{
		list: func(def *lx.Domain) []*lx.DomainCrypto { return pointers(def.Devices.Crypto) },
		sum:  func(c *lx.DomainCrypto) string { return joinSummary(c.Model+" crypto", c.Type) },
		put:  func(def *lx.Domain, c *lx.DomainCrypto) { def.Devices.Crypto = append(def.Devices.Crypto, *c) },
	})
	kindPStore = register(&Kind{ID: "pstore", Title: "Panic store"}, &kindDef[lx.DomainPStore]{
		list: func(def *lx.Domain) []*lx.DomainPStore { return single(def.Devices.PStore) },
		sum:  func(p *lx.DomainPStore) string { return joinSummary(p.Backend+" panic store", p.Path) },
		put:  func(def *lx.Domain, p *lx.DomainPStore) { def.Devices.PStore = p },
	})
	kindNVRAMDevice = register(&Kind{ID: "nvram", Title: "NVRAM"}, &kindDef[lx.DomainNVRAM]{
		list: func(def *lx.Domain) []*lx.DomainNVRAM { return single(def.Devices.NVRAM) },
		sum:  func(*lx.DomainNVRAM) string { return "NVRAM" },
		put:  func(def *lx.Domain, n *lx.DomainNVRAM) { def.Devices.NVRAM = n },
	})
)

func audioType(a *lx.DomainAudio) string {
	switch {
	case a.None != nil:
		return "none"
	case a.ALSA != nil:
		return "alsa"
	case a.CoreAudio != nil:
		return "coreaudio"
	case a.Jack != nil:
		return "jack"
	case a.OSS != nil:
		return "oss"
	case a.PulseAudio != nil:
		return "pulseaudio"
	case a.SDL != nil:
		return "sdl"
	case a.SPICE != nil:
		return "spice"
	case a.File != nil:
		return "file"
	case a.DBus != nil:
		return "dbus"
	case a.PipeWire != nil:
		return "pipewire"
	}
	return "unknown"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
