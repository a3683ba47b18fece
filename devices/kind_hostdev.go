package devices

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Host devices handed to the guest: USB devices, PCI functions and
// mediated devices (vGPU slices and the like). They all are <hostdev>;
// the subsystem type tells them apart. The host device itself is picked
// by the user (from the node device list), so New leaves it empty.

var (
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
	mdevModels = []string{"vfio-pci", "vfio-ccw", "vfio-ap"}
)

func hostdevSubsys(h *lx.DomainHostdev) string {
	switch {
	case h.SubsysUSB != nil:
		return "usb"
	case h.SubsysPCI != nil:
		return "pci"
	case h.SubsysMDev != nil:
		return "mdev"
	case h.SubsysSCSI != nil:
		return "scsi"
	case h.SubsysSCSIHost != nil:
		return "scsi_host"
	case h.CapsStorage != nil:
		return "storage"
	case h.CapsMisc != nil:
		return "misc"
	case h.CapsNet != nil:
		return "net"
	}
	return ""
}

func hostdevList(subsys ...string) func(def *lx.Domain) []*lx.DomainHostdev {
	return func(def *lx.Domain) []*lx.DomainHostdev {
		var out []*lx.DomainHostdev
		for i := range def.Devices.Hostdevs {
			if slices.Contains(subsys, hostdevSubsys(&def.Devices.Hostdevs[i])) {
				out = append(out, &def.Devices.Hostdevs[i])
			}
		}
		return out
	}
}

func hostdevUnavail(subsys, what string) func(caps *Caps, def *lx.Domain) string {
	return func(caps *Caps, _ *lx.Domain) string {
		if caps.denies("hostdev") || !Has(capsList(caps, func(c *Caps) []string { return c.HostdevSubsys }), subsys) ||
			!Has(capsList(caps, func(c *Caps) []string { return c.HostdevModes }), "subsystem") {
			return "this QEMU offers no " + what
		}
		return ""
	}
}

func putHostdev(def *lx.Domain, h *lx.DomainHostdev) {
	def.Devices.Hostdevs = append(def.Devices.Hostdevs, *h)
}

// hostdevTaken: libvirt refuses one host device assigned twice.
func hostdevTaken(h *lx.DomainHostdev, c ctx, same func(a, b *lx.DomainHostdev) bool) bool {
	if c.def == nil || c.def.Devices == nil {
		return false
	}
	for i := range c.def.Devices.Hostdevs {
		o := &c.def.Devices.Hostdevs[i]
		if any(o) != c.orig && hostdevSubsys(o) == hostdevSubsys(h) && same(o, h) {
			return true
		}
	}
	return false
}

func usbSource(h *lx.DomainHostdev) *lx.DomainHostdevSubsysUSBSource {
	if h.SubsysUSB.Source == nil {
		h.SubsysUSB.Source = &lx.DomainHostdevSubsysUSBSource{}
	}
	return h.SubsysUSB.Source
}

func usbIDString(src *lx.DomainHostdevSubsysUSBSource) string {
	if src == nil || src.Vendor == nil || src.Product == nil {
		return ""
	}
	v, p, err := ParseUSBVendorProduct(src.Vendor.ID + ":" + src.Product.ID)
	if err != nil {
		return src.Vendor.ID + ":" + src.Product.ID
	}
	return FormatUSBVendorProduct(v, p)
}

func usbAddrString(src *lx.DomainHostdevSubsysUSBSource) string {
	if src == nil || src.Address == nil || src.Address.Bus == nil || src.Address.Device == nil {
		return ""
	}
	return FormatUSBAddress(*src.Address.Bus, *src.Address.Device)
}

