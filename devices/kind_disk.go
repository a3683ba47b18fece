package devices

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Disks, CD-ROMs and floppies share libvirt's <disk> element; the device
// attribute tells them apart.

var (
	diskBuses   = []string{"virtio", "sata", "scsi", "ide", "usb"}
	cdromBuses  = []string{"sata", "scsi", "ide", "usb"}
	diskFormats = []string{"raw", "qcow2", "vmdk", "vdi", "vpc", "vhdx", "qed", "luks"}
	// Network disk protocols QEMU can open (libvirt 9.0's list less the
	// dead sheepdog and vxhs).
	diskProtocols = []string{"nbd", "iscsi", "rbd", "gluster", "http", "https", "ftp", "ftps", "tftp", "ssh", "nfs"}
	targetRE      = regexp.MustCompile(`^(fd|hd|sd|vd|xvd|ubd)[a-z]+$`)
	serialRE      = regexp.MustCompile(`^[A-Za-z0-9_.+\- ]+$`)
)

var (
	kindDisk   = registerDisk("disk", "Disk", "disk")
	kindCDROM  = registerDisk("cdrom", "CD-ROM", "cdrom")
	kindFloppy = registerDisk("floppy", "Floppy", "floppy")
)

func registerDisk(id, title, device string) *Kind {
	return register(&Kind{ID: id, Title: title, Hotplug: true, Addable: true}, &kindDef[lx.DomainDisk]{
		fields: diskFields(device),
		list: func(def *lx.Domain) []*lx.DomainDisk {
			var out []*lx.DomainDisk
			for i := range def.Devices.Disks {
				if diskDevice(&def.Devices.Disks[i]) == device {
					out = append(out, &def.Devices.Disks[i])
				}
			}
			return out
		},
		create: func(caps *Caps, def *lx.Domain) *lx.DomainDisk { return newDisk(device, caps, def) },
		unavail: func(caps *Caps, def *lx.Domain) string {
			if caps.denies("disk") {
				return "this QEMU offers no disks"
			}
			if !Has(capsList(caps, func(c *Caps) []string { return c.DiskDevices }), device) {
				return fmt.Sprintf("this QEMU offers no %s drives", strings.ToLower(title))
			}
			if len(diskBusChoices(device, caps, def)) == 0 {
				return fmt.Sprintf("machine %s has no bus for a %s", machineOf(caps, def).short(), strings.ToLower(title))
			}
			return ""
		},
		sum:   diskSummary,
		valid: checkDisk,
		fix:   fixDisk,
		plug: func(d *lx.DomainDisk) string {
			switch b := diskBus(d); b {
			case "sata", "ide", "fdc":
				return fmt.Sprintf("a %s %s cannot be hot-plugged; use a virtio, scsi or usb bus", b, strings.ToLower(title))
			}
			return ""
		},
		put: func(def *lx.Domain, d *lx.DomainDisk) { def.Devices.Disks = append(def.Devices.Disks, *d) },
	})
}

// diskDevice is the <disk device> value, libvirt's default "disk" when
// absent; a lun is a disk for the tree.
func diskDevice(d *lx.DomainDisk) string {
	switch d.Device {
	case "", "disk", "lun":
		return "disk"
	}
	return d.Device
}

func diskBus(d *lx.DomainDisk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Bus
}

func diskTarget(d *lx.DomainDisk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Dev
}

// diskBusChoices is what the bus field offers for a device on this
// machine: libvirt's set narrowed by caps; q35 has no IDE and only
// floppies sit on fdc.
func diskBusChoices(device string, caps *Caps, def *lx.Domain) []string {
	if device == "floppy" {
		return offered([]string{"fdc"}, capsList(caps, func(c *Caps) []string { return c.DiskBuses }))
	}
	all := diskBuses
	if device == "cdrom" {
		all = cdromBuses
	}
	out := offered(all, capsList(caps, func(c *Caps) []string { return c.DiskBuses }))
	if m := machineOf(caps, def); m.x86() && !m.i440fx() {
		out = slices.DeleteFunc(out, func(b string) bool { return b == "ide" })
	} else if !m.x86() {
		out = slices.DeleteFunc(out, func(b string) bool { return b == "ide" || b == "sata" && !m.pcie() })
	}
	return out
}

