package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// Features (hypervisor features the guest sees) and clock.

func features(s *Settings) *lx.DomainFeatureList {
	if s.Def.Features == nil {
		s.Def.Features = &lx.DomainFeatureList{}
	}
	return s.Def.Features
}

// presenceFeature is a feature that is on when its element is there
// (<acpi/>, <apic/>, <pae/>).
func presenceFeature(name, label, help string, at func(*lx.DomainFeatureList) bool, set func(*lx.DomainFeatureList, bool)) spec[Settings] {
	return spec[Settings]{
		Field: Field{Name: name, Label: label, Type: TypeBool, Help: help},
		get:   func(s *Settings) string { return yesNo(s.Def.Features != nil && at(s.Def.Features)) },
		set:   func(s *Settings, v string) error { set(features(s), v == "yes"); return nil },
	}
}

// stateFeature is a feature with state='on|off', or absent for QEMU's
// default.
func stateFeature(name, label, help string, at func(*lx.DomainFeatureList) **lx.DomainFeatureState) spec[Settings] {
	return spec[Settings]{
		Field: Field{Name: name, Label: label, Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true, Help: help},
		get: func(s *Settings) string {
			if s.Def.Features == nil || *at(s.Def.Features) == nil {
				return ""
			}
			return orDefault((*at(s.Def.Features)).State, "on")
		},
		set: func(s *Settings, v string) error {
			p := at(features(s))
			*p = nil
			if v != "" {
				*p = &lx.DomainFeatureState{State: v}
			}
			return nil
		},
	}
}

var sectionFeatures = section("features", "Features", []spec[Settings]{
	presenceFeature("acpi", "ACPI", "power button and sleep states; needed for a clean shutdown",
		func(f *lx.DomainFeatureList) bool { return f.ACPI != nil },
		func(f *lx.DomainFeatureList, on bool) { f.ACPI = featureIf(on) }),
	presenceFeature("apic", "APIC", "the x86 interrupt controller every current guest needs",
		func(f *lx.DomainFeatureList) bool { return f.APIC != nil },
		func(f *lx.DomainFeatureList, on bool) {
			f.APIC = nil
			if on {
				f.APIC = &lx.DomainFeatureAPIC{}
			}
		}),
	presenceFeature("pae", "PAE", "physical address extension for 32-bit guests",
		func(f *lx.DomainFeatureList) bool { return f.PAE != nil },
		func(f *lx.DomainFeatureList, on bool) { f.PAE = featureIf(on) }),
	{
		Field: Field{Name: "smm", Label: "SMM", Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true,
			Help: "System Management Mode; UEFI secure boot needs it on"},
		get: func(s *Settings) string {
			if s.Def.Features == nil || s.Def.Features.SMM == nil {
				return ""
			}
			return orDefault(s.Def.Features.SMM.State, "on")
		},
		set: func(s *Settings, v string) error {
			f := features(s)
			f.SMM = nil
			if v != "" {
				f.SMM = &lx.DomainFeatureSMM{State: v}
			}
			return nil
		},
	},
	stateFeature("vmport", "VMware port", "the VMware I/O port; off for guests that are not VMware-aware", func(f *lx.DomainFeatureList) **lx.DomainFeatureState { return &f.VMPort }),
	stateFeature("pmu", "PMU", "the performance monitoring unit (perf in the guest)", func(f *lx.DomainFeatureList) **lx.DomainFeatureState { return &f.PMU }),
	{
		Field: Field{Name: "hyperv", Label: "Hyper-V enlightenments", Type: TypeBool,
			Help: "relaxed timing, virtual APIC and spinlock hints that make Windows guests faster"},
		get: func(s *Settings) string { return yesNo(s.Def.Features != nil && s.Def.Features.HyperV != nil) },
		set: func(s *Settings, v string) error {
			f := features(s)
			if v == "no" {
				f.HyperV = nil
				return nil
			}
			if f.HyperV == nil {
				on := func() *lx.DomainFeatureState { return &lx.DomainFeatureState{State: "on"} }
				f.HyperV = &lx.DomainFeatureHyperV{
					Relaxed:   on(),
					VAPIC:     on(),
					Spinlocks: &lx.DomainFeatureHyperVSpinlocks{DomainFeatureState: lx.DomainFeatureState{State: "on"}, Retries: 8191},
				}
			}
			return nil
		},
	},
	{
		Field: Field{Name: "kvm_hidden", Label: "Hide KVM", Type: TypeBool,
			Help: "hide the KVM signature from the guest (some GPU drivers refuse to run under a hypervisor)"},
		get: func(s *Settings) string {
			f := s.Def.Features
			return yesNo(f != nil && f.KVM != nil && f.KVM.Hidden != nil && f.KVM.Hidden.State == "on")
		},
		set: func(s *Settings, v string) error {
			f := features(s)
			if v == "yes" {
				if f.KVM == nil {
					f.KVM = &lx.DomainFeatureKVM{}
				}
				f.KVM.Hidden = &lx.DomainFeatureState{State: "on"}
			} else if f.KVM != nil {
				f.KVM.Hidden = nil
				if *f.KVM == (lx.DomainFeatureKVM{}) {
					f.KVM = nil
				}
			}
			return nil
		},
	},
}, nil)

