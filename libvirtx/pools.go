package libvirtx

import (
	"errors"
	"fmt"
	"kvmtui/pooldef"
	"sort"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Pool is a storage pool as the pool page lists it.
type Pool struct {
	URI, Name, UUID string
	Type            string // dir, logical, netfs, iscsi, rbd, …
	Active          bool
	Persistent      bool
	Autostart       bool
	Capacity        uint64 // bytes
	Allocation      uint64
	Available       uint64
	Volumes         int    // -1 when the pool is inactive (libvirt cannot count them)
	Target          string // the target path, if the type has one
	Source          string // the source: host:dir, device, or the name of a volume group
}

// Pools lists a connection's storage pools by name: one listing, then per
// pool its definition, its sizes and its volume count.
func (m *Manager) Pools(uri string) ([]Pool, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	ps, err := lc.ListAllStoragePools(0)
	if err != nil {
		return nil, fmt.Errorf("listing the storage pools: %s", ErrText(err))
	}
	out := make([]Pool, 0, len(ps))
	for i := range ps {
		if p, err := readPool(uri, &ps[i]); err == nil {
			out = append(out, p)
		}
		ps[i].Free()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func readPool(uri string, sp *libvirt.StoragePool) (Pool, error) {
	p := Pool{URI: uri, Volumes: -1}
	raw, err := sp.GetXMLDesc(0)
	if err != nil {
		return p, err // gone since the listing
	}
	x := &libvirtxml.StoragePool{}
	if err := x.Unmarshal(raw); err != nil {
		return p, err
	}
	p.Name, p.UUID, p.Type = x.Name, x.UUID, x.Type
	if x.Target != nil {
		p.Target = x.Target.Path
	}
	p.Source = poolSource(x.Source)
	p.Active, _ = sp.IsActive()
	p.Persistent, _ = sp.IsPersistent()
	p.Autostart, _ = sp.GetAutostart()
	if info, err := sp.GetInfo(); err == nil {
		p.Capacity, p.Allocation, p.Available = info.Capacity, info.Allocation, info.Available
	}
	if p.Active {
		if n, err := sp.NumOfStorageVolumes(); err == nil {
			p.Volumes = n
		}
	}
	return p, nil
}

// poolSource says where a pool's storage comes from, in one short string.
func poolSource(s *libvirtxml.StoragePoolSource) string {
	switch {
	case s == nil:
		return ""
	case len(s.Host) > 0 && s.Dir != nil:
		return s.Host[0].Name + ":" + s.Dir.Path
	case len(s.Host) > 0 && s.Name != "":
		return s.Host[0].Name + "/" + s.Name
	case len(s.Host) > 0 && len(s.Device) > 0:
		return s.Host[0].Name + ":" + s.Device[0].Path
	case len(s.Device) > 0:
		return s.Device[0].Path
	case s.Dir != nil:
		return s.Dir.Path
	}
	return s.Name
}

// PoolAction is what the pool page does to a pool.
type PoolAction string

const (
	PoolRefresh      PoolAction = "rescan"        // virStoragePoolRefresh: files added or removed behind libvirt's back
	PoolStart        PoolAction = "start"         // virStoragePoolCreate
	PoolStop         PoolAction = "stop"          // virStoragePoolDestroy: its storage stays
	PoolAutostartOn  PoolAction = "autostart on"  // virStoragePoolSetAutostart
	PoolAutostartOff PoolAction = "autostart off" //
	PoolUndefine     PoolAction = "undefine"      // stopped first when active; the storage stays
	PoolErase        PoolAction = "erase"         // its volumes, then virStoragePoolDelete: the storage itself goes; the pool is left stopped
)

// DoPool runs a pool action.
func (m *Manager) DoPool(uri, name string, a PoolAction) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	sp, err := lc.LookupStoragePoolByName(name)
	if err != nil {
		return fmt.Errorf("no storage pool %q on %s", name, uri)
	}
	defer sp.Free()
	active, _ := sp.IsActive()
	switch a {
	case PoolRefresh:
		if !active {
			return fmt.Errorf("pool %s is not active: start it first", name)
		}
		err = sp.Refresh(0)
	case PoolStart:
		err = sp.Create(0)
	case PoolStop:
		err = sp.Destroy()
	case PoolAutostartOn, PoolAutostartOff:
		err = sp.SetAutostart(a == PoolAutostartOn)
	case PoolUndefine:
		if active {
			if err = sp.Destroy(); err != nil {
				break
			}
		}
		if err = sp.Undefine(); err == nil {
			removePoolSecret(lc, name)
		}
	case PoolErase:
		err = erasePool(sp, active)
	default:
		return fmt.Errorf("unknown pool action %q", a)
	}
	if err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// erasePool deletes a pool's volumes (through libvirt, as virsh vol-delete
// would), then its storage (virStoragePoolDelete: a directory pool's
// directory, which must be empty by then). The pool ends stopped.
func erasePool(sp *libvirt.StoragePool, active bool) error {
	if !active {
		if err := sp.Create(0); err != nil { // its volumes are listed only while it runs
			return err
		}
	}
	vols, err := sp.ListAllStorageVolumes(0)
	if err != nil {
		return err
	}
	for i := range vols {
		if err == nil {
			err = vols[i].Delete(0)
		}
		vols[i].Free()
	}
	if err != nil {
		return err
	}
	if err := sp.Destroy(); err != nil {
		return err
	}
	return sp.Delete(libvirt.STORAGE_POOL_DELETE_NORMAL)
}

// ObjectNames lists a connection's virtual networks and storage pools by
// name (two calls), for completion.
func (m *Manager) ObjectNames(uri string) (nets, pools []string, err error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	if ns, err := lc.ListAllNetworks(0); err == nil {
		for i := range ns {
			if n, err := ns[i].GetName(); err == nil {
				nets = append(nets, n)
			}
			ns[i].Free()
		}
	}
	if ps, err := lc.ListAllStoragePools(0); err == nil {
		for i := range ps {
			if n, err := ps[i].GetName(); err == nil {
				pools = append(pools, n)
			}
			ps[i].Free()
		}
	}
	sort.Strings(nets)
	sort.Strings(pools)
	return nets, pools, nil
}

// DefaultPoolDir is where new volumes go when nobody says: the target of
// the active pool named default, else of the first active directory pool.
func (m *Manager) DefaultPoolDir(uri string) (string, error) {
	ps, err := m.Pools(uri)
	if err != nil {
		return "", err
	}
	var first string
	for _, p := range ps {
		if !p.Active || p.Type != "dir" || p.Target == "" {
			continue
		}
		if p.Name == "default" {
			return p.Target, nil
		}
		if first == "" {
			first = p.Target
		}
	}
	if first == "" {
		return "", fmt.Errorf("%s has no active directory pool for a new volume: give path=", uri)
	}
	return first, nil
}

// removePoolSecret undefines the secret kvmtui made for a pool's
// authentication (pooldef.Spec.SecretUsage), once the pool is gone.
func removePoolSecret(lc *libvirt.Connect, pool string) {
	usage := (&pooldef.Spec{Name: pool}).SecretUsage()
	for _, t := range []libvirt.SecretUsageType{libvirt.SECRET_USAGE_TYPE_ISCSI, libvirt.SECRET_USAGE_TYPE_CEPH} {
		if s, err := lc.LookupSecretByUsage(t, usage); err == nil {
			s.Undefine()
			s.Free()
		}
	}
}
