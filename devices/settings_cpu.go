package devices

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// CPUs: count, topology, mode and model, pinning.

var (
	cpuModes   = []string{"host-passthrough", "host-model", "maximum", "custom"}
	cpuModelRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)
)

func vcpuMax(s *Settings) uint {
	if s.Def.VCPU == nil || s.Def.VCPU.Value == 0 {
		return 1 // libvirt's default
	}
	return s.Def.VCPU.Value
}

func vcpuCurrent(s *Settings) uint {
	if s.Def.VCPU == nil || s.Def.VCPU.Current == 0 {
		return vcpuMax(s)
	}
	return s.Def.VCPU.Current
}

func vcpu(s *Settings) *lx.DomainVCPU {
	if s.Def.VCPU == nil {
		s.Def.VCPU = &lx.DomainVCPU{Placement: "static", Value: 1}
	}
	return s.Def.VCPU
}

func domCPU(s *Settings) *lx.DomainCPU {
	if s.Def.CPU == nil {
		s.Def.CPU = &lx.DomainCPU{}
	}
	return s.Def.CPU
}

func topology(s *Settings) *lx.DomainCPUTopology {
	if s.Def.CPU == nil {
		return nil
	}
	return s.Def.CPU.Topology
}

// topologyField edits one factor; setting one fills the others with 1 (or
// the rest of the vCPU count), clearing one drops the topology.
func topologyField(name, label, help string, at func(*lx.DomainCPUTopology) *int) spec[Settings] {
	return spec[Settings]{
		Field: Field{Name: name, Label: label, Type: TypeNumber, Optional: true, Help: help},
		min:   1, max: 4096,
		get: func(s *Settings) string {
			if t := topology(s); t != nil && *at(t) > 0 {
				return strconv.Itoa(*at(t))
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			if v == "" {
				if s.Def.CPU != nil {
					s.Def.CPU.Topology = nil
				}
				return nil
			}
			c := domCPU(s)
			if c.Topology == nil {
				c.Topology = &lx.DomainCPUTopology{Sockets: 1, Cores: int(vcpuMax(s)), Threads: 1}
			}
			*at(c.Topology) = int(atou(v))
			return nil
		},
	}
}

var sectionCPUs = section("cpus", "CPUs", []spec[Settings]{
	{
		Field: Field{Name: "vcpus_max", Label: "Maximum vCPUs", Type: TypeNumber,
			Help: "vCPUs the VM can have; more than current allows adding them while it runs"},
		min: 1, max: 16384,
		get: func(s *Settings) string { return utoa(vcpuMax(s)) },
		set: func(s *Settings, v string) error {
			n := atou(v)
			if s.Caps != nil && s.Caps.MaxVCPUs > 0 && n > s.Caps.MaxVCPUs {
				return fmt.Errorf("invalid maximum vCPUs %d: machine %s takes at most %d", n, s.Caps.Machine, s.Caps.MaxVCPUs)
			}
			cur := vcpuCurrent(s)
			vc := vcpu(s)
			vc.Value = n
			// Lower the current count with the maximum, keep it otherwise.
			vc.Current = min(cur, n)
			if vc.Current == n {
				vc.Current = 0
			}
			s.Def.VCPUs = nil // per-vCPU hotplug settings no longer match
			// Keep a topology consistent: same sockets and threads if
			// they divide the new count, else all cores on one socket.
			if t := topology(s); t != nil {
				per := max1(t.Sockets) * max1(t.Dies) * max1(t.Clusters) * max1(t.Threads)
				if int(n)%per == 0 {
					t.Cores = int(n) / per
				} else {
					*t = lx.DomainCPUTopology{Sockets: 1, Cores: int(n), Threads: 1}
				}
			}
			return nil
		},
	},
	{
		Field: Field{Name: "vcpus", Label: "Current vCPUs", Type: TypeNumber, Live: true, Call: "SetVcpusFlags",
			Help: "vCPUs online now, at most the maximum"},
		min: 1, max: 16384,
		get: func(s *Settings) string { return utoa(vcpuCurrent(s)) },
		set: func(s *Settings, v string) error {
			n, max := atou(v), vcpuMax(s)
			if n > max {
				return fmt.Errorf("invalid current vCPUs %d: expected at most the maximum, %d; raise the maximum first", n, max)
			}
			vcpu(s).Current = n
			if n == max {
				vcpu(s).Current = 0
			}
			return nil
		},
	},
	{
		Field: Field{Name: "cpu_mode", Label: "CPU mode", Type: TypeEnum, Choices: cpuModes, Optional: true,
			Help: "host-passthrough: the host's CPU, fastest, no migration to other CPUs; host-model: close to the host, migratable; custom: a named model"},
		choices: func(c *Caps) []string { return offered(cpuModes, c.CPUModes) },
		get: func(s *Settings) string {
			if s.Def.CPU == nil {
				return ""
			}
			if s.Def.CPU.Mode == "" && s.Def.CPU.Model != nil {
				return "custom"
			}
			return s.Def.CPU.Mode
		},
		set: func(s *Settings, v string) error {
			if v == "" {
				if s.Def.CPU != nil {
					s.Def.CPU.Mode, s.Def.CPU.Model, s.Def.CPU.Match, s.Def.CPU.Check = "", nil, "", ""
					s.Def.CPU.Migratable = ""
				}
				return nil
			}
			c := domCPU(s)
			if v == c.Mode {
				return nil
			}
			c.Mode, c.Match, c.Check, c.Migratable = v, "", "", ""
			c.Features = nil // features are relative to the old model
			c.Model = nil
			if v == "custom" {
				model := "qemu64"
				if s.Caps != nil && s.Caps.HostModel != "" && slices.Contains(s.Caps.CPUModels, s.Caps.HostModel) {
					model = s.Caps.HostModel
				} else if s.Caps != nil && len(s.Caps.CPUModels) > 0 && !slices.Contains(s.Caps.CPUModels, model) {
					model = s.Caps.CPUModels[0]
				}
				c.Match = "exact"
				c.Model = &lx.DomainCPUModel{Value: model, Fallback: "allow"}
			}
			return nil
		},
	},
	{
		Field: Field{Name: "cpu_model", Label: "CPU model", Type: TypeText,
			Help: "a model this QEMU knows, like Skylake-Client or EPYC; see the choices"},
		choices: func(c *Caps) []string { return c.CPUModels },
		when: func(s *Settings) bool {
			return s.Def.CPU != nil && (s.Def.CPU.Mode == "custom" || s.Def.CPU.Mode == "" && s.Def.CPU.Model != nil)
		},
		parse: func(v string) (string, error) {
			if !cpuModelRE.MatchString(v) || len(v) > 64 {
				return "", fmt.Errorf("invalid CPU model %q: expected a model name like Skylake-Client", v)
			}
			return v, nil
		},
		get: func(s *Settings) string {
			if s.Def.CPU.Model == nil {
				return ""
			}
			return s.Def.CPU.Model.Value
		},
		set: func(s *Settings, v string) error {
			if s.Caps != nil && s.Caps.CPUModels != nil && !slices.Contains(s.Caps.CPUModels, v) {
				return fmt.Errorf("invalid CPU model %q: this QEMU cannot run it here; expected one of %s", v, strings.Join(s.Caps.CPUModels, ", "))
			}
			c := s.Def.CPU
			if c.Model == nil || c.Model.Value != v {
				c.Model = &lx.DomainCPUModel{Value: v, Fallback: "allow"}
				c.Features = nil
			}
			return nil
		},
	},
	topologyField("sockets", "Sockets", "CPU sockets; sockets × cores × threads must equal the maximum vCPUs", func(t *lx.DomainCPUTopology) *int { return &t.Sockets }),
	topologyField("cores", "Cores", "cores per socket", func(t *lx.DomainCPUTopology) *int { return &t.Cores }),
	topologyField("threads", "Threads", "threads per core", func(t *lx.DomainCPUTopology) *int { return &t.Threads }),
	{
		Field: Field{Name: "cpuset", Label: "Host CPUs", Type: TypeCPUList, Optional: true,
			Help: "host CPUs all vCPUs may run on by default, like 0-3,8; empty for any"},
		get: func(s *Settings) string {
			if s.Def.VCPU == nil {
				return ""
			}
			return s.Def.VCPU.CPUSet
		},
		set: func(s *Settings, v string) error { vcpu(s).CPUSet = v; return nil },
	},
	{
		Field: Field{Name: "vcpu_pins", Label: "vCPU pinning", Type: TypeText, Optional: true, Live: true, Call: "PinVcpuFlags",
			Help: "vcpu=host-CPUs pairs separated by ';', one vCPU per pair, like 0=2-3; 1=4"},
		parse: parseVCPUPins,
		get: func(s *Settings) string {
			if s.Def.CPUTune == nil {
				return ""
			}
			var out []string
			for _, p := range s.Def.CPUTune.VCPUPin {
				out = append(out, fmt.Sprintf("%d=%s", p.VCPU, p.CPUSet))
			}
			return strings.Join(out, "; ")
		},
		set: func(s *Settings, v string) error {
			var pins []lx.DomainCPUTuneVCPUPin
			max := vcpuMax(s)
			for pair := range strings.SplitSeq(v, ";") {
				if pair == "" {
					continue
				}
				n, set, _ := strings.Cut(pair, "=")
				if atou(n) >= max {
					return fmt.Errorf("invalid vCPU pinning: vCPU %s does not exist (the VM has vCPUs 0-%d)", n, max-1)
				}
				pins = append(pins, lx.DomainCPUTuneVCPUPin{VCPU: atou(n), CPUSet: set})
			}
			if s.Def.CPUTune == nil {
				if len(pins) == 0 {
					return nil
				}
				s.Def.CPUTune = &lx.DomainCPUTune{}
			}
			s.Def.CPUTune.VCPUPin = pins
			if len(pins) == 0 && isEmptyCPUTune(s.Def.CPUTune) {
				s.Def.CPUTune = nil
			}
			return nil
		},
	},
}, checkCPUs)

// parseVCPUPins normalizes "0=2-3; 1=4" to sorted "0=2-3;1=4", one pair
// per vCPU, each set read by ParseCPUList.
func parseVCPUPins(v string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid vCPU pinning %q: %s; expected vcpu=host-CPUs pairs separated by ';', like 0=2-3; 1=4", v, why)
	}
	pins := map[uint64]string{}
	for pair := range strings.SplitSeq(v, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		n, set, ok := strings.Cut(pair, "=")
		if !ok {
			return "", bad(fmt.Sprintf("%q has no '='", pair))
		}
		id, err := parseDecimalField(strings.TrimSpace(n))
		if err != nil || id >= MaxCPUs {
			return "", bad(fmt.Sprintf("%q is not a vCPU number", strings.TrimSpace(n)))
		}
		if _, dup := pins[id]; dup {
			return "", bad(fmt.Sprintf("vCPU %d is pinned twice", id))
		}
		cpus, err := ParseCPUList(set, MaxCPUs)
		if err != nil {
			return "", fmt.Errorf("invalid vCPU pinning for vCPU %d: %w", id, err)
		}
		pins[id] = FormatCPUList(cpus)
	}
	if len(pins) == 0 {
		return "", bad("no pair")
	}
	ids := make([]uint64, 0, len(pins))
	for id := range pins {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%d=%s", id, pins[id]))
	}
	return strings.Join(out, ";"), nil
}