func targetPrefix(bus string) string {
	switch bus {
	case "virtio":
		return "vd"
	case "ide":
		return "hd"
	case "fdc":
		return "fd"
	}
	return "sd"
}

// freeTarget returns the first target name with prefix that no other disk
// in def uses: vda, vdb, ..., vdz, vdaa, ...
func freeTarget(def *lx.Domain, prefix string, self any) string {
	used := map[string]bool{}
	if def != nil && def.Devices != nil {
		for i := range def.Devices.Disks {
			if any(&def.Devices.Disks[i]) != self {
				used[diskTarget(&def.Devices.Disks[i])] = true
			}
		}
	}
	for i := 0; ; i++ {
		if n := prefix + diskLetters(i); !used[n] {
			return n
		}
	}
}

// diskLetters is libvirt's virIndexToDiskName suffix: 0 a, 25 z, 26 aa.
func diskLetters(i int) string {
	s := ""
	for ; i >= 0; i = i/26 - 1 {
		s = string(rune('a'+i%26)) + s
	}
	return s
}

func newDisk(device string, caps *Caps, def *lx.Domain) *lx.DomainDisk {
	buses := diskBusChoices(device, caps, def)
	bus := buses[0] // Unavailable guarantees one
	d := &lx.DomainDisk{
		Device: device,
		Driver: &lx.DomainDiskDriver{Name: "qemu", Type: "raw"},
		Source: &lx.DomainDiskSource{File: &lx.DomainDiskSourceFile{}},
		Target: &lx.DomainDiskTarget{Bus: bus},
	}
	d.Target.Dev = freeTarget(def, targetPrefix(bus), nil)
	switch device {
	case "disk":
		d.Driver.Type = "qcow2"
		name := "disk"
		if def != nil && def.Name != "" {
			name = def.Name
		}
		// The volume itself is created by the storage layer; this is
		// where virt-install would put it.
		d.Source.File.File = fmt.Sprintf("/var/lib/libvirt/images/%s-%s.qcow2", name, d.Target.Dev)
	case "cdrom":
		d.ReadOnly = &lx.DomainDiskReadOnly{}
	}
	return d
}

func diskSourceType(d *lx.DomainDisk) string {
	s := d.Source
	switch {
	case s == nil || s.File != nil:
		return "file"
	case s.Block != nil:
		return "block"
	case s.Network != nil:
		return "network"
	case s.Volume != nil:
		return "volume"
	case s.NVME != nil:
		return "nvme"
	case s.Dir != nil:
		return "dir"
	case s.VHostUser != nil:
		return "vhostuser"
	case s.VHostVDPA != nil:
		return "vhostvdpa"
	}
	return ""
}

func isSource(types ...string) func(*lx.DomainDisk) bool {
	return func(d *lx.DomainDisk) bool { return slices.Contains(types, diskSourceType(d)) }
}

func diskDriver(d *lx.DomainDisk) *lx.DomainDiskDriver {
	if d.Driver == nil {
		d.Driver = &lx.DomainDiskDriver{}
	}
	return d.Driver
}

func diskIOTune(d *lx.DomainDisk) *lx.DomainDiskIOTune {
	if d.IOTune == nil {
		d.IOTune = &lx.DomainDiskIOTune{}
	}
	return d.IOTune
}

// driverAttr builds a field over one string attribute of <driver>.
func driverAttr(name, label, help string, choices []string, at func(*lx.DomainDiskDriver) *string) spec[lx.DomainDisk] {
	return spec[lx.DomainDisk]{
		Field: Field{Name: name, Label: label, Type: TypeEnum, Choices: choices, Optional: true, Help: help},
		get: func(d *lx.DomainDisk) string {
			if d.Driver == nil {
				return ""
			}
			return *at(d.Driver)
		},
		set: func(d *lx.DomainDisk, s string) error { *at(diskDriver(d)) = s; return nil },
	}
}

