package libvirtx

import (
	"errors"
	"fmt"
	"path/filepath"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// poolAt is the pool (of those flags lists) whose directory is dir, or
// nil; the caller frees it.
func poolAt(lc *libvirt.Connect, dir string, flags libvirt.ConnectListAllStoragePoolsFlags) *libvirt.StoragePool {
	pools, err := lc.ListAllStoragePools(flags)
	if err != nil {
		return nil
	}
	var found *libvirt.StoragePool
	for i := range pools {
		if found == nil {
			if raw, err := pools[i].GetXMLDesc(0); err == nil {
				px := &libvirtxml.StoragePool{}
				if px.Unmarshal(raw) == nil && px.Target != nil && filepath.Clean(px.Target.Path) == filepath.Clean(dir) {
					found = &pools[i]
					continue
				}
			}
		}
		pools[i].Free()
	}
	return found
}

// PoolHolds tells whether a storage pool's directory holds path, so a volume
// can be created there.
func (m *Manager) PoolHolds(uri, path string) bool {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return false
	}
	defer done()
	sp := poolAt(lc, filepath.Dir(path), 0)
	if sp != nil {
		sp.Free()
	}
	return sp != nil
}

// CreateVolumeAt creates a sparse volume at path in the storage pool whose
// directory holds it, as virt-manager does for a new disk. format is qcow2
// or raw.
func (m *Manager) CreateVolumeAt(uri, path string, bytes uint64, format string) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	dir := filepath.Dir(path)
	sp := poolAt(lc, dir, 0)
	if sp == nil {
		return fmt.Errorf("no storage pool holds %s: define a directory pool for it first, or pick a path in one", dir)
	}
	defer sp.Free()
	vol := libvirtxml.StorageVolume{
		Name:       filepath.Base(path),
		Capacity:   &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: bytes},
		Allocation: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: 0},
		Target:     &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: format}},
	}
	x, err := vol.Marshal()
	if err != nil {
		return err
	}
	v, err := sp.StorageVolCreateXML(x, 0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	v.Free()
	return nil
}
