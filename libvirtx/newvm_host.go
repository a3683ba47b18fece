package libvirtx

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"syscall"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/install"
)

// NewVMHost reads what a new VM can use on the host behind uri: the domain
// capabilities of each virt type and chipset, the host's memory and CPUs,
// the VM names taken, pools with their free space and volumes, networks,
// bridges and NICs. It blocks: call it from a tea.Cmd.
func (m *Manager) NewVMHost(uri string) (*install.NewVMHost, error) {
	c, err := m.conn(uri)
	if err != nil {
		return nil, err
	}
	lc, done, err := c.get()
	if err != nil {
		return nil, err
	}
	defer done()
	h := &install.NewVMHost{URI: uri, Caps: map[string]*devices.Caps{}, Local: IsLocal(uri), Session: IsSession(uri)}
	hi := c.Host()
	h.MemBytes, h.CPUs = hi.MemKiB*1024, hi.CPUs
	if raw, err := lc.GetCapabilities(); err == nil {
		var caps libvirtxml.Caps
		if caps.Unmarshal(raw) == nil {
			for _, g := range caps.Guests {
				if g.OSType == "hvm" && (h.Arch == "" || g.Arch.Name == "x86_64") {
					h.Arch = g.Arch.Name // x86_64 where there is one (the test driver has only i686)
				}
			}
			for _, g := range caps.Guests {
				if g.Arch.Name != h.Arch || g.OSType != "hvm" {
					continue
				}
				for _, d := range g.Arch.Domains {
					if !slices.Contains(h.Types, d.Type) {
						h.Types = append(h.Types, d.Type)
					}
				}
			}
		}
	}
	sort.Slice(h.Types, func(i, j int) bool { return h.Types[i] == "kvm" }) // kvm first
	for _, vt := range h.Types {
		for machine, chipset := range map[string]string{"q35": "q35", "pc": "i440fx"} {
			raw, err := lc.GetDomainCapabilities("", h.Arch, machine, vt, 0)
			if err != nil {
				continue // the test driver has none; a virt type without KVM fails
			}
			if dc, err := devices.ParseCaps(raw); err == nil {
				h.Caps[vt+"/"+chipset] = dc
			}
		}
	}
	if len(h.Caps) > 0 { // where capabilities are known, they say which virt types work
		h.Types = slices.DeleteFunc(h.Types, func(vt string) bool {
			return h.Caps[vt+"/q35"] == nil && h.Caps[vt+"/i440fx"] == nil
		})
	}
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	for i := range doms {
		if n, err := doms[i].GetName(); err == nil {
			h.Domains = append(h.Domains, n)
		}
		doms[i].Free()
	}
	if pools, err := lc.ListAllStoragePools(0); err == nil {
		for i := range pools {
			h.Pools = append(h.Pools, poolInfo(&pools[i]))
			pools[i].Free()
		}
		if len(pools) == 0 {
			h.PlanDefaultPool(freeBytes(h.Local, h.DefaultPoolPath()))
		}
	}
	if nets, err := lc.ListAllNetworks(0); err == nil {
		for i := range nets {
			name, _ := nets[i].GetName()
			active, _ := nets[i].IsActive()
			h.Networks = append(h.Networks, install.NetworkInfo{Name: name, Active: active})
			nets[i].Free()
		}
	}
	if ifs, err := lc.ListAllInterfaces(0); err == nil {
		for i := range ifs {
			name, _ := ifs[i].GetName()
			if raw, err := ifs[i].GetXMLDesc(0); err == nil && name != "" {
				h.NICs = append(h.NICs, name)
				x := &libvirtxml.Interface{}
				if x.Unmarshal(raw) == nil && x.Bridge != nil {
					h.Bridges = append(h.Bridges, name)
				}
			}
			ifs[i].Free()
		}
	}
	if len(h.NICs) == 0 && h.Local {
		// libvirt without an interface backend lists none; this machine's
		// own interfaces are the host's.
		h.NICs, h.Bridges = localInterfaces()
	}
	return h, nil
}

func poolInfo(p *libvirt.StoragePool) install.PoolInfo {
	var pi install.PoolInfo
	pi.Name, _ = p.GetName()
	pi.Active, _ = p.IsActive()
	if raw, err := p.GetXMLDesc(0); err == nil {
		x := &libvirtxml.StoragePool{}
		if x.Unmarshal(raw) == nil {
			pi.Type = x.Type
			if x.Target != nil {
				pi.Path = x.Target.Path
			}
		}
	}
	if info, err := p.GetInfo(); err == nil {
		pi.Available = info.Available
	}
	if !pi.Active {
		return pi
	}
	vols, err := p.ListAllStorageVolumes(0)
	if err != nil {
		return pi
	}
	for j := range vols {
		var vi install.VolumeInfo
		vi.Name, _ = vols[j].GetName()
		vi.Path, _ = vols[j].GetPath()
		if raw, err := vols[j].GetXMLDesc(0); err == nil {
			x := &libvirtxml.StorageVolume{}
			if x.Unmarshal(raw) == nil {
				if x.Target != nil && x.Target.Format != nil {
					vi.Format = x.Target.Format.Type
				}
				if x.Capacity != nil {
					vi.Capacity = x.Capacity.Value
				}
			}
		}
		pi.Volumes = append(pi.Volumes, vi)
		vols[j].Free()
	}
	return pi
}

// localInterfaces lists this machine's network interfaces and, among
// them, the bridges (those with /sys/class/net/NAME/bridge).
func localInterfaces() (nics, bridges []string) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, nil
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			continue
		}
		nics = append(nics, i.Name)
		if _, err := os.Stat("/sys/class/net/" + i.Name + "/bridge"); err == nil {
			bridges = append(bridges, i.Name)
		}
	}
	return nics, bridges
}

// freeBytes is the space free where a directory is (or would be) on this
// machine; 0 (unknown) for a remote host.
func freeBytes(local bool, dir string) uint64 {
	if !local {
		return 0
	}
	for ; dir != "/"; dir = filepath.Dir(dir) {
		var st syscall.Statfs_t
		if syscall.Statfs(dir, &st) == nil {
			return st.Bavail * uint64(st.Bsize)
		}
	}
	return 0
}