// ioTuneField builds a throttle field; bytes are sizes per second, IOPS
// plain numbers. They change live through virDomainSetBlockIoTune.
func ioTuneField(name, label string, bytes bool, at func(*lx.DomainDiskIOTune) *uint64) spec[lx.DomainDisk] {
	f := spec[lx.DomainDisk]{
		Field: Field{Name: name, Label: label, Type: TypeNumber, Optional: true, Live: true, Call: "SetBlockIoTune",
			Help: "I/O operations per second; empty for no limit"},
		when: func(d *lx.DomainDisk) bool { return diskDevice(d) == "disk" },
		get: func(d *lx.DomainDisk) string {
			if d.IOTune == nil || *at(d.IOTune) == 0 {
				return ""
			}
			if bytes {
				return FormatSize(*at(d.IOTune)) + "/s"
			}
			return utoa(*at(d.IOTune))
		},
		set: func(d *lx.DomainDisk, s string) error { *at(diskIOTune(d)) = atou64(s); return nil },
	}
	if bytes {
		f.Type, f.unit = TypeSize, "b"
		f.Help = "bytes per second, like 50MiB/s; empty for no limit"
	}
	return f
}

func diskFields(device string) []spec[lx.DomainDisk] {
	isDisk := device == "disk"
	sourceTypes := []string{"file", "block", "network", "volume", "nvme"}
	if !isDisk {
		sourceTypes = []string{"file", "block"}
	}
	var fs []spec[lx.DomainDisk]
	fs = append(fs,
		spec[lx.DomainDisk]{
			Field: Field{Name: "source_type", Label: "Source type", Type: TypeEnum, Choices: sourceTypes,
				Help: "file: an image file; block: a host block device; network: a remote protocol; volume: a storage pool volume; nvme: a host NVMe namespace"},
			get: diskSourceType,
			set: func(d *lx.DomainDisk, s string) error {
				if s == diskSourceType(d) {
					return nil
				}
				old := d.Source
				src := &lx.DomainDiskSource{}
				if old != nil {
					src.StartupPolicy = old.StartupPolicy
				}
				switch s {
				case "file":
					src.File = &lx.DomainDiskSourceFile{}
				case "block":
					src.Block = &lx.DomainDiskSourceBlock{}
				case "network":
					src.Network = &lx.DomainDiskSourceNetwork{Protocol: "nbd"}
				case "volume":
					src.Volume = &lx.DomainDiskSourceVolume{}
				case "nvme":
					src.NVME = &lx.DomainDiskSourceNVME{PCI: &lx.DomainDiskSourceNVMEPCI{Managed: "yes", Namespace: 1}}
				}
				d.Source = src
				return nil
			},
		},
		spec[lx.DomainDisk]{
			Field: Field{Name: "path", Label: "Path", Type: TypePath, Optional: !isDisk, Live: !isDisk,
				Help: mediaHelp(device)},
			when: isSource("file", "block"),
			get: func(d *lx.DomainDisk) string {
				switch {
				case d.Source == nil:
					return ""
				case d.Source.File != nil:
					return d.Source.File.File
				case d.Source.Block != nil:
					return d.Source.Block.Dev
				}
				return ""
			},
			set: func(d *lx.DomainDisk, s string) error {
				if d.Source == nil {
					d.Source = &lx.DomainDiskSource{File: &lx.DomainDiskSourceFile{}}
				}
				if d.Source.Block != nil {
					d.Source.Block.Dev = s
				} else {
					d.Source.File.File = s
				}
				return nil
			},
		})
	if isDisk {
		fs = append(fs, diskNetworkFields()...)
		fs = append(fs, driverAttr("format", "Format", "the image format QEMU reads: qcow2 for images with snapshots, raw for speed", diskFormats,
			func(dr *lx.DomainDiskDriver) *string { return &dr.Type }))
	}
	if device != "floppy" {
		fs = append(fs, spec[lx.DomainDisk]{
			Field: Field{Name: "bus", Label: "Bus", Type: TypeEnum, Choices: offered(map[bool][]string{true: diskBuses, false: cdromBuses}[isDisk], nil),
				Help: "how the guest sees the drive: virtio is fastest and needs guest drivers; sata and ide work everywhere"},
			choices: func(c *Caps) []string { return diskBusChoices(device, c, nil) },
			get:     diskBus,
			set: func(d *lx.DomainDisk, s string) error {
				if d.Target == nil {
					d.Target = &lx.DomainDiskTarget{}
				}
				if d.Target.Bus != s {
					d.Target.Bus = s
					// A new target is picked by fixDisk, where the
					// definition is known; the address was the old bus's.
					d.Target.Dev = ""
					d.Address = nil
				}
				return nil
			},
		})
	}
	fs = append(fs, spec[lx.DomainDisk]{
		Field: Field{Name: "target", Label: "Target", Type: TypeText,
			Help: "the device name libvirt orders disks by: vda, sdb, hdc (a prefix and letters)"},
		parse: func(s string) (string, error) {
			if !targetRE.MatchString(s) {
				return "", fmt.Errorf("invalid target %q: expected a prefix (vd, sd, hd, fd) and letters, like vdb or sda", s)
			}
			return s, nil
		},
		get: diskTarget,
		set: func(d *lx.DomainDisk, s string) error {
			if d.Target == nil {
				d.Target = &lx.DomainDiskTarget{}
			}
			d.Target.Dev = s
			return nil
		},
	})
	if isDisk {
		fs = append(fs,
			driverAttr("cache", "Cache", "host page cache use: none for safety with native I/O, writeback for speed", []string{"default", "none", "writethrough", "writeback", "directsync", "unsafe"},
				func(dr *lx.DomainDiskDriver) *string { return &dr.Cache }),
			driverAttr("io", "I/O mode", "how QEMU submits I/O: native (with cache none), threads, io_uring", []string{"native", "threads", "io_uring"},
				func(dr *lx.DomainDiskDriver) *string { return &dr.IO }),
			driverAttr("discard", "Discard", "unmap passes the guest's TRIM to the image, freeing space", []string{"ignore", "unmap"},
				func(dr *lx.DomainDiskDriver) *string { return &dr.Discard }),
			driverAttr("detect_zeroes", "Detect zeroes", "turn written zeroes into holes (unmap needs discard=unmap)", []string{"off", "on", "unmap"},
				func(dr *lx.DomainDiskDriver) *string { return &dr.DetectZeros }),
		)
	}
	if device != "cdrom" {
		fs = append(fs, spec[lx.DomainDisk]{
			Field: Field{Name: "readonly", Label: "Read-only", Type: TypeBool, Help: "the guest cannot write"},
			get:   func(d *lx.DomainDisk) string { return yesNo(d.ReadOnly != nil) },
			set: func(d *lx.DomainDisk, s string) error {
				d.ReadOnly = nil
				if s == "yes" {
					d.ReadOnly = &lx.DomainDiskReadOnly{}
				}
				return nil
			},
		})
	}
	if isDisk {
		fs = append(fs,
			spec[lx.DomainDisk]{
				Field: Field{Name: "shareable", Label: "Shareable", Type: TypeBool, Help: "several VMs may use it at once (needs a cluster file system in the guests)"},
				get:   func(d *lx.DomainDisk) string { return yesNo(d.Shareable != nil) },
				set: func(d *lx.DomainDisk, s string) error {
					d.Shareable = nil
					if s == "yes" {
						d.Shareable = &lx.DomainDiskShareable{}
					}
					return nil
				},
			},
			spec[lx.DomainDisk]{
				Field: Field{Name: "serial", Label: "Serial", Type: TypeText, Optional: true,
					Help: "the serial number the guest sees (letters, digits, _ . + - and spaces)"},
				parse: func(s string) (string, error) {
					if !serialRE.MatchString(s) || len(s) > 36 {
						return "", fmt.Errorf("invalid serial %q: expected up to 36 letters, digits, spaces or _ . + -", s)
					}
					return s, nil
				},
				get: func(d *lx.DomainDisk) string { return d.Serial },
				set: func(d *lx.DomainDisk, s string) error { d.Serial = s; return nil },
			})
	}
	fs = append(fs, bootOrderField(func(d *lx.DomainDisk) **lx.DomainDeviceBoot { return &d.Boot }))
	if isDisk {
		fs = append(fs,
			ioTuneField("total_bytes_sec", "Total bytes/s", true, func(t *lx.DomainDiskIOTune) *uint64 { return &t.TotalBytesSec }),
			ioTuneField("read_bytes_sec", "Read bytes/s", true, func(t *lx.DomainDiskIOTune) *uint64 { return &t.ReadBytesSec }),
			ioTuneField("write_bytes_sec", "Write bytes/s", true, func(t *lx.DomainDiskIOTune) *uint64 { return &t.WriteBytesSec }),
			ioTuneField("total_iops_sec", "Total IOPS", false, func(t *lx.DomainDiskIOTune) *uint64 { return &t.TotalIopsSec }),
			ioTuneField("read_iops_sec", "Read IOPS", false, func(t *lx.DomainDiskIOTune) *uint64 { return &t.ReadIopsSec }),
			ioTuneField("write_iops_sec", "Write IOPS", false, func(t *lx.DomainDiskIOTune) *uint64 { return &t.WriteIopsSec }),
		)
	}
	return fs
}

