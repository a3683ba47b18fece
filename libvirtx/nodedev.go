package libvirtx

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// HostDevice is one PCI function or USB device of a host, as libvirt's node
// device driver reports it, with what passthrough needs to know about it.
type HostDevice struct {
	Name    string // libvirt's node device name: pci_0000_03_00_0, usb_1_4
	Bus     string // "pci" or "usb"
	Address string // PCI 0000:03:00.0 (lspci -D), USB 001:004 (lsusb bus:device)

	VendorID, ProductID string // 4 hex digits, no 0x: 1000, 0087
	Vendor, Product     string // names from the host's ID database; may be empty
	Driver              string // the host driver bound now; "" when none

	// PCI only.
	Class      string   // class code as libvirt prints it: 0x010700
	ClassName  string   // "Serial Attached SCSI controller"
	IOMMUGroup int      // -1: none (the host's IOMMU is off)
	Group      []string // the addresses in its IOMMU group, itself included
	Bridge     bool     // a PCI/host bridge: stays with the host
	VFs        []string // SR-IOV physical function: its virtual functions
	MaxVFs     int      // how many VFs the PF can have (0: unknown)
	PF         string   // SR-IOV virtual function: its physical function

	// Safe says the device can be handed to a VM as its IOMMU group stands;
	// Why says in one line why not (or, for USB, why the question does not
	// arise). See judgeGroups.
	Safe bool
	Why  string

	UsedBy []DeviceUser // VMs on the connection whose definition has it
}

// DeviceUser is a VM that has a host device in its definition.
type DeviceUser struct {
	Ref
	Running bool
}

// IDs is the vendor:product pair as lspci -nn and lsusb print it.
func (d HostDevice) IDs() string { return d.VendorID + ":" + d.ProductID }

// Title is the device's name for messages: vendor and product names, else
// what the host knows (the vendor and the class), else its IDs.
func (d HostDevice) Title() string {
	switch {
	case d.Product != "":
		return strings.TrimSpace(d.Vendor + " " + d.Product)
	case d.ClassName != "":
		return strings.TrimSpace(d.Vendor + " " + d.ClassName)
	case d.Vendor != "":
		return d.Vendor + " device " + d.ProductID
	}
	return "device " + d.IDs()
}

// OnVFIO reports whether the device is away from the host's own drivers:
// bound to vfio-pci or pci-stub, or unbound.
func (d HostDevice) OnVFIO() bool { return passable(d.Driver) }

func passable(driver string) bool {
	return driver == "" || driver == "vfio-pci" || driver == "pci-stub"
}

// RunningUsers names the running VMs using the device.
func (d HostDevice) RunningUsers() []string {
	var out []string
	for _, u := range d.UsedBy {
		if u.Running {
			out = append(out, u.Name)
		}
	}
	return out
}

// HostDevices lists the PCI and USB devices of the host behind uri, sorted
// by address (PCI first), each with the VMs whose definitions use it.
func (m *Manager) HostDevices(uri string) ([]HostDevice, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	nds, err := lc.ListAllNodeDevices(libvirt.CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV | libvirt.CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV)
	if err != nil {
		return nil, fmt.Errorf("listing the host's devices: %s", ErrText(err))
	}
	var out []HostDevice
	for i := range nds {
		doc, err := nds[i].GetXMLDesc(0)
		nds[i].Free()
		if err != nil {
			continue // gone since the listing (hot-unplugged)
		}
		if d, ok := parseNodeDevice(doc); ok {
			out = append(out, d)
		}
	}
	users, err := hostdevUsers(uri, lc)
	if err != nil {
		return nil, fmt.Errorf("reading which VMs use host devices: %s", ErrText(err))
	}
	for i := range out {
		out[i].UsedBy = users.of(&out[i])
	}
	judgeGroups(out)
	sortHostDevices(out)
	return out, nil
}

// DetachHostDevice takes a PCI device away from the host's driver and binds
// it to vfio-pci (virNodeDeviceDetachFlags), so VMs can have it. The host
// loses the device until ReattachHostDevice.
func (m *Manager) DetachHostDevice(uri, name string) error {
	return m.nodeDeviceOp(uri, name, "detach", func(n *libvirt.NodeDevice) error { return n.DetachFlags("vfio", 0) })
}

// ReattachHostDevice gives a detached PCI device back to the host's own
// driver (virNodeDeviceReAttach).
func (m *Manager) ReattachHostDevice(uri, name string) error {
	return m.nodeDeviceOp(uri, name, "reattach", func(n *libvirt.NodeDevice) error { return n.ReAttach() })
}

