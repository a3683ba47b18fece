package libvirtx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/install"
)

// A clone follows virt-clone: a shut-off or paused source; a new name,
// UUID and MAC addresses; fresh NVRAM (and so fresh TPM state, which
// libvirt keys by UUID); and for each disk a full copy into a pool, a
// linked qcow2 overlay on the source, the same image shared, or none.
// CD-ROMs are shared. What a failed clone made is removed. A linked clone
// needs its source shut off, and the source then becomes a template whose
// linked disks are read-only: they must not change any more.

// CloneMode is what a clone does with one disk.
type CloneMode string

const (
	CloneCopy   CloneMode = "copy"   // a full copy, into the same pool or another
	CloneLinked CloneMode = "linked" // a qcow2 overlay whose backing file is the source's image
	CloneShare  CloneMode = "share"  // the same image (CD-ROMs, shared data disks)
	CloneSkip   CloneMode = "skip"   // the clone has no such disk
)

// CloneModes in the order forms offer them.
var CloneModes = []string{string(CloneCopy), string(CloneLinked), string(CloneShare), string(CloneSkip)}

// CloneDisk is one disk of the source and what its clone gets.
type CloneDisk struct {
	Target, Device string // vda, disk / cdrom / floppy / lun
	Source         string // the image's path
	Pool, Volume   string // the pool volume it is, "" when in no pool
	Format         string
	Capacity       uint64
	Allocation     uint64
	ReadOnly       bool

	Mode    CloneMode
	ToPool  string // copy, linked: the pool the new image goes to
	NewName string // copy, linked: the new volume's name
}

// ClonePlan is what a clone form shows about the source.
type ClonePlan struct {
	State State
	Disks []CloneDisk // with the modes and names virt-clone would choose
	Pools []string    // the host's active pools
	Taken []string    // VM names on the host
}

// FreeName proposes the clone's name as virt-clone does: NAME-clone, then
// NAME-clone1, NAME-clone2, …
func (p ClonePlan) FreeName(src string) string {
	for i := 0; ; i++ {
		n := src + "-clone"
		if i > 0 {
			n += fmt.Sprint(i)
		}
		if !slices.Contains(p.Taken, n) {
			return n
		}
	}
}

// PlanClone reads the source VM's disks and the host's pools and names.
func (m *Manager) PlanClone(ref Ref) (ClonePlan, error) {
	var p ClonePlan
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		var err error
		p, err = planClone(lc, d)
		return err
	})
	return p, err
}

func planClone(lc *libvirt.Connect, d *libvirt.Domain) (ClonePlan, error) {
	var p ClonePlan
	st, _, err := d.GetState()
	if err != nil {
		return p, err
	}
	p.State = State(st)
	def, err := inactiveDef(d)
	if err != nil {
		return p, err
	}
	if def.Devices != nil {
		for _, x := range def.Devices.Disks {
			if x.Target == nil {
				continue
			}
			cd := CloneDisk{Target: x.Target.Dev, Device: cmp.Or(x.Device, "disk"), Source: diskPath(x), ReadOnly: x.ReadOnly != nil, Mode: CloneCopy}
			if x.Source != nil && x.Source.Volume != nil {
				cd.Pool, cd.Volume = x.Source.Volume.Pool, x.Source.Volume.Volume
				if sv, v, err := lookupVolume(lc, "", cd.Pool, cd.Volume); err == nil {
					cd.Source = v.Path
					sv.Free()
				}
			}
			if cd.Source != "" {
				if sv, err := lc.LookupStorageVolByPath(cd.Source); err == nil {
					if v, err := readVolume("", "", sv); err == nil {
						cd.Volume, cd.Format, cd.Capacity, cd.Allocation = v.Name, v.Format, v.Capacity, v.Allocation
						if sp, err := sv.LookupPoolByVolume(); err == nil {
							cd.Pool, _ = sp.GetName()
							sp.Free()
						}
					}
					sv.Free()
				}
			}
			if x.Driver != nil && x.Driver.Type != "" {
				cd.Format = x.Driver.Type
			}
			if cd.Device == "cdrom" || cd.Device == "floppy" || cd.ReadOnly || cd.Source == "" {
				cd.Mode = CloneShare
			}
			cd.ToPool = cd.Pool
			p.Disks = append(p.Disks, cd)
		}
	}
	pools, err := lc.ListAllStoragePools(libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE)
	if err == nil {
		for i := range pools {
			n, _ := pools[i].GetName()
			pools[i].Free()
			p.Pools = append(p.Pools, n)
		}
		slices.Sort(p.Pools)
	}
	doms, err := lc.ListAllDomains(0)
	if err == nil {
		for i := range doms {
			n, _ := doms[i].GetName()
			doms[i].Free()
			p.Taken = append(p.Taken, n)
		}
	}
	return p, nil
}

