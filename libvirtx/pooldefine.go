package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

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

// PoolSources lists what libvirt finds for a pool type
// (virConnectFindStoragePoolSources), as the new-pool form's field takes
// it: volume groups on this host (logical), the exports of host (netfs:
// the export's path), the targets of host (iscsi, iscsi-direct: their
// IQNs; iscsi-direct logs in as initiator). host may carry a :port.
func (m *Manager) PoolSources(uri, poolType, host, initiator string) ([]string, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	spec := ""
	if host != "" {
		name, port, err := pooldef.SplitHostPort(host)
		if err != nil {
			return nil, fmt.Errorf("host %q: %v", host, err)
		}
		src := libvirtxml.StoragePoolSource{Host: []libvirtxml.StoragePoolSourceHost{{Name: name, Port: port}}}
		if initiator != "" {
			src.Initiator = &libvirtxml.StoragePoolSourceInitiator{IQN: libvirtxml.StoragePoolSourceInitiatorIQN{Name: initiator}}
		}
		// a pool's XML, for its <source>: what FindStoragePoolSources takes
		doc, err := (&libvirtxml.StoragePool{Type: poolType, Source: &src}).Marshal()
		if err != nil {
			return nil, err
		}
		spec = doc[strings.Index(doc, "<source>") : strings.Index(doc, "</source>")+len("</source>")]
	}
	doc, err := lc.FindStoragePoolSources(poolType, spec, 0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	var x struct {
		Sources []libvirtxml.StoragePoolSource `xml:"source"`
	}
	if err := xml.Unmarshal([]byte(doc), &x); err != nil {
		return nil, err
	}
	var out []string
	for _, s := range x.Sources {
		switch {
		case s.Name != "": // a volume group (its devices come along)
			out = append(out, s.Name)
		case s.Dir != nil && s.Dir.Path != "":
			out = append(out, s.Dir.Path)
		case len(s.Device) > 0 && s.Device[0].Path != "":
			out = append(out, s.Device[0].Path)
		}
	}
	return out, nil
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
	secret, err := poolSecret(lc, s)
	if err != nil {
		return err
	}
	if secret != nil {
		defer secret.Free()
	}
	undo := func() { // nothing half-made stays
		if secret != nil {
			secret.Undefine()
		}
	}
	sp, err := lc.StoragePoolDefineXML(doc, libvirt.STORAGE_POOL_DEFINE_VALIDATE)
	if err != nil {
		undo()
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
			undo()
			return fmt.Errorf("building pool %s failed, so it was not defined: %s", s.Name, ErrText(err))
		}
	}
	return autostartAndStart("pool "+s.Name, s.Auto, s.Start, sp.SetAutostart, func() error { return sp.Create(0) })
}

// poolSecret defines the private secret of a pool's CHAP password or Ceph
// key (nil when it has none): libvirt keeps it, kvmtui never writes it to
// a file. One of that usage already there is refused rather than reused.
func poolSecret(lc *libvirt.Connect, s *pooldef.Spec) (*libvirt.Secret, error) {
	doc, value, err := s.SecretXML()
	if err != nil || doc == "" {
		return nil, err
	}
	secret, err := lc.SecretDefineXML(doc, 0)
	if err != nil {
		return nil, fmt.Errorf("the pool's secret: %s", ErrText(err))
	}
	if err := secret.SetValue(value, 0); err != nil {
		secret.Undefine()
		secret.Free()
		return nil, fmt.Errorf("the pool's secret: %s", ErrText(err))
	}
	return secret, nil
}
