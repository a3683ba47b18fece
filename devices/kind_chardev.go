package devices

import (
	"fmt"
	"slices"

	lx "libvirt.org/go/libvirtxml"
)

// Serial ports, consoles, parallel ports and channels.

var (
	serialTargets  = []string{"isa-serial", "usb-serial", "pci-serial", "system-serial"}
	consoleTargets = []string{"serial", "virtio"}
	channelNames   = []string{"org.qemu.guest_agent.0", "com.redhat.spice.0"}
)

// portField is the guest port of a serial or parallel port; get returns
// nil when there is none (without creating a target).
func portField[T any](get func(*T) *uint, set func(*T, uint), max uint64) spec[T] {
	return spec[T]{
		Field: Field{Name: "port", Label: "Port", Type: TypeNumber,
			Help: "the guest's port number: 0 is ttyS0 / COM1"},
		max: max,
		get: func(v *T) string {
			if p := get(v); p != nil {
				return utoa(*p)
			}
			return ""
		},
		set: func(v *T, s string) error { set(v, atou(s)); return nil },
	}
}

var kindSerial = register(&Kind{ID: "serial", Title: "Serial port", Hotplug: true, Addable: true}, &kindDef[lx.DomainSerial]{
	fields: append(chardevFields(func(s *lx.DomainSerial) **lx.DomainChardevSource { return &s.Source }),
		spec[lx.DomainSerial]{
			Field: Field{Name: "target_type", Label: "Guest side", Type: TypeEnum, Choices: serialTargets,
				Help: "isa-serial is the PC's ttyS0; usb-serial and pci-serial can be hot-plugged; system-serial on ARM"},
			get: func(s *lx.DomainSerial) string {
				if s.Target == nil {
					return ""
				}
				return s.Target.Type
			},
			set: func(s *lx.DomainSerial, v string) error {
				if s.Target == nil {
					s.Target = &lx.DomainSerialTarget{}
				}
				if s.Target.Type != v {
					s.Target.Type, s.Target.Model, s.Address = v, nil, nil
				}
				return nil
			},
		},
		portField(func(s *lx.DomainSerial) *uint {
			if s.Target == nil {
				return nil
			}
			return s.Target.Port
		}, func(s *lx.DomainSerial, p uint) {
			if s.Target == nil {
				s.Target = &lx.DomainSerialTarget{}
			}
			s.Target.Port = &p
		}, 31),
	),
	list: func(def *lx.Domain) []*lx.DomainSerial { return pointers(def.Devices.Serials) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainSerial {
		var used []*uint
		if def != nil && def.Devices != nil {
			for _, s := range def.Devices.Serials {
				if s.Target != nil {
					used = append(used, s.Target.Port)
				}
			}
		}
		port := freePort(used)
		t := "isa-serial"
		if m := machineOf(caps, def); !m.x86() {
			t = "system-serial"
		} else if port > 3 {
			t = "pci-serial"
		}
		return &lx.DomainSerial{Source: newChardev("pty"), Target: &lx.DomainSerialTarget{Type: t, Port: &port}}
	},
	sum: func(s *lx.DomainSerial) string {
		name := "serial port"
		if s.Target != nil && s.Target.Port != nil {
			name = fmt.Sprintf("serial port %d", *s.Target.Port)
		}
		t := ""
		if s.Target != nil {
			t = s.Target.Type
		}
		return joinSummary(name, t, chardevString(s.Source))
	},
	valid: func(s *lx.DomainSerial, _ ctx) error {
		if err := checkChardev(s.Source); err != nil {
			return fmt.Errorf("serial port: %w", err)
		}
		if t := s.Target; t != nil && t.Type == "isa-serial" && t.Port != nil && *t.Port > 3 {
			return fmt.Errorf("an isa-serial port is 0-3 (COM1-COM4); use pci-serial or usb-serial for port %d", *t.Port)
		}
		return nil
	},
	plug: func(s *lx.DomainSerial) string {
		if s.Target != nil && (s.Target.Type == "isa-serial" || s.Target.Type == "system-serial") {
			return "an " + s.Target.Type + " port cannot be hot-plugged; use usb-serial or pci-serial"
		}
		return ""
	},
	put: func(def *lx.Domain, s *lx.DomainSerial) { def.Devices.Serials = append(def.Devices.Serials, *s) },
})

var kindConsole = register(&Kind{ID: "console", Title: "Console", Hotplug: true, Addable: true}, &kindDef[lx.DomainConsole]{
	fields: append(chardevFields(func(c *lx.DomainConsole) **lx.DomainChardevSource { return &c.Source }),
		spec[lx.DomainConsole]{
			Field: Field{Name: "target_type", Label: "Guest side", Type: TypeEnum, Choices: consoleTargets,
				Help: "serial: the first serial port (ttyS0); virtio: a virtio console (hvc0)"},
			get: func(c *lx.DomainConsole) string {
				if c.Target == nil {
					return ""
				}
				return c.Target.Type
			},
			set: func(c *lx.DomainConsole, v string) error {
				p := uint(0)
				c.Target = &lx.DomainConsoleTarget{Type: v, Port: &p}
				return nil
			},
		}),
	list: func(def *lx.Domain) []*lx.DomainConsole { return pointers(def.Devices.Consoles) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainConsole {
		var used []*uint
		if def != nil && def.Devices != nil {
			for i, c := range def.Devices.Consoles {
				// The first console is the primary one, whatever its type:
				// libvirt counts it as virtio port 0 too.
				if i == 0 || (c.Target != nil && c.Target.Type == "virtio") {
					p := uint(0)
					if c.Target != nil && c.Target.Type == "virtio" && c.Target.Port != nil {
						p = *c.Target.Port
					}
					used = append(used, &p)
				}
			}
		}
		p := freePort(used)
		return &lx.DomainConsole{Source: newChardev("pty"), Target: &lx.DomainConsoleTarget{Type: "virtio", Port: &p}}
	},
	sum: func(c *lx.DomainConsole) string {
		t := ""
		if c.Target != nil {
			t = c.Target.Type
		}
		return joinSummary(fmt.Sprintf("%s console", t), chardevString(c.Source))
	},
	valid: func(c *lx.DomainConsole, _ ctx) error {
		if err := checkChardev(c.Source); err != nil {
			return fmt.Errorf("console: %w", err)
		}
		return nil
	},
	plug: func(c *lx.DomainConsole) string {
		if c.Target == nil || c.Target.Type != "virtio" {
			return "only a virtio console can be hot-plugged"
		}
		return ""
	},
	put: func(def *lx.Domain, c *lx.DomainConsole) { def.Devices.Consoles = append(def.Devices.Consoles, *c) },
})

var kindParallel = register(&Kind{ID: "parallel", Title: "Parallel port", Addable: true}, &kindDef[lx.DomainParallel]{
	fields: append(chardevFields(func(p *lx.DomainParallel) **lx.DomainChardevSource { return &p.Source }),
		portField(func(p *lx.DomainParallel) *uint {
			if p.Target == nil {
				return nil
			}
			return p.Target.Port
		}, func(p *lx.DomainParallel, v uint) {
			if p.Target == nil {
				p.Target = &lx.DomainParallelTarget{}
			}
			p.Target.Port = &v
		}, 2)),
	list: func(def *lx.Domain) []*lx.DomainParallel { return pointers(def.Devices.Parallels) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainParallel {
		var used []*uint
		if def != nil && def.Devices != nil {
			for _, p := range def.Devices.Parallels {
				if p.Target != nil {
					used = append(used, p.Target.Port)
				}
			}
		}
		port := freePort(used)
		return &lx.DomainParallel{Source: newChardev("pty"), Target: &lx.DomainParallelTarget{Port: &port}}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if m := machineOf(caps, def); !m.x86() {
			return fmt.Sprintf("machine %s has no parallel port", m.short())
		}
		return ""
	},
	sum: func(p *lx.DomainParallel) string {
		name := "parallel port"
		if p.Target != nil && p.Target.Port != nil {
			name = fmt.Sprintf("parallel port %d", *p.Target.Port)
		}
		return joinSummary(name, chardevString(p.Source))
	},
	valid: func(p *lx.DomainParallel, _ ctx) error {
		if err := checkChardev(p.Source); err != nil {
			return fmt.Errorf("parallel port: %w", err)
		}
		return nil
	},
	put: func(def *lx.Domain, p *lx.DomainParallel) { def.Devices.Parallels = append(def.Devices.Parallels, *p) },
})

// Channels: the QEMU guest agent (over a UNIX socket libvirt names) and
// the SPICE agent (over the SPICE connection).
var kindChannel = register(&Kind{ID: "channel", Title: "Channel", Hotplug: true, Addable: true}, &kindDef[lx.DomainChannel]{
	fields: []spec[lx.DomainChannel]{{
		Field: Field{Name: "name", Label: "Channel", Type: TypeEnum, Choices: channelNames,
			Help: "org.qemu.guest_agent.0 for the QEMU guest agent (shutdown, IPs, fsfreeze); com.redhat.spice.0 for the SPICE agent (clipboard, resize)"},
		choices: func(c *Caps) []string {
			if c.ChannelTypes == nil {
				return nil
			}
			var out []string
			if slices.Contains(c.ChannelTypes, "unix") {
				out = append(out, channelNames[0])
			}
			if slices.Contains(c.ChannelTypes, "spicevmc") {
				out = append(out, channelNames[1])
			}
			return append([]string{}, out...)
		},
		get: channelName,
		set: func(c *lx.DomainChannel, s string) error {
			if s == channelName(c) {
				return nil
			}
			*c = *newChannel(s)
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainChannel { return pointers(def.Devices.Channels) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainChannel {
		for _, name := range channelNames {
			if !channelTaken(def, name) && (name != channelNames[1] || Has(capsList(caps, func(c *Caps) []string { return c.ChannelTypes }), "spicevmc")) {
				return newChannel(name)
			}
		}
		return newChannel(channelNames[0])
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if caps.denies("channel") {
			return "this QEMU offers no channels"
		}
		types := capsList(caps, func(c *Caps) []string { return c.ChannelTypes })
		if !Has(types, "unix") && !Has(types, "spicevmc") {
			return "this QEMU offers no guest agent or SPICE agent channel"
		}
		if channelTaken(def, channelNames[0]) && (channelTaken(def, channelNames[1]) || !Has(types, "spicevmc")) {
			return "the VM already has the guest agent channel"
		}
		return ""
	},
	valid: func(c *lx.DomainChannel, x ctx) error {
		if c.Target == nil {
			return fmt.Errorf("the channel has no target")
		}
		if x.def != nil && x.def.Devices != nil && c.Target.VirtIO != nil {
			for i := range x.def.Devices.Channels {
				o := &x.def.Devices.Channels[i]
				if any(o) != x.orig && channelName(o) == c.Target.VirtIO.Name {
					return fmt.Errorf("the VM already has a %s channel", c.Target.VirtIO.Name)
				}
			}
		}
		return nil
	},
	sum: func(c *lx.DomainChannel) string {
		switch n := channelName(c); n {
		case channelNames[0]:
			return "QEMU guest agent channel"
		case channelNames[1]:
			return "SPICE agent channel"
		default:
			return joinSummary("channel "+n, chardevString(c.Source))
		}
	},
	put: func(def *lx.Domain, c *lx.DomainChannel) { def.Devices.Channels = append(def.Devices.Channels, *c) },
})

func channelName(c *lx.DomainChannel) string {
	switch t := c.Target; {
	case t == nil:
		return ""
	case t.VirtIO != nil:
		return t.VirtIO.Name
	case t.GuestFWD != nil:
		return "guestfwd"
	case t.Xen != nil:
		return "xen"
	}
	return ""
}

func channelTaken(def *lx.Domain, name string) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for i := range def.Devices.Channels {
		if channelName(&def.Devices.Channels[i]) == name {
			return true
		}
	}
	return false
}

func newChannel(name string) *lx.DomainChannel {
	src := newChardev("unix")
	if name == channelNames[1] {
		src = newChardev("spicevmc")
	}
	return &lx.DomainChannel{Source: src, Target: &lx.DomainChannelTarget{VirtIO: &lx.DomainChannelTargetVirtIO{Name: name}}}
}
