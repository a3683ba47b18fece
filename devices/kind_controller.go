package devices

import (
	"fmt"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Controllers: the USB, SCSI and virtio-serial buses devices hang on, PCIe
// root ports (free hot-plug slots on q35), and every other controller
// libvirt adds by itself, listed but not offered.

var (
	usbModels  = []string{"qemu-xhci", "nec-xhci", "ich9-ehci1", "piix3-uhci", "piix4-uhci", "pci-ohci"}
	scsiModels = []string{"virtio-scsi", "lsilogic", "lsisas1068", "lsisas1078", "vmpvscsi"}
)

// controllerClass sorts controllers into the catalog's kinds.
func controllerClass(c *lx.DomainController) string {
	switch {
	case c.Type == "usb" || c.Type == "scsi" || c.Type == "virtio-serial":
		return c.Type
	case c.Type == "pci" && c.Model == "pcie-root-port":
		return "pcie-root-port"
	}
	return "other"
}

func controllerList(class string) func(def *lx.Domain) []*lx.DomainController {
	return func(def *lx.Domain) []*lx.DomainController {
		var out []*lx.DomainController
		for i := range def.Devices.Controllers {
			if controllerClass(&def.Devices.Controllers[i]) == class {
				out = append(out, &def.Devices.Controllers[i])
			}
		}
		return out
	}
}

// freeIndex returns the next controller index of a type: libvirt wants
// them unique per type.
func freeIndex(def *lx.Domain, typ string) *uint {
	next := uint(0)
	if def != nil && def.Devices != nil {
		for _, c := range def.Devices.Controllers {
			if c.Type == typ && c.Index != nil && *c.Index >= next {
				next = *c.Index + 1
			}
		}
	}
	if typ == "pci" && next == 0 {
		next = 1 // 0 is the root bus, which libvirt adds
	}
	return &next
}

func controllerIndexTaken(c *lx.DomainController, x ctx) error {
	if c.Index == nil || x.def == nil || x.def.Devices == nil {
		return nil
	}
	for i := range x.def.Devices.Controllers {
		o := &x.def.Devices.Controllers[i]
		if any(o) != x.orig && o.Type == c.Type && o.Index != nil && *o.Index == *c.Index {
			return fmt.Errorf("the VM already has a %s controller with index %d", c.Type, *c.Index)
		}
	}
	return nil
}

func controllerSummary(c *lx.DomainController) string {
	idx := ""
	if c.Index != nil {
		idx = fmt.Sprintf("%d", *c.Index)
	}
	name := map[string]string{"usb": "USB", "scsi": "SCSI", "pci": "PCI", "sata": "SATA", "ide": "IDE", "fdc": "floppy", "ccid": "smartcard (CCID)", "virtio-serial": "virtio-serial", "xenbus": "xenbus", "isa": "ISA"}[c.Type]
	if name == "" {
		name = c.Type
	}
	if c.Type == "pci" && c.Model == "pcie-root-port" {
		return strings.TrimSpace("PCIe root port " + idx)
	}
	return joinSummary(strings.TrimSpace(name+" controller "+idx), c.Model)
}

func putController(def *lx.Domain, c *lx.DomainController) {
	def.Devices.Controllers = append(def.Devices.Controllers, *c)
}

func modelField(choices []string, help string) spec[lx.DomainController] {
	return spec[lx.DomainController]{
		Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: choices, Help: help},
		get:   func(c *lx.DomainController) string { return c.Model },
		set: func(c *lx.DomainController, s string) error {
			if s != c.Model {
				c.Model, c.Address = s, nil
			}
			return nil
		},
	}
}

