package libvirtx

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/install"
)

// Backups go through libvirt's backup API in push mode: QEMU writes each
// disk into a qcow2 volume of a storage pool (so a remote host's backups
// are made and read through libvirt too). A full backup makes a checkpoint
// (a bitmap in each qcow2 disk); an incremental one writes only what
// changed since the last checkpoint, into an overlay whose backing file is
// the backup before it, so every point is a complete chain. Each point has
// an index entry, a small JSON volume next to its disks, written only when
// the backup succeeded: the backup list is those entries.

// Backup is one backup point of a VM.
type Backup struct {
	VM, UUID   string
	ID         string // its time, 20261206T221700Z: unique per VM, sorts by time
	Kind       string // full or incremental
	Parent     string // incremental: the ID of the point it builds on
	Checkpoint string // the checkpoint made with it
	Time       time.Time
	Seconds    float64 // how long it took
	Pool       string
	Disks      []BackupDisk
	Definition string // the VM's inactive XML then (for a restore as a new VM)
}

// BackupDisk is one disk of a backup point.
type BackupDisk struct {
	Target     string // vda
	Source     string // the VM's image it was read from
	File       string // the backup's volume (an overlay on the parent's, for an incremental)
	Capacity   uint64
	Allocation uint64 // of File alone
}

const indexSuffix = ".kvmtui-backup.json"

func (b Backup) indexName() string { return b.VM + "." + b.ID + indexSuffix }

// BackupOptions is a backup to take.
type BackupOptions struct {
	Pool        string // the pool the backup goes to
	Incremental bool   // only what changed since the VM's last backup in Pool
}

// ErrNoCheckpoint is an incremental backup with nothing to build on.
var ErrNoCheckpoint = errors.New("no earlier backup of this VM in that pool still has its checkpoint: take a full backup first")