func (m *Manager) nodeDeviceOp(uri, name, what string, f func(*libvirt.NodeDevice) error) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	n, err := lc.LookupDeviceByName(name)
	if err != nil {
		return fmt.Errorf("%s %s: %s", what, name, ErrText(err))
	}
	defer n.Free()
	doc, err := n.GetXMLDesc(0)
	if err != nil {
		return fmt.Errorf("%s %s: %s", what, name, ErrText(err))
	}
	if d, ok := parseNodeDevice(doc); !ok || d.Bus != "pci" {
		return fmt.Errorf("%s %s: only PCI devices are detached from and reattached to the host; libvirt hands a USB device to a VM when the VM starts", what, name)
	}
	if err := f(n); err != nil {
		return fmt.Errorf("%s %s: %s", what, name, ErrText(err))
	}
	return nil
}

// parseNodeDevice reads one node device's XML; ok is false for devices that
// are neither PCI functions nor USB devices.
func parseNodeDevice(doc string) (HostDevice, bool) {
	var nd libvirtxml.NodeDevice
	if err := nd.Unmarshal(doc); err != nil {
		return HostDevice{}, false
	}
	d := HostDevice{Name: nd.Name, IOMMUGroup: -1}
	if nd.Driver != nil {
		d.Driver = nd.Driver.Name
	}
	switch {
	case nd.Capability.PCI != nil:
		p := nd.Capability.PCI
		d.Bus = "pci"
		d.Address = devices.FormatPCIAddress(deref(p.Domain), deref(p.Bus), deref(p.Slot), deref(p.Function))
		d.VendorID, d.Vendor = hexID(p.Vendor.ID), strings.TrimSpace(p.Vendor.Name)
		d.ProductID, d.Product = hexID(p.Product.ID), strings.TrimSpace(p.Product.Name)
		d.Class = p.Class
		d.ClassName, d.Bridge = pciClass(p.Class)
		if g := p.IOMMUGroup; g != nil {
			d.IOMMUGroup = g.Number
			for _, a := range g.Address {
				d.Group = append(d.Group, pciAddr(a))
			}
			sort.Strings(d.Group)
		}
		for _, sc := range p.Capabilities {
			if vf := sc.VirtFunctions; vf != nil {
				d.MaxVFs = vf.MaxCount
				for _, a := range vf.Address {
					d.VFs = append(d.VFs, pciAddr(a))
				}
				sort.Strings(d.VFs)
			}
			if pf := sc.PhysFunction; pf != nil {
				d.PF = pciAddr(pf.Address)
			}
			if sc.Bridge != nil {
				d.Bridge = true
			}
		}
	case nd.Capability.USBDevice != nil:
		u := nd.Capability.USBDevice
		d.Bus = "usb"
		d.Address = devices.FormatUSBAddress(uint(u.Bus), uint(u.Device))
		d.VendorID, d.Vendor = hexID(u.Vendor.ID), strings.TrimSpace(u.Vendor.Name)
		d.ProductID, d.Product = hexID(u.Product.ID), strings.TrimSpace(u.Product.Name)
	default:
		return HostDevice{}, false
	}
	return d, true
}

func pciAddr(a libvirtxml.NodeDevicePCIAddress) string {
	return devices.FormatPCIAddress(deref(a.Domain), deref(a.Bus), deref(a.Slot), deref(a.Function))
}

// hexID normalises libvirt's "0x1000" to lspci's "1000".
func hexID(s string) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "0x"), 16, 16)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%04x", v)
}

// pciClass names a class code (0xCCSSPP: class, subclass, programming
// interface) the way lspci does, and says whether it is a bridge.
func pciClass(code string) (string, bool) {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(code), "0x"), 16, 32)
	if err != nil {
		return "", false
	}
	sub, base := (v>>8)&0xffff, v>>16
	if n, ok := pciSubclasses[sub]; ok {
		return n, base == 0x06
	}
	if n, ok := pciClasses[base]; ok {
		return n, base == 0x06
	}
	return "", false
}

var pciSubclasses = map[uint64]string{
	0x0100: "SCSI storage controller", 0x0101: "IDE interface", 0x0104: "RAID bus controller",
	0x0106: "SATA controller", 0x0107: "Serial Attached SCSI controller", 0x0108: "Non-Volatile memory controller",
	0x0200: "Ethernet controller", 0x0207: "Infiniband controller", 0x0280: "Network controller",
	0x0300: "VGA compatible controller", 0x0302: "3D controller",
	0x0401: "Multimedia audio controller", 0x0403: "Audio device",
	0x0600: "Host bridge", 0x0601: "ISA bridge", 0x0604: "PCI bridge",
	0x0c03: "USB controller", 0x0c05: "SMBus", 0x0c80: "Serial bus controller",
	0x0d80: "Wireless controller", 0x1200: "Processing accelerators",
}