// optUintField is a number stored as *uint that may be absent. read
// returns it without creating anything; at creates its parent element.
func optUintField[T any](name, label, help string, min, max uint64, read func(*T) *uint, at func(*T) **uint, when func(*T) bool) spec[T] {
	return spec[T]{
		Field: Field{Name: name, Label: label, Type: TypeNumber, Optional: true, Help: help},
		min:   min, max: max, when: when,
		get: func(v *T) string {
			if p := read(v); p != nil {
				return utoa(*p)
			}
			return ""
		},
		set: func(v *T, s string) error {
			*at(v) = nil
			if s != "" {
				n := atou(s)
				*at(v) = &n
			}
			return nil
		},
	}
}

var kindUSBController = register(&Kind{ID: "usb-controller", Title: "USB controller", Addable: true}, &kindDef[lx.DomainController]{
	fields: []spec[lx.DomainController]{
		modelField(usbModels, "qemu-xhci is USB 3 for current guests; ehci and uhci are USB 2 and 1 for old ones"),
		optUintField("ports", "Ports", "number of ports, 1-15 (xHCI only)", 1, 15,
			func(c *lx.DomainController) *uint {
				if c.USB == nil {
					return nil
				}
				return c.USB.Port
			},
			func(c *lx.DomainController) **uint {
				if c.USB == nil {
					c.USB = &lx.DomainControllerUSB{}
				}
				return &c.USB.Port
			},
			func(c *lx.DomainController) bool { return strings.HasSuffix(c.Model, "xhci") }),
	},
	list: controllerList("usb"),
	unavail: func(caps *Caps, def *lx.Domain) string {
		if usbDisabled(def) {
			return "USB is disabled in this VM: give its USB controller a model (e.g. qemu-xhci) in the tree instead"
		}
		return ""
	},
	create: func(caps *Caps, def *lx.Domain) *lx.DomainController {
		ports := uint(15)
		return &lx.DomainController{Type: "usb", Model: "qemu-xhci", Index: freeIndex(def, "usb"), USB: &lx.DomainControllerUSB{Port: &ports}}
	},
	valid: func(c *lx.DomainController, x ctx) error { return controllerIndexTaken(c, x) },
	fix: func(c *lx.DomainController, _ ctx) {
		if c.USB != nil && !strings.HasSuffix(c.Model, "xhci") {
			c.USB.Port = nil
		}
		if c.USB != nil && c.USB.Port == nil && c.USB.Master == nil {
			c.USB = nil
		}
	},
	sum: controllerSummary,
	put: putController,
})

var kindSCSIController = register(&Kind{ID: "scsi-controller", Title: "SCSI controller", Hotplug: true, Addable: true}, &kindDef[lx.DomainController]{
	fields: []spec[lx.DomainController]{
		modelField(scsiModels, "virtio-scsi for Linux and Windows with virtio drivers; lsilogic for guests without"),
		optUintField("queues", "Queues", "virtio-scsi queues, usually one per vCPU; empty for libvirt's default", 1, 1024,
			func(c *lx.DomainController) *uint {
				if c.Driver == nil {
					return nil
				}
				return c.Driver.Queues
			},
			func(c *lx.DomainController) **uint {
				if c.Driver == nil {
					c.Driver = &lx.DomainControllerDriver{}
				}
				return &c.Driver.Queues
			},
			func(c *lx.DomainController) bool { return c.Model == "virtio-scsi" }),
	},
	list: controllerList("scsi"),
	create: func(caps *Caps, def *lx.Domain) *lx.DomainController {
		return &lx.DomainController{Type: "scsi", Model: "virtio-scsi", Index: freeIndex(def, "scsi")}
	},
	valid: func(c *lx.DomainController, x ctx) error { return controllerIndexTaken(c, x) },
	fix: func(c *lx.DomainController, _ ctx) {
		if c.Driver != nil && c.Model != "virtio-scsi" {
			c.Driver.Queues = nil
		}
		if c.Driver != nil && *c.Driver == (lx.DomainControllerDriver{}) {
			c.Driver = nil
		}
	},
	sum: controllerSummary,
	put: putController,
})

