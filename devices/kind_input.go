package devices

import (
	"fmt"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Input devices and sound cards.

var (
	inputTypes  = []string{"tablet", "mouse", "keyboard", "evdev", "passthrough"}
	inputBuses  = []string{"usb", "virtio", "ps2"}
	grabToggles = []string{"ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock"}
	soundModels = []string{"ich9", "ich6", "ich7", "ac97", "es1370", "sb16", "pcspk", "usb"}
)

var kindInput = register(&Kind{ID: "input", Title: "Input", Hotplug: true, Addable: true}, &kindDef[lx.DomainInput]{
	fields:  inputFields(),
	list:    func(def *lx.Domain) []*lx.DomainInput { return pointers(def.Devices.Inputs) },
	unavail: func(caps *Caps, def *lx.Domain) string { return needsUSB(def, "a tablet") },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainInput {
		return &lx.DomainInput{Type: "tablet", Bus: "usb"}
	},
	sum: func(in *lx.DomainInput) string {
		switch in.Type {
		case "evdev":
			grab := ""
			if in.Source != nil && in.Source.EVDev != nil {
				if in.Source.EVDev.Grab == "all" {
					grab = "grab all"
				}
				return joinSummary("evdev passthrough", in.Source.EVDev.Dev, grab)
			}
			return "evdev passthrough"
		case "passthrough":
			dev := ""
			if in.Source != nil && in.Source.Passthrough != nil {
				dev = in.Source.Passthrough.EVDev
			}
			return joinSummary("virtio input passthrough", dev)
		}
		return strings.TrimSpace(in.Bus + " " + in.Type)
	},
	valid: func(in *lx.DomainInput, _ ctx) error {
		switch in.Type {
		case "evdev":
			if in.Source == nil || in.Source.EVDev == nil || in.Source.EVDev.Dev == "" {
				return fmt.Errorf("an evdev input needs the host device, like /dev/input/by-id/usb-...-event-kbd")
			}
		case "passthrough":
			if in.Source == nil || in.Source.Passthrough == nil || in.Source.Passthrough.EVDev == "" {
				return fmt.Errorf("a passthrough input needs the host event device")
			}
		}
		return nil
	},
	plug: func(in *lx.DomainInput) string {
		if in.Bus == "ps2" || in.Type == "evdev" {
			return "only usb and virtio input devices can be hot-plugged"
		}
		return ""
	},
	put: func(def *lx.Domain, in *lx.DomainInput) { def.Devices.Inputs = append(def.Devices.Inputs, *in) },
})

func inputIs(types ...string) func(*lx.DomainInput) bool {
	return func(in *lx.DomainInput) bool {
		for _, t := range types {
			if in.Type == t {
				return true
			}
		}
		return false
	}
}

func evdev(in *lx.DomainInput) *lx.DomainInputSourceEVDev {
	if in.Source == nil || in.Source.EVDev == nil {
		in.Source = &lx.DomainInputSource{EVDev: &lx.DomainInputSourceEVDev{}}
	}
	return in.Source.EVDev
}

func inputFields() []spec[lx.DomainInput] {
	return []spec[lx.DomainInput]{
		{
			Field: Field{Name: "type", Label: "Type", Type: TypeEnum, Choices: inputTypes,
				Help: "tablet gives an absolute pointer that follows the viewer's mouse; evdev passes a host keyboard or mouse through"},
			get: func(in *lx.DomainInput) string { return in.Type },
			set: func(in *lx.DomainInput, s string) error {
				if s == in.Type {
					return nil
				}
				n := lx.DomainInput{Type: s}
				switch s {
				case "evdev":
					n.Source = &lx.DomainInputSource{EVDev: &lx.DomainInputSourceEVDev{Dev: "/dev/input/event0"}}
				case "passthrough":
					n.Bus = "virtio"
					n.Source = &lx.DomainInputSource{Passthrough: &lx.DomainInputSourcePassthrough{EVDev: "/dev/input/event0"}}
				default:
					n.Bus = in.Bus
					if n.Bus == "" {
						n.Bus = "usb"
					}
				}
				*in = n
				return nil
			},
		},
		{
			Field: Field{Name: "bus", Label: "Bus", Type: TypeEnum, Choices: inputBuses,
				Help: "usb works everywhere; virtio needs guest drivers; ps2 only for mouse and keyboard on x86"},
			when: inputIs("tablet", "mouse", "keyboard"),
			get:  func(in *lx.DomainInput) string { return in.Bus },
			set: func(in *lx.DomainInput, s string) error {
				if s == "ps2" && in.Type == "tablet" {
					return fmt.Errorf("a tablet cannot sit on ps2; expected usb or virtio")
				}
				if s != in.Bus {
					in.Bus, in.Address = s, nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "dev", Label: "Host device", Type: TypePath,
				Help: "the host's event device, best by id: /dev/input/by-id/...-event-kbd"},
			when: inputIs("evdev", "passthrough"),
			get: func(in *lx.DomainInput) string {
				if in.Source == nil {
					return ""
				}
				if in.Source.Passthrough != nil {
					return in.Source.Passthrough.EVDev
				}
				if in.Source.EVDev != nil {
					return in.Source.EVDev.Dev
				}
				return ""
			},
			set: func(in *lx.DomainInput, s string) error {
				if in.Type == "passthrough" {
					in.Source = &lx.DomainInputSource{Passthrough: &lx.DomainInputSourcePassthrough{EVDev: s}}
					return nil
				}
				evdev(in).Dev = s
				return nil
			},
		},
		{
			Field: Field{Name: "grab", Label: "Grab", Type: TypeBool,
				Help: "yes: the guest takes every host input device while grabbed (keyboards only)"},
			when: inputIs("evdev"),
			get:  func(in *lx.DomainInput) string { return yesNo(evdevOf(in).Grab == "all") },
			set: func(in *lx.DomainInput, s string) error {
				evdev(in).Grab = map[string]string{"yes": "all"}[s]
				return nil
			},
		},
		{
			Field: Field{Name: "grab_toggle", Label: "Grab toggle", Type: TypeEnum, Choices: grabToggles, Optional: true,
				Help: "the host key combination that moves the grab between host and guest"},
			when: inputIs("evdev"),
			get:  func(in *lx.DomainInput) string { return evdevOf(in).GrabToggle },
			set:  func(in *lx.DomainInput, s string) error { evdev(in).GrabToggle = s; return nil },
		},
		{
			Field: Field{Name: "repeat", Label: "Key repeat", Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true,
				Help: "whether the host's key repeat reaches the guest"},
			when: inputIs("evdev"),
			get:  func(in *lx.DomainInput) string { return evdevOf(in).Repeat },
			set:  func(in *lx.DomainInput, s string) error { evdev(in).Repeat = s; return nil },
		},
	}
}

// evdevOf reads without creating.
func evdevOf(in *lx.DomainInput) lx.DomainInputSourceEVDev {
	if in.Source == nil || in.Source.EVDev == nil {
		return lx.DomainInputSourceEVDev{}
	}
	return *in.Source.EVDev
}

var kindSound = register(&Kind{ID: "sound", Title: "Sound", Addable: true}, &kindDef[lx.DomainSound]{
	fields: []spec[lx.DomainSound]{{
		Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: soundModels,
			Help: "ich9 on q35 and ich6 on i440fx are HD Audio that current guests drive; ac97 for old ones"},
		get: func(s *lx.DomainSound) string { return s.Model },
		set: func(s *lx.DomainSound, v string) error {
			if v != s.Model {
				s.Model, s.Address, s.Codec = v, nil, nil
			}
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainSound { return pointers(def.Devices.Sounds) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainSound {
		if m := machineOf(caps, def); m.i440fx() || !m.x86() {
			return &lx.DomainSound{Model: "ich6"}
		}
		return &lx.DomainSound{Model: "ich9"}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if m := machineOf(caps, def); !m.x86() && !m.pcie() {
			return fmt.Sprintf("machine %s has no sound card", m.short())
		}
		return ""
	},
	sum: func(s *lx.DomainSound) string { return s.Model + " sound" },
	put: func(def *lx.Domain, s *lx.DomainSound) { def.Devices.Sounds = append(def.Devices.Sounds, *s) },
})
