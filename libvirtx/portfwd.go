package libvirtx

import (
	"errors"
	"fmt"
	"sort"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// PortForward is a host port a VM's passt NIC forwards into the guest,
// from the VM's persistent definition.
type PortForward struct {
	URI, VM, UUID, MAC string
	NIC                int // the NIC's index among the VM's interfaces
	Running            bool
	devices.Forward
}

// PortForwards lists every port forward of a host's VMs, by VM.
func (m *Manager) PortForwards(uri string) ([]PortForward, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	var out []PortForward
	for i := range doms {
		def, err := inactiveDef(&doms[i])
		active, _ := doms[i].IsActive()
		doms[i].Free()
		if err == nil {
			out = append(out, defForwards(uri, def, active)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].VM < out[j].VM })
	return out, nil
}

// defForwards are the port forwards of a definition's NICs.
func defForwards(uri string, def *libvirtxml.Domain, running bool) []PortForward {
	if def.Devices == nil {
		return nil
	}
	var out []PortForward
	for j := range def.Devices.Interfaces {
		nic := &def.Devices.Interfaces[j]
		for _, f := range devices.Forwards(nic) {
			pf := PortForward{URI: uri, VM: def.Name, UUID: def.UUID, NIC: j, Running: running, Forward: f}
			if nic.MAC != nil {
				pf.MAC = nic.MAC.Address
			}
			out = append(out, pf)
		}
	}
	return out
}

// PortClash refuses forwards for a VM's NIC (index nic; -1 for a new one)
// that would listen where another NIC of the host already forwards.
func (m *Manager) PortClash(uri, uuid string, nic int, fs []devices.Forward) error {
	if a, b, clash := devices.FirstClash(fs); clash {
		return fmt.Errorf("%s and %s listen on the same host port", a, b)
	}
	if len(fs) == 0 {
		return nil
	}
	all, err := m.PortForwards(uri)
	if err != nil {
		return err
	}
	return clashWith(all, uuid, nic, fs)
}

// clashWith refuses forwards that take a host port another NIC of the
// host forwards (the VM's NIC nic is the one being replaced).
func clashWith(all []PortForward, uuid string, nic int, fs []devices.Forward) error {
	for _, o := range all {
		if o.UUID == uuid && o.NIC == nic {
			continue
		}
		for _, f := range fs {
			if f.Clashes(o.Forward) {
				return fmt.Errorf("%s takes a host port %s already forwards (NIC %s: %s)", f, o.VM, o.MAC, o.Forward)
			}
		}
	}
	return nil
}
