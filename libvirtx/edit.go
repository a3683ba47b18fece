package libvirtx

import (
	"errors"
	"fmt"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Applied says where a change took effect.
type Applied struct {
	Live    bool // the running VM has it now
	Config  bool // the persistent definition has it (next boot)
	Running bool // the VM was running when the change was made
	NoCopy  bool // a removal: the running VM did not have the device
}

// String is the phrase the UI shows.
func (a Applied) String() string {
	switch {
	case a.NoCopy:
		return "gone from the definition; the running VM did not have it"
	case a.Live && a.Config:
		return "applied now and at next boot"
	case a.Live:
		return "applied now only (the VM is transient)"
	case a.Config && a.Running:
		return "applies after shutdown (next boot)"
	case a.Config:
		return "saved"
	}
	return "nothing to change"
}

// target decides the flags of a change: the persistent definition always
// (when there is one) and the running VM when it runs and the change can be
// made live.
func target(d *libvirt.Domain, canLive bool) (Applied, error) {
	active, err := d.IsActive()
	if err != nil {
		return Applied{}, err
	}
	persistent, err := d.IsPersistent()
	if err != nil {
		return Applied{}, err
	}
	a := Applied{Running: active, Config: persistent, Live: active && canLive}
	if !a.Live && !a.Config {
		return a, errors.New("this change cannot be made while the VM runs, and the VM is transient (it has no definition to change for the next boot)")
	}
	return a, nil
}

func (a Applied) deviceFlags() libvirt.DomainDeviceModifyFlags {
	var f libvirt.DomainDeviceModifyFlags
	if a.Live {
		f |= libvirt.DOMAIN_DEVICE_MODIFY_LIVE
	}
	if a.Config {
		f |= libvirt.DOMAIN_DEVICE_MODIFY_CONFIG
	}
	return f
}

func (a Applied) impact() libvirt.DomainModificationImpact {
	var f libvirt.DomainModificationImpact
	if a.Live {
		f |= libvirt.DOMAIN_AFFECT_LIVE
	}
	if a.Config {
		f |= libvirt.DOMAIN_AFFECT_CONFIG
	}
	return f
}

// ErrUnsupported marks a device call the driver does not have (the test
// driver has none; QEMU cannot attach a TPM to a definition): for a shut-off
// VM a guarded redefine does instead.
var ErrUnsupported = errors.New("not supported by this connection's driver")

// DeviceOp is one of libvirt's three device calls.
type DeviceOp string

const (
	Attach DeviceOp = "attach"
	Update DeviceOp = "update"
	Detach DeviceOp = "detach"
)

// ModifyDevice attaches, updates or detaches one device (its XML element, as
// devices produces it) through AttachDeviceFlags / UpdateDeviceFlags /
// DetachDeviceFlags: in the definition, and also live when the VM runs and
// live says the kind allows it.
func (m *Manager) ModifyDevice(ref Ref, op DeviceOp, deviceXML string, live bool) (Applied, error) {
	if m.readOnly {
		return Applied{}, ErrReadOnly
	}
	var a Applied
	err := m.withDomain(ref, func(d *libvirt.Domain) error {
		var err error
		if a, err = target(d, live); err != nil {
			return err
		}
		switch op {
		case Attach:
			err = d.AttachDeviceFlags(deviceXML, a.deviceFlags())
		case Update:
			err = d.UpdateDeviceFlags(deviceXML, a.deviceFlags())
		case Detach:
			err = d.DetachDeviceFlags(deviceXML, a.deviceFlags())
			if a.Live && a.Config && copiesDiffer(err) {
				// The running copy differs from the definition's (an
				// address, a socket path libvirt made up): one call each.
				if err = d.DetachDeviceFlags(deviceXML, libvirt.DOMAIN_DEVICE_MODIFY_CONFIG); err == nil {
					switch lerr := detachLiveTwin(d, deviceXML); {
					case errors.Is(lerr, errNoTwin):
						a.Live, a.NoCopy = false, true
					case lerr != nil:
						return fmt.Errorf("removed from the definition, but the running VM keeps it: %s", ErrText(lerr))
					}
				}
			}
		default:
			return fmt.Errorf("unknown device operation %q", op)
		}
		var le libvirt.Error
		if unsupportedFlags(err) || (errors.As(err, &le) && le.Code == libvirt.ERR_OPERATION_UNSUPPORTED) {
			return fmt.Errorf("%w: %s", ErrUnsupported, ErrText(err))
		}
		return err
	})
	if err != nil {
		return Applied{}, fmt.Errorf("%s device: %w", op, err)
	}
	m.refreshLater(ref, "device "+string(op))
	return a, nil
}

// SetVCPUs sets the number of active vCPUs (live too when running; QEMU
// hot-plugs up to the maximum), or with maximum the vCPU limit of the
// definition (next boot only).
func (m *Manager) SetVCPUs(ref Ref, n uint, maximum bool) (Applied, error) {
	return m.setScalar(ref, !maximum, func(d *libvirt.Domain, a Applied) error {
		var f libvirt.DomainVcpuFlags
		if maximum {
			return d.SetVcpusFlags(n, libvirt.DOMAIN_VCPU_CONFIG|libvirt.DOMAIN_VCPU_MAXIMUM)
		}
		if a.Live {
			f |= libvirt.DOMAIN_VCPU_LIVE
		}
		if a.Config {
			f |= libvirt.DOMAIN_VCPU_CONFIG
		}
		return d.SetVcpusFlags(n, f)
	})
}

// SetMemory sets the current memory (the balloon target; live too when
// running) or with maximum the memory of the definition (next boot only).
func (m *Manager) SetMemory(ref Ref, kib uint64, maximum bool) (Applied, error) {
	return m.setScalar(ref, !maximum, func(d *libvirt.Domain, a Applied) error {
		if maximum {
			return d.SetMemoryFlags(kib, libvirt.DOMAIN_MEM_CONFIG|libvirt.DOMAIN_MEM_MAXIMUM)
		}
		var f libvirt.DomainMemoryModFlags
		if a.Live {
			f |= libvirt.DOMAIN_MEM_LIVE
		}
		if a.Config {
			f |= libvirt.DOMAIN_MEM_CONFIG
		}
		return d.SetMemoryFlags(kib, f)
	})
}

// SetTitle sets the short title, live and in the definition.
func (m *Manager) SetTitle(ref Ref, title string) (Applied, error) {
	if strings.ContainsAny(title, "\n\r") {
		return Applied{}, errors.New("a title is one line: it must not contain a line break")
	}
	return m.setScalar(ref, true, func(d *libvirt.Domain, a Applied) error {
		return d.SetMetadata(libvirt.DOMAIN_METADATA_TITLE, title, "", "", a.impact())
	})
}

// SetDescription sets the free-form description, live and in the definition.
func (m *Manager) SetDescription(ref Ref, text string) (Applied, error) {
	return m.setScalar(ref, true, func(d *libvirt.Domain, a Applied) error {
		return d.SetMetadata(libvirt.DOMAIN_METADATA_DESCRIPTION, text, "", "", a.impact())
	})
}

// PinVCPU pins one vCPU to the given host CPUs.
func (m *Manager) PinVCPU(ref Ref, vcpu uint, hostCPUs []int, nHost int) (Applied, error) {
	cpumap := make([]bool, nHost)
	for _, c := range hostCPUs {
		if c < 0 || c >= nHost {
			return Applied{}, fmt.Errorf("host CPU %d does not exist (the host has %d)", c, nHost)
		}
		cpumap[c] = true
	}
	return m.setScalar(ref, true, func(d *libvirt.Domain, a Applied) error {
		return d.PinVcpuFlags(vcpu, cpumap, a.impact())
	})
}

// Bandwidth is a NIC's traffic shaping in libvirt's units: average and peak
// in kilobytes/s, burst in KiB. Zero means no limit.
type Bandwidth struct {
	InAverage, InPeak, InBurst    uint
	OutAverage, OutPeak, OutBurst uint
}

// SetInterfaceBandwidth changes a NIC's shaping (dev is its target name or
// MAC), live and in the definition.
func (m *Manager) SetInterfaceBandwidth(ref Ref, dev string, b Bandwidth) (Applied, error) {
	p := &libvirt.DomainInterfaceParameters{
		BandwidthInAverageSet: true, BandwidthInAverage: b.InAverage,
		BandwidthInPeakSet: true, BandwidthInPeak: b.InPeak,
		BandwidthInBurstSet: true, BandwidthInBurst: b.InBurst,
		BandwidthOutAverageSet: true, BandwidthOutAverage: b.OutAverage,
		BandwidthOutPeakSet: true, BandwidthOutPeak: b.OutPeak,
		BandwidthOutBurstSet: true, BandwidthOutBurst: b.OutBurst,
	}
	return m.setScalar(ref, true, func(d *libvirt.Domain, a Applied) error {
		return d.SetInterfaceParameters(dev, p, a.impact())
	})
}

// IOTune is a disk's throttling; zero means no limit.
type IOTune struct {
	TotalBytesSec, ReadBytesSec, WriteBytesSec uint64
	TotalIOPSSec, ReadIOPSSec, WriteIOPSSec    uint64
}

// SetBlockIOTune changes a disk's throttling (dev is its target, e.g. vda).
// libvirt applies it only to a running VM's live disk and to the definition.
func (m *Manager) SetBlockIOTune(ref Ref, dev string, t IOTune) (Applied, error) {
	p := &libvirt.DomainBlockIoTuneParameters{
		TotalBytesSecSet: true, TotalBytesSec: t.TotalBytesSec,
		ReadBytesSecSet: true, ReadBytesSec: t.ReadBytesSec,
		WriteBytesSecSet: true, WriteBytesSec: t.WriteBytesSec,
		TotalIopsSecSet: true, TotalIopsSec: t.TotalIOPSSec,
		ReadIopsSecSet: true, ReadIopsSec: t.ReadIOPSSec,
		WriteIopsSecSet: true, WriteIopsSec: t.WriteIOPSSec,
	}
	return m.setScalar(ref, true, func(d *libvirt.Domain, a Applied) error {
		return d.SetBlockIoTune(dev, p, a.impact())
	})
}

func (m *Manager) setScalar(ref Ref, canLive bool, f func(*libvirt.Domain, Applied) error) (Applied, error) {
	if m.readOnly {
		return Applied{}, ErrReadOnly
	}
	var a Applied
	err := m.withDomain(ref, func(d *libvirt.Domain) error {
		var err error
		if a, err = target(d, canLive); err != nil {
			return err
		}
		return f(d, a)
	})
	if err != nil {
		return Applied{}, err
	}
	m.refreshLater(ref, "changed")
	return a, nil
}

// UpdateDevice changes one device the way a form changed it: before and
// after are the device as libvirtxml writes it before and after the edit.
// The call carries the device as libvirt wrote it, with that change
// (devices.PatchElement), so what libvirtxml does not model stays on it;
// an edit of an element holding such a thing is refused (LossError).
func (m *Manager) UpdateDevice(ref Ref, before, after string, live bool) (Applied, error) {
	orig, err := m.originalDevice(ref, before)
	if err != nil {
		return Applied{}, fmt.Errorf("update device: %w", err)
	}
	patched, err := devices.PatchElement(orig, before, after)
	var pe *devices.PatchError
	if errors.As(err, &pe) {
		return Applied{}, &LossError{Name: ref.Name, Why: pe}
	}
	if err != nil {
		return Applied{}, fmt.Errorf("update device: %w", err)
	}
	return m.ModifyDevice(ref, Update, patched, live)
}

// DetachDevice removes one device (as libvirtxml writes it), carrying the
// device as libvirt wrote it to the call.
func (m *Manager) DetachDevice(ref Ref, dev string, live bool) (Applied, error) {
	orig, err := m.originalDevice(ref, dev)
	if err != nil {
		return Applied{}, fmt.Errorf("detach device: %w", err)
	}
	return m.ModifyDevice(ref, Detach, orig, live)
}

// originalDevice finds dev in the persistent definition (where the forms
// read their devices from), as libvirt wrote it.
func (m *Manager) originalDevice(ref Ref, dev string) (string, error) {
	doc, err := m.DomainXML(ref, true, true)
	if err != nil {
		return "", err
	}
	return devices.FindDevice(doc, dev)
}

// DeviceCaps reads the host's domain capabilities for a VM's emulator,
// architecture, machine and virt type: what its device forms may offer.
func (m *Manager) DeviceCaps(ref Ref) (*devices.Caps, error) {
	doc, err := m.DomainXML(ref, true, false)
	if err != nil {
		return nil, err
	}
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(doc); err != nil {
		return nil, err
	}
	var emulator, arch, machine string
	if def.Devices != nil {
		emulator = def.Devices.Emulator
	}
	if def.OS != nil && def.OS.Type != nil {
		arch, machine = def.OS.Type.Arch, def.OS.Type.Machine
	}
	raw, err := m.DomainCapabilities(ref.URI, emulator, arch, machine, def.Type)
	if err != nil {
		return nil, err
	}
	return devices.ParseCaps(raw)
}
