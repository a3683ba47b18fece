package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// Watchdog, smartcard, USB redirection, panic notifier, vsock, memory
// balloon and IOMMU.

var (
	// libvirt 9.0 knows no itco (added in 9.1): the ICH9 watchdog q35
	// has built in is not offered.
	watchdogModels  = []string{"i6300esb", "ib700", "diag288"}
	watchdogActions = []string{"reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi"}
	panicModels     = []string{"isa", "hyperv", "pseries", "s390"}
	balloonModels   = []string{"virtio", "virtio-transitional", "virtio-non-transitional", "none"}
	iommuModels     = []string{"intel", "virtio", "smmuv3"}
)

var kindWatchdog = register(&Kind{ID: "watchdog", Title: "Watchdog", Hotplug: true, Addable: true}, &kindDef[lx.DomainWatchdog]{
	fields: []spec[lx.DomainWatchdog]{
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: watchdogModels,
				Help: "i6300esb is a PCI watchdog every x86 guest drives; ib700 is ISA; diag288 is s390's"},
			get: func(w *lx.DomainWatchdog) string { return w.Model },
			set: func(w *lx.DomainWatchdog, s string) error {
				if s != w.Model {
					w.Model, w.Address = s, nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "action", Label: "Action", Type: TypeEnum, Choices: watchdogActions,
				Help: "what happens when the guest stops feeding the watchdog"},
			get: func(w *lx.DomainWatchdog) string {
				if w.Action == "" {
					return "reset"
				}
				return w.Action
			},
			set: func(w *lx.DomainWatchdog, s string) error { w.Action = s; return nil },
		},
	},
	list: func(def *lx.Domain) []*lx.DomainWatchdog { return pointers(def.Devices.Watchdogs) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainWatchdog {
		if machineOf(caps, def).arch == "s390x" {
			return &lx.DomainWatchdog{Model: "diag288", Action: "reset"}
		}
		return &lx.DomainWatchdog{Model: "i6300esb", Action: "reset"}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if m := machineOf(caps, def); !m.x86() && m.arch != "s390x" {
			return fmt.Sprintf("machine %s has no watchdog libvirt 9.0 supports", m.short())
		}
		if def != nil && def.Devices != nil && len(def.Devices.Watchdogs) > 0 {
			return "the VM already has a watchdog (libvirt 9.0 allows one)"
		}
		return ""
	},
	sum: func(w *lx.DomainWatchdog) string {
		a := w.Action
		if a == "" {
			a = "reset"
		}
		return joinSummary(w.Model+" watchdog", "on expiry: "+a)
	},
	plug: func(w *lx.DomainWatchdog) string {
		if w.Model != "i6300esb" {
			return "only an i6300esb watchdog can be hot-plugged"
		}
		return ""
	},
	put: func(def *lx.Domain, w *lx.DomainWatchdog) { def.Devices.Watchdogs = append(def.Devices.Watchdogs, *w) },
})

// hasSpice reports whether def has a SPICE display, which smartcard and
// USB redirection over spicevmc ride on.
func hasSpice(def *lx.Domain) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for _, g := range def.Devices.Graphics {
		if g.Spice != nil {
			return true
		}
	}
	return false
}

