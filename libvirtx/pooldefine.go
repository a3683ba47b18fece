package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"

	"libvirt.org/go/libvirt"

	"kvmtui/pooldef"
)

// PoolHost reads what a new pool's check needs: the pool types the daemon
// supports, its pools' names, and for a local host a way to see paths.
func (m *Manager) PoolHost(uri string) (pooldef.Host, error) {
	var h pooldef.Host
	lc, done, err := m.lconn(uri)
	if err != nil {
		return h, err
	}
	defer done()
	if pc, err := lc.GetStoragePoolCapabilities(0); err == nil {
		h.Supported = supportedPools(pc)
	}
	ps, err := lc.ListAllStoragePools(0)
	if err != nil {
		return h, errors.New(ErrText(err))
	}
	for i := range ps {
		if n, err := ps[i].GetName(); err == nil {
			h.Pools = append(h.Pools, n)
		}
		ps[i].Free()
	}
	if IsLocal(uri) {
		h.Exists = func(p string) (bool, bool) { _, err := os.Stat(p); return err == nil, true }
	}
	return h, nil
}

// PoolSources lists what libvirt finds for a pool type on this host
// (virConnectFindStoragePoolSources): volume groups for logical pools.
func (m *Manager) PoolSources(uri, poolType string) []string {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil
	}
	defer done()
	doc, err := lc.FindStoragePoolSources(poolType, "", 0)
	if err != nil {
		return nil
	}
	var x struct {
		Sources []struct {
			Name string `xml:"name"`
		} `xml:"source"`
	}
	if xml.Unmarshal([]byte(doc), &x) != nil {
		return nil
	}
	var out []string
	for _, s := range x.Sources {
		if s.Name != "" {
			out = append(out, s.Name)
		}
	}
	return out
}

// DefinePool checks a new pool against the host again, defines it, builds
// it when asked (a failed build removes the definition: nothing half-made
// stays), sets autostart and starts it. A failed start keeps the
// definition and says libvirt's words.
func (m *Manager) DefinePool(uri string, s *pooldef.Spec) error {
	h, err := m.PoolHost(uri)
	if err != nil {
		return err
	}
	if err := s.Check(h); err != nil {
		return err
	}
	doc, err := s.XML()
	if err != nil {
		return err
	}
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	sp, err := lc.StoragePoolDefineXML(doc, libvirt.STORAGE_POOL_DEFINE_VALIDATE)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer sp.Free()
	if s.Builds() {
		flags := libvirt.StoragePoolBuildFlags(0)
		if s.Type == "fs" {
			flags = libvirt.STORAGE_POOL_BUILD_NO_OVERWRITE // never over an existing filesystem
		}
		if err := sp.Build(flags); err != nil {
			sp.Undefine()
			return fmt.Errorf("building pool %s failed, so it was not defined: %s", s.Name, ErrText(err))
		}
	}
	return autostartAndStart("pool "+s.Name, s.Auto, s.Start, sp.SetAutostart, func() error { return sp.Create(0) })
}