// Named fills in the new volumes' names for a clone called name: the
// source's name in the image's name becomes the clone's (web-01.qcow2 →
// web-02.qcow2, as virt-clone does), else the image is named after the
// clone and the disk (web-02-vdb.qcow2); a linked clone's is a .qcow2.
func (p ClonePlan) Named(src, name string) ClonePlan {
	out := p
	out.Disks = slices.Clone(p.Disks)
	for i, d := range out.Disks {
		base := filepath.Base(cmp.Or(d.Volume, d.Source))
		ext := filepath.Ext(base)
		stem := strings.TrimSuffix(base, ext)
		if strings.Contains(stem, src) {
			stem = strings.Replace(stem, src, name, 1)
		} else {
			stem = name + "-" + d.Target
		}
		if d.Mode == CloneLinked {
			ext = ".qcow2"
		}
		out.Disks[i].NewName = stem + ext
	}
	return out
}

// CloneSpec is a clone to make.
type CloneSpec struct {
	Name  string
	Disks []CloneDisk // the plan's disks, modes, pools and names as chosen
	// Seed, when set, is a fresh cloud-init NoCloud seed (a template's
	// clone gets its own hostname, instance-id and keys): it goes into the
	// pool of the first new disk as NAME-cidata.iso, in the clone's CD-ROM.
	Seed []byte
}

// Clone makes a clone of a shut-off or paused VM and returns it. progress
// follows each full copy (bytes written of the source's allocation) where
// kvmtui can see the new file. Bad input is refused before anything is
// made; a clone that fails midway removes what it made.
func (m *Manager) Clone(ref Ref, spec CloneSpec, progress func(disk string, done, total int64)) (clone Ref, err error) {
	lc, d, done, err := m.openDomain(ref, true)
	if err != nil {
		return Ref{}, err
	}
	defer done()
	plan, err := planClone(lc, d)
	if err != nil {
		return Ref{}, errors.New(ErrText(err))
	}
	if plan.State.Active() && plan.State != StatePaused {
		return Ref{}, fmt.Errorf("%s is %s: a clone copies its disks from a VM that is shut off or paused (as virt-clone does); pause it first", ref.Name, plan.State)
	}
	if err := checkClone(lc, ref, plan, spec); err != nil {
		return Ref{}, err
	}
	before, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
	if err != nil {
		return Ref{}, errors.New(ErrText(err))
	}
	// Planned with stand-in paths first: a definition the clone cannot
	// carry whole is refused before any volume is made.
	stand := map[string]string{}
	for _, cd := range spec.Disks {
		stand[cd.Target] = "/kvmtui-clone-plan/" + cd.Target
	}
	if _, _, err := planRedefine(ref.Name, before, func(def *libvirtxml.Domain) error { return cloneDef(def, spec, stand) }); err != nil {
		return Ref{}, err
	}

	var made []*libvirt.StorageVol // removed if the clone fails (err: the outcome returned)
	defer func() {
		for _, v := range made {
			if err != nil {
				_ = v.Delete(0)
			}
			v.Free()
		}
	}()
	paths := map[string]string{} // disk target → the clone's image
	for _, cd := range spec.Disks {
		var v *libvirt.StorageVol
		switch cd.Mode {
		case CloneCopy:
			v, err = copyVolume(lc, cd, func(done, total int64) { progress(cd.Target, done, total) })
		case CloneLinked:
			v, err = linkVolume(lc, cd)
		default:
			continue
		}
		if err != nil {
			return Ref{}, fmt.Errorf("%s: %w", cd.Target, err)
		}
		made = append(made, v)
		if paths[cd.Target], err = v.GetPath(); err != nil {
			return Ref{}, errors.New(ErrText(err))
		}
	}
	if spec.Seed != nil {
		vp := &install.VolumePlan{Pool: seedPool(spec), Name: strings.TrimSpace(spec.Name) + "-cidata.iso", Format: "raw", Content: spec.Seed}
		v, err := createVolume(context.Background(), lc, vp)
		if v != nil {
			made = append(made, v)
		}
		if err != nil {
			return Ref{}, fmt.Errorf("the cloud-init seed: %w", err)
		}
		if paths[seedDisk], err = v.GetPath(); err != nil {
			return Ref{}, errors.New(ErrText(err))
		}
	}
	after, _, err := planRedefine(ref.Name, before, func(def *libvirtxml.Domain) error { return cloneDef(def, spec, paths) })
	if err != nil {
		return Ref{}, err
	}
	nd, err := lc.DomainDefineXMLFlags(after, libvirt.DOMAIN_DEFINE_VALIDATE)
	if err != nil {
		return Ref{}, errors.New(ErrText(err))
	}
	defer nd.Free()
	uuid, _ := nd.GetUUIDString()
	if err = protectBase(lc, d, ref.Name, before, spec); err != nil {
		_ = nd.UndefineFlags(libvirt.DOMAIN_UNDEFINE_NVRAM) // its images go too (above)
		return Ref{}, err
	}
	m.refreshLater(ref, "template")
	return Ref{URI: ref.URI, UUID: uuid, Name: spec.Name}, nil
}