// BackupVM backs a VM up. A shut-off VM is started paused for it (QEMU
// does the copying) and stopped again. progress follows the bytes copied;
// cancelling ctx aborts the job. A failed or aborted backup removes its
// volumes and checkpoint and leaves no index entry.
func (m *Manager) BackupVM(ctx context.Context, ref Ref, opt BackupOptions, progress func(done, total int64)) (b Backup, err error) {
	lc, d, done, err := m.openDomain(ref, true)
	if err != nil {
		return Backup{}, err
	}
	defer done()
	sp, err := lc.LookupStoragePoolByName(opt.Pool)
	if err != nil {
		return Backup{}, fmt.Errorf("no storage pool %q", opt.Pool)
	}
	defer sp.Free()
	pool, err := readPool(ref.URI, sp)
	if err != nil {
		return Backup{}, errors.New(ErrText(err))
	}
	if !pool.Active || pool.Target == "" {
		return Backup{}, fmt.Errorf("pool %s must be an active pool of files (dir, fs, netfs) to hold backups", opt.Pool)
	}
	// Checked here, not left to the first volume libvirt cannot make: a
	// read-only mount refuses root too (access(2) says EROFS).
	if IsLocal(ref.URI) {
		if err := unix.Access(pool.Target, unix.W_OK); err != nil {
			return Backup{}, fmt.Errorf("pool %s's directory %s is not writable (%v): nothing was backed up", opt.Pool, pool.Target, err)
		}
	}
	now := time.Now().UTC()
	b = Backup{VM: ref.Name, UUID: ref.UUID, ID: now.Format("20060102T150405Z"), Kind: "full", Time: now, Pool: opt.Pool}
	b.Checkpoint = "kvmtui-" + b.ID
	if b.Definition, err = d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE); err != nil {
		return Backup{}, errors.New(ErrText(err))
	}
	var parent *Backup
	if opt.Incremental {
		if parent, err = lastWithCheckpoint(lc, sp, d, ref); err != nil {
			return Backup{}, err
		}
		b.Kind, b.Parent = "incremental", parent.ID
	}
	plan, err := planSnapshot(d)
	if err != nil {
		return Backup{}, err
	}
	var need uint64
	for _, pd := range plan.Disks {
		if pd.Format != "qcow2" && pd.Format != "raw" {
			return Backup{}, fmt.Errorf("%s is %q: kvmtui backs up qcow2 and raw disks", pd.Target, pd.Format)
		}
		if opt.Incremental && pd.Format != "qcow2" {
			return Backup{}, fmt.Errorf("an incremental backup needs qcow2 disks (their bitmaps), and %s is raw: take a full one", pd.Target)
		}
		bd := BackupDisk{Target: pd.Target, Source: pd.File, File: filepath.Join(pool.Target, b.VM+"."+b.ID+"."+pd.Target+".qcow2")}
		if sv, err := lc.LookupStorageVolByPath(pd.File); err == nil {
			if info, err := sv.GetInfo(); err == nil {
				bd.Capacity, need = info.Capacity, need+info.Allocation
			}
			sv.Free()
		}
		if bd.Capacity == 0 {
			return Backup{}, fmt.Errorf("%s's image %s is in no storage pool: kvmtui cannot size its backup", pd.Target, pd.File)
		}
		b.Disks = append(b.Disks, bd)
	}
	if len(b.Disks) == 0 {
		return Backup{}, fmt.Errorf("%s has no disk to back up", ref.Name)
	}
	if !opt.Incremental && need > pool.Available {
		return Backup{}, fmt.Errorf("not enough room in pool %s: %s free, the disks hold %s", opt.Pool, sizeText(pool.Available), sizeText(need))
	}

	var made []*libvirt.StorageVol
	checkpointed, checkpoint := false, b.Checkpoint // b is the result: zero once a failure returns
	startedPaused := false
	defer func() {
		if startedPaused { // after the checkpoint's removal, which needs QEMU
			defer d.Destroy()
		}
		for _, v := range made {
			if err != nil {
				_ = v.Delete(0)
			}
			v.Free()
		}
		if err != nil && checkpointed {
			if cp, cerr := d.CheckpointLookupByName(checkpoint, 0); cerr == nil {
				if cerr := cp.Delete(0); cerr != nil {
					err = fmt.Errorf("%w; its checkpoint %s stays: %s", err, checkpoint, ErrText(cerr))
				}
				cp.Free()
			}
		}
	}()
	for _, bd := range b.Disks {
		x := libvirtxml.StorageVolume{Name: filepath.Base(bd.File), Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: bd.Capacity},
			Allocation: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: 0},
			Target:     &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: "qcow2"}}}
		if parent != nil {
			pf := parentFile(*parent, bd.Target)
			if pf == "" {
				return Backup{}, fmt.Errorf("the backup %s has no %s to build on: take a full backup", parent.ID, bd.Target)
			}
			x.BackingStore = &libvirtxml.StorageVolumeBackingStore{Path: pf, Format: &libvirtxml.StorageVolumeTargetFormat{Type: "qcow2"}}
		}
		doc, err := x.Marshal()
		if err != nil {
			return Backup{}, err
		}
		v, err := sp.StorageVolCreateXML(doc, 0)
		if err != nil {
			return Backup{}, errors.New(ErrText(err))
		}
		made = append(made, v)
	}

	if st, _, _ := d.GetState(); !State(st).Active() {
		if err = d.CreateWithFlags(libvirt.DOMAIN_START_PAUSED); err != nil {
			return Backup{}, fmt.Errorf("starting %s paused for its backup: %s", ref.Name, ErrText(err))
		}
		startedPaused = true
	}
	backupXML, checkpointXML, err := backupDocs(b, parent)
	if err != nil {
		return Backup{}, err
	}
	if err = d.BackupBegin(backupXML, checkpointXML, libvirt.DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL); err != nil {
		return Backup{}, errors.New(ErrText(err))
	}
	checkpointed = true
	if err = followJob(ctx, d, progress); err != nil {
		return Backup{}, err
	}
	b.Seconds = time.Since(now).Seconds()
	for i, v := range made {
		if info, err := v.GetInfo(); err == nil {
			b.Disks[i].Allocation = info.Allocation
		}
	}
	doc, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return Backup{}, err
	}
	iv, err := createVolume(ctx, lc, &install.VolumePlan{Pool: opt.Pool, Name: b.indexName(), Format: "raw", Content: doc})
	if iv != nil {
		made = append(made, iv)
	}
	if err != nil {
		return Backup{}, fmt.Errorf("writing the backup's index: %w", err)
	}
	return b, nil
}