var pciClasses = map[uint64]string{
	0x01: "Mass storage controller", 0x02: "Network controller", 0x03: "Display controller",
	0x04: "Multimedia controller", 0x05: "Memory controller", 0x06: "Bridge",
	0x07: "Communication controller", 0x08: "System peripheral", 0x09: "Input device controller",
	0x0c: "Serial bus controller", 0x0d: "Wireless controller", 0x10: "Encryption controller",
	0x11: "Signal processing controller", 0x12: "Processing accelerators", 0xff: "Unassigned class",
}

// judgeGroups decides, for each PCI device, whether its IOMMU group lets it
// go to a VM. VFIO hands a whole group to one VM, so every other device in
// the group must be off the host's drivers (on vfio-pci or pci-stub, or
// unbound) or be a bridge, and must not belong to another VM. The device
// itself needs no such care: libvirt detaches a managed hostdev when the VM
// starts.
func judgeGroups(devs []HostDevice) {
	byAddr := map[string]*HostDevice{}
	for i := range devs {
		if devs[i].Bus == "pci" {
			byAddr[devs[i].Address] = &devs[i]
		}
	}
	for i := range devs {
		d := &devs[i]
		d.Safe, d.Why = false, ""
		switch {
		case d.Bus == "usb":
			d.Safe, d.Why = true, "USB needs no IOMMU group"
			continue
		case d.IOMMUGroup < 0:
			d.Why = "no IOMMU group: the host's IOMMU is off (VT-d/AMD-Vi in firmware, intel_iommu=on)"
			continue
		case d.Bridge:
			d.Why = "a bridge: it stays with the host (the devices behind it can be passed)"
			continue
		}
		var blockers []string
		for _, a := range d.Group {
			if a == d.Address {
				continue
			}
			o := byAddr[a]
			switch {
			case o == nil:
				blockers = append(blockers, a+" (unknown to libvirt)")
			case o.Bridge:
			case !passable(o.Driver):
				blockers = append(blockers, a+" (on "+o.Driver+")")
			case len(o.UsedBy) > 0 && !sameUsers(o.UsedBy, d.UsedBy):
				blockers = append(blockers, a+" (given to "+o.UsedBy[0].Name+")")
			}
		}
		if len(blockers) == 0 {
			d.Safe = true
			if len(d.Group) > 1 {
				d.Why = fmt.Sprintf("shares IOMMU group %d only with bridges or devices off the host", d.IOMMUGroup)
			} else {
				d.Why = fmt.Sprintf("alone in IOMMU group %d", d.IOMMUGroup)
			}
			continue
		}
		d.Why = fmt.Sprintf("IOMMU group %d also holds %s", d.IOMMUGroup, blockers[0])
		if n := len(blockers) - 1; n > 0 {
			d.Why += fmt.Sprintf(" and %d more", n)
		}
	}
}

// sameUsers reports whether b names every VM of a: group members that go
// to the same VM do not block each other.
func sameUsers(a, b []DeviceUser) bool {
	for _, u := range a {
		found := false
		for _, v := range b {
			found = found || v.UUID == u.UUID
		}
		if !found {
			return false
		}
	}
	return true
}

// sortHostDevices orders PCI devices by address with each PF's VFs right
// after it, then USB devices by bus and device.
func sortHostDevices(devs []HostDevice) {
	key := func(d HostDevice) string {
		if d.Bus == "usb" {
			return "2" + d.Address
		}
		if d.PF != "" {
			return "1" + d.PF + "/" + d.Address
		}
		return "1" + d.Address
	}
	sort.SliceStable(devs, func(i, j int) bool { return key(devs[i]) < key(devs[j]) })
}

// hostdevUse is what a domain definition says about the host devices it
// takes: <hostdev> of type pci and usb, and <interface type='hostdev'>
// (an SR-IOV VF as a NIC).
type hostdevUse struct {
	Devices struct {
		Hostdevs []struct {
			Type   string        `xml:"type,attr"`
			Source hostdevSource `xml:"source"`
		} `xml:"hostdev"`
		Interfaces []struct {
			Type   string        `xml:"type,attr"`
			Source hostdevSource `xml:"source"`
		} `xml:"interface"`
	} `xml:"devices"`
}