// protectBase keeps the images linked clones read from changing: their
// disks become read-only in the source's definition (QEMU opens them so,
// whoever starts it; a bus that cannot take a read-only disk, such as
// SATA, refuses to start instead), and the source becomes a template
// (kvmtui asks before starting it). Nothing is done without a linked disk.
func protectBase(lc *libvirt.Connect, d *libvirt.Domain, name, before string, spec CloneSpec) error {
	linked := map[string]bool{}
	for _, cd := range spec.Disks {
		if cd.Mode == CloneLinked {
			linked[cd.Target] = true
		}
	}
	if len(linked) == 0 {
		return nil
	}
	// The mark records the disks made read-only here (with those of earlier
	// clones), for taking it off (SetTemplate).
	mark, _ := readMark(d)
	made, err := setReadOnly(lc, name, before, func(t string) bool { return linked[t] }, true)
	if err != nil {
		return fmt.Errorf("%s's linked disks could not be made read-only: %s", name, ErrText(err))
	}
	made = append(made, strings.Fields(mark.ReadOnly)...)
	slices.Sort(made)
	mark.ReadOnly = strings.Join(slices.Compact(made), " ")
	if err := writeMark(d, &mark); err != nil {
		return fmt.Errorf("%s could not be marked a template: %s", name, ErrText(err))
	}
	return nil
}

// seedDisk keys the seed's path among the clone's new images.
const seedDisk = "cidata"

// seedPool is where a clone's seed goes: with its first new disk, else
// with its first disk in a pool, else the default pool.
func seedPool(spec CloneSpec) string {
	for _, d := range spec.Disks {
		if d.Mode == CloneCopy || d.Mode == CloneLinked {
			return d.ToPool
		}
	}
	for _, d := range spec.Disks {
		if d.Pool != "" {
			return d.Pool
		}
	}
	return "default"
}

