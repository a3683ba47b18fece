package libvirtx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/install"
	"kvmtui/ova"
)

// CreateMode is what CreateVM does once the volumes are there.
type CreateMode int

const (
	// CreateStart starts the install definition (a transient start, as
	// virt-install does) and makes the final definition the persistent
	// one, so the installer's reboot comes back to the installed system.
	CreateStart CreateMode = iota
	// CreateDefine defines the plan's Customize definition and leaves it
	// off, for "customize before install".
	CreateDefine
)

// CreateVM creates the plan's volumes (empty, as overlays of a base image,
// uploaded, or downloaded from an install tree), then defines or starts
// the VM. On any failure it undoes what it did: the domain is destroyed
// or undefined and the volumes it created are deleted. The error is
// libvirt's text.
func (m *Manager) CreateVM(ctx context.Context, uri string, plan *install.VMPlan, mode CreateMode) (ref Ref, err error) {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return Ref{}, err
	}
	defer done()
	var created []*libvirt.StorageVol
	var dom *libvirt.Domain
	defer func() {
		if err == nil {
			return
		}
		if dom != nil {
			// A transient start vanishes when destroyed; a define is undone.
			_ = dom.Destroy()
			_ = dom.UndefineFlags(libvirt.DOMAIN_UNDEFINE_NVRAM | libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE)
			dom.Free()
		}
		for _, v := range created {
			if e := v.Delete(0); e != nil {
				p, _ := v.GetPath()
				err = fmt.Errorf("%w; and the volume %s it created could not be removed: %s", err, p, ErrText(e))
			}
			v.Free()
		}
	}()
	install, final, custom := plan.Install, plan.Final, plan.Customize
	if plan.NewPool != nil {
		if err := createDirPool(lc, plan.NewPool.Name, plan.NewPool.Path); err != nil {
			return Ref{}, err
		}
	}
	for i := range plan.Volumes {
		vp := &plan.Volumes[i]
		v, err := createVolume(ctx, lc, vp)
		if v != nil {
			created = append(created, v)
		}
		if err != nil {
			return Ref{}, fmt.Errorf("volume %s in pool %s: %w", vp.Name, vp.Pool, err)
		}
		if p, e := v.GetPath(); e == nil && p != vp.Path && vp.Path != "" {
			for _, d := range []*libvirtxml.Domain{install, final, custom} {
				if d != nil {
					replacePath(d, vp.Path, p)
				}
			}
		}
	}
	var name string
	if mode == CreateDefine {
		doc, err := custom.Marshal()
		if err != nil {
			return Ref{}, err
		}
		if dom, err = lc.DomainDefineXMLFlags(doc, libvirt.DOMAIN_DEFINE_VALIDATE); err != nil {
			dom = nil
			return Ref{}, errors.New(ErrText(err))
		}
		name = custom.Name
	} else {
		idoc, err := install.Marshal()
		if err != nil {
			return Ref{}, err
		}
		if dom, err = lc.DomainCreateXML(idoc, libvirt.DOMAIN_START_VALIDATE); err != nil {
			dom = nil
			return Ref{}, errors.New(ErrText(err))
		}
		// Same UUID, so the define makes the running domain persistent.
		if final.UUID, err = dom.GetUUIDString(); err != nil {
			return Ref{}, errors.New(ErrText(err))
		}
		fdoc, err := final.Marshal()
		if err != nil {
			return Ref{}, err
		}
		// The running install becomes persistent with the final
		// definition as its next boot.
		d2, err := lc.DomainDefineXMLFlags(fdoc, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err != nil {
			return Ref{}, errors.New(ErrText(err))
		}
		d2.Free()
		name = final.Name
		// QEMU has loaded the installer's kernel and opened the seed:
		// their volumes can go, as virt-install removes them.
		for i, vp := range plan.Volumes {
			if vp.Transient && i < len(created) {
				_ = created[i].Delete(0)
			}
		}
	}
	uuid, _ := dom.GetUUIDString()
	if mode == CreateStart && install.OnReboot == "destroy" {
		if c, err := m.conn(uri); err == nil {
			c.watchInstall(uuid)
		}
	}
	dom.Free()
	for _, v := range created {
		v.Free()
	}
	created, dom = nil, nil
	ref = Ref{URI: uri, UUID: uuid, Name: name}
	m.refreshLater(ref, "defined")
	return ref, nil
}