var kindUSBHost = register(&Kind{ID: "usb-host", Title: "USB host device", Hotplug: true, Addable: true}, &kindDef[lx.DomainHostdev]{
	fields: []spec[lx.DomainHostdev]{
		{
			Field: Field{Name: "usb_id", Label: "Vendor:product", Type: TypeUSBID, Optional: true,
				Help: "the device's IDs as lsusb shows them, like 046d:c52b; follows the device across ports"},
			get: func(h *lx.DomainHostdev) string { return usbIDString(h.SubsysUSB.Source) },
			set: func(h *lx.DomainHostdev, s string) error {
				src := usbSource(h)
				src.Vendor, src.Product = nil, nil
				if s != "" {
					v, p, _ := strings.Cut(s, ":")
					src.Vendor = &lx.DomainHostDevProductVendorID{ID: "0x" + v}
					src.Product = &lx.DomainHostDevProductVendorID{ID: "0x" + p}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "usb_address", Label: "Bus:device", Type: TypeUSBAddr, Optional: true,
				Help: "the device's position as lsusb shows it, like 001:004; needed when two devices share IDs"},
			get: func(h *lx.DomainHostdev) string { return usbAddrString(h.SubsysUSB.Source) },
			set: func(h *lx.DomainHostdev, s string) error {
				src := usbSource(h)
				src.Address = nil
				if s != "" {
					b, d, _ := ParseUSBAddress(s)
					src.Address = &lx.DomainAddressUSB{Bus: &b, Device: &d}
				}
				return nil
			},
		},
		bootOrderField(func(h *lx.DomainHostdev) **lx.DomainDeviceBoot { return &h.Boot }),
	},
	list: hostdevList("usb"),
	create: func(*Caps, *lx.Domain) *lx.DomainHostdev {
		return &lx.DomainHostdev{SubsysUSB: &lx.DomainHostdevSubsysUSB{Source: &lx.DomainHostdevSubsysUSBSource{}}}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if why := hostdevUnavail("usb", "USB passthrough")(caps, def); why != "" {
			return why
		}
		return needsUSB(def, "a USB host device")
	},
	valid: func(h *lx.DomainHostdev, c ctx) error {
		src := h.SubsysUSB.Source
		if usbIDString(src) == "" && usbAddrString(src) == "" {
			return fmt.Errorf("choose the host USB device: set its vendor:product or its bus:device")
		}
		if hostdevTaken(h, c, func(a, b *lx.DomainHostdev) bool {
			sa, sb := a.SubsysUSB.Source, b.SubsysUSB.Source
			return usbIDString(sa) == usbIDString(sb) && usbAddrString(sa) == usbAddrString(sb)
		}) {
			return fmt.Errorf("this USB device is already assigned to the VM")
		}
		return checkBootOrder(h.Boot, c)
	},
	sum: func(h *lx.DomainHostdev) string {
		src := h.SubsysUSB.Source
		return joinSummary("USB host device", usbIDString(src), usbAddrString(src))
	},
	put: putHostdev,
})

var kindPCIHost = register(&Kind{ID: "pci-host", Title: "PCI host device", Hotplug: true, Addable: true}, &kindDef[lx.DomainHostdev]{
	fields: []spec[lx.DomainHostdev]{
		{
			Field: Field{Name: "address", Label: "Host address", Type: TypePCI,
				Help: "the host function as lspci -D shows it, like 0000:03:00.0; it must be in its own IOMMU group"},
			get: func(h *lx.DomainHostdev) string {
				if h.SubsysPCI.Source == nil {
					return ""
				}
				return pciAddrString(h.SubsysPCI.Source.Address)
			},
			set: func(h *lx.DomainHostdev, s string) error {
				h.SubsysPCI.Source = &lx.DomainHostdevSubsysPCISource{Address: pciAddr(s)}
				return nil
			},
		},
		{
			Field: Field{Name: "managed", Label: "Managed", Type: TypeBool,
				Help: "yes: libvirt detaches the device from its host driver and gives it back afterwards"},
			get: func(h *lx.DomainHostdev) string { return yesNo(h.Managed == "yes") },
			set: func(h *lx.DomainHostdev, s string) error { h.Managed = s; return nil },
		},
		bootOrderField(func(h *lx.DomainHostdev) **lx.DomainDeviceBoot { return &h.Boot }),
	},
	list: hostdevList("pci"),
	create: func(*Caps, *lx.Domain) *lx.DomainHostdev {
		return &lx.DomainHostdev{Managed: "yes", SubsysPCI: &lx.DomainHostdevSubsysPCI{}}
	},
	unavail: hostdevUnavail("pci", "PCI passthrough"),
	valid: func(h *lx.DomainHostdev, c ctx) error {
		if h.SubsysPCI.Source == nil || h.SubsysPCI.Source.Address == nil {
			return fmt.Errorf("choose the host PCI device: set its address, like 0000:03:00.0")
		}
		if hostdevTaken(h, c, func(a, b *lx.DomainHostdev) bool {
			return a.SubsysPCI.Source != nil && pciAddrString(a.SubsysPCI.Source.Address) == pciAddrString(b.SubsysPCI.Source.Address)
		}) {
			return fmt.Errorf("PCI device %s is already assigned to the VM", pciAddrString(h.SubsysPCI.Source.Address))
		}
		return checkBootOrder(h.Boot, c)
	},
	sum: func(h *lx.DomainHostdev) string {
		addr := ""
		if h.SubsysPCI.Source != nil {
			addr = pciAddrString(h.SubsysPCI.Source.Address)
		}
		return joinSummary("PCI host device", addr)
	},
	put: putHostdev,
})

var kindMdev = register(&Kind{ID: "mdev", Title: "Mediated device", Hotplug: true, Addable: true}, &kindDef[lx.DomainHostdev]{
	fields: []spec[lx.DomainHostdev]{
		{
			Field: Field{Name: "uuid", Label: "UUID", Type: TypeText,
				Help: "the mediated device's UUID on the host (mdevctl list), like 4b20d080-1b54-4048-85b3-a6a62d165c01"},
			parse: func(s string) (string, error) {
				if !uuidRE.MatchString(s) {
					return "", fmt.Errorf("invalid UUID %q: expected 32 hex digits like 4b20d080-1b54-4048-85b3-a6a62d165c01", s)
				}
				return strings.ToLower(s), nil
			},
			get: func(h *lx.DomainHostdev) string {
				if h.SubsysMDev.Source == nil || h.SubsysMDev.Source.Address == nil {
					return ""
				}
				return h.SubsysMDev.Source.Address.UUID
			},
			set: func(h *lx.DomainHostdev, s string) error {
				h.SubsysMDev.Source = &lx.DomainHostdevSubsysMDevSource{Address: &lx.DomainAddressMDev{UUID: s}}
				return nil
			},
		},
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: mdevModels,
				Help: "vfio-pci for vGPUs and other PCI slices; vfio-ccw and vfio-ap on s390"},
			get: func(h *lx.DomainHostdev) string { return h.SubsysMDev.Model },
			set: func(h *lx.DomainHostdev, s string) error {
				h.SubsysMDev.Model = s
				if s != "vfio-pci" {
					h.SubsysMDev.Display, h.SubsysMDev.RamFB = "", ""
				}
				return nil
			},
		},
		{
			Field: Field{Name: "display", Label: "Display", Type: TypeEnum, Choices: []string{"on", "off"}, Optional: true,
				Help: "on: the vGPU's output is shown through the VM's display (needs SPICE or VNC)"},
			when: func(h *lx.DomainHostdev) bool { return h.SubsysMDev.Model == "vfio-pci" },
			get:  func(h *lx.DomainHostdev) string { return h.SubsysMDev.Display },
			set:  func(h *lx.DomainHostdev, s string) error { h.SubsysMDev.Display = s; return nil },
		},
	},
	list: hostdevList("mdev"),
	create: func(*Caps, *lx.Domain) *lx.DomainHostdev {
		return &lx.DomainHostdev{SubsysMDev: &lx.DomainHostdevSubsysMDev{Model: "vfio-pci"}}
	},
	unavail: hostdevUnavail("mdev", "mediated devices (mdev)"),
	valid: func(h *lx.DomainHostdev, c ctx) error {
		if h.SubsysMDev.Source == nil || h.SubsysMDev.Source.Address == nil || h.SubsysMDev.Source.Address.UUID == "" {
			return fmt.Errorf("choose the mediated device: set its UUID")
		}
		if hostdevTaken(h, c, func(a, b *lx.DomainHostdev) bool {
			return a.SubsysMDev.Source != nil && a.SubsysMDev.Source.Address != nil &&
				strings.EqualFold(a.SubsysMDev.Source.Address.UUID, b.SubsysMDev.Source.Address.UUID)
		}) {
			return fmt.Errorf("mediated device %s is already assigned to the VM", h.SubsysMDev.Source.Address.UUID)
		}
		return nil
	},
	sum: func(h *lx.DomainHostdev) string {
		uuid := ""
		if h.SubsysMDev.Source != nil && h.SubsysMDev.Source.Address != nil {
			uuid = h.SubsysMDev.Source.Address.UUID
		}
		return joinSummary("mediated device", h.SubsysMDev.Model, uuid)
	},
	put: putHostdev,
})