// checkClone refuses a name taken, a disk it cannot copy, a volume name
// taken and a pool without room for the copies, before anything is made.
func checkClone(lc *libvirt.Connect, ref Ref, plan ClonePlan, spec CloneSpec) error {
	name := strings.TrimSpace(spec.Name)
	switch {
	case name == "" || strings.ContainsAny(name, "/\n"):
		return fmt.Errorf("invalid VM name %q", spec.Name)
	case slices.Contains(plan.Taken, name):
		return fmt.Errorf("a VM named %s exists on %s", name, ref.URI)
	case len(spec.Disks) != len(plan.Disks):
		return fmt.Errorf("%s has %d disks, the clone names %d", ref.Name, len(plan.Disks), len(spec.Disks))
	}
	need := map[string]uint64{} // pool → bytes the copies take
	names := map[string]bool{}
	for i, cd := range spec.Disks {
		if cd.Target != plan.Disks[i].Target {
			return fmt.Errorf("disk %d is %s, not %s", i+1, plan.Disks[i].Target, cd.Target)
		}
		switch cd.Mode {
		case CloneShare, CloneSkip:
			continue
		case CloneLinked:
			if plan.State != StateShutoff {
				return fmt.Errorf("%s: a linked clone reads %s, which %s, being %s, would go on writing: shut it down first, or copy the disk",
					cd.Target, cd.Source, ref.Name, plan.State)
			}
		case CloneCopy:
		default:
			return fmt.Errorf("%s: %q: one of %s", cd.Target, cd.Mode, strings.Join(CloneModes, ", "))
		}
		if cd.Pool == "" {
			return fmt.Errorf("%s's image %s is in no storage pool, so libvirt cannot copy it: make a pool of %s (:pool, n), or share or skip the disk",
				cd.Target, cd.Source, filepath.Dir(cd.Source))
		}
		sp, err := lc.LookupStoragePoolByName(cd.ToPool)
		if err != nil {
			return fmt.Errorf("%s: no storage pool %q", cd.Target, cd.ToPool)
		}
		if v, err := sp.LookupStorageVolByName(cd.NewName); err == nil {
			v.Free()
			sp.Free()
			return fmt.Errorf("%s: pool %s already has a volume %s", cd.Target, cd.ToPool, cd.NewName)
		}
		info, err := sp.GetInfo()
		sp.Free()
		if err != nil {
			return errors.New(ErrText(err))
		}
		key := cd.ToPool + "/" + cd.NewName
		if names[key] || cd.NewName == "" || strings.Contains(cd.NewName, "/") {
			return fmt.Errorf("%s: the new volume needs a name of its own (not %q)", cd.Target, cd.NewName)
		}
		names[key] = true
		if cd.Mode == CloneCopy {
			need[cd.ToPool] += cd.Allocation
			if need[cd.ToPool] > info.Available {
				return fmt.Errorf("not enough room in pool %s for the copies: %s free, %s needed", cd.ToPool, sizeText(info.Available), sizeText(need[cd.ToPool]))
			}
		}
	}
	return nil
}

// copyVolume copies a disk's volume into its pool (virStorageVolCreateXMLFrom),
// following the new file's size where it is on this machine.
func copyVolume(lc *libvirt.Connect, cd CloneDisk, progress func(done, total int64)) (*libvirt.StorageVol, error) {
	src, err := lc.LookupStorageVolByPath(cd.Source)
	if err != nil {
		return nil, fmt.Errorf("no volume at %s", cd.Source)
	}
	defer src.Free()
	dst, err := lc.LookupStoragePoolByName(cd.ToPool)
	if err != nil {
		return nil, fmt.Errorf("no storage pool %q", cd.ToPool)
	}
	defer dst.Free()
	x := libvirtxml.StorageVolume{Name: cd.NewName, Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: cd.Capacity}}
	if cd.Format != "" {
		x.Target = &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: cd.Format}}
	}
	doc, err := x.Marshal()
	if err != nil {
		return nil, err
	}
	stop := watchFile(lc, dst, cd.NewName, int64(cd.Allocation), progress)
	v, err := dst.StorageVolCreateXMLFrom(doc, src, 0)
	stop()
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	progress(int64(cd.Allocation), int64(cd.Allocation))
	return v, nil
}

// watchFile reports how much of a file being written in a local pool's
// directory is there, until stop is called.
func watchFile(lc *libvirt.Connect, sp *libvirt.StoragePool, name string, total int64, progress func(done, total int64)) (stop func()) {
	uri, _ := lc.GetURI()
	raw, err := sp.GetXMLDesc(0)
	px := &libvirtxml.StoragePool{}
	if !IsLocal(uri) || err != nil || px.Unmarshal(raw) != nil || px.Target == nil || px.Target.Path == "" {
		return func() {}
	}
	path := filepath.Join(px.Target.Path, name)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			var st syscall.Stat_t
			if syscall.Stat(path, &st) == nil {
				progress(min(st.Blocks*512, total), total)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// linkVolume makes a qcow2 overlay whose backing file is the disk's image.
func linkVolume(lc *libvirt.Connect, cd CloneDisk) (*libvirt.StorageVol, error) {
	dst, err := lc.LookupStoragePoolByName(cd.ToPool)
	if err != nil {
		return nil, fmt.Errorf("no storage pool %q", cd.ToPool)
	}
	defer dst.Free()
	x := libvirtxml.StorageVolume{Name: cd.NewName, Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: cd.Capacity},
		Allocation: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: 0},
		Target:     &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: "qcow2"}},
		BackingStore: &libvirtxml.StorageVolumeBackingStore{Path: cd.Source,
			Format: &libvirtxml.StorageVolumeTargetFormat{Type: orRaw(cd.Format)}}}
	doc, err := x.Marshal()
	if err != nil {
		return nil, err
	}
	v, err := dst.StorageVolCreateXML(doc, 0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	return v, nil
}

