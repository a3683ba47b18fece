package devices

import (
	"fmt"
	"slices"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Caps is what libvirt's domain capabilities (virConnectGetDomainCapabilities
// for one emulator, arch, machine and virt type) say a new or edited VM can
// have. A nil *Caps means "unknown": forms then offer libvirt's whole set.
//
// In every []string field, nil means libvirt did not report that list
// (allow everything libvirt knows), while a non-nil empty slice means it
// reported none (for example <tpm supported='no'/>, or an empty firmware
// enum on a host without OVMF).
type Caps struct {
	Emulator  string // /usr/bin/qemu-system-x86_64
	VirtType  string // kvm or qemu
	Machine   string // canonical machine name: pc-q35-7.2
	Arch      string // x86_64
	MaxVCPUs  uint   // 0: not reported
	IOThreads bool

	Firmware    []string // firmware autoselection: efi, bios
	Loaders     []string // loader paths found on the host
	LoaderTypes []string // rom, pflash
	SecureBoot  []string // loader secure values: yes, no

	CPUModes  []string // supported modes: host-passthrough, host-model, custom, maximum
	CPUModels []string // custom-mode models, without those marked unusable
	HostModel string   // the model host-model resolves to

	MemoryBackingSources []string // file, anonymous, memfd

	DiskDevices       []string // disk, cdrom, floppy, lun
	DiskBuses         []string // virtio, sata, scsi, ide, usb, fdc
	DiskModels        []string
	GraphicsTypes     []string // vnc, spice, ...
	VideoModels       []string // vga, qxl, virtio, ...
	HostdevModes      []string // subsystem, capabilities
	HostdevSubsys     []string // usb, pci, scsi, mdev
	RNGModels         []string
	RNGBackends       []string // random, egd, builtin
	FilesystemDrivers []string // path, handle, virtiofs
	TPMModels         []string // tpm-tis, tpm-crb
	TPMBackends       []string // passthrough, emulator
	TPMVersions       []string // 1.2, 2.0
	RedirdevBuses     []string // usb
	ChannelTypes      []string // pty, unix, spicevmc
	InterfaceBackends []string // default, passt
	PanicModels       []string

	// devices records <devices><X supported='yes|no'>: absent keys were
	// not reported.
	devices map[string]bool
}

// ParseCaps reads the XML of virConnectGetDomainCapabilities.
func ParseCaps(domcapsXML string) (*Caps, error) {
	var dc libvirtxml.DomainCaps
	if err := dc.Unmarshal(domcapsXML); err != nil {
		return nil, fmt.Errorf("cannot read domain capabilities: %w", err)
	}
	if dc.Arch == "" {
		return nil, fmt.Errorf("cannot read domain capabilities: no <arch>")
	}
	c := &Caps{
		Emulator: dc.Path,
		VirtType: dc.Domain,
		Machine:  dc.Machine,
		Arch:     dc.Arch,
		devices:  map[string]bool{},
	}
	if dc.VCPU != nil {
		c.MaxVCPUs = dc.VCPU.Max
	}
	c.IOThreads = dc.IOThreads != nil && dc.IOThreads.Supported == "yes"
	if os := dc.OS; os != nil {
		on := os.Supported == "yes"
		c.Firmware = enumValues(os.Enums, "firmware", on)
		if os.Loader != nil {
			ld := on && os.Loader.Supported == "yes"
			c.Loaders = slices.Clone(os.Loader.Values)
			if c.Loaders == nil {
				c.Loaders = []string{}
			}
			c.LoaderTypes = enumValues(os.Loader.Enums, "type", ld)
			c.SecureBoot = enumValues(os.Loader.Enums, "secure", ld)
		}
	}
	if dc.CPU != nil {
		c.CPUModes = []string{}
		for _, m := range dc.CPU.Modes {
			if m.Supported != "yes" {
				continue
			}
			c.CPUModes = append(c.CPUModes, m.Name)
			switch m.Name {
			case "host-model":
				if len(m.Models) > 0 {
					c.HostModel = m.Models[0].Name
				}
			case "custom":
				c.CPUModels = []string{}
				for _, model := range m.Models {
					if model.Usable != "no" {
						c.CPUModels = append(c.CPUModels, model.Name)
					}
				}
			}
		}
	}
	if mb := dc.MemoryBacking; mb != nil {
		c.MemoryBackingSources = enumValues(mb.Enums, "sourceType", mb.Supported == "yes")
	}
	if d := dc.Devices; d != nil {
		dev := func(name string, x *libvirtxml.DomainCapsDevice, enum string) []string {
			if x == nil {
				return nil
			}
			c.devices[name] = x.Supported == "yes"
			if enum == "" {
				return nil
			}
			return enumValues(x.Enums, enum, x.Supported == "yes")
		}
		c.DiskDevices = dev("disk", d.Disk, "diskDevice")
		c.DiskBuses = dev("disk", d.Disk, "bus")
		c.DiskModels = dev("disk", d.Disk, "model")
		c.GraphicsTypes = dev("graphics", d.Graphics, "type")
		c.VideoModels = dev("video", d.Video, "modelType")
		c.HostdevModes = dev("hostdev", d.HostDev, "mode")
		c.HostdevSubsys = dev("hostdev", d.HostDev, "subsysType")
		c.RNGModels = dev("rng", d.RNG, "model")
		c.RNGBackends = dev("rng", d.RNG, "backendModel")
		c.FilesystemDrivers = dev("filesystem", d.FileSystem, "driverType")
		c.TPMModels = dev("tpm", d.TPM, "model")
		c.TPMBackends = dev("tpm", d.TPM, "backendModel")
		c.TPMVersions = dev("tpm", d.TPM, "backendVersion")
		c.RedirdevBuses = dev("redirdev", d.Redirdev, "bus")
		c.ChannelTypes = dev("channel", d.Channel, "type")
		c.InterfaceBackends = dev("interface", d.Interface, "backendType")
		c.PanicModels = dev("panic", d.Panic, "model")
		dev("console", d.Console, "")
		dev("crypto", d.Crypto, "")
	}
	return c, nil
}

// enumValues returns the values of the named enum: nil when the enum is
// absent from a supported element (not reported), empty when the element
// is unsupported (nothing offered).
func enumValues(enums []libvirtxml.DomainCapsEnum, name string, supported bool) []string {
	if !supported {
		return []string{}
	}
	for _, e := range enums {
		if e.Name == name {
			if e.Values == nil {
				return []string{}
			}
			return slices.Clone(e.Values)
		}
	}
	return nil
}

// Offers reports whether libvirt says this emulator supports a device
// element (disk, graphics, video, hostdev, rng, filesystem, tpm, redirdev,
// channel, interface, panic, console, crypto). known is false when it did
// not say; a nil Caps knows nothing.
func (c *Caps) Offers(device string) (supported, known bool) {
	if c == nil {
		return false, false
	}
	supported, known = c.devices[device]
	return supported, known
}

// denies is true only when libvirt reported the device as unsupported.
func (c *Caps) denies(device string) bool {
	s, known := c.Offers(device)
	return known && !s
}

// offered narrows a list of libvirt values to those caps reports. A nil
// report keeps all of them. Order follows all, so a form lists values in
// the catalog's order of preference.
func offered(all, reported []string) []string {
	if reported == nil {
		return slices.Clone(all)
	}
	out := []string{}
	for _, v := range all {
		if slices.Contains(reported, v) {
			out = append(out, v)
		}
	}
	return out
}

// Has is true when the value is reported, or when nothing was reported.
func Has(reported []string, v string) bool {
	return reported == nil || slices.Contains(reported, v)
}

// capsList picks one list from Caps, safe on nil.
func capsList(c *Caps, pick func(*Caps) []string) []string {
	if c == nil {
		return nil
	}
	return pick(c)
}

// machine describes the VM's machine type: the definition's own, else the
// one the capabilities were asked for.
type machine struct {
	name string
	arch string
}

func machineOf(caps *Caps, def *libvirtxml.Domain) machine {
	var m machine
	if def != nil && def.OS != nil && def.OS.Type != nil {
		m.name, m.arch = def.OS.Type.Machine, def.OS.Type.Arch
	}
	if caps != nil {
		if m.name == "" {
			m.name = caps.Machine
		}
		if m.arch == "" {
			m.arch = caps.Arch
		}
	}
	if m.arch == "" {
		m.arch = "x86_64"
	}
	return m
}

func (m machine) x86() bool { return m.arch == "x86_64" || m.arch == "i686" }

// q35 is true for the PCIe machine types: q35 on x86, virt on ARM and
// RISC-V. An unknown x86 machine counts as q35, the default of current
// tools.
func (m machine) pcie() bool {
	switch {
	case m.x86():
		return m.name == "" || strings.Contains(m.name, "q35")
	case m.arch == "aarch64" || m.arch == "armv7l" || strings.HasPrefix(m.arch, "riscv"):
		return strings.HasPrefix(m.name, "virt") || m.name == ""
	}
	return false
}

func (m machine) i440fx() bool {
	return m.x86() && (m.name == "pc" || strings.Contains(m.name, "i440fx"))
}

// short names the machine for messages: "i440fx", "q35", else its name.
func (m machine) short() string {
	switch {
	case m.i440fx():
		return "i440fx"
	case m.x86() && strings.Contains(m.name, "q35"):
		return "q35"
	case m.name == "":
		return m.arch
	}
	return m.name
}

// TPMOffered tells whether a new VM can have an emulated TPM here: libvirt
// does not deny one, swtpm is there, and a model the catalog knows is.
func (c *Caps) TPMOffered() bool {
	return c != nil && !c.denies("tpm") && Has(c.TPMBackends, "emulator") && len(offered(tpmModels, c.TPMModels)) > 0
}
