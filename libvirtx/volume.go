package libvirtx

import (
	"errors"
	"fmt"
	"path/filepath"

	"libvirt.org/go/libvirtxml"
)

// PoolHolds tells whether a storage pool's directory holds path, so a volume
// can be created there.
func (m *Manager) PoolHolds(uri, path string) bool {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return false
	}
	defer done()
	pools, err := lc.ListAllStoragePools(0)
	if err != nil {
		return false
	}
	found := false
	for i := range pools {
		if raw, err := pools[i].GetXMLDesc(0); err == nil {
			px := &libvirtxml.StoragePool{}
			if px.Unmarshal(raw) == nil && px.Target != nil && filepath.Clean(px.Target.Path) == filepath.Dir(path) {
				found = true
			}
		}
		pools[i].Free()
	}
	return found
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
	pools, err := lc.ListAllStoragePools(0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer func() {
		for i := range pools {
			pools[i].Free()
		}
	}()
	dir := filepath.Dir(path)
	for i := range pools {
		raw, err := pools[i].GetXMLDesc(0)
		if err != nil {
			continue
		}
		px := &libvirtxml.StoragePool{}
		if px.Unmarshal(raw) != nil || px.Target == nil || filepath.Clean(px.Target.Path) != dir {
			continue
		}
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
		v, err := pools[i].StorageVolCreateXML(x, 0)
		if err != nil {
			return errors.New(ErrText(err))
		}
		v.Free()
		return nil
	}
	return fmt.Errorf("no storage pool holds %s: define a directory pool for it first, or pick a path in one", dir)
}