// cloneDef turns the source's definition into the clone's: the name, no
// UUID or MACs (libvirt makes new ones), no NVRAM file (a fresh one from
// the template), the disks as chosen.
func cloneDef(def *libvirtxml.Domain, spec CloneSpec, paths map[string]string) error {
	def.Name, def.UUID = strings.TrimSpace(spec.Name), ""
	if def.OS != nil && def.OS.NVRam != nil {
		if def.OS.NVRam.Template != "" {
			def.OS.NVRam = &libvirtxml.DomainNVRam{Template: def.OS.NVRam.Template, Format: def.OS.NVRam.Format, TemplateFormat: def.OS.NVRam.TemplateFormat}
		} else {
			def.OS.NVRam = nil
		}
	}
	for _, si := range def.SysInfo {
		if si.SMBIOS != nil && si.SMBIOS.System != nil {
			si.SMBIOS.System.Entry = slices.DeleteFunc(si.SMBIOS.System.Entry, func(e libvirtxml.DomainSysInfoEntry) bool { return e.Name == "uuid" })
		}
	}
	if def.Devices == nil {
		return nil
	}
	for i := range def.Devices.Interfaces {
		def.Devices.Interfaces[i].MAC = nil
	}
	mode := map[string]CloneMode{}
	for _, cd := range spec.Disks {
		mode[cd.Target] = cd.Mode
	}
	var disks []libvirtxml.DomainDisk
	for _, x := range def.Devices.Disks {
		if x.Target == nil {
			disks = append(disks, x)
			continue
		}
		switch mode[x.Target.Dev] {
		case CloneSkip:
			continue
		case CloneCopy, CloneLinked:
			path := paths[x.Target.Dev]
			src := &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: path}}
			if x.Source != nil && x.Source.Block != nil {
				src = &libvirtxml.DomainDiskSource{Block: &libvirtxml.DomainDiskSourceBlock{Dev: path}}
			}
			x.Source, x.BackingStore = src, nil
			if mode[x.Target.Dev] == CloneLinked {
				if x.Driver == nil {
					x.Driver = &libvirtxml.DomainDiskDriver{Name: "qemu"}
				}
				x.Driver.Type = "qcow2"
			}
		}
		disks = append(disks, x)
	}
	def.Devices.Disks = disks
	if seed := paths[seedDisk]; seed != "" {
		insertSeed(def, seed)
	}
	return nil
}

// insertSeed puts the cloud-init seed in the clone's first CD-ROM (or a
// new one) and has SMBIOS tell cloud-init to look for it there.
func insertSeed(def *libvirtxml.Domain, seed string) {
	src := &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: seed}}
	used := map[string]bool{}
	for i, x := range def.Devices.Disks {
		if x.Device == "cdrom" && src != nil {
			def.Devices.Disks[i].Source, src = src, nil
		}
		if x.Target != nil {
			used[x.Target.Dev] = true
		}
	}
	if src != nil {
		bus, prefix := "sata", "sd"
		if def.OS != nil && def.OS.Type != nil && !strings.Contains(def.OS.Type.Machine, "q35") {
			bus, prefix = "ide", "hd"
		}
		var dev string
		for c := 'a'; c <= 'z'; c++ {
			if dev = prefix + string(c); !used[dev] {
				break
			}
		}
		def.Devices.Disks = append(def.Devices.Disks, libvirtxml.DomainDisk{Device: "cdrom", Source: src, ReadOnly: &libvirtxml.DomainDiskReadOnly{},
			Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: "raw"}, Target: &libvirtxml.DomainDiskTarget{Dev: dev, Bus: bus}})
	}
	for _, si := range def.SysInfo {
		if si.SMBIOS != nil && si.SMBIOS.System != nil {
			for _, e := range si.SMBIOS.System.Entry {
				if e.Name == "serial" && strings.Contains(e.Value, "ds=nocloud") {
					return // the template's: cloud-init looks already
				}
			}
		}
	}
	def.SysInfo = append(def.SysInfo, libvirtxml.DomainSysInfo{SMBIOS: &libvirtxml.DomainSysInfoSMBIOS{System: &libvirtxml.DomainSysInfoSystem{
		Entry: []libvirtxml.DomainSysInfoEntry{{Name: "serial", Value: "ds=nocloud"}}}}})
	if def.OS == nil {
		def.OS = &libvirtxml.DomainOS{}
	}
	def.OS.SMBios = &libvirtxml.DomainSMBios{Mode: "sysinfo"}
}