func mediaHelp(device string) string {
	if device == "disk" {
		return "the image file or host block device, like /var/lib/libvirt/images/web.qcow2"
	}
	return "the inserted medium (an ISO or image file, or /dev/sr0); empty ejects it"
}

func diskNetworkFields() []spec[lx.DomainDisk] {
	net := func(d *lx.DomainDisk) *lx.DomainDiskSourceNetwork { return d.Source.Network }
	vol := func(d *lx.DomainDisk) *lx.DomainDiskSourceVolume { return d.Source.Volume }
	nvme := func(d *lx.DomainDisk) *lx.DomainDiskSourceNVMEPCI {
		if d.Source.NVME.PCI == nil {
			d.Source.NVME.PCI = &lx.DomainDiskSourceNVMEPCI{}
		}
		return d.Source.NVME.PCI
	}
	// nvmeOf reads without creating.
	nvmeOf := func(d *lx.DomainDisk) lx.DomainDiskSourceNVMEPCI {
		if d.Source.NVME.PCI == nil {
			return lx.DomainDiskSourceNVMEPCI{}
		}
		return *d.Source.NVME.PCI
	}
	return []spec[lx.DomainDisk]{
		{
			Field: Field{Name: "protocol", Label: "Protocol", Type: TypeEnum, Choices: diskProtocols,
				Help: "how QEMU reaches the remote disk"},
			when: isSource("network"),
			get:  func(d *lx.DomainDisk) string { return net(d).Protocol },
			set:  func(d *lx.DomainDisk, s string) error { net(d).Protocol = s; return nil },
		},
		{
			Field: Field{Name: "source_name", Label: "Name", Type: TypeText, Optional: true,
				Help: "the remote image: pool/image for rbd, iqn.../lun for iscsi, an export for nbd, a path for http"},
			when: isSource("network"),
			get:  func(d *lx.DomainDisk) string { return net(d).Name },
			set:  func(d *lx.DomainDisk, s string) error { net(d).Name = s; return nil },
		},
		{
			Field: Field{Name: "host", Label: "Host", Type: TypeText, Optional: true,
				Help: "the server as host or host:port, like ceph1:6789 or [2001:db8::1]:10809"},
			when:  isSource("network"),
			parse: parseHostPort,
			get: func(d *lx.DomainDisk) string {
				if len(net(d).Hosts) == 0 {
					return ""
				}
				h := net(d).Hosts[0]
				return joinHostPort(h.Name, h.Port)
			},
			set: func(d *lx.DomainDisk, s string) error {
				n := net(d)
				if s == "" {
					n.Hosts = nil
					return nil
				}
				host, port, _ := splitHostPort(s)
				h := lx.DomainDiskSourceHost{Name: host, Port: port}
				if len(n.Hosts) == 0 {
					n.Hosts = []lx.DomainDiskSourceHost{h}
				} else {
					n.Hosts[0] = h
				}
				return nil
			},
		},
		{
			Field: Field{Name: "pool", Label: "Pool", Type: TypeText, Help: "the storage pool's name"},
			when:  isSource("volume"),
			parse: parseObjectName("pool"),
			get:   func(d *lx.DomainDisk) string { return vol(d).Pool },
			set:   func(d *lx.DomainDisk, s string) error { vol(d).Pool = s; return nil },
		},
		{
			Field: Field{Name: "volume", Label: "Volume", Type: TypeText, Help: "the volume's name in the pool"},
			when:  isSource("volume"),
			parse: parseObjectName("volume"),
			get:   func(d *lx.DomainDisk) string { return vol(d).Volume },
			set:   func(d *lx.DomainDisk, s string) error { vol(d).Volume = s; return nil },
		},
		{
			Field: Field{Name: "nvme_address", Label: "NVMe controller", Type: TypePCI,
				Help: "the host NVMe controller's PCI address, like 0000:01:00.0"},
			when: isSource("nvme"),
			get: func(d *lx.DomainDisk) string {
				return pciAddrString(nvmeOf(d).Address)
			},
			set: func(d *lx.DomainDisk, s string) error { nvme(d).Address = pciAddr(s); return nil },
		},
		{
			Field: Field{Name: "nvme_namespace", Label: "NVMe namespace", Type: TypeNumber, Help: "the namespace number, usually 1"},
			min:   1, max: 1<<32 - 1,
			when: isSource("nvme"),
			get:  func(d *lx.DomainDisk) string { return optUtoa(nvmeOf(d).Namespace) },
			set:  func(d *lx.DomainDisk, s string) error { nvme(d).Namespace = atou64(s); return nil },
		},
	}
}