func parentFile(p Backup, target string) string {
	for _, d := range p.Disks {
		if d.Target == target {
			return d.File
		}
	}
	return ""
}

// backupDocs are the push-mode backup's XML (into the volumes made for it)
// and its checkpoint's.
func backupDocs(b Backup, parent *Backup) (string, string, error) {
	bx := libvirtxml.DomainBackup{Push: &libvirtxml.DomainBackupPush{Disks: &libvirtxml.DomainBackupPushDisks{}}}
	if parent != nil {
		bx.Incremental = parent.Checkpoint
	}
	cx := libvirtxml.DomainCheckpoint{Name: b.Checkpoint, Disks: &libvirtxml.DomainCheckpointDisks{}}
	for _, d := range b.Disks {
		bx.Push.Disks.Disks = append(bx.Push.Disks.Disks, libvirtxml.DomainBackupPushDisk{Name: d.Target, Backup: "yes",
			Driver: &libvirtxml.DomainBackupDiskDriver{Type: "qcow2"},
			Target: &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: d.File}}})
		cx.Disks.Disks = append(cx.Disks.Disks, libvirtxml.DomainCheckpointDisk{Name: d.Target, Checkpoint: "bitmap"})
	}
	backup, err := bx.Marshal()
	if err != nil {
		return "", "", err
	}
	checkpoint, err := cx.Marshal()
	return backup, checkpoint, err
}

// followJob reports a backup job's progress until it ends, and says how it
// ended; ctx aborts it.
func followJob(ctx context.Context, d *libvirt.Domain, progress func(done, total int64)) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = d.AbortJob() // fails when the job just ended: what it made goes all the same
			waitJobEnd(d)
			return errors.New("aborted")
		case <-tick.C:
		}
		info, err := d.GetJobStats(0)
		if err != nil {
			return errors.New(ErrText(err))
		}
		if info.Type == libvirt.DOMAIN_JOB_NONE {
			break
		}
		if info.DataTotalSet {
			progress(int64(info.DataProcessed), int64(info.DataTotal))
		}
	}
	info, err := d.GetJobStats(libvirt.DOMAIN_JOB_STATS_COMPLETED)
	if err != nil {
		return errors.New(ErrText(err))
	}
	switch info.Type {
	case libvirt.DOMAIN_JOB_COMPLETED:
		if info.DataTotalSet {
			progress(int64(info.DataTotal), int64(info.DataTotal))
		}
		return nil
	case libvirt.DOMAIN_JOB_CANCELLED:
		return errors.New("the backup was cancelled")
	}
	return errors.New("the backup failed (libvirtd's log says why)")
}

