package install

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	lx "libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Build checks the choices and returns the plan: the install and final
// definitions and the volumes to create. Every device comes from the
// catalog (Kind.New, Device.Set, AddTo), so the wizard's defaults are the
// hardware editor's. at dates the seed ISO.
func (n *NewVM) Build(h *NewVMHost, at time.Time) (*VMPlan, error) {
	if ps := n.Check(h); len(ps) > 0 {
		errs := make([]error, len(ps))
		for i, p := range ps {
			errs[i] = p
		}
		return nil, errors.Join(errs...)
	}
	o := n.osOrGeneric()
	caps := h.caps(n.VirtType, n.Chipset)
	plan := &VMPlan{}
	if min := o.MinimumRAM(n.Arch); min > 0 && n.MemoryMiB<<20 < min {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s is below the %s minimum of %s for %s", devices.FormatSize(n.MemoryMiB<<20), "osinfo", devices.FormatSize(min), o.Name))
	}
	if note := n.EmulationNote(h); note != "" {
		plan.Notes = append(plan.Notes, note)
	}
	def, err := n.baseDomain(o, caps)
	if err != nil {
		return nil, err
	}
	b := &builder{n: n, h: h, caps: caps, def: def, o: o, plan: plan}
	steps := []func() error{b.disks, b.nic, b.controllers, b.console, b.channels, b.display, b.misc}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	final, err := devices.CloneDomain(def)
	if err != nil {
		return nil, err
	}
	install, err := b.installDomain(final, at)
	if err != nil {
		return nil, err
	}
	plan.Install, plan.Final = install, final
	if plan.Customize, err = customizeDomain(n, install, final); err != nil {
		return nil, err
	}
	return plan, nil
}

type builder struct {
	n    *NewVM
	h    *NewVMHost
	caps *devices.Caps
	def  *lx.Domain
	o    *OSInfo
	plan *VMPlan
}

// add creates a device of a kind with the catalog's defaults for def, lets
// tweak change fields through Set (validated), and adds it.
func (b *builder) add(kind string, tweak func(d *devices.Device) error) (*devices.Device, error) {
	d, err := devices.KindByID(kind).New(b.caps, b.def)
	if err != nil {
		return nil, err
	}
	if tweak != nil {
		if err := tweak(d); err != nil {
			return nil, fmt.Errorf("%s: %w", strings.ToLower(d.Kind.Title), err)
		}
	}
	return d, d.AddTo(b.def)
}