// bootOrderField is the per-device <boot order='N'/> shared by disks,
// NICs, host devices and redirected USB.
func bootOrderField[T any](at func(*T) **lx.DomainDeviceBoot) spec[T] {
	return spec[T]{
		Field: Field{Name: "boot_order", Label: "Boot order", Type: TypeNumber, Optional: true,
			Help: "1 boots first; empty to not boot from it"},
		min: 1, max: 65535,
		get: func(v *T) string {
			if b := *at(v); b != nil {
				return optUtoa(b.Order)
			}
			return ""
		},
		set: func(v *T, s string) error {
			*at(v) = nil
			if s != "" {
				*at(v) = &lx.DomainDeviceBoot{Order: atou(s)}
			}
			return nil
		},
	}
}

// checkBootOrder: libvirt refuses per-device boot order next to
// <os><boot dev=...>, and two devices with one order.
func checkBootOrder(b *lx.DomainDeviceBoot, c ctx) error {
	if b == nil || c.def == nil {
		return nil
	}
	if c.def.OS != nil && len(c.def.OS.BootDevices) > 0 {
		return fmt.Errorf("boot order %d: libvirt refuses per-device boot order while Boot & firmware lists boot devices; clear that list first", b.Order)
	}
	for _, o := range bootOrders(c.def) {
		if o.order == b.Order && o.dev != c.orig {
			return fmt.Errorf("boot order %d is already taken by another device; pick a free number", b.Order)
		}
	}
	return nil
}