var kindVirtioSerialController = register(&Kind{ID: "virtio-serial-controller", Title: "virtio-serial controller", Addable: true}, &kindDef[lx.DomainController]{
	fields: []spec[lx.DomainController]{
		optUintField("ports", "Ports", "number of ports for channels and consoles, 1-31; empty for libvirt's default", 1, 31,
			func(c *lx.DomainController) *uint {
				if c.VirtIOSerial == nil {
					return nil
				}
				return c.VirtIOSerial.Ports
			},
			func(c *lx.DomainController) **uint {
				if c.VirtIOSerial == nil {
					c.VirtIOSerial = &lx.DomainControllerVirtIOSerial{}
				}
				return &c.VirtIOSerial.Ports
			}, nil),
	},
	list: controllerList("virtio-serial"),
	create: func(caps *Caps, def *lx.Domain) *lx.DomainController {
		return &lx.DomainController{Type: "virtio-serial", Index: freeIndex(def, "virtio-serial")}
	},
	valid: func(c *lx.DomainController, x ctx) error { return controllerIndexTaken(c, x) },
	fix: func(c *lx.DomainController, _ ctx) {
		if v := c.VirtIOSerial; v != nil && v.Ports == nil && v.Vectors == nil {
			c.VirtIOSerial = nil
		}
	},
	sum: controllerSummary,
	put: putController,
})

var kindPCIeRootPort = register(&Kind{ID: "pcie-root-port", Title: "PCIe root port", Addable: true, DefineOnly: true}, &kindDef[lx.DomainController]{
	fields: []spec[lx.DomainController]{{
		Field: Field{Name: "hotplug", Label: "Hot-plug", Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true,
			Help: "off hides the port's hot-plug (and the eject icon Windows shows for its device)"},
		get: func(c *lx.DomainController) string {
			if c.PCI == nil || c.PCI.Target == nil {
				return ""
			}
			return c.PCI.Target.Hotplug
		},
		set: func(c *lx.DomainController, s string) error {
			if c.PCI == nil {
				c.PCI = &lx.DomainControllerPCI{}
			}
			if c.PCI.Target == nil {
				c.PCI.Target = &lx.DomainControllerPCITarget{}
			}
			c.PCI.Target.Hotplug = s
			return nil
		},
	}},
	list: controllerList("pcie-root-port"),
	create: func(caps *Caps, def *lx.Domain) *lx.DomainController {
		return &lx.DomainController{Type: "pci", Model: "pcie-root-port", Index: freeIndex(def, "pci")}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if m := machineOf(caps, def); !m.pcie() {
			return fmt.Sprintf("machine %s has no PCIe root ports", m.short())
		}
		return ""
	},
	valid: func(c *lx.DomainController, x ctx) error { return controllerIndexTaken(c, x) },
	fix: func(c *lx.DomainController, _ ctx) {
		if c.PCI != nil && c.PCI.Target != nil && *c.PCI.Target == (lx.DomainControllerPCITarget{}) {
			c.PCI.Target = nil
		}
		if c.PCI != nil && *c.PCI == (lx.DomainControllerPCI{}) {
			c.PCI = nil
		}
	},
	sum: controllerSummary,
	put: putController,
})

var kindController = register(&Kind{ID: "controller", Title: "Controller"}, &kindDef[lx.DomainController]{
	list: controllerList("other"),
	sum:  controllerSummary,
	put:  putController,
})

// needsUSB says why a USB device of this kind cannot go into def: USB
// turned off, which the USB controller's own form turns back on.
func needsUSB(def *lx.Domain, what string) string {
	if usbDisabled(def) {
		return "USB is disabled in this VM (its USB controller's model is 'none'; set one there first), and " + what + " needs it"
	}
	return ""
}

// usbDisabled: libvirt's <controller type='usb' model='none'/> turns USB
// off, and then refuses every USB device and controller.
func usbDisabled(def *lx.Domain) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for _, c := range def.Devices.Controllers {
		if c.Type == "usb" && c.Model == "none" {
			return true
		}
	}
	return false
}
