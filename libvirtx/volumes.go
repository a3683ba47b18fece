package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Volume is a storage volume as the volume page lists it.
type Volume struct {
	URI, Pool, Name, Path string
	Format                string // qcow2, raw, …; "" when the pool type has none
	Capacity, Allocation  uint64 // bytes
	Backing               string // the backing volume's path (an overlay's base)
	Encrypted             bool   // LUKS: libvirt opens it with its secret
	Users                 []string
}

// volReaders is how many volume reads are in flight at once (libvirtd has
// five workers per client by default).
const volReaders = 4

// Volumes lists a pool's volumes by name, each with the VMs whose
// persistent definitions use it.
func (m *Manager) Volumes(uri, pool string) ([]Volume, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	vs, err := poolVolumes(lc, uri, pool)
	if err != nil {
		return nil, err
	}
	users, _ := diskUsers(lc, "")
	// The reads overlap: libvirt's client multiplexes calls on one
	// connection, and the daemon answers them on its worker threads.
	read := make([]*Volume, len(vs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(volReaders, len(vs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if v, err := readVolume(uri, pool, &vs[i]); err == nil {
					v.Users = users[v.Path]
					read[i] = &v
				}
				vs[i].Free()
			}
		}()
	}
	for i := range vs {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]Volume, 0, len(vs))
	for _, v := range read {
		if v != nil {
			out = append(out, *v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// VolumeNames lists a pool's volumes from one call: names, and the path
// for the pool types whose volume keys are paths (dir, fs, netfs, …). It
// is the first screen of a big pool; Volumes follows with the rest.
func (m *Manager) VolumeNames(uri, pool string) ([]Volume, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	vs, err := poolVolumes(lc, uri, pool)
	if err != nil {
		return nil, err
	}
	out := make([]Volume, 0, len(vs))
	for i := range vs {
		v := Volume{URI: uri, Pool: pool}
		v.Name, _ = vs[i].GetName() // the handle's own: no round trip
		if key, _ := vs[i].GetKey(); strings.HasPrefix(key, "/") {
			v.Path = key
		}
		out = append(out, v)
		vs[i].Free()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// poolVolumes lists a pool's volume handles (the caller frees them).
func poolVolumes(lc *libvirt.Connect, uri, pool string) ([]libvirt.StorageVol, error) {
	sp, err := lookupPool(lc, uri, pool)
	if err != nil {
		return nil, err
	}
	defer sp.Free()
	vs, err := sp.ListAllStorageVolumes(0)
	if err != nil {
		return nil, fmt.Errorf("listing the volumes of %s: %s", pool, ErrText(err))
	}
	return vs, nil
}

func lookupPool(lc *libvirt.Connect, uri, pool string) (*libvirt.StoragePool, error) {
	sp, err := lc.LookupStoragePoolByName(pool)
	if err != nil {
		return nil, fmt.Errorf("no storage pool %q on %s", pool, uri)
	}
	return sp, nil
}

// volXML is the part of a volume's XML the page shows: one read per
// volume, sizes included (no GetInfo), decoded without libvirtxml's whole
// model (5,000 volumes allocate a sixth as much).
type volXML struct {
	Name       string     `xml:"name"`
	Capacity   sizedValue `xml:"capacity"`
	Allocation sizedValue `xml:"allocation"`
	Target     struct {
		Path   string `xml:"path"`
		Format struct {
			Type string `xml:"type,attr"`
		} `xml:"format"`
		Encryption *struct{} `xml:"encryption"`
	} `xml:"target"`
	Backing struct {
		Path string `xml:"path"`
	} `xml:"backingStore"`
}

func readVolume(uri, pool string, sv *libvirt.StorageVol) (Volume, error) {
	raw, err := sv.GetXMLDesc(0)
	if err != nil {
		return Volume{}, err // gone since the listing
	}
	var x volXML
	if err := xml.Unmarshal([]byte(raw), &x); err != nil {
		return Volume{}, err
	}
	return Volume{URI: uri, Pool: pool, Name: x.Name, Path: x.Target.Path, Format: x.Target.Format.Type, Backing: x.Backing.Path,
		Encrypted: x.Target.Encryption != nil, Capacity: x.Capacity.bytes(), Allocation: x.Allocation.bytes()}, nil
}

// VolSpec is a new volume.
type VolSpec struct {
	Name, Format string
	Capacity     uint64 // bytes
	Backing      string // a volume's path: the new one is an overlay on it
	Prealloc     bool   // allocate it all now (raw: a full file; qcow2: metadata)
	Passphrase   string // not empty: a LUKS-encrypted volume, its key in a libvirt secret
}

// volFormats are the formats a volume of each pool type can have.
var volFormats = map[string][]string{
	"dir": {"qcow2", "raw"}, "fs": {"qcow2", "raw"}, "netfs": {"qcow2", "raw"},
	"logical": {""}, "disk": {"none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended"},
	"rbd": {""}, "zfs": {""}, "iscsi": {""}, "scsi": {""}, "mpath": {""}, "gluster": {"qcow2", "raw"}, "vstorage": {"qcow2", "raw"},
}

// VolFormats are the formats the pool's type makes ("" stands for the
// type's only kind).
func VolFormats(poolType string) []string { return volFormats[poolType] }

// CreateVolume checks a new volume against its pool and creates it: a
// name taken, a format the pool type cannot make, or a preallocated size
// beyond what the pool has free is refused first.
func (m *Manager) CreateVolume(uri, pool string, s VolSpec) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	sp, err := lookupPool(lc, uri, pool)
	if err != nil {
		return err
	}
	defer sp.Free()
	p, err := readPool(uri, sp)
	if err != nil {
		return errors.New(ErrText(err))
	}
	if err := checkVolSpec(p, s); err != nil {
		return err
	}
	if v, err := sp.LookupStorageVolByName(s.Name); err == nil {
		v.Free()
		return fmt.Errorf("pool %s already has a volume %s", pool, s.Name)
	}
	x := libvirtxml.StorageVolume{Name: s.Name, Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: s.Capacity}}
	// Only files start sparse: to LVM a smaller allocation means a thin
	// snapshot volume that breaks when it fills, and disks, iSCSI and the
	// rest have no sparse kind.
	if !s.Prealloc && fileBacked(p.Type) {
		x.Allocation = &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: 0}
	}
	if s.Format != "" {
		x.Target = &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: s.Format}}
	}
	if s.Backing != "" {
		bv, err := lc.LookupStorageVolByPath(s.Backing)
		if err != nil {
			return fmt.Errorf("no volume at %s to be the backing of %s", s.Backing, s.Name)
		}
		b, err := readVolume(uri, "", bv)
		bv.Free()
		if err != nil {
			return errors.New(ErrText(err))
		}
		x.BackingStore = &libvirtxml.StorageVolumeBackingStore{Path: b.Path,
			Format: &libvirtxml.StorageVolumeTargetFormat{Type: orRaw(b.Format)}}
	}
	if s.Passphrase != "" {
		secret, serr := volumeSecret(lc, p, s)
		if serr != nil {
			return serr
		}
		defer func() { // err: the creation's outcome, below
			if err != nil {
				secret.Undefine() // no secret left for a volume that is not there
			}
			secret.Free()
		}()
		uuid, _ := secret.GetUUIDString()
		x.Target.Encryption = &libvirtxml.StorageEncryption{Format: "luks", Secret: &libvirtxml.StorageEncryptionSecret{Type: "passphrase", UUID: uuid}}
	}
	doc, err := x.Marshal()
	if err != nil {
		return err
	}
	var flags libvirt.StorageVolCreateFlags
	if s.Prealloc && s.Format == "qcow2" {
		flags = libvirt.STORAGE_VOL_CREATE_PREALLOC_METADATA
	}
	v, err := sp.StorageVolCreateXML(doc, flags)
	// qemu-img's LUKS key derivation times itself with the thread's CPU
	// clock, which on some VMs does not move ("Unable to get accurate CPU
	// usage", about one run in eight here): that is worth another try.
	for try := 1; err != nil && s.Passphrase != "" && strings.Contains(ErrText(err), "accurate CPU usage") && try < 4; try++ {
		v, err = sp.StorageVolCreateXML(doc, flags)
	}
	if err != nil {
		return errors.New(ErrText(err))
	}
	v.Free()
	return nil
}

// volumeSecret defines the private libvirt secret holding a new LUKS
// volume's passphrase, used by the volume's path: libvirt (not kvmtui, not
// a file) keeps it, and opens the volume with it when a VM starts.
func volumeSecret(lc *libvirt.Connect, p Pool, s VolSpec) (*libvirt.Secret, error) {
	if p.Target == "" || s.Format == "" {
		return nil, fmt.Errorf("a LUKS volume needs a pool of files (dir, fs, netfs); %s is a %s pool", p.Name, p.Type)
	}
	path := filepath.Join(p.Target, s.Name)
	if old, err := lc.LookupSecretByUsage(libvirt.SECRET_USAGE_TYPE_VOLUME, path); err == nil {
		old.Free()
		return nil, fmt.Errorf("a libvirt secret for %s exists already", path)
	}
	doc, err := (&libvirtxml.Secret{Ephemeral: "no", Private: "yes", Description: "LUKS passphrase of " + path + " (kvmtui)",
		Usage: &libvirtxml.SecretUsage{Type: "volume", Volume: path}}).Marshal()
	if err != nil {
		return nil, err
	}
	secret, err := lc.SecretDefineXML(doc, 0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	if err := secret.SetValue([]byte(s.Passphrase), 0); err != nil {
		secret.Undefine()
		secret.Free()
		return nil, errors.New(ErrText(err))
	}
	return secret, nil
}

func orRaw(f string) string {
	if f == "" {
		return "raw"
	}
	return f
}

// checkVolSpec refuses what the pool cannot make.
func checkVolSpec(p Pool, s VolSpec) error {
	switch {
	case strings.TrimSpace(s.Name) == "" || strings.ContainsAny(s.Name, "/\x00"):
		return fmt.Errorf("invalid volume name %q: no '/'", s.Name)
	case !p.Active:
		return fmt.Errorf("pool %s is not active: start it first", p.Name)
	case s.Capacity == 0:
		return errors.New("a volume needs a size above 0")
	}
	if fs, ok := volFormats[p.Type]; ok && !slices.Contains(fs, s.Format) {
		return fmt.Errorf("a %s pool cannot make %q volumes (it makes %s)", p.Type, s.Format, strings.Join(fs, ", "))
	}
	if s.Backing != "" && s.Format != "qcow2" {
		return errors.New("only a qcow2 volume can be an overlay on a backing volume")
	}
	// Files in a directory start sparse; everything else takes its size now.
	full := s.Prealloc || !fileBacked(p.Type)
	if full && s.Capacity > p.Available {
		return fmt.Errorf("%s is more than pool %s has free (%s)", devices.ApproxSize(s.Capacity), p.Name, devices.ApproxSize(p.Available))
	}
	return nil
}

// VolAction is what the volume page does to one volume.
type VolAction string

const (
	VolDelete VolAction = "delete" // virStorageVolDelete
	VolWipe   VolAction = "wipe"   // virStorageVolWipePattern, zeros; WipeWith names another algorithm
)

// WipeAlgorithms are virStorageVolWipePattern's algorithms, by the names
// virsh vol-wipe --algorithm takes.
var WipeAlgorithms = map[string]libvirt.StorageVolWipeAlgorithm{
	"zero": libvirt.STORAGE_VOL_WIPE_ALG_ZERO, "random": libvirt.STORAGE_VOL_WIPE_ALG_RANDOM, "dod": libvirt.STORAGE_VOL_WIPE_ALG_DOD,
	"nnsa": libvirt.STORAGE_VOL_WIPE_ALG_NNSA, "bsi": libvirt.STORAGE_VOL_WIPE_ALG_BSI, "gutmann": libvirt.STORAGE_VOL_WIPE_ALG_GUTMANN,
	"schneier": libvirt.STORAGE_VOL_WIPE_ALG_SCHNEIER, "pfitzner7": libvirt.STORAGE_VOL_WIPE_ALG_PFITZNER7,
	"pfitzner33": libvirt.STORAGE_VOL_WIPE_ALG_PFITZNER33, "trim": libvirt.STORAGE_VOL_WIPE_ALG_TRIM,
}

// WipeWith is the wipe with an algorithm of WipeAlgorithms.
func WipeWith(algorithm string) VolAction { return VolAction("wipe:" + algorithm) }

// DoVolume deletes or wipes a volume. One a VM uses is refused, naming
// the VM, unless force.
func (m *Manager) DoVolume(uri, pool, name string, a VolAction, force bool) error {
	lc, sv, v, release, err := m.openVolume(uri, pool, name, true)
	if err != nil {
		return err
	}
	defer release()
	if users, _ := diskUsers(lc, ""); len(users[v.Path]) > 0 && !force {
		return fmt.Errorf("%s is used by %s", name, strings.Join(users[v.Path], ", "))
	}
	switch {
	case a == VolDelete:
		if err = sv.Delete(0); err == nil && v.Encrypted {
			if secret, e := lc.LookupSecretByUsage(libvirt.SECRET_USAGE_TYPE_VOLUME, v.Path); e == nil {
				secret.Undefine() // its passphrase goes with it
				secret.Free()
			}
		}
	case a == VolWipe || strings.HasPrefix(string(a), "wipe:"):
		name := strings.TrimPrefix(string(a), "wipe:")
		if a == VolWipe {
			name = "zero"
		}
		alg, ok := WipeAlgorithms[name]
		if !ok {
			return fmt.Errorf("unknown wipe algorithm %q (%s)", name, strings.Join(slices.Sorted(maps.Keys(WipeAlgorithms)), ", "))
		}
		if err = sv.WipePattern(alg, 0); err != nil && strings.Contains(ErrText(err), "'scrub'") {
			return fmt.Errorf("wiping with %s needs the scrub program on the host (Debian: apt install scrub); zero needs nothing", name)
		}
	default:
		return fmt.Errorf("unknown volume action %q", a)
	}
	if err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// openVolume connects (refusing a change on a read-only manager when
// write) and looks a pool's volume up; release frees both.
func (m *Manager) openVolume(uri, pool, name string, write bool) (*libvirt.Connect, *libvirt.StorageVol, Volume, func(), error) {
	conn := m.lconn
	if write {
		conn = m.writeConn
	}
	lc, done, err := conn(uri)
	if err != nil {
		return nil, nil, Volume{}, nil, err
	}
	sv, v, err := lookupVolume(lc, uri, pool, name)
	if err != nil {
		done()
		return nil, nil, Volume{}, nil, err
	}
	return lc, sv, v, func() { sv.Free(); done() }, nil
}

func lookupVolume(lc *libvirt.Connect, uri, pool, name string) (*libvirt.StorageVol, Volume, error) {
	sp, err := lookupPool(lc, uri, pool)
	if err != nil {
		return nil, Volume{}, err
	}
	defer sp.Free()
	sv, err := sp.LookupStorageVolByName(name)
	if err != nil {
		return nil, Volume{}, fmt.Errorf("pool %s has no volume %s", pool, name)
	}
	v, err := readVolume(uri, pool, sv)
	if err != nil {
		sv.Free()
		return nil, Volume{}, errors.New(ErrText(err))
	}
	return sv, v, nil
}

// ResizeVolume gives a volume a new capacity. When a running VM has it as
// a disk, the VM resizes it (virDomainBlockResize) so the guest sees the
// new size at once; live names that VM. Shrinking (data past the new end
// is lost) needs shrink.
func (m *Manager) ResizeVolume(uri, pool, name string, bytes uint64, shrink bool) (live string, err error) {
	lc, sv, v, release, err := m.openVolume(uri, pool, name, true)
	if err != nil {
		return "", err
	}
	defer release()
	switch {
	case bytes == v.Capacity:
		return "", fmt.Errorf("%s is already %s", name, devices.ApproxSize(bytes))
	case bytes < v.Capacity && !shrink:
		return "", fmt.Errorf("%s is smaller than %s's %s: shrinking loses the data past the new end, and must be asked for",
			devices.ApproxSize(bytes), name, devices.ApproxSize(v.Capacity))
	}
	if d, ok := runningUser(lc, v.Path); ok {
		defer d.Free()
		vm, _ := d.GetName()
		if bytes < v.Capacity {
			return "", fmt.Errorf("%s is a disk of running %s: it can grow while it runs, not shrink", name, vm)
		}
		if err := d.BlockResize(v.Path, bytes, libvirt.DOMAIN_BLOCK_RESIZE_BYTES); err != nil {
			return "", errors.New(ErrText(err))
		}
		return vm, nil
	}
	var flags libvirt.StorageVolResizeFlags
	if bytes < v.Capacity {
		flags |= libvirt.STORAGE_VOL_RESIZE_SHRINK
	}
	if err := sv.Resize(bytes, flags); err != nil {
		return "", errors.New(ErrText(err))
	}
	return "", nil
}

// runningUser is the running domain with a disk at path.
func runningUser(lc *libvirt.Connect, path string) (*libvirt.Domain, bool) {
	doms, err := lc.ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_ACTIVE)
	if err != nil {
		return nil, false
	}
	var found *libvirt.Domain
	for i := range doms {
		d := &doms[i]
		if found == nil {
			if disks, err := domainDisks(lc, d); err == nil && slices.ContainsFunc(disks, func(k Disk) bool { return k.Path == path }) {
				found = d
				continue
			}
		}
		d.Free()
	}
	return found, found != nil
}

// CloneVolume copies a volume (virStorageVolCreateXMLFrom) under a new
// name, into its own pool or another one of the host.
func (m *Manager) CloneVolume(uri, pool, name, newName, toPool string) error {
	lc, sv, v, release, err := m.openVolume(uri, pool, name, true)
	if err != nil {
		return err
	}
	defer release()
	if toPool == "" {
		toPool = pool
	}
	dst, err := lookupPool(lc, uri, toPool)
	if err != nil {
		return err
	}
	defer dst.Free()
	dp, err := readPool(uri, dst)
	if err != nil {
		return errors.New(ErrText(err))
	}
	// The copy keeps the format (an ISO stays one), but a pool of one kind
	// (LVM, a disk) makes its own.
	format, fs := v.Format, volFormats[dp.Type]
	check := VolSpec{Name: newName, Format: format, Capacity: v.Capacity, Prealloc: v.Allocation >= v.Capacity}
	if len(fs) > 0 && !slices.Contains(fs, format) {
		check.Format = fs[0]
		if fs[0] == "" {
			format = ""
		}
	}
	if err := checkVolSpec(dp, check); err != nil {
		return err
	}
	if x, err := dst.LookupStorageVolByName(newName); err == nil {
		x.Free()
		return fmt.Errorf("pool %s already has a volume %s", toPool, newName)
	}
	x := libvirtxml.StorageVolume{Name: newName, Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: v.Capacity}}
	if format != "" {
		x.Target = &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: format}}
	}
	doc, err := x.Marshal()
	if err != nil {
		return err
	}
	nv, err := dst.StorageVolCreateXMLFrom(doc, sv, 0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	nv.Free()
	return nil
}

// bytes reads a volume size: libvirt writes them in bytes (also the
// default unit of a volume's XML, where memory's is KiB).
func (v sizedValue) bytes() uint64 {
	switch strings.ToLower(v.Unit) {
	case "", "b", "bytes":
		return v.Value
	}
	return v.KiB() * 1024
}

// fileBacked: the pool's volumes are files, which can be sparse.
func fileBacked(poolType string) bool {
	return slices.Contains([]string{"dir", "fs", "netfs", "gluster", "vstorage"}, poolType)
}