type bootOrder struct {
	order uint
	dev   any
}

func bootOrders(def *lx.Domain) []bootOrder {
	var out []bootOrder
	if def.Devices == nil {
		return nil
	}
	add := func(b *lx.DomainDeviceBoot, dev any) {
		if b != nil {
			out = append(out, bootOrder{b.Order, dev})
		}
	}
	ds := def.Devices
	for i := range ds.Disks {
		add(ds.Disks[i].Boot, &ds.Disks[i])
	}
	for i := range ds.Interfaces {
		add(ds.Interfaces[i].Boot, &ds.Interfaces[i])
	}
	for i := range ds.Hostdevs {
		add(ds.Hostdevs[i].Boot, &ds.Hostdevs[i])
	}
	for i := range ds.RedirDevs {
		add(ds.RedirDevs[i].Boot, &ds.RedirDevs[i])
	}
	for i := range ds.Filesystems {
		add(ds.Filesystems[i].Boot, &ds.Filesystems[i])
	}
	return out
}

func fixDisk(d *lx.DomainDisk, c ctx) {
	if d.Target != nil && d.Target.Dev == "" {
		d.Target.Dev = freeTarget(c.def, targetPrefix(d.Target.Bus), c.orig)
	}
	if d.Driver != nil && *d.Driver == (lx.DomainDiskDriver{}) {
		d.Driver = nil
	}
	if d.IOTune != nil && *d.IOTune == (lx.DomainDiskIOTune{}) {
		d.IOTune = nil
	}
}