func featureIf(on bool) *lx.DomainFeature {
	if on {
		return &lx.DomainFeature{}
	}
	return nil
}

var (
	clockOffsets = []string{"utc", "localtime"}
	tickPolicies = []string{"catchup", "delay", "merge", "discard"}
)

func clock(s *Settings) *lx.DomainClock {
	if s.Def.Clock == nil {
		s.Def.Clock = &lx.DomainClock{Offset: "utc"}
	}
	return s.Def.Clock
}

// timer returns the named timer, or nil.
func timer(s *Settings, name string) *lx.DomainTimer {
	if s.Def.Clock == nil {
		return nil
	}
	for i := range s.Def.Clock.Timer {
		if s.Def.Clock.Timer[i].Name == name {
			return &s.Def.Clock.Timer[i]
		}
	}
	return nil
}

func ensureTimer(s *Settings, name string) *lx.DomainTimer {
	if t := timer(s, name); t != nil {
		return t
	}
	c := clock(s)
	c.Timer = append(c.Timer, lx.DomainTimer{Name: name})
	return &c.Timer[len(c.Timer)-1]
}

func dropTimer(s *Settings, name string) {
	if s.Def.Clock == nil {
		return
	}
	var keep []lx.DomainTimer
	for _, t := range s.Def.Clock.Timer {
		if t.Name != name {
			keep = append(keep, t)
		}
	}
	s.Def.Clock.Timer = keep
}

func tickField(name, timerName, label string) spec[Settings] {
	return spec[Settings]{
		Field: Field{Name: name, Label: label, Type: TypeEnum, Choices: tickPolicies, Optional: true,
			Help: "what to do with ticks missed while the VM was not running: catchup (Windows), delay (Linux); empty for QEMU's default"},
		get: func(s *Settings) string {
			if t := timer(s, timerName); t != nil {
				return t.TickPolicy
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			if v == "" {
				if t := timer(s, timerName); t != nil {
					t.TickPolicy = ""
					if *t == (lx.DomainTimer{Name: timerName}) {
						dropTimer(s, timerName)
					}
				}
				return nil
			}
			ensureTimer(s, timerName).TickPolicy = v
			return nil
		},
	}
}

var sectionClock = section("clock", "Clock", []spec[Settings]{
	{
		Field: Field{Name: "clock_offset", Label: "Clock offset", Type: TypeEnum, Choices: clockOffsets,
			Help: "utc for Linux and most guests; localtime for Windows"},
		get: func(s *Settings) string {
			if s.Def.Clock == nil {
				return "utc"
			}
			return orDefault(s.Def.Clock.Offset, "utc")
		},
		set: func(s *Settings, v string) error {
			c := clock(s)
			if c.Offset != v {
				c.Offset, c.Basis, c.Adjustment, c.TimeZone, c.Start = v, "", "", "", 0
			}
			return nil
		},
	},
	tickField("rtc_tickpolicy", "rtc", "RTC missed ticks"),
	tickField("pit_tickpolicy", "pit", "PIT missed ticks"),
	{
		Field: Field{Name: "hpet", Label: "HPET", Type: TypeEnum, Choices: []string{"yes", "no"}, Optional: true,
			Help: "the HPET timer; no is recommended for Windows guests; empty for QEMU's default"},
		get: func(s *Settings) string {
			if t := timer(s, "hpet"); t != nil {
				return orDefault(t.Present, "yes")
			}
			return ""
		},
		set: func(s *Settings, v string) error {
			if v == "" {
				dropTimer(s, "hpet")
				return nil
			}
			ensureTimer(s, "hpet").Present = v
			return nil
		},
	},
}, func(s *Settings) error {
	if c := s.Def.Clock; c != nil && c.Offset == "timezone" && c.TimeZone == "" {
		return fmt.Errorf("a timezone clock offset needs a timezone")
	}
	return nil
})
