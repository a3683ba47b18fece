package devices

import "libvirt.org/go/libvirtxml"

// SampleEdit is one of the edits kvmtui's forms make, used to tell
// whether a definition is editable (every sample that applies to it
// patches cleanly) and to test the patcher over real definitions.
type SampleEdit struct {
	Name    string
	Applies func(*libvirtxml.Domain) bool
	Change  func(*libvirtxml.Domain) error
	// Paths are where the change may show (Difference.Path prefixes).
	Paths []string
}

func always(*libvirtxml.Domain) bool { return true }

// SampleEdits: the title, the vCPUs, the memory, the first disk's cache,
// the first NIC's model, a new watchdog, the first sound card removed.
var SampleEdits = []SampleEdit{
	{Name: "title", Applies: always, Paths: []string{"/domain/title"},
		Change: func(d *libvirtxml.Domain) error { d.Title = "edited by kvmtui"; return nil }},
	{Name: "vcpus", Applies: func(d *libvirtxml.Domain) bool { return d.VCPU != nil },
		Paths:  []string{"/domain/vcpu"},
		Change: func(d *libvirtxml.Domain) error { d.VCPU.Value, d.VCPU.Current = 2, 0; return nil }},
	{Name: "memory", Applies: always, Paths: []string{"/domain/memory", "/domain/currentMemory"},
		Change: func(d *libvirtxml.Domain) error {
			d.Memory = &libvirtxml.DomainMemory{Value: 2 << 20, Unit: "KiB"}
			if d.CurrentMemory != nil {
				d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: 2 << 20, Unit: "KiB"}
			}
			return nil
		}},
	{Name: "disk cache", Applies: func(d *libvirtxml.Domain) bool { return d.Devices != nil && len(d.Devices.Disks) > 0 },
		Paths: []string{"/domain/devices/disk"},
		Change: func(d *libvirtxml.Domain) error {
			x := &d.Devices.Disks[0]
			if x.Driver == nil {
				x.Driver = &libvirtxml.DomainDiskDriver{}
			}
			x.Driver.Cache = "none"
			return nil
		}},
	{Name: "nic model", Applies: func(d *libvirtxml.Domain) bool { return d.Devices != nil && len(d.Devices.Interfaces) > 0 },
		Paths: []string{"/domain/devices/interface"},
		Change: func(d *libvirtxml.Domain) error {
			d.Devices.Interfaces[0].Model = &libvirtxml.DomainInterfaceModel{Type: "virtio"}
			return nil
		}},
	{Name: "add watchdog", Applies: func(d *libvirtxml.Domain) bool { return d.Devices != nil },
		Paths: []string{"/domain/devices/watchdog"},
		Change: func(d *libvirtxml.Domain) error {
			d.Devices.Watchdogs = append(d.Devices.Watchdogs, libvirtxml.DomainWatchdog{Model: "i6300esb", Action: "reset"})
			return nil
		}},
	{Name: "remove sound", Applies: func(d *libvirtxml.Domain) bool { return d.Devices != nil && len(d.Devices.Sounds) > 0 },
		Paths:  []string{"/domain/devices/sound"},
		Change: func(d *libvirtxml.Domain) error { d.Devices.Sounds = d.Devices.Sounds[1:]; return nil }},
}

// Editable reports whether every sample edit that applies to the domain
// definition doc patches it cleanly; the first that does not, and why.
func Editable(doc string) (bool, string, error) {
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(doc); err != nil {
		return false, "", err
	}
	for _, e := range SampleEdits {
		if !e.Applies(def) {
			continue
		}
		if _, _, err := PatchDomain(doc, e.Change); err != nil {
			return false, e.Name + ": " + err.Error(), nil
		}
	}
	return true, "", nil
}