func checkDisk(d *lx.DomainDisk, c ctx) error {
	dev := diskDevice(d)
	target := diskTarget(d)
	if target == "" {
		return fmt.Errorf("the %s has no target name; set one like vdb", dev)
	}
	if c.def != nil && c.def.Devices != nil {
		for i := range c.def.Devices.Disks {
			o := &c.def.Devices.Disks[i]
			if any(o) != c.orig && diskTarget(o) == target {
				return fmt.Errorf("target %s is already used by another disk; pick a free name", target)
			}
		}
	}
	switch diskSourceType(d) {
	case "file", "block":
		if dev == "disk" && (d.Source == nil || (d.Source.File != nil && d.Source.File.File == "") || (d.Source.Block != nil && d.Source.Block.Dev == "")) {
			return fmt.Errorf("disk %s has no source; set its path", target)
		}
	case "network":
		n := d.Source.Network
		if n.Name == "" && n.Protocol != "nbd" {
			return fmt.Errorf("disk %s: a %s disk needs a name (the remote image)", target, n.Protocol)
		}
		if len(n.Hosts) == 0 && n.Protocol != "rbd" && n.Protocol != "gluster" {
			return fmt.Errorf("disk %s: a %s disk needs a host", target, n.Protocol)
		}
	case "volume":
		if d.Source.Volume.Pool == "" || d.Source.Volume.Volume == "" {
			return fmt.Errorf("disk %s: a volume disk needs both a pool and a volume", target)
		}
	case "nvme":
		if d.Source.NVME.PCI == nil || d.Source.NVME.PCI.Address == nil {
			return fmt.Errorf("disk %s: an nvme disk needs the controller's PCI address", target)
		}
	}
	if m := machineOf(c.caps, c.def); diskBus(d) == "ide" && m.x86() && !m.i440fx() && m.name != "" {
		return fmt.Errorf("machine %s has no IDE controller; use sata", m.short())
	}
	if dev == "cdrom" && diskBus(d) == "virtio" {
		return fmt.Errorf("a CD-ROM cannot sit on virtio; use sata, scsi or usb")
	}
	if dev == "disk" && d.ReadOnly != nil && (diskBus(d) == "sata" || diskBus(d) == "ide") {
		return fmt.Errorf("libvirt refuses read-only %s disks; use virtio or scsi", diskBus(d))
	}
	if t := d.IOTune; t != nil {
		if t.TotalBytesSec != 0 && (t.ReadBytesSec != 0 || t.WriteBytesSec != 0) {
			return fmt.Errorf("total bytes/s cannot be set together with read or write bytes/s; clear one")
		}
		if t.TotalIopsSec != 0 && (t.ReadIopsSec != 0 || t.WriteIopsSec != 0) {
			return fmt.Errorf("total IOPS cannot be set together with read or write IOPS; clear one")
		}
	}
	return checkBootOrder(d.Boot, c)
}