type hostdevSource struct {
	Vendor *struct {
		ID string `xml:"id,attr"`
	} `xml:"vendor"`
	Product *struct {
		ID string `xml:"id,attr"`
	} `xml:"product"`
	Address *struct {
		Domain   string `xml:"domain,attr"`
		Bus      string `xml:"bus,attr"`
		Slot     string `xml:"slot,attr"`
		Function string `xml:"function,attr"`
		Device   string `xml:"device,attr"`
	} `xml:"address"`
}

// usbClaim is a USB hostdev: IDs and/or bus:device ("" when not given).
type usbClaim struct{ ids, addr string }

type userIndex struct {
	pci map[string][]DeviceUser
	usb []struct {
		claim usbClaim
		user  DeviceUser
	}
}

func (ix *userIndex) addPCI(addr string, u DeviceUser) {
	for _, o := range ix.pci[addr] {
		if o.UUID == u.UUID {
			return
		}
	}
	ix.pci[addr] = append(ix.pci[addr], u)
}

func (ix *userIndex) of(d *HostDevice) []DeviceUser {
	if d.Bus == "pci" {
		return ix.pci[d.Address]
	}
	var out []DeviceUser
	seen := map[string]bool{}
	for _, c := range ix.usb {
		if (c.claim.ids == "" || c.claim.ids == d.IDs()) && (c.claim.addr == "" || c.claim.addr == d.Address) && !seen[c.user.UUID] {
			seen[c.user.UUID] = true
			out = append(out, c.user)
		}
	}
	return out
}

// hostdevUsers scans every domain's definition (the running one, and for a
// running persistent domain also the next boot's) for host devices.
func hostdevUsers(uri string, lc *libvirt.Connect) (*userIndex, error) {
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, err
	}
	ix := &userIndex{pci: map[string][]DeviceUser{}}
	for i := range doms {
		d := &doms[i]
		name, _ := d.GetName()
		uuid, _ := d.GetUUIDString()
		active, _ := d.IsActive()
		persistent, _ := d.IsPersistent()
		u := DeviceUser{Ref: Ref{URI: uri, UUID: uuid, Name: name}, Running: active}
		flags := []libvirt.DomainXMLFlags{0}
		if active && persistent {
			flags = append(flags, libvirt.DOMAIN_XML_INACTIVE)
		}
		for _, f := range flags {
			doc, err := d.GetXMLDesc(f)
			if err != nil {
				continue // undefined meanwhile
			}
			ix.scan(doc, u)
		}
		d.Free()
	}
	return ix, nil
}

func (ix *userIndex) scan(doc string, u DeviceUser) {
	if !strings.Contains(doc, "hostdev") {
		return
	}
	var x hostdevUse
	if err := xml.Unmarshal([]byte(doc), &x); err != nil {
		return
	}
	for _, h := range x.Devices.Hostdevs {
		switch h.Type {
		case "pci":
			if a, ok := h.Source.pci(); ok {
				ix.addPCI(a, u)
			}
		case "usb":
			ix.usb = append(ix.usb, struct {
				claim usbClaim
				user  DeviceUser
			}{h.Source.usb(), u})
		}
	}
	for _, n := range x.Devices.Interfaces {
		if n.Type == "hostdev" {
			if a, ok := n.Source.pci(); ok {
				ix.addPCI(a, u)
			}
		}
	}
}

func (s hostdevSource) pci() (string, bool) {
	a := s.Address
	if a == nil {
		return "", false
	}
	var v [4]uint64
	for i, t := range []string{a.Domain, a.Bus, a.Slot, a.Function} {
		if t == "" {
			t = "0"
		}
		n, err := parseNum(t)
		if err != nil {
			return "", false
		}
		v[i] = n
	}
	return devices.FormatPCIAddress(uint(v[0]), uint(v[1]), uint(v[2]), uint(v[3])), true
}

func (s hostdevSource) usb() usbClaim {
	var c usbClaim
	if s.Vendor != nil && s.Product != nil {
		c.ids = hexID(s.Vendor.ID) + ":" + hexID(s.Product.ID)
	}
	if a := s.Address; a != nil && a.Bus != "" && a.Device != "" {
		b, err1 := parseNum(a.Bus)
		dv, err2 := parseNum(a.Device)
		if err1 == nil && err2 == nil {
			c.addr = devices.FormatUSBAddress(uint(b), uint(dv))
		}
	}
	return c
}

// parseNum reads a number of a definition's address: hex with 0x, else
// decimal (libvirt writes USB bus/device in decimal, PCI fields in hex).
func parseNum(s string) (uint64, error) {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		return strconv.ParseUint(h, 16, 32)
	}
	return strconv.ParseUint(s, 10, 32)
}