func isEmptyCPUTune(t *lx.DomainCPUTune) bool {
	c := *t
	c.VCPUPin = nil
	return reflect.DeepEqual(c, lx.DomainCPUTune{})
}

func checkCPUs(s *Settings) error {
	max, cur := vcpuMax(s), vcpuCurrent(s)
	if cur > max {
		return fmt.Errorf("current vCPUs %d exceed the maximum %d", cur, max)
	}
	if s.Caps != nil && s.Caps.MaxVCPUs > 0 && max > s.Caps.MaxVCPUs {
		return fmt.Errorf("%d vCPUs exceed this machine's limit of %d", max, s.Caps.MaxVCPUs)
	}
	if t := topology(s); t != nil {
		dies := max1(t.Dies)
		clusters := max1(t.Clusters)
		if t.Sockets < 1 || t.Cores < 1 || t.Threads < 1 {
			return fmt.Errorf("the topology needs sockets, cores and threads of at least 1")
		}
		if p := t.Sockets * dies * clusters * t.Cores * t.Threads; uint(p) != max {
			return fmt.Errorf("topology %d sockets × %d cores × %d threads makes %d vCPUs, but the maximum is %d", t.Sockets, t.Cores, t.Threads, p, max)
		}
	}
	if c := s.Def.CPU; c != nil && c.Mode == "custom" && c.Model == nil {
		return fmt.Errorf("a custom CPU needs a model")
	}
	if s.Def.CPUTune != nil {
		for _, p := range s.Def.CPUTune.VCPUPin {
			if p.VCPU >= max {
				return fmt.Errorf("vCPU %d is pinned but the VM has only %d", p.VCPU, max)
			}
		}
	}
	return nil
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