func setAll(d *devices.Device, kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		if err := d.Set(kv[i], kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (n *NewVM) baseDomain(o *OSInfo, caps *devices.Caps) (*lx.Domain, error) {
	machine := "q35"
	if n.Chipset == "i440fx" {
		machine = "pc"
	}
	def := &lx.Domain{
		Type:          n.VirtType,
		Name:          n.Name,
		Memory:        &lx.DomainMemory{Value: uint(n.MemoryMiB * 1024), Unit: "KiB"},
		CurrentMemory: &lx.DomainCurrentMemory{Value: uint(n.MemoryMiB * 1024), Unit: "KiB"},
		VCPU:          &lx.DomainVCPU{Value: n.VCPUs},
		OS:            &lx.DomainOS{Type: &lx.DomainOSType{Arch: n.Arch, Machine: machine, Type: "hvm"}},
		Features:      &lx.DomainFeatureList{ACPI: &lx.DomainFeature{}, APIC: &lx.DomainFeatureAPIC{}},
		Clock: &lx.DomainClock{Offset: "utc", Timer: []lx.DomainTimer{
			{Name: "rtc", TickPolicy: "catchup"}, {Name: "pit", TickPolicy: "delay"}, {Name: "hpet", Present: "no"},
		}},
		PM:      &lx.DomainPM{SuspendToMem: &lx.DomainPMPolicy{Enabled: "no"}, SuspendToDisk: &lx.DomainPMPolicy{Enabled: "no"}},
		Devices: &lx.DomainDeviceList{},
	}
	if o != Generic && o.ID != "" {
		// What virt-install records, and what kvmtui's list shows as OS.
		def.Metadata = &lx.DomainMetadata{XML: fmt.Sprintf(
			`<libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0"><libosinfo:os id=%q/></libosinfo:libosinfo>`, o.ID)}
	}
	if caps != nil {
		def.Devices.Emulator = caps.Emulator
	}
	if mode := cpuModeFor(n.VirtType, caps); mode != "" {
		def.CPU = &lx.DomainCPU{Mode: mode}
	}
	if o.Windows() {
		def.Clock.Offset = "localtime"
		def.Clock.Timer = append(def.Clock.Timer, lx.DomainTimer{Name: "hypervclock", Present: "yes"})
		retries := uint(8191)
		def.Features.HyperV = &lx.DomainFeatureHyperV{
			Relaxed:   &lx.DomainFeatureState{State: "on"},
			VAPIC:     &lx.DomainFeatureState{State: "on"},
			Spinlocks: &lx.DomainFeatureHyperVSpinlocks{DomainFeatureState: lx.DomainFeatureState{State: "on"}, Retries: retries},
		}
	}
	if n.Graphics == "spice" {
		// virt-install: no VMware mouse port beside SPICE's tablet.
		def.Features.VMPort = &lx.DomainFeatureState{State: "off"}
	}
	// Firmware and direct kernel boot through the settings catalog, which
	// also turns on SMM for secure boot.
	s := &devices.Settings{Def: def, Caps: caps}
	if n.Firmware != "bios" {
		if err := s.Set("firmware", n.Firmware); err != nil {
			return nil, fmt.Errorf("firmware: %w", err)
		}
	}
	for _, kv := range [][2]string{{"kernel", n.Kernel}, {"initrd", n.Initrd}, {"cmdline", n.Cmdline}} {
		if kv[1] != "" {
			if err := s.Set(kv[0], kv[1]); err != nil {
				return nil, fmt.Errorf("%s: %w", kv[0], err)
			}
		}
	}
	def.OS.BootDevices = []lx.DomainBootDevice{{Dev: "hd"}}
	return def, nil
}

// disks adds the VM's disk: a new volume, an existing one, the imported or
// cloud image.
// planPool puts a planned pool (a bare host's first) in the plan, once.
func (b *builder) planPool(p *PoolInfo) {
	if p == nil || !p.Planned || b.plan.NewPool != nil {
		return
	}
	b.plan.NewPool = p
	b.plan.Notes = append(b.plan.Notes, "this host has no storage pool: the "+p.Name+" pool is created at "+p.Path+" (started and autostarted), as virt-install does")
}

func (b *builder) disks() error {
	n := b.n
	if n.Method == MethodOVA {
		return b.applianceDisks()
	}
	var path, format string
	var vol *VolumePlan
	switch n.Storage {
	case StorageNone:
		return nil
	case StorageExisting:
		path, format = n.DiskPath, n.DiskFormat
		if path == "" { // import and cloud images boot as they are
			path, format = n.Media, n.MediaFormat
		}
	case StorageNew:
		p := b.h.Pool(n.Pool)
		b.planPool(p)
		vol = &VolumePlan{Role: "disk", Pool: n.Pool, Name: n.volumeName("disk"), Format: n.DiskFormat, Capacity: n.DiskSize}
		vol.Path = poolPath(p, vol.Name)
		if n.Preallocate {
			vol.Allocation = n.DiskSize
		}
		if n.Method == MethodCloud {
			vol.BackingPath, vol.BackingFormat = n.Media, n.MediaFormat
		}
		path, format = vol.Path, n.DiskFormat
	}
	if format == "" {
		format = "raw" // what libvirt assumes, and never guesses
	}
	bus := "virtio"
	if !b.o.VirtioDisk() {
		bus = "sata"
		if n.Chipset == "i440fx" {
			bus = "ide"
		}
	}

	_, err := b.add("disk", func(d *devices.Device) error {
		if err := setAll(d, "bus", bus, "format", format); err != nil {
			return err
		}
		disk := d.Value().(*lx.DomainDisk)
		if n.Storage == StorageNew && !n.Preallocate {
			disk.Driver.Discard = "unmap" // virt-install: a sparse image gives freed blocks back to the pool
		}
		if vol != nil && vol.Path == "" { // a pool without a directory (LVM, iSCSI): by name
			disk.Source = &lx.DomainDiskSource{Volume: &lx.DomainDiskSourceVolume{Pool: vol.Pool, Volume: vol.Name}}
			return nil
		}
		return d.Set("path", path)
	})
	if err != nil {
		return err
	}
	if n.Storage == StorageNew {
		b.plan.Volumes = append(b.plan.Volumes, *vol)
		if p := b.h.Pool(n.Pool); !n.Preallocate && p != nil && n.DiskSize > p.Available && !(p.Planned && p.Available == 0) {
			b.plan.Notes = append(b.plan.Notes, fmt.Sprintf("the sparse %s disk can outgrow pool %s (%s free)", devices.FormatSize(n.DiskSize), n.Pool, devices.ApproxSize(p.Available)))
		}
	}
	if n.Method == MethodISO {
		// The final definition keeps the CD-ROM drive, empty, as
		// virt-install does: the guest can take another ISO later.
		if _, err := b.add("cdrom", nil); err != nil {
			return err
		}
	}
	return nil
}

// applianceDisks plans a raw volume per appliance disk, filled from the
// appliance when the VM is created, and attaches each on its bus.
func (b *builder) applianceDisks() error {
	n := b.n
	p := b.h.Pool(n.Pool)
	b.planPool(p)
	b.plan.Notes = append(b.plan.Notes, n.ApplianceNotes...)
	if n.NICModel != "" && n.Net == NetNone {
		b.plan.Notes = append(b.plan.Notes, "the appliance's "+n.NICModel+" network card is not added: no network is chosen")
	}
	for i, ad := range n.ApplianceDisks {
		vol := VolumePlan{Role: "disk", Pool: n.Pool, Name: fmt.Sprintf("%s-disk%d.raw", n.Name, i+1), Format: "raw",
			Capacity: ad.Capacity, Appliance: n.Media, ApplianceDisk: i}
		vol.Path = poolPath(p, vol.Name)
		if _, err := b.add("disk", func(d *devices.Device) error {
			if err := setAll(d, "bus", ad.Bus, "format", "raw"); err != nil {
				return err
			}
			if vol.Path == "" {
				disk := d.Value().(*lx.DomainDisk)
				disk.Source = &lx.DomainDiskSource{Volume: &lx.DomainDiskSourceVolume{Pool: vol.Pool, Volume: vol.Name}}
				return nil
			}
			return d.Set("path", vol.Path)
		}); err != nil {
			return err
		}
		b.plan.Volumes = append(b.plan.Volumes, vol)
	}
	return nil
}

func (b *builder) nic() error {
	n := b.n
	if n.Net == NetNone {
		return nil
	}
	model := "virtio"
	if !b.o.VirtioNet() {
		model = "e1000e"
		if n.Chipset == "i440fx" {
			model = "e1000"
		}
	}
	if n.NICModel != "" {
		model = n.NICModel
	}
	_, err := b.add("nic", func(d *devices.Device) error {
		switch n.Net {
		case NetNetwork:
			return setAll(d, "source_type", "network", "network", n.NetSource, "model", model)
		case NetBridge:
			return setAll(d, "source_type", "bridge", "bridge", n.NetSource, "model", model)
		case NetUser:
			return setAll(d, "source_type", "user", "model", model)
		}
		return setAll(d, "source_type", "direct", "dev", n.NetSource, "direct_mode", "bridge", "model", model)
	})
	return err
}

// controllers: USB 3 where the OS has a driver (else USB 2 companions),
// and on q35 the 14 spare PCIe root ports virt-install adds so devices can
// be hot-plugged later.
func (b *builder) controllers() error {
	if b.o.USB3() {
		if _, err := b.add("usb-controller", nil); err != nil {
			return err
		}
	} else {
		// ich9-ehci1 with its three uhci companions, as virt-install.
		for i, model := range []string{"ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"} {
			c := lx.DomainController{Type: "usb", Model: model, Index: new(uint)}
			if i > 0 {
				start := uint(2 * (i - 1))
				c.USB = &lx.DomainControllerUSB{Master: &lx.DomainControllerUSBMaster{StartPort: start}}
			}
			b.def.Devices.Controllers = append(b.def.Devices.Controllers, c)
		}
	}
	if b.n.Chipset != "q35" {
		return nil
	}
	b.def.Devices.Controllers = append(b.def.Devices.Controllers, lx.DomainController{Type: "pci", Model: "pcie-root", Index: new(uint)})
	for range 14 {
		if _, err := b.add("pcie-root-port", nil); err != nil {
			return err
		}
	}
	return nil
}

// console: a serial port with the console on it (ttyS0), what virt-install's
// <console type="pty"/> becomes once libvirt fills it in.
func (b *builder) console() error {
	if _, err := b.add("serial", nil); err != nil {
		return err
	}
	_, err := b.add("console", func(d *devices.Device) error { return d.Set("target_type", "serial") })
	return err
}

func (b *builder) channels() error {
	if b.o.VirtioSerial() {
		if devices.KindByID("channel").Unavailable(b.caps, b.def) == "" {
			if _, err := b.add("channel", func(d *devices.Device) error { return d.Set("name", "org.qemu.guest_agent.0") }); err != nil {
				return err
			}
		}
	}
	return nil
}

// display: the tablet, the display, its video card, and with SPICE the
// agent channel, sound and USB redirection, as virt-install.
func (b *builder) display() error {
	n := b.n
	if n.Graphics == "none" {
		return nil
	}
	if _, err := b.add("graphics", func(d *devices.Device) error {
		g := d.Value().(*lx.DomainGraphic)
		if n.Graphics == "spice" {
			*g = lx.DomainGraphic{Spice: &lx.DomainGraphicSpice{AutoPort: "yes", Image: &lx.DomainGraphicSpiceImage{Compression: "off"}}}
		} else {
			*g = lx.DomainGraphic{VNC: &lx.DomainGraphicVNC{AutoPort: "yes"}}
		}
		return nil
	}); err != nil {
		return err
	}
	if _, err := b.add("input", nil); err != nil { // usb tablet: the pointer follows the viewer's
		return err
	}
	model := "vga"
	switch {
	case b.o.VirtioGPU() && (b.caps == nil || devices.Has(b.caps.VideoModels, "virtio")):
		model = "virtio"
	case n.Graphics == "spice" && (b.caps == nil || devices.Has(b.caps.VideoModels, "qxl")):
		model = "qxl"
	case n.Firmware != "bios" && (b.caps == nil || devices.Has(b.caps.VideoModels, "bochs")):
		model = "bochs"
	}
	if _, err := b.add("video", func(d *devices.Device) error { return d.Set("model", model) }); err != nil {
		return err
	}
	if n.Graphics != "spice" {
		return nil
	}
	if _, err := b.add("channel", func(d *devices.Device) error { return d.Set("name", "com.redhat.spice.0") }); err != nil {
		return err
	}
	if _, err := b.add("sound", nil); err != nil {
		return err
	}
	for range 2 {
		if _, err := b.add("usb-redir", nil); err != nil {
			return err
		}
	}
	return nil
}

// misc: memory balloon and RNG where the OS has virtio drivers for them,
// the TPM when chosen.
func (b *builder) misc() error {
	if b.o.VirtioBalloon() {
		if _, err := b.add("memballoon", nil); err != nil {
			return err
		}
	}
	if b.o.VirtioRNG() && devices.KindByID("rng").Unavailable(b.caps, b.def) == "" {
		if _, err := b.add("rng", nil); err != nil {
			return err
		}
	}
	if b.n.TPM == "on" {
		if _, err := b.add("tpm", nil); err != nil {
			return err
		}
	}
	return nil
}

// installDomain derives the definition the first boot uses: the medium
// first in the boot order, the installer's kernel for a tree, the seed
// ISO for cloud-init, and on_reboot=destroy so the installer's reboot
// ends the install boot instead of starting it over.
func (b *builder) installDomain(final *lx.Domain, at time.Time) (*lx.Domain, error) {
	n := b.n
	def, err := devices.CloneDomain(final)
	if err != nil {
		return nil, err
	}
	saved := b.def
	b.def = def
	defer func() { b.def = saved }()
	switch n.Method {
	case MethodISO:
		for _, d := range []*lx.Domain{def, final} {
			// Windows installs reboot several times from the ISO: it
			// stays in the final definition too, as virt-install keeps it.
			if d == final && !b.o.Windows() {
				continue
			}
			for i := range d.Devices.Disks {
				if disk := &d.Devices.Disks[i]; disk.Device == "cdrom" {
					disk.Source = &lx.DomainDiskSource{File: &lx.DomainDiskSourceFile{File: n.Media}}
				}
			}
		}
		def.OS.BootDevices = []lx.DomainBootDevice{{Dev: "cdrom"}, {Dev: "hd"}}
	case MethodPXE:
		// virt-install keeps network boot first for good: a PXE setup
		// decides each boot whether the machine boots its disk.
		def.OS.BootDevices = []lx.DomainBootDevice{{Dev: "network"}}
		final.OS.BootDevices = def.OS.BootDevices
	case MethodNetwork:
		kernel, initrd, ok := b.o.TreeFiles(n.Tree, n.Arch)
		if !ok {
			return nil, fmt.Errorf("the tree at %s has no .treeinfo naming its installer kernel, and osinfo knows no kernel path for %s; choose its OS", n.Location, b.o.Name)
		}
		p := b.h.Pool(n.Pool)
		b.planPool(p)
		base := strings.TrimRight(n.Location, "/") + "/"
		for _, f := range []struct{ role, rel string }{{"kernel", kernel}, {"initrd", initrd}} {
			v := VolumePlan{Role: f.role, Pool: n.Pool, Name: n.volumeName(f.role), Format: "raw", URL: base + strings.TrimLeft(f.rel, "/"), Transient: true}
			v.Path = poolPath(p, v.Name)
			b.plan.Volumes = append(b.plan.Volumes, v)
		}
		def.OS.Kernel, def.OS.Initrd = poolPath(p, n.volumeName("kernel")), poolPath(p, n.volumeName("initrd"))
		args := n.ExtraArgs
		if arg := b.o.KernelURLArg(); arg != "" && !strings.Contains(args, arg+"=") {
			args = strings.TrimSpace(arg + "=" + n.Location + " " + args)
		}
		def.OS.Cmdline = args
	case MethodCloud:
		seed, err := n.CloudInit.SeedISO(n.Name, at)
		if err != nil {
			return nil, err
		}
		p := b.h.Pool(n.Pool)
		b.planPool(p)
		v := VolumePlan{Role: "seed", Pool: n.Pool, Name: n.volumeName("seed"), Format: "raw", Capacity: uint64(len(seed)), Content: seed, Transient: true}
		v.Path = poolPath(p, v.Name)
		b.plan.Volumes = append(b.plan.Volumes, v)
		if _, err := b.add("cdrom", func(d *devices.Device) error { return d.Set("path", v.Path) }); err != nil {
			return nil, err
		}
		// cloud-init looks for NoCloud only where the SMBIOS serial says so.
		def.SysInfo = append(def.SysInfo, lx.DomainSysInfo{SMBIOS: &lx.DomainSysInfoSMBIOS{System: &lx.DomainSysInfoSystem{
			Entry: []lx.DomainSysInfoEntry{{Name: "serial", Value: "ds=nocloud"}}}}})
		def.OS.SMBios = &lx.DomainSMBios{Mode: "sysinfo"}
	default: // import, manual: the final definition is the install one
		return def, nil
	}
	def.OnReboot = "destroy"
	return def, nil
}

// customizeDomain is what "customize before install" defines: a
// definition that installs when started from the details view and keeps
// working after the install, since kvmtui is not there to switch
// definitions: the ISO stays in the drive behind the disk in the boot
// order (an empty disk falls through to it), the seed and the installer's
// kernel stay (remove the kernel in Boot options after the install).
func customizeDomain(n *NewVM, install, final *lx.Domain) (*lx.Domain, error) {
	switch n.Method {
	case MethodImport, MethodManual, MethodPXE:
		return devices.CloneDomain(final)
	}
	c, err := devices.CloneDomain(install)
	if err != nil {
		return nil, err
	}
	c.OnReboot = ""
	if n.Method == MethodISO {
		c.OS.BootDevices = []lx.DomainBootDevice{{Dev: "hd"}, {Dev: "cdrom"}}
	}
	return c, nil
}

// cpuModeFor is the CPU a new VM gets, as virt-install chooses it: the
// host's own CPU under KVM where the capabilities offer it (else the
// closest model), and QEMU's default CPU under TCG, which cannot pass the
// host's CPU through.
func cpuModeFor(virtType string, caps *devices.Caps) string {
	if virtType != "kvm" {
		return ""
	}
	if caps == nil || caps.CPUModes == nil {
		return "host-passthrough"
	}
	for _, m := range []string{"host-passthrough", "host-model"} {
		if slices.Contains(caps.CPUModes, m) {
			return m
		}
	}
	return ""
}