var kindSmartcard = register(&Kind{ID: "smartcard", Title: "Smartcard reader", Addable: true}, &kindDef[lx.DomainSmartcard]{
	fields: []spec[lx.DomainSmartcard]{{
		Field: Field{Name: "mode", Label: "Mode", Type: TypeEnum, Choices: []string{"passthrough", "host"},
			Help: "passthrough: the card in the SPICE client's reader; host: the host's readers through NSS"},
		get: smartcardMode,
		set: func(s *lx.DomainSmartcard, v string) error {
			if v == smartcardMode(s) {
				return nil
			}
			n := lx.DomainSmartcard{}
			if v == "host" {
				n.Host = &lx.DomainSmartcardHost{}
			} else {
				n.Passthrough = newChardev("spicevmc")
			}
			*s = n
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainSmartcard { return pointers(def.Devices.Smartcards) },
	// The reader is a USB CCID device.
	unavail: func(_ *Caps, def *lx.Domain) string { return needsUSB(def, "a smartcard reader") },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainSmartcard {
		if def != nil && !hasSpice(def) {
			return &lx.DomainSmartcard{Host: &lx.DomainSmartcardHost{}}
		}
		return &lx.DomainSmartcard{Passthrough: newChardev("spicevmc")}
	},
	valid: func(s *lx.DomainSmartcard, c ctx) error {
		if s.Passthrough != nil && s.Passthrough.SpiceVMC != nil && c.def != nil && !hasSpice(c.def) {
			return fmt.Errorf("smartcard passthrough goes over SPICE: add a SPICE display first, or use mode host")
		}
		return nil
	},
	sum: func(s *lx.DomainSmartcard) string {
		switch m := smartcardMode(s); m {
		case "passthrough":
			return joinSummary("smartcard reader", "passthrough "+chardevString(s.Passthrough))
		default:
			return joinSummary("smartcard reader", m)
		}
	},
	put: func(def *lx.Domain, s *lx.DomainSmartcard) {
		def.Devices.Smartcards = append(def.Devices.Smartcards, *s)
	},
})

func smartcardMode(s *lx.DomainSmartcard) string {
	switch {
	case s.Passthrough != nil:
		return "passthrough"
	case len(s.HostCerts) > 0:
		return "host-certificates"
	}
	return "host"
}

var kindRedirdev = register(&Kind{ID: "usb-redir", Title: "USB redirection", Hotplug: true, Addable: true}, &kindDef[lx.DomainRedirDev]{
	fields: []spec[lx.DomainRedirDev]{
		{
			Field: Field{Name: "source_type", Label: "Over", Type: TypeEnum, Choices: []string{"spicevmc", "tcp"},
				Help: "spicevmc: a USB device of the SPICE client; tcp: a usbredir server"},
			get: func(r *lx.DomainRedirDev) string { return chardevType(r.Source) },
			set: func(r *lx.DomainRedirDev, s string) error {
				if s == chardevType(r.Source) {
					return nil
				}
				r.Source = newChardev("spicevmc")
				if s == "tcp" {
					r.Source = &lx.DomainChardevSource{TCP: &lx.DomainChardevSourceTCP{Mode: "connect", Host: "127.0.0.1", Service: "4000"}}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "server", Label: "Server", Type: TypeText, Help: "the usbredir server as host:port, like 192.0.2.7:4000"},
			when:  func(r *lx.DomainRedirDev) bool { return chardevType(r.Source) == "tcp" },
			parse: func(s string) (string, error) {
				h, p, err := splitHostPort(s)
				if err != nil || p == "" {
					return "", fmt.Errorf("invalid server %q: expected host:port, like 192.0.2.7:4000", s)
				}
				return joinHostPort(h, p), nil
			},
			get: func(r *lx.DomainRedirDev) string { return joinHostPort(r.Source.TCP.Host, r.Source.TCP.Service) },
			set: func(r *lx.DomainRedirDev, s string) error {
				h, p, _ := splitHostPort(s)
				r.Source.TCP = &lx.DomainChardevSourceTCP{Mode: "connect", Host: h, Service: p}
				return nil
			},
		},
		bootOrderField(func(r *lx.DomainRedirDev) **lx.DomainDeviceBoot { return &r.Boot }),
	},
	list: func(def *lx.Domain) []*lx.DomainRedirDev { return pointers(def.Devices.RedirDevs) },
	create: func(*Caps, *lx.Domain) *lx.DomainRedirDev {
		return &lx.DomainRedirDev{Bus: "usb", Source: newChardev("spicevmc")}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if caps.denies("redirdev") || !Has(capsList(caps, func(c *Caps) []string { return c.RedirdevBuses }), "usb") {
			return "this QEMU offers no USB redirection"
		}
		if why := needsUSB(def, "USB redirection"); why != "" {
			return why
		}
		if def != nil && !hasSpice(def) {
			return "USB redirection goes over SPICE: add a SPICE display first"
		}
		return ""
	},
	valid: func(r *lx.DomainRedirDev, c ctx) error {
		if r.Source != nil && r.Source.SpiceVMC != nil && c.def != nil && !hasSpice(c.def) {
			return fmt.Errorf("USB redirection over spicevmc needs a SPICE display; add one first")
		}
		return checkBootOrder(r.Boot, c)
	},
	sum: func(r *lx.DomainRedirDev) string {
		return joinSummary("USB redirection", chardevString(r.Source))
	},
	put: func(def *lx.Domain, r *lx.DomainRedirDev) { def.Devices.RedirDevs = append(def.Devices.RedirDevs, *r) },
})

var kindPanic = register(&Kind{ID: "panic", Title: "Panic notifier", Addable: true}, &kindDef[lx.DomainPanic]{
	fields: []spec[lx.DomainPanic]{{
		Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: panicModels,
			Help: "isa (pvpanic) for Linux guests, hyperv for Windows; libvirt then reports guest crashes as events"},
		choices: func(c *Caps) []string { return offered(panicModels, c.PanicModels) },
		get:     func(p *lx.DomainPanic) string { return p.Model },
		set: func(p *lx.DomainPanic, s string) error {
			if s != p.Model {
				p.Model, p.Address = s, nil
			}
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainPanic { return pointers(def.Devices.Panics) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainPanic {
		return &lx.DomainPanic{Model: panicModelFor(machineOf(caps, def))}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		m := machineOf(caps, def)
		model := panicModelFor(m)
		if model == "" || !Has(capsList(caps, func(c *Caps) []string { return c.PanicModels }), model) {
			return fmt.Sprintf("machine %s has no panic notifier libvirt 9.0 supports", m.short())
		}
		if def != nil && def.Devices != nil {
			for _, p := range def.Devices.Panics {
				if p.Model == model {
					return "the VM already has a " + model + " panic notifier"
				}
			}
		}
		return ""
	},
	valid: func(p *lx.DomainPanic, c ctx) error {
		if c.def != nil && c.def.Devices != nil {
			for i := range c.def.Devices.Panics {
				o := &c.def.Devices.Panics[i]
				if any(o) != c.orig && o.Model == p.Model {
					return fmt.Errorf("the VM already has a %s panic notifier", p.Model)
				}
			}
		}
		return nil
	},
	sum: func(p *lx.DomainPanic) string {
		if p.Model == "" {
			return "panic notifier"
		}
		return p.Model + " panic notifier"
	},
	put: func(def *lx.Domain, p *lx.DomainPanic) { def.Devices.Panics = append(def.Devices.Panics, *p) },
})

func panicModelFor(m machine) string {
	switch {
	case m.x86():
		return "isa"
	case m.arch == "s390x":
		return "s390"
	case m.arch == "ppc64" || m.arch == "ppc64le":
		return "pseries"
	}
	return ""
}

var kindVSock = register(&Kind{ID: "vsock", Title: "vsock", Hotplug: true, Addable: true}, &kindDef[lx.DomainVSock]{
	fields: []spec[lx.DomainVSock]{{
		Field: Field{Name: "cid", Label: "Guest CID", Type: TypeText,
			Help: "auto, or the guest's vsock address: a number of at least 3, unique on the host"},
		parse: func(s string) (string, error) {
			if s == "auto" {
				return s, nil
			}
			v, err := parseDecimalField(s)
			if err != nil || v < 3 || v > 1<<32-2 {
				return "", fmt.Errorf("invalid CID %q: expected auto or a number from 3 to 4294967294", s)
			}
			return utoa(v), nil
		},
		get: func(v *lx.DomainVSock) string {
			if v.CID == nil || v.CID.Auto == "yes" || v.CID.Address == "" {
				return "auto"
			}
			return v.CID.Address
		},
		set: func(v *lx.DomainVSock, s string) error {
			if s == "auto" {
				v.CID = &lx.DomainVSockCID{Auto: "yes"}
			} else {
				v.CID = &lx.DomainVSockCID{Auto: "no", Address: s}
			}
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainVSock {
		if def.Devices.VSock == nil {
			return nil
		}
		return []*lx.DomainVSock{def.Devices.VSock}
	},
	create: func(*Caps, *lx.Domain) *lx.DomainVSock {
		return &lx.DomainVSock{Model: "virtio", CID: &lx.DomainVSockCID{Auto: "yes"}}
	},
	unavail: func(_ *Caps, def *lx.Domain) string {
		if def != nil && def.Devices != nil && def.Devices.VSock != nil {
			return "the VM already has a vsock device"
		}
		return ""
	},
	sum: func(v *lx.DomainVSock) string {
		cid := "auto"
		if v.CID != nil && v.CID.Auto != "yes" && v.CID.Address != "" {
			cid = v.CID.Address
		}
		return "vsock · CID " + cid
	},
	put: func(def *lx.Domain, v *lx.DomainVSock) { def.Devices.VSock = v },
})

var kindMemBalloon = register(&Kind{ID: "memballoon", Title: "Memory balloon", Addable: true}, &kindDef[lx.DomainMemBalloon]{
	fields: []spec[lx.DomainMemBalloon]{
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: balloonModels,
				Help: "virtio lets the host take memory back and read the guest's memory stats; none removes it"},
			get: func(b *lx.DomainMemBalloon) string { return b.Model },
			set: func(b *lx.DomainMemBalloon, s string) error {
				if s != b.Model {
					*b = lx.DomainMemBalloon{Model: s}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "stats_period", Label: "Stats period (s)", Type: TypeNumber, Optional: true, Live: true, Call: "SetMemoryStatsPeriod",
				Help: "how often the guest reports memory stats, in seconds; empty or 0 for never"},
			max:  1 << 31,
			when: func(b *lx.DomainMemBalloon) bool { return b.Model != "none" },
			get: func(b *lx.DomainMemBalloon) string {
				if b.Stats == nil {
					return ""
				}
				return optUtoa(b.Stats.Period)
			},
			set: func(b *lx.DomainMemBalloon, s string) error {
				b.Stats = nil
				if n := atou(s); n > 0 {
					b.Stats = &lx.DomainMemBalloonStats{Period: n}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "free_page_reporting", Label: "Free page reporting", Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true,
				Help: "on: the guest hands freed pages back to the host"},
			when: func(b *lx.DomainMemBalloon) bool { return b.Model != "none" },
			get:  func(b *lx.DomainMemBalloon) string { return b.FreePageReporting },
			set:  func(b *lx.DomainMemBalloon, s string) error { b.FreePageReporting = s; return nil },
		},
	},
	list: func(def *lx.Domain) []*lx.DomainMemBalloon {
		if def.Devices.MemBalloon == nil {
			return nil
		}
		return []*lx.DomainMemBalloon{def.Devices.MemBalloon}
	},
	create: func(*Caps, *lx.Domain) *lx.DomainMemBalloon { return &lx.DomainMemBalloon{Model: "virtio"} },
	unavail: func(_ *Caps, def *lx.Domain) string {
		if def != nil && def.Devices != nil && def.Devices.MemBalloon != nil && def.Devices.MemBalloon.Model != "none" {
			return "the VM already has a memory balloon"
		}
		return ""
	},
	sum: func(b *lx.DomainMemBalloon) string {
		if b.Model == "none" {
			return "no memory balloon"
		}
		stats := ""
		if b.Stats != nil && b.Stats.Period > 0 {
			stats = fmt.Sprintf("stats every %d s", b.Stats.Period)
		}
		return joinSummary(b.Model+" memory balloon", stats)
	},
	put: func(def *lx.Domain, b *lx.DomainMemBalloon) { def.Devices.MemBalloon = b },
})

var kindIOMMU = register(&Kind{ID: "iommu", Title: "IOMMU", Addable: true}, &kindDef[lx.DomainIOMMU]{
	fields: []spec[lx.DomainIOMMU]{{
		Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: iommuModels,
			Help: "intel on q35 (needed for nested device assignment and >255 vCPUs), smmuv3 on ARM virt, virtio anywhere with guest support"},
		get: func(i *lx.DomainIOMMU) string { return i.Model },
		set: func(i *lx.DomainIOMMU, s string) error {
			if s != i.Model {
				*i = lx.DomainIOMMU{Model: s}
			}
			return nil
		},
	}},
	list: func(def *lx.Domain) []*lx.DomainIOMMU {
		if len(def.Devices.IOMMUs) == 0 && def.Devices.IOMMU != nil {
			return []*lx.DomainIOMMU{def.Devices.IOMMU}
		}
		return pointers(def.Devices.IOMMUs)
	},
	create: func(caps *Caps, def *lx.Domain) *lx.DomainIOMMU {
		if machineOf(caps, def).x86() {
			return &lx.DomainIOMMU{Model: "intel"}
		}
		return &lx.DomainIOMMU{Model: "smmuv3"}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		m := machineOf(caps, def)
		if !m.pcie() {
			return fmt.Sprintf("machine %s has no IOMMU (intel-iommu needs q35)", m.short())
		}
		if def != nil && def.Devices != nil && (def.Devices.IOMMU != nil || len(def.Devices.IOMMUs) > 0) {
			return "the VM already has an IOMMU"
		}
		return ""
	},
	sum: func(i *lx.DomainIOMMU) string { return i.Model + " IOMMU" },
	put: func(def *lx.Domain, i *lx.DomainIOMMU) {
		// libvirtxml keeps IOMMU as an alias of IOMMUs[0]; keep them in step.
		if len(def.Devices.IOMMUs) == 0 && def.Devices.IOMMU != nil {
			def.Devices.IOMMUs = []lx.DomainIOMMU{*def.Devices.IOMMU}
		}
		def.Devices.IOMMUs = append(def.Devices.IOMMUs, *i)
		def.Devices.IOMMU = &def.Devices.IOMMUs[0]
	},
})