func replacePath(d *libvirtxml.Domain, from, to string) {
	if d.OS != nil {
		if d.OS.Kernel == from {
			d.OS.Kernel = to
		}
		if d.OS.Initrd == from {
			d.OS.Initrd = to
		}
	}
	if d.Devices == nil {
		return
	}
	for i := range d.Devices.Disks {
		if s := d.Devices.Disks[i].Source; s != nil && s.File != nil && s.File.File == from {
			s.File.File = to
		}
	}
}

// createVolume makes one volume and fills it: nothing (a new disk), an
// overlay of a base image, uploaded bytes, or a download.
func createVolume(ctx context.Context, lc *libvirt.Connect, vp *install.VolumePlan) (*libvirt.StorageVol, error) {
	pool, err := lc.LookupStoragePoolByName(vp.Pool)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	defer pool.Free()
	content := vp.Content
	if vp.URL != "" {
		b, status, err := fetch(ctx, vp.URL, 2<<30)
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusNotFound:
			return nil, fmt.Errorf("%s: not found on the server", vp.URL)
		case status != http.StatusOK:
			return nil, fmt.Errorf("%s: HTTP %d", vp.URL, status)
		}
		content = b
	}
	capacity := vp.Capacity
	if content != nil {
		capacity = uint64(len(content))
	}
	x := libvirtxml.StorageVolume{
		Name:     vp.Name,
		Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: capacity},
		Target:   &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: vp.Format}},
	}
	alloc := vp.Allocation // 0: sparse
	if content != nil {
		alloc = capacity
	}
	x.Allocation = &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: alloc}
	if vp.BackingPath != "" {
		x.BackingStore = &libvirtxml.StorageVolumeBackingStore{Path: vp.BackingPath,
			Format: &libvirtxml.StorageVolumeTargetFormat{Type: vp.BackingFormat}}
	}
	doc, err := x.Marshal()
	if err != nil {
		return nil, err
	}
	v, err := pool.StorageVolCreateXML(doc, 0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	if vp.Appliance != "" {
		return v, fillFromAppliance(ctx, lc, v, vp)
	}
	if content == nil {
		return v, nil
	}
	if err := upload(lc, v, content); err != nil {
		return v, err
	}
	return v, nil
}

// fillFromAppliance converts an appliance's disk here (qemu-img) and
// uploads it into the volume (a sparse stream: remote hosts too).
func fillFromAppliance(ctx context.Context, lc *libvirt.Connect, v *libvirt.StorageVol, vp *install.VolumePlan) error {
	a, err := ova.Open(vp.Appliance)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "kvmtui-ova-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	img, err := a.Convert(ctx, vp.ApplianceDisk, tmp)
	if err != nil {
		return err
	}
	f, err := os.Open(img)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if uint64(st.Size()) > vp.Capacity {
		return fmt.Errorf("%s's disk %d is %d bytes, more than its descriptor says (%d)", vp.Appliance, vp.ApplianceDisk+1, st.Size(), vp.Capacity)
	}
	return uploadFile(ctx, lc, v, f, st.Size(), nil)
}

// upload writes content into a volume through a stream
// (virStorageVolUpload), which works on remote hosts too.
func upload(lc *libvirt.Connect, v *libvirt.StorageVol, content []byte) error {
	st, err := lc.NewStream(0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer st.Free()
	if err := v.Upload(st, 0, uint64(len(content)), 0); err != nil {
		return errors.New(ErrText(err))
	}
	for len(content) > 0 {
		n, err := st.Send(content[:min(len(content), 256<<10)])
		if err != nil {
			st.Abort()
			return errors.New(ErrText(err))
		}
		content = content[n:]
	}
	if err := st.Finish(); err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// createDirPool defines, builds, starts and autostarts a directory pool: a
// bare host's first, as virt-install makes "default". It stays if the VM's
// creation fails later (it is the host's, not the VM's).
func createDirPool(lc *libvirt.Connect, name, path string) error {
	x := &libvirtxml.StoragePool{Type: "dir", Name: name, Target: &libvirtxml.StoragePoolTarget{Path: path}}
	doc, err := x.Marshal()
	if err != nil {
		return err
	}
	p, err := lc.StoragePoolDefineXML(doc, 0)
	if err != nil {
		return fmt.Errorf("creating storage pool %s at %s: %s", name, path, ErrText(err))
	}
	defer p.Free()
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"building", func() error { return p.Build(libvirt.STORAGE_POOL_BUILD_NEW) }},
		{"starting", func() error { return p.Create(0) }},
		{"autostarting", func() error { return p.SetAutostart(true) }},
	} {
		if err := step.do(); err != nil {
			return fmt.Errorf("%s storage pool %s at %s: %s", step.what, name, path, ErrText(err))
		}
	}
	return nil
}
