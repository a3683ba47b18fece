package libvirtx

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// What works on a libvirt that cannot revert or delete external snapshots:
// merge the overlays they made. Block commit writes an overlay's data down
// into its base (the active layer with a pivot, so the VM runs on the base
// again); block pull copies the base's data up into the VM's disk, which
// then stands alone. Both run in QEMU: the VM must be running or paused.

// MergeSnapshot merges the overlays of an external snapshot, one disk at
// a time, with progress per disk (which names the disk). Cancelling ctx
// aborts the job under way; the chain is then as it was. A commit removes
// the snapshot's metadata and, where they are volumes, its overlay files,
// whose data is now in the base.
func (m *Manager) MergeSnapshot(ctx context.Context, ref Ref, name string, pull bool, progress func(disk string, done, total int64)) (text string, err error) {
	err = m.withSnapshot(ref, name, func(lc *libvirt.Connect, d *libvirt.Domain, snap *libvirt.DomainSnapshot, s Snapshot) error {
		text, err = merge(ctx, lc, d, snap, s, ref, pull, progress)
		return err
	})
	return text, err
}

func merge(ctx context.Context, lc *libvirt.Connect, d *libvirt.Domain, snap *libvirt.DomainSnapshot, s Snapshot, ref Ref, pull bool,
	progress func(disk string, done, total int64)) (string, error) {
	name := s.Name
	if !s.External {
		return "", fmt.Errorf("%s is an internal snapshot: its state is inside the disks, there is no overlay to merge", name)
	}
	if st, _, err := d.GetState(); err != nil || !State(st).Active() {
		return "", fmt.Errorf("block commit and pull run inside QEMU: start %s (or start it paused) first", ref.Name)
	}
	verb := map[bool]string{false: "committed", true: "pulled"}[pull]
	var merged []string
	for _, sd := range s.Disks {
		if sd.Mode != "external" {
			continue
		}
		active, err := activeLayer(d, sd.Target)
		if err != nil {
			return "", err
		}
		report := func(cur, end uint64) { progress(sd.Target, int64(cur), int64(end)) }
		if pull {
			err = runBlockJob(ctx, d, sd.Target, false, report, func() error { return d.BlockPull(sd.Target, 0, 0) })
		} else {
			isActive := active == sd.File
			flags := libvirt.DomainBlockCommitFlags(0)
			top := sd.File
			if isActive {
				flags, top = libvirt.DOMAIN_BLOCK_COMMIT_ACTIVE, ""
			}
			err = runBlockJob(ctx, d, sd.Target, isActive, report, func() error { return d.BlockCommit(sd.Target, sd.Base, top, 0, flags) })
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", sd.Target, err)
		}
		if err := checkMerged(d, sd, pull); err != nil {
			return "", err
		}
		merged = append(merged, sd.Target)
	}
	text := fmt.Sprintf("%s %s of %s", verb, strings.Join(merged, ", "), name)
	if pull {
		return text + ": the disks stand alone; the snapshot stays", nil
	}
	// The snapshot's point in time is gone from the chain: drop its record,
	// and the overlays nothing reads any more.
	if err := snap.Delete(libvirt.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY); err != nil {
		return text, fmt.Errorf("merged, but removing the snapshot's metadata: %s", ErrText(err))
	}
	var removed, left []string
	files := []string{s.MemoryFile} // the memory of a point in time that is gone
	for _, sd := range s.Disks {
		if sd.Mode == "external" {
			files = append(files, sd.File)
		}
	}
	refreshPoolsOf(lc, files...)
	for _, f := range files {
		if f == "" {
			continue
		}
		v, err := lc.LookupStorageVolByPath(f)
		if err == nil {
			err = v.Delete(0)
			v.Free()
		}
		if err == nil {
			removed = append(removed, filepath.Base(f))
		} else {
			left = append(left, f)
		}
	}
	text += " and removed the snapshot"
	if len(removed) > 0 {
		text += ", " + strings.Join(removed, ", ")
	}
	if len(left) > 0 {
		text += "; left " + strings.Join(left, ", ") + " (not in a pool)"
	}
	return text, nil
}

// activeLayer is the file the running VM writes a disk to.
func activeLayer(d *libvirt.Domain, target string) (string, error) {
	def, err := liveDef(d)
	if err != nil {
		return "", err
	}
	for _, x := range def.Devices.Disks {
		if x.Target != nil && x.Target.Dev == target {
			return diskPath(x), nil
		}
	}
	return "", fmt.Errorf("the VM has no disk %s any more", target)
}

func liveDef(d *libvirt.Domain) (*libvirtxml.Domain, error) {
	raw, err := d.GetXMLDesc(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(raw); err != nil {
		return nil, err
	}
	if def.Devices == nil {
		def.Devices = &libvirtxml.DomainDeviceList{}
	}
	return def, nil
}

// checkMerged reads the chain back: a job that failed in QEMU ends the same
// way as one that finished, so the chain tells which.
func checkMerged(d *libvirt.Domain, sd SnapshotDisk, pull bool) error {
	def, err := liveDef(d)
	if err != nil {
		return err
	}
	for _, x := range def.Devices.Disks {
		if x.Target == nil || x.Target.Dev != sd.Target {
			continue
		}
		var chain []string
		for b := x.BackingStore; b != nil && b.Source != nil; b = b.BackingStore {
			if b.Source.File != nil {
				chain = append(chain, b.Source.File.File)
			} else if b.Source.Block != nil {
				chain = append(chain, b.Source.Block.Dev)
			}
		}
		switch {
		case pull && len(chain) > 0:
			return fmt.Errorf("%s still reads from %s after the pull (see libvirtd's log)", sd.Target, chain[0])
		case !pull && (diskPath(x) == sd.File || slices.Contains(chain, sd.File)):
			return fmt.Errorf("%s's chain still holds %s after the commit (see libvirtd's log)", sd.Target, sd.File)
		}
	}
	return nil
}

// runBlockJob starts a block job and follows it to its end: a commit of the
// active layer ends with a pivot once QEMU has mirrored everything, other
// jobs end by themselves. ctx aborts it.
func runBlockJob(ctx context.Context, d *libvirt.Domain, disk string, pivot bool, progress func(cur, end uint64), start func() error) error {
	if err := start(); err != nil {
		return errors.New(ErrText(err))
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := d.BlockJobAbort(disk, 0); err != nil {
				return fmt.Errorf("aborting: %s", ErrText(err))
			}
			return errors.New("aborted: the disk is as it was")
		case <-tick.C:
		}
		info, err := d.GetBlockJobInfo(disk, 0)
		if err != nil {
			return errors.New(ErrText(err))
		}
		if info.Type == 0 && info.End == 0 { // no job any more: it ended
			progress(1, 1)
			return nil
		}
		progress(info.Cur, info.End)
		if pivot && info.End > 0 && info.Cur == info.End {
			err := d.BlockJobAbort(disk, libvirt.DOMAIN_BLOCK_JOB_ABORT_PIVOT)
			if err == nil {
				return nil
			}
			if !strings.Contains(ErrText(err), "ready") { // not yet in sync: go on
				return fmt.Errorf("pivot: %s", ErrText(err))
			}
		}
	}
}
