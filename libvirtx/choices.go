package libvirtx

import (
	"errors"
	"net/url"
	"os"
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// HostChoices are the host's objects a form offers as values: networks,
// host interfaces and bridges, storage pools and their volumes.
type HostChoices struct {
	Networks    []string
	Interfaces  []string
	Bridges     []string
	Pools       []string
	Volumes     map[string][]string // pool -> volume names
	VolumePaths []string
}

// HostChoices reads what the connection's host offers. Parts a driver does
// not support are left empty rather than failing the whole.
func (m *Manager) HostChoices(uri string) (HostChoices, error) {
	hc := HostChoices{Volumes: map[string][]string{}}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return hc, err
	}
	defer done()
	if nets, err := lc.ListAllNetworks(0); err == nil {
		for i := range nets {
			if n, err := nets[i].GetName(); err == nil {
				hc.Networks = append(hc.Networks, n)
			}
			nets[i].Free()
		}
	}
	for _, i := range hostIfaces(uri, lc) {
		hc.Interfaces = append(hc.Interfaces, i.Name)
		if i.IsBridge() {
			hc.Bridges = append(hc.Bridges, i.Name)
		}
	}
	if pools, err := lc.ListAllStoragePools(0); err == nil {
		for i := range pools {
			name, _ := pools[i].GetName()
			hc.Pools = append(hc.Pools, name)
			if vols, err := pools[i].ListAllStorageVolumes(0); err == nil {
				for j := range vols {
					vn, _ := vols[j].GetName()
					vp, _ := vols[j].GetPath()
					hc.Volumes[name] = append(hc.Volumes[name], vn)
					hc.VolumePaths = append(hc.VolumePaths, vp)
					vols[j].Free()
				}
			}
			pools[i].Free()
		}
	}
	for _, l := range [][]string{hc.Networks, hc.Interfaces, hc.Bridges, hc.Pools, hc.VolumePaths} {
		sort.Strings(l)
	}
	return hc, nil
}

// PathExists tells whether a disk source path exists on the host: a
// storage volume (any connection), or a file on this machine for a local
// connection. Remote paths outside pools cannot be checked (ok, unknown).
func (m *Manager) PathExists(uri, path string) (exists, known bool) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return false, false
	}
	defer done()
	if v, err := lc.LookupStorageVolByPath(path); err == nil {
		v.Free()
		return true, true
	}
	if IsLocal(uri) {
		_, err := os.Stat(path)
		return err == nil, !errors.Is(err, os.ErrPermission)
	}
	return false, false
}

// IsLocal: a URI without a host talks to this machine's daemon, whose
// files are this machine's.
func IsLocal(uri string) bool {
	rest, ok := strings.CutPrefix(uri[strings.Index(uri, ":")+1:], "//")
	return ok && (strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "localhost/")) && !strings.HasPrefix(uri, "test")
}

// IsSession reports whether uri is a user's own daemon (qemu:///session,
// qemu+ssh://user@host/session).
func IsSession(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && u.Path == "/session"
}

// MACOwner names the domain on the connection, other than except (a UUID),
// whose NIC has mac, or "" when none has. It reads every definition, so it
// runs when a NIC is applied, not when a form opens.
func (m *Manager) MACOwner(uri, mac, except string) (string, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return "", err
	}
	defer done()
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	owner := ""
	for i := range doms {
		uuid, _ := doms[i].GetUUIDString()
		if owner == "" && uuid != except {
			if def, err := inactiveDef(&doms[i]); err == nil && def.Devices != nil {
				for _, nic := range def.Devices.Interfaces {
					if nic.MAC != nil && strings.EqualFold(nic.MAC.Address, mac) {
						owner, _ = doms[i].GetName()
					}
				}
			}
		}
		doms[i].Free()
	}
	return owner, nil
}

// VolumeFormat is the image format of the storage volume at path ("" when
// no pool holds it): what a disk attached to it should say.
func (m *Manager) VolumeFormat(uri, path string) string {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return ""
	}
	defer done()
	v, err := lc.LookupStorageVolByPath(path)
	if err != nil {
		return ""
	}
	defer v.Free()
	doc, err := v.GetXMLDesc(0)
	if err != nil {
		return ""
	}
	x := &libvirtxml.StorageVolume{}
	if x.Unmarshal(doc) != nil || x.Target == nil || x.Target.Format == nil {
		return ""
	}
	return x.Target.Format.Type
}
