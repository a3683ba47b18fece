package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// Memory (size, hugepages, shared backing) and NUMA tuning.

const mib = 1 << 20

// memBytes reads a libvirt memory value with its unit (KiB by default).
func memBytes(v uint, unit string) uint64 {
	b, err := ParseSize(utoa(v), orDefault(unit, "KiB"))
	if err != nil {
		return 0
	}
	return b
}

// kib rounds bytes up to whole KiB, libvirt's own unit.
func kib(bytes uint64) uint { return uint((bytes + 1023) / 1024) }

func maxMemBytes(s *Settings) uint64 {
	if s.Def.Memory == nil {
		return 0
	}
	return memBytes(s.Def.Memory.Value, s.Def.Memory.Unit)
}

func curMemBytes(s *Settings) uint64 {
	if s.Def.CurrentMemory == nil {
		return maxMemBytes(s)
	}
	return memBytes(s.Def.CurrentMemory.Value, s.Def.CurrentMemory.Unit)
}

func hugepages(s *Settings) bool {
	return s.Def.MemoryBacking != nil && s.Def.MemoryBacking.MemoryHugePages != nil
}

var sectionMemory = section("memory", "Memory", []spec[Settings]{
	{
		Field: Field{Name: "memory_max", Label: "Maximum memory", Type: TypeSize,
			Help: "memory the VM boots with, like 4GiB; current memory can be ballooned below it"},
		unit: "MiB",
		get: func(s *Settings) string {
			if b := maxMemBytes(s); b > 0 {
				return FormatSize(b)
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			b := atou64(v)
			if b < mib {
				return fmt.Errorf("invalid maximum memory %s: expected at least 1 MiB", FormatSize(b))
			}
			cur := curMemBytes(s)
			dumpCore := ""
			if s.Def.Memory != nil {
				dumpCore = s.Def.Memory.DumpCore
			}
			s.Def.Memory = &lx.DomainMemory{Value: kib(b), Unit: "KiB", DumpCore: dumpCore}
			// Current memory follows a lowered maximum.
			if cur == 0 || cur > b {
				cur = b
			}
			s.Def.CurrentMemory = &lx.DomainCurrentMemory{Value: kib(cur), Unit: "KiB"}
			return nil
		},
	},
	{
		Field: Field{Name: "memory", Label: "Current memory", Type: TypeSize, Live: true, Call: "SetMemoryFlags",
			Help: "memory the guest has now (through the balloon), at most the maximum"},
		unit: "MiB",
		get: func(s *Settings) string {
			if b := curMemBytes(s); b > 0 {
				return FormatSize(b)
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			b, max := atou64(v), maxMemBytes(s)
			if b < mib {
				return fmt.Errorf("invalid current memory %s: expected at least 1 MiB", FormatSize(b))
			}
			if max > 0 && b > max {
				return fmt.Errorf("invalid current memory %s: expected at most the maximum, %s; raise the maximum first", FormatSize(b), FormatSize(max))
			}
			s.Def.CurrentMemory = &lx.DomainCurrentMemory{Value: kib(b), Unit: "KiB"}
			return nil
		},
	},
	{
		Field: Field{Name: "hugepages", Label: "Huge pages", Type: TypeBool,
			Help: "back guest RAM with the host's huge pages (they must be reserved on the host)"},
		get: func(s *Settings) string { return yesNo(hugepages(s)) },
		set: func(s *Settings, v string) error {
			if v == "yes" {
				if !hugepages(s) {
					memoryBacking(s).MemoryHugePages = &lx.DomainMemoryHugepages{}
				}
			} else if s.Def.MemoryBacking != nil {
				s.Def.MemoryBacking.MemoryHugePages = nil
				pruneMemoryBacking(s)
			}
			return nil
		},
	},
	{
		Field: Field{Name: "hugepage_size", Label: "Huge page size", Type: TypeSize, Optional: true,
			Help: "2MiB or 1GiB on x86; empty for the host's default"},
		unit: "KiB",
		when: hugepages,
		get: func(s *Settings) string {
			hp := s.Def.MemoryBacking.MemoryHugePages.Hugepages
			if len(hp) == 0 {
				return ""
			}
			return FormatSize(memBytes(hp[0].Size, hp[0].Unit))
		},
		set: func(s *Settings, v string) error {
			hp := s.Def.MemoryBacking.MemoryHugePages
			if v == "" {
				hp.Hugepages = nil
				return nil
			}
			b := atou64(v)
			if b < 4096 || b&(b-1) != 0 {
				return fmt.Errorf("invalid huge page size %s: expected a power of two like 2MiB or 1GiB", FormatSize(b))
			}
			hp.Hugepages = []lx.DomainMemoryHugepage{{Size: kib(b), Unit: "KiB"}}
			return nil
		},
	},
	{
		Field: Field{Name: "shared_memory", Label: "Shared memory", Type: TypeBool,
			Help: "share guest RAM with helper processes (needed by virtiofs and vhost-user)"},
		get: func(s *Settings) string { return yesNo(sharedMemory(s.Def)) },
		set: func(s *Settings, v string) error {
			if v == "yes" {
				if s.Caps != nil && s.Caps.MemoryBackingSources != nil && !Has(s.Caps.MemoryBackingSources, "memfd") && !Has(s.Caps.MemoryBackingSources, "file") {
					return fmt.Errorf("this QEMU offers no shareable memory backing (memfd or file)")
				}
				enableSharedMemory(s.Def)
				if s.Caps != nil && s.Caps.MemoryBackingSources != nil && !Has(s.Caps.MemoryBackingSources, "memfd") {
					s.Def.MemoryBacking.MemorySource.Type = "file"
				}
				return nil
			}
			if mb := s.Def.MemoryBacking; mb != nil {
				mb.MemoryAccess = nil
				if mb.MemorySource != nil && mb.MemorySource.Type == "memfd" {
					mb.MemorySource = nil
				}
				pruneMemoryBacking(s)
			}
			return nil
		},
	},
}, checkMemory)

func memoryBacking(s *Settings) *lx.DomainMemoryBacking {
	if s.Def.MemoryBacking == nil {
		s.Def.MemoryBacking = &lx.DomainMemoryBacking{}
	}
	return s.Def.MemoryBacking
}

func pruneMemoryBacking(s *Settings) {
	if mb := s.Def.MemoryBacking; mb != nil && *mb == (lx.DomainMemoryBacking{}) {
		s.Def.MemoryBacking = nil
	}
}

func checkMemory(s *Settings) error {
	max, cur := maxMemBytes(s), curMemBytes(s)
	if max == 0 {
		return fmt.Errorf("the VM has no memory size")
	}
	if cur > max {
		return fmt.Errorf("current memory %s exceeds the maximum %s", FormatSize(cur), FormatSize(max))
	}
	if !sharedMemory(s.Def) && s.Def.Devices != nil {
		for _, f := range s.Def.Devices.Filesystems {
			if fsDriver(&f) == "virtiofs" {
				return fmt.Errorf("the virtiofs shared folder needs shared memory; turn it back on or remove the folder")
			}
		}
	}
	return nil
}

var (
	numaModes      = []string{"strict", "preferred", "interleave", "restrictive"}
	numaPlacements = []string{"static", "auto"}
)

func numaMemory(s *Settings) *lx.DomainNUMATuneMemory {
	if s.Def.NUMATune == nil {
		return nil
	}
	return s.Def.NUMATune.Memory
}

func hasNUMAMemory(s *Settings) bool { return numaMemory(s) != nil }

var sectionNUMA = section("numa", "NUMA tuning", []spec[Settings]{
	{
		Field: Field{Name: "numa_mode", Label: "Memory policy", Type: TypeEnum, Choices: numaModes, Optional: true,
			Help: "strict: only the given host nodes; preferred: those first; interleave: spread over them; empty for no policy"},
		get: func(s *Settings) string {
			if m := numaMemory(s); m != nil {
				return orDefault(m.Mode, "strict")
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			if v == "" {
				if s.Def.NUMATune != nil {
					s.Def.NUMATune.Memory = nil
					if len(s.Def.NUMATune.MemNodes) == 0 {
						s.Def.NUMATune = nil
					}
				}
				return nil
			}
			if s.Def.NUMATune == nil {
				s.Def.NUMATune = &lx.DomainNUMATune{}
			}
			if s.Def.NUMATune.Memory == nil {
				s.Def.NUMATune.Memory = &lx.DomainNUMATuneMemory{Placement: "auto"}
			}
			s.Def.NUMATune.Memory.Mode = v
			return nil
		},
	},
	{
		Field: Field{Name: "numa_placement", Label: "Placement", Type: TypeEnum, Choices: numaPlacements,
			Help: "static: the nodes below; auto: numad picks them"},
		when: hasNUMAMemory,
		get: func(s *Settings) string {
			m := numaMemory(s)
			if m.Placement == "" {
				if m.Nodeset != "" {
					return "static"
				}
				return "auto"
			}
			return m.Placement
		},
		set: func(s *Settings, v string) error {
			m := numaMemory(s)
			m.Placement = v
			if v == "auto" {
				m.Nodeset = ""
			}
			return nil
		},
	},
	{
		Field: Field{Name: "numa_nodeset", Label: "Host nodes", Type: TypeCPUList, Optional: true,
			Help: "host NUMA node numbers, like 0 or 0-1"},
		when: func(s *Settings) bool { return hasNUMAMemory(s) && numaMemory(s).Placement != "auto" },
		get:  func(s *Settings) string { return numaMemory(s).Nodeset },
		set:  func(s *Settings, v string) error { numaMemory(s).Nodeset = v; return nil },
	},
}, func(s *Settings) error {
	m := numaMemory(s)
	if m == nil {
		return nil
	}
	if m.Placement != "auto" && m.Nodeset == "" {
		return fmt.Errorf("a static NUMA memory policy needs host nodes; set them or choose placement auto")
	}
	if m.Placement == "auto" && m.Nodeset != "" {
		return fmt.Errorf("placement auto picks the host nodes itself; clear the nodes")
	}
	return nil
})