func diskSummary(d *lx.DomainDisk) string {
	dev := diskDevice(d)
	name := map[string]string{"disk": "disk", "cdrom": "CD-ROM", "floppy": "floppy"}[dev]
	if d.Device == "lun" {
		name = "LUN"
	}
	head := strings.TrimSpace(strings.Join([]string{diskBus(d), name, diskTarget(d)}, " "))
	src := diskSourceString(d)
	if src == "" && dev != "disk" {
		src = "empty"
	}
	var flags []string
	if d.ReadOnly != nil && dev == "disk" {
		flags = append(flags, "read-only")
	}
	if d.Shareable != nil {
		flags = append(flags, "shareable")
	}
	return joinSummary(head, src, strings.Join(flags, ", "))
}

func diskSourceString(d *lx.DomainDisk) string {
	s := d.Source
	switch {
	case s == nil:
		return ""
	case s.File != nil:
		return s.File.File
	case s.Block != nil:
		return s.Block.Dev
	case s.Network != nil:
		out := s.Network.Protocol + " " + s.Network.Name
		if len(s.Network.Hosts) > 0 {
			out += " @ " + joinHostPort(s.Network.Hosts[0].Name, s.Network.Hosts[0].Port)
		}
		return out
	case s.Volume != nil:
		return s.Volume.Pool + "/" + s.Volume.Volume
	case s.NVME != nil && s.NVME.PCI != nil:
		return fmt.Sprintf("nvme %s ns %d", pciAddrString(s.NVME.PCI.Address), s.NVME.PCI.Namespace)
	case s.Dir != nil:
		return s.Dir.Dir
	case s.VHostUser != nil:
		return "vhost-user"
	}
	return ""
}

// parseHostPort accepts host, host:port, [v6]:port or a bare IPv6
// address; the port is 1-65535.
func parseHostPort(s string) (string, error) {
	host, port, err := splitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("invalid host %q: %v; expected host or host:port, like ceph1:6789", s, err)
	}
	return joinHostPort(host, port), nil
}

func splitHostPort(s string) (host, port string, err error) {
	host = s
	if strings.Count(s, ":") == 1 || strings.HasPrefix(s, "[") {
		host, port, err = net.SplitHostPort(s)
		if err != nil {
			return "", "", err
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
	}
	if host == "" {
		return "", "", fmt.Errorf("no host")
	}
	if net.ParseIP(host) == nil && !serverNameRE.MatchString(host) {
		return "", "", fmt.Errorf("%q is neither a host name nor an IP address", host)
	}
	return host, port, nil
}

var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_\-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_\-]*[A-Za-z0-9])?)*\.?$`)

func joinHostPort(host, port string) string {
	if port == "" {
		return host
	}
	return net.JoinHostPort(host, port)
}

// parseObjectName accepts a libvirt pool, volume or network name: no '/'
// and nothing unprintable.
func parseObjectName(what string) func(string) (string, error) {
	return func(s string) (string, error) {
		if strings.ContainsRune(s, '/') {
			return "", fmt.Errorf("invalid %s name %q: it contains '/'; expected a name like default", what, s)
		}
		if err := printable(s, false); err != nil {
			return "", fmt.Errorf("invalid %s name %q: %v", what, s, err)
		}
		return s, nil
	}
}

func pciAddr(s string) *lx.DomainAddressPCI {
	d, b, sl, f, err := ParsePCIAddress(s)
	if err != nil {
		return nil
	}
	return &lx.DomainAddressPCI{Domain: &d, Bus: &b, Slot: &sl, Function: &f}
}

func pciAddrString(a *lx.DomainAddressPCI) string {
	if a == nil {
		return ""
	}
	v := func(p *uint) uint {
		if p == nil {
			return 0
		}
		return *p
	}
	return FormatPCIAddress(v(a.Domain), v(a.Bus), v(a.Slot), v(a.Function))
}