// waitJobEnd waits (briefly) for an aborted job to be gone, so that its
// files can be removed.
func waitJobEnd(d *libvirt.Domain) {
	for range 50 {
		if info, err := d.GetJobStats(0); err != nil || info.Type == libvirt.DOMAIN_JOB_NONE {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Backups lists a VM's backup points in a pool, oldest first.
func (m *Manager) Backups(uri, pool, vm string) (all []Backup, err error) {
	err = m.withIndex(uri, pool, vm, false, func(_ *libvirt.Connect, _ *libvirt.StoragePool, index []Backup) error {
		all = index
		return nil
	})
	return all, err
}

// withIndex runs f with a VM's backup points in a pool.
func (m *Manager) withIndex(uri, pool, vm string, write bool, f func(*libvirt.Connect, *libvirt.StoragePool, []Backup) error) error {
	get := m.lconn
	if write {
		get = m.writeConn
	}
	lc, done, err := get(uri)
	if err != nil {
		return err
	}
	defer done()
	sp, err := lookupPool(lc, uri, pool)
	if err != nil {
		return err
	}
	defer sp.Free()
	all, err := readIndex(lc, sp, vm)
	if err != nil {
		return err
	}
	return f(lc, sp, all)
}

// readIndex reads the index entries of vm ("": every VM) in a pool.
func readIndex(lc *libvirt.Connect, sp *libvirt.StoragePool, vm string) ([]Backup, error) {
	_ = sp.Refresh(0) // QEMU wrote the files behind libvirt's back
	vols, err := sp.ListAllStorageVolumes(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	var out []Backup
	for i := range vols {
		name, _ := vols[i].GetName()
		if strings.HasSuffix(name, indexSuffix) && (vm == "" || strings.HasPrefix(name, vm+".")) {
			info, err := vols[i].GetInfo()
			if err == nil && info.Capacity < 1<<24 {
				if raw, err := downloadHead(lc, &vols[i], info.Capacity); err == nil {
					var b Backup
					if json.Unmarshal(raw, &b) == nil && (vm == "" || b.VM == vm) {
						out = append(out, b)
					}
				}
			}
		}
		vols[i].Free()
	}
	slices.SortFunc(out, func(a, b Backup) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// lastWithCheckpoint is the VM's newest backup in the pool whose
// checkpoint the VM still has.
func lastWithCheckpoint(lc *libvirt.Connect, sp *libvirt.StoragePool, d *libvirt.Domain, ref Ref) (*Backup, error) {
	all, err := readIndex(lc, sp, ref.Name)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].UUID != ref.UUID {
			continue
		}
		if cp, err := d.CheckpointLookupByName(all[i].Checkpoint, 0); err == nil {
			cp.Free()
			return &all[i], nil
		}
	}
	return nil, ErrNoCheckpoint
}

// RestoreBackup brings a backup point back as a new VM named as (a new
// UUID and MACs, as a clone), or, with as empty, into the VM it was taken
// of, which must be shut off: its disks then use the restored images (the
// old ones stay, named in the answer) and its checkpoints go, so that the
// next backup is a full one. Each disk's chain is flattened into a new
// volume next to the VM's image (virStorageVolCreateXMLFrom).
func (m *Manager) RestoreBackup(uri, pool, vm, id, as string, progress func(disk string, done, total int64)) (text string, err error) {
	err = m.withIndex(uri, pool, vm, true, func(lc *libvirt.Connect, _ *libvirt.StoragePool, all []Backup) error {
		text, err = restore(lc, uri, pool, vm, id, as, all, progress)
		return err
	})
	return text, err
}

func restore(lc *libvirt.Connect, uri, pool, vm, id, as string, all []Backup, progress func(disk string, done, total int64)) (text string, err error) {
	i := slices.IndexFunc(all, func(b Backup) bool { return b.ID == id })
	if i < 0 {
		return "", fmt.Errorf("pool %s has no backup %s of %s", pool, id, vm)
	}
	b := all[i]
	var target *libvirt.Domain
	if as == "" {
		if target, err = lc.LookupDomainByUUIDString(b.UUID); err != nil {
			return "", fmt.Errorf("%s (%s) is not on this host any more: restore it as a new VM", vm, b.UUID)
		}
		defer target.Free()
		if st, _, _ := target.GetState(); State(st).Active() {
			return "", fmt.Errorf("%s is running: shut it down before restoring it", vm)
		}
	} else if d, err := lc.LookupDomainByName(as); err == nil {
		d.Free()
		return "", fmt.Errorf("a VM named %s exists on %s", as, uri)
	}

	var made []*libvirt.StorageVol
	defer func() {
		for _, v := range made {
			if err != nil {
				_ = v.Delete(0)
			}
			v.Free()
		}
	}()
	paths, spec := map[string]string{}, CloneSpec{Name: as}
	for _, bd := range b.Disks {
		cd := CloneDisk{Target: bd.Target, Source: bd.File, Format: "qcow2", Capacity: bd.Capacity, Allocation: bd.Capacity, Mode: CloneCopy, ToPool: pool}
		if src, err := lc.LookupStorageVolByPath(bd.Source); err == nil { // next to the VM's image
			if p, err := src.LookupPoolByVolume(); err == nil {
				cd.ToPool, _ = p.GetName()
				p.Free()
			}
			src.Free()
		}
		cd.NewName = cmp.Or(as, vm+"-restored-"+b.ID) + "-" + bd.Target + ".qcow2"
		var v *libvirt.StorageVol
		if v, err = copyVolume(lc, cd, func(done, total int64) { progress(bd.Target, done, total) }); err != nil {
			return "", fmt.Errorf("%s: %w", bd.Target, err)
		}
		made = append(made, v)
		if paths[bd.Target], err = v.GetPath(); err != nil {
			return "", errors.New(ErrText(err))
		}
		spec.Disks = append(spec.Disks, cd)
	}
	if as != "" {
		after, _, perr := planRedefine(vm, b.Definition, func(def *libvirtxml.Domain) error { return cloneDef(def, spec, paths) })
		if err = perr; err != nil {
			return "", err
		}
		nd, derr := lc.DomainDefineXMLFlags(after, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err = derr; err != nil {
			return "", errors.New(ErrText(err))
		}
		nd.Free()
		return fmt.Sprintf("restored %s of %s as %s", b.ID, vm, as), nil
	}
	before, err := target.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	after, _, err := planRedefine(vm, before, func(def *libvirtxml.Domain) error {
		for i, x := range def.Devices.Disks {
			if p := paths[diskTarget(x)]; p != "" {
				def.Devices.Disks[i].Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: p}}
				def.Devices.Disks[i].BackingStore = nil
				if def.Devices.Disks[i].Driver == nil {
					def.Devices.Disks[i].Driver = &libvirtxml.DomainDiskDriver{Name: "qemu"}
				}
				def.Devices.Disks[i].Driver.Type = "qcow2"
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	nd, err := lc.DomainDefineXMLFlags(after, libvirt.DOMAIN_DEFINE_VALIDATE)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	nd.Free()
	// The bitmaps are in the old images: the checkpoints go with them.
	if cps, cerr := target.ListAllCheckpoints(0); cerr == nil {
		for i := range cps {
			_ = cps[i].Delete(libvirt.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY)
			cps[i].Free()
		}
	}
	var old []string
	for _, bd := range b.Disks {
		old = append(old, bd.Source)
	}
	return fmt.Sprintf("restored %s of %s; its former images stay: %s", b.ID, vm, strings.Join(old, ", ")), nil
}

func diskTarget(x libvirtxml.DomainDisk) string {
	if x.Target == nil {
		return ""
	}
	return x.Target.Dev
}

// PruneBackups keeps a VM's newest keep backup points in a pool and
// removes the others. A removed point that a kept one builds on is first
// merged into it the qemu-img way (qemu-img rebase copies what the kept
// overlay reads from it, so the kept point stands on the point before, or
// alone), so no chain is ever broken; that needs the host's files, so a
// remote host keeps such points and says so. It returns what it removed.
func (m *Manager) PruneBackups(uri, pool, vm string, keep int) (removed []string, err error) {
	if keep < 1 {
		return nil, errors.New("keep at least one backup")
	}
	err = m.withIndex(uri, pool, vm, true, func(lc *libvirt.Connect, sp *libvirt.StoragePool, all []Backup) error {
		removed, err = prune(lc, sp, uri, all, keep)
		return err
	})
	return removed, err
}

func prune(lc *libvirt.Connect, sp *libvirt.StoragePool, uri string, all []Backup, keep int) ([]string, error) {
	if len(all) <= keep {
		return nil, nil
	}
	var removed, checkpoints []string
	defer func() { deleteCheckpoints(lc, all[0].UUID, checkpoints) }()
	for _, p := range all[:len(all)-keep] {
		child := slices.IndexFunc(all, func(b Backup) bool { return b.Parent == p.ID })
		if child >= 0 {
			if !IsLocal(uri) {
				return removed, fmt.Errorf("backup %s is the base of %s: merging it needs the host's files, so kvmtui prunes it only on a local connection", p.ID, all[child].ID)
			}
			if err := mergeInto(lc, sp, p, &all[child]); err != nil {
				return removed, err
			}
		}
		if err := removePoint(lc, sp, p); err != nil {
			return removed, err
		}
		removed, checkpoints = append(removed, p.ID), append(checkpoints, p.Checkpoint)
	}
	return removed, nil
}

// mergeInto makes c stand on p's parent (or alone) by copying into c what
// it reads from p, and rewrites c's index entry.
func mergeInto(lc *libvirt.Connect, sp *libvirt.StoragePool, p Backup, c *Backup) error {
	for i, d := range c.Disks {
		args := []string{"rebase", "-f", "qcow2", "-b", "", d.File} // p was a full one: c stands alone
		if p.Parent != "" {
			args = []string{"rebase", "-f", "qcow2", "-b", backingOf(parentFile(p, d.Target)), "-F", "qcow2", d.File}
		}
		if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("merging backup %s into %s: qemu-img %s: %v: %s", p.ID, c.ID, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		if st, err := os.Stat(d.File); err == nil {
			c.Disks[i].Allocation = uint64(st.Size())
		}
	}
	if p.Parent == "" {
		c.Kind, c.Parent = "full", ""
	} else {
		c.Parent = p.Parent
	}
	_ = sp.Refresh(0)
	return writeIndex(lc, sp, *c)
}

// backingOf is the backing file of an image (where p's disk stood).
func backingOf(image string) string {
	out, err := exec.Command("qemu-img", "info", "-U", "--output=json", image).Output()
	if err != nil {
		return ""
	}
	var info struct {
		Backing string `json:"full-backing-filename"`
	}
	_ = json.Unmarshal(out, &info)
	return info.Backing
}

// writeIndex replaces a point's index entry.
func writeIndex(lc *libvirt.Connect, sp *libvirt.StoragePool, b Backup) error {
	if v, err := sp.LookupStorageVolByName(b.indexName()); err == nil {
		_ = v.Delete(0)
		v.Free()
	}
	doc, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	name, _ := sp.GetName()
	v, err := createVolume(context.Background(), lc, &install.VolumePlan{Pool: name, Name: b.indexName(), Format: "raw", Content: doc})
	if v != nil {
		v.Free()
	}
	return err
}

// removePoint deletes a point's volumes and its index entry.
func removePoint(lc *libvirt.Connect, sp *libvirt.StoragePool, b Backup) error {
	for _, d := range b.Disks {
		if v, err := lc.LookupStorageVolByPath(d.File); err == nil {
			err = v.Delete(0)
			v.Free()
			if err != nil {
				return fmt.Errorf("deleting %s: %s", d.File, ErrText(err))
			}
		}
	}
	if v, err := sp.LookupStorageVolByName(b.indexName()); err == nil {
		_ = v.Delete(0)
		v.Free()
	}
	return nil
}

// deleteCheckpoints removes the VM's checkpoints of removed points
// (libvirt merges each bitmap into the one before). libvirt 9.0 does that
// only with QEMU running, so a shut-off VM is started paused for it.
func deleteCheckpoints(lc *libvirt.Connect, uuid string, names []string) {
	d, err := lc.LookupDomainByUUIDString(uuid)
	if err != nil || len(names) == 0 {
		return
	}
	defer d.Free()
	if active, _ := d.IsActive(); !active {
		if d.CreateWithFlags(libvirt.DOMAIN_START_PAUSED) != nil {
			return
		}
		defer d.Destroy()
	}
	for _, n := range names {
		if cp, err := d.CheckpointLookupByName(n, 0); err == nil {
			_ = cp.Delete(0)
			cp.Free()
		}
	}
}
