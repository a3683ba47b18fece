package libvirtx

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Snapshot is one snapshot of a VM as the snapshot page shows it.
type Snapshot struct {
	URI, VM      string
	Name, Parent string
	Description  string
	Created      time.Time
	State        string // the VM state it holds: running, paused, shutoff, disk-snapshot
	Current      bool
	External     bool // its disks or memory live in files of their own
	Memory       bool // it holds the VM's memory
	Disks        []SnapshotDisk
	MemoryFile   string
	Size         uint64 // the allocation of its external files that are volumes
	Depth        int    // in the tree: 0 for a root
	Children     int
}

// SnapshotDisk is what a snapshot did with one disk: Mode internal,
// external (File is the overlay then) or no.
type SnapshotDisk struct {
	Target, Mode, File string
	Base               string // external: the image the overlay was made on
}

// snapXML is the part of a snapshot's XML the page shows, read without
// libvirtxml's whole domain model.
type snapXML struct {
	Name        string `xml:"name"`
	Description string `xml:"description"`
	State       string `xml:"state"`
	Created     int64  `xml:"creationTime"`
	Parent      string `xml:"parent>name"`
	Memory      struct {
		Snapshot string `xml:"snapshot,attr"`
		File     string `xml:"file,attr"`
	} `xml:"memory"`
	Disks []struct {
		Name     string `xml:"name,attr"`
		Snapshot string `xml:"snapshot,attr"`
		Source   srcXML `xml:"source"`
	} `xml:"disks>disk"`
	Domain struct {
		Disks []struct {
			Target struct {
				Dev string `xml:"dev,attr"`
			} `xml:"target"`
			Source srcXML `xml:"source"`
		} `xml:"devices>disk"`
	} `xml:"domain"`
}

type srcXML struct {
	File string `xml:"file,attr"`
	Dev  string `xml:"dev,attr"`
}

func (s srcXML) path() string { return s.File + s.Dev }

func parseSnapshot(uri, vm, raw string) (Snapshot, error) {
	var x snapXML
	if err := xml.Unmarshal([]byte(raw), &x); err != nil {
		return Snapshot{}, err
	}
	s := Snapshot{URI: uri, VM: vm, Name: x.Name, Parent: x.Parent, Description: strings.TrimSpace(x.Description),
		Created: time.Unix(x.Created, 0), State: x.State, MemoryFile: x.Memory.File,
		Memory: x.Memory.Snapshot == "internal" || x.Memory.Snapshot == "external", External: x.Memory.Snapshot == "external"}
	base := map[string]string{}
	for _, d := range x.Domain.Disks {
		base[d.Target.Dev] = d.Source.path()
	}
	for _, d := range x.Disks {
		sd := SnapshotDisk{Target: d.Name, Mode: d.Snapshot, File: d.Source.path()}
		if d.Snapshot == "external" {
			s.External = true
			sd.Base = base[d.Name]
		}
		s.Disks = append(s.Disks, sd)
	}
	return s, nil
}

// Kind says how the snapshot keeps its state: internal (inside the qcow2
// disks), disk-only (external overlays) or external (overlays and a memory
// file).
func (s Snapshot) Kind() string {
	switch {
	case !s.External:
		return "internal"
	case !s.Memory: // a running VM's is in state disk-snapshot, a shut-off one's in shutoff
		return "disk-only"
	}
	return "external"
}

// Snapshots lists a VM's snapshots as a tree: each after its parent,
// siblings oldest first. One call per snapshot (its XML), plus one per
// external file that is a volume (its size).
func (m *Manager) Snapshots(ref Ref) ([]Snapshot, error) {
	lc, d, done, err := m.openDomain(ref, false)
	if err != nil {
		return nil, err
	}
	defer done()
	snaps, err := d.ListAllSnapshots(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	cur := ""
	if c, err := d.SnapshotCurrent(0); err == nil {
		cur, _ = c.GetName()
		c.Free()
	}
	var all []Snapshot
	for i := range snaps {
		raw, err := snaps[i].GetXMLDesc(0)
		snaps[i].Free()
		if err != nil {
			continue // deleted meanwhile
		}
		s, err := parseSnapshot(ref.URI, ref.Name, raw)
		if err != nil {
			return nil, err
		}
		s.Current = s.Name == cur
		if s.External {
			s.Size = filesSize(lc, s)
		}
		all = append(all, s)
	}
	return snapshotTree(all), nil
}

// filesSize adds up the allocation of a snapshot's external files that
// are storage volumes.
func filesSize(lc *libvirt.Connect, s Snapshot) uint64 {
	var total uint64
	files := []string{s.MemoryFile}
	for _, d := range s.Disks {
		files = append(files, d.File)
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		if v, err := lc.LookupStorageVolByPath(f); err == nil {
			if info, err := v.GetInfo(); err == nil {
				total += info.Allocation
			}
			v.Free()
		}
	}
	return total
}

// snapshotTree orders snapshots depth first from the roots (a snapshot
// whose parent is not listed is a root), siblings by creation time.
func snapshotTree(all []Snapshot) []Snapshot {
	byName := map[string]bool{}
	for _, s := range all {
		byName[s.Name] = true
	}
	kids := map[string][]Snapshot{}
	for _, s := range all {
		p := s.Parent
		if !byName[p] {
			p = ""
		}
		kids[p] = append(kids[p], s)
	}
	for _, k := range kids {
		slices.SortFunc(k, func(a, b Snapshot) int {
			if c := a.Created.Compare(b.Created); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	out := make([]Snapshot, 0, len(all))
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, s := range kids[parent] {
			s.Depth, s.Children = depth, len(kids[s.Name])
			out = append(out, s)
			walk(s.Name, depth+1)
		}
	}
	walk("", 0)
	return out
}

// SnapshotPlan is what the snapshot form needs to know about the VM.
type SnapshotPlan struct {
	State  State
	Disks  []PlanDisk // the disks a snapshot can take (no CD-ROM, no read-only disk)
	Memory uint64     // bytes of guest memory: what a memory state takes
	Agent  bool       // a guest agent channel is configured
	Names  []string   // the snapshots it has
}

// PlanDisk is one disk of the VM as it is now (the running VM's active
// layer).
type PlanDisk struct {
	Target, File, Format string
}

// Overlay proposes an external snapshot's overlay: next to the image,
// named after it and the snapshot (base.qcow2 → base.snap1.qcow2).
func (d PlanDisk) Overlay(snap string) string {
	stem := strings.TrimSuffix(d.File, filepath.Ext(d.File))
	return stem + "." + snap + ".qcow2"
}

// MemoryFile proposes where an external snapshot keeps the memory: next
// to the first disk.
func (p SnapshotPlan) MemoryFile(vm, snap string) string {
	dir := "/var/lib/libvirt/qemu/snapshot"
	if len(p.Disks) > 0 {
		dir = filepath.Dir(p.Disks[0].File)
	}
	return filepath.Join(dir, vm+"."+snap+".mem")
}

// InternalRefusal says why the VM cannot take an internal snapshot, or "".
func (p SnapshotPlan) InternalRefusal() string {
	if len(p.Disks) == 0 {
		return "it has no disk to keep one in"
	}
	var notQcow []string
	for _, d := range p.Disks {
		if d.Format != "qcow2" {
			notQcow = append(notQcow, d.Target+" is "+cmp.Or(d.Format, "of no format"))
		}
	}
	if len(notQcow) > 0 {
		return "it needs qcow2 disks and " + strings.Join(notQcow, ", ")
	}
	return ""
}

// FreeName proposes a snapshot name the VM does not have, as
// virt-manager does: snapshot1, snapshot2, …
func (p SnapshotPlan) FreeName() string {
	for i := 1; ; i++ {
		if n := fmt.Sprintf("snapshot%d", i); !slices.Contains(p.Names, n) {
			return n
		}
	}
}

// PlanSnapshot reads the VM's state, disks and snapshots.
func (m *Manager) PlanSnapshot(ref Ref) (SnapshotPlan, error) {
	_, d, done, err := m.openDomain(ref, false)
	if err != nil {
		return SnapshotPlan{}, err
	}
	defer done()
	return planSnapshot(d)
}

func planSnapshot(d *libvirt.Domain) (SnapshotPlan, error) {
	var p SnapshotPlan
	st, _, err := d.GetState()
	if err != nil {
		return p, errors.New(ErrText(err))
	}
	p.State = State(st)
	raw, err := d.GetXMLDesc(0) // live when running: the active layers
	if err != nil {
		return p, errors.New(ErrText(err))
	}
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(raw); err != nil {
		return p, err
	}
	if def.CurrentMemory != nil {
		p.Memory = sizedValue{Unit: def.CurrentMemory.Unit, Value: uint64(def.CurrentMemory.Value)}.KiB() * 1024
	} else if def.Memory != nil {
		p.Memory = sizedValue{Unit: def.Memory.Unit, Value: uint64(def.Memory.Value)}.KiB() * 1024
	}
	if def.Devices != nil {
		for _, x := range def.Devices.Disks {
			if x.Device == "cdrom" || x.Device == "floppy" || x.ReadOnly != nil || x.Target == nil {
				continue
			}
			pd := PlanDisk{Target: x.Target.Dev, File: diskPath(x)}
			if x.Driver != nil {
				pd.Format = x.Driver.Type
			}
			p.Disks = append(p.Disks, pd)
		}
		for _, c := range def.Devices.Channels {
			if c.Target != nil && c.Target.VirtIO != nil && c.Target.VirtIO.Name == "org.qemu.guest_agent.0" {
				p.Agent = true
			}
		}
	}
	names, err := d.ListAllSnapshots(0)
	if err == nil {
		for i := range names {
			n, _ := names[i].GetName()
			names[i].Free()
			p.Names = append(p.Names, n)
		}
	}
	return p, nil
}

func diskPath(x libvirtxml.DomainDisk) string {
	if s := x.Source; s != nil {
		switch {
		case s.File != nil:
			return s.File.File
		case s.Block != nil:
			return s.Block.Dev
		}
	}
	return ""
}

// SnapshotKind is how a new snapshot keeps the VM's state.
type SnapshotKind string

const (
	SnapInternal SnapshotKind = "internal"  // inside the qcow2 disks, with the memory when the VM runs
	SnapDiskOnly SnapshotKind = "disk-only" // external overlays, no memory
	SnapExternal SnapshotKind = "external"  // external overlays and a memory file
)

// SnapshotKinds in the order forms offer them.
var SnapshotKinds = []string{string(SnapInternal), string(SnapDiskOnly), string(SnapExternal)}

// SnapshotSpec is a snapshot to take.
type SnapshotSpec struct {
	Name, Description string
	Kind              SnapshotKind
	Overlays          map[string]string // external: disk target → overlay path; a disk not named is left out
	MemoryFile        string            // SnapExternal of a running VM
	Quiesce           bool              // freeze the guest's file systems through its agent first
}

// CreateSnapshot takes a snapshot, atomically. note says what was not as
// asked (a guest agent that did not answer: not quiesced).
func (m *Manager) CreateSnapshot(ref Ref, s SnapshotSpec) (note string, err error) {
	lc, d, done, err := m.openDomain(ref, true)
	if err != nil {
		return "", err
	}
	defer done()
	p, err := planSnapshot(d)
	if err != nil {
		return "", err
	}
	doc, flags, err := snapshotXML(lc, ref, p, s)
	if err != nil {
		return "", err
	}
	snap, err := d.CreateSnapshotXML(doc, flags)
	if err != nil && flags&libvirt.DOMAIN_SNAPSHOT_CREATE_QUIESCE != 0 && isAgentError(err) {
		note = "not quiesced: " + ErrText(err)
		snap, err = d.CreateSnapshotXML(doc, flags&^libvirt.DOMAIN_SNAPSHOT_CREATE_QUIESCE)
	}
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	snap.Free()
	refreshPoolsOf(lc, append(slices.Collect(maps.Values(s.Overlays)), s.MemoryFile)...)
	return note, nil
}

// snapshotXML checks a snapshot against the VM (bad input changes
// nothing) and writes its XML and flags.
func snapshotXML(lc *libvirt.Connect, ref Ref, p SnapshotPlan, s SnapshotSpec) (string, libvirt.DomainSnapshotCreateFlags, error) {
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "" || strings.ContainsAny(name, "/\n") || strings.HasPrefix(name, "."):
		return "", 0, fmt.Errorf("invalid snapshot name %q: no '/', not starting with '.'", s.Name)
	case slices.Contains(p.Names, name):
		return "", 0, fmt.Errorf("%s already has a snapshot named %s", ref.Name, name)
	}
	running := p.State.Active()
	x := libvirtxml.DomainSnapshot{Name: name, Description: s.Description, Disks: &libvirtxml.DomainSnapshotDisks{}}
	flags := libvirt.DOMAIN_SNAPSHOT_CREATE_ATOMIC
	switch s.Kind {
	case SnapInternal:
		if why := p.InternalRefusal(); why != "" {
			return "", 0, fmt.Errorf("no internal snapshot of %s: %s; take a disk-only or external snapshot instead", ref.Name, why)
		}
		if running {
			if err := room(lc, filepath.Dir(p.Disks[0].File), p.Memory, "the memory state"); err != nil {
				return "", 0, err
			}
		}
	case SnapDiskOnly, SnapExternal:
		taken := 0
		for _, d := range p.Disks {
			file := strings.TrimSpace(s.Overlays[d.Target])
			sd := libvirtxml.DomainSnapshotDisk{Name: d.Target, Snapshot: "no"}
			if file != "" {
				if !filepath.IsAbs(file) {
					return "", 0, fmt.Errorf("%s's overlay: a full path, like %s", d.Target, d.Overlay(name))
				}
				if pathTaken(lc, file) {
					return "", 0, fmt.Errorf("%s's overlay %s already exists", d.Target, file)
				}
				if err := room(lc, filepath.Dir(file), 1<<20, d.Target+"'s overlay"); err != nil {
					return "", 0, err
				}
				sd = libvirtxml.DomainSnapshotDisk{Name: d.Target, Snapshot: "external",
					Driver: &libvirtxml.DomainDiskDriver{Type: "qcow2"},
					Source: &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: file}}}
				taken++
			}
			x.Disks.Disks = append(x.Disks.Disks, sd)
		}
		if taken == 0 {
			return "", 0, errors.New("an external snapshot needs at least one disk with an overlay path")
		}
		if s.Kind == SnapDiskOnly || !running {
			flags |= libvirt.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
			break
		}
		mem := strings.TrimSpace(s.MemoryFile)
		switch {
		case !filepath.IsAbs(mem):
			return "", 0, fmt.Errorf("the memory state file: a full path, like %s", p.MemoryFile(ref.Name, name))
		case pathTaken(lc, mem):
			return "", 0, fmt.Errorf("the memory state file %s already exists", mem)
		}
		if err := room(lc, filepath.Dir(mem), p.Memory, "the memory state"); err != nil {
			return "", 0, err
		}
		x.Memory = &libvirtxml.DomainSnapshotMemory{Snapshot: "external", File: mem}
	default:
		return "", 0, fmt.Errorf("snapshot kind %q: one of %s", s.Kind, strings.Join(SnapshotKinds, ", "))
	}
	if s.Quiesce && running && s.Kind != SnapInternal {
		flags |= libvirt.DOMAIN_SNAPSHOT_CREATE_QUIESCE
	}
	doc, err := x.Marshal()
	return doc, flags, err
}

// isAgentError tells a guest agent that is missing or did not answer.
func isAgentError(err error) bool {
	var le libvirt.Error
	if !errors.As(err, &le) {
		return false
	}
	switch le.Code {
	case libvirt.ERR_AGENT_UNRESPONSIVE, libvirt.ERR_AGENT_UNSYNCED, libvirt.ERR_AGENT_COMMAND_TIMEOUT, libvirt.ERR_AGENT_COMMAND_FAILED:
		return true
	}
	return strings.Contains(le.Message, "agent")
}

// pathTaken tells whether a path is a volume of the host, or (on this
// machine) a file.
func pathTaken(lc *libvirt.Connect, path string) bool {
	if v, err := lc.LookupStorageVolByPath(path); err == nil {
		v.Free()
		return true
	}
	if uri, err := lc.GetURI(); err == nil && IsLocal(uri) {
		_, err := os.Stat(path)
		return err == nil
	}
	return false
}

// room refuses when the pool (or, on this machine, the file system) that
// holds dir has less than need bytes free; an unknown place passes.
func room(lc *libvirt.Connect, dir string, need uint64, what string) error {
	free, ok := freeAt(lc, dir)
	if ok && free < need {
		return fmt.Errorf("not enough room in %s for %s: %s free, %s needed", dir, what, sizeText(free), sizeText(need))
	}
	return nil
}

func freeAt(lc *libvirt.Connect, dir string) (uint64, bool) {
	if sp := poolAt(lc, dir, libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE); sp != nil {
		defer sp.Free()
		if info, err := sp.GetInfo(); err == nil {
			return info.Available, true
		}
	}
	if uri, err := lc.GetURI(); err == nil && IsLocal(uri) {
		var st syscall.Statfs_t
		if syscall.Statfs(dir, &st) == nil {
			return st.Bavail * uint64(st.Bsize), true
		}
	}
	return 0, false
}

// refreshPoolsOf rescans the pools holding these files, so that their
// volume lists show files libvirt made or removed behind them.
func refreshPoolsOf(lc *libvirt.Connect, files ...string) {
	seen := map[string]bool{}
	for _, f := range files {
		dir := filepath.Dir(f)
		if f == "" || seen[dir] {
			continue
		}
		seen[dir] = true
		if sp := poolAt(lc, dir, libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE); sp != nil {
			_ = sp.Refresh(0)
			sp.Free()
		}
	}
}

func sizeText(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// RevertTo is the state a VM is left in after a revert.
type RevertTo string

const (
	RevertAsTaken RevertTo = "as-taken" // the state the snapshot holds
	RevertRunning RevertTo = "running"
	RevertPaused  RevertTo = "paused"
)

// RiskyRevert is libvirt refusing a revert that needs forcing (a running
// VM reverted to a snapshot without memory, an ABI change): Error is its
// reason.
type RiskyRevert struct{ Reason string }

func (r RiskyRevert) Error() string { return r.Reason }

// RevertSnapshot brings the VM back to a snapshot; whatever it did since
// is lost. force answers libvirt's RiskyRevert.
func (m *Manager) RevertSnapshot(ref Ref, name string, to RevertTo, force bool) error {
	return m.withSnapshot(ref, name, func(lc *libvirt.Connect, _ *libvirt.Domain, snap *libvirt.DomainSnapshot, s Snapshot) error {
		return revert(lc, snap, s, to, force)
	})
}

func revert(lc *libvirt.Connect, snap *libvirt.DomainSnapshot, s Snapshot, to RevertTo, force bool) error {
	if err := externalRefused(lc, s, "revert to"); err != nil {
		return err
	}
	flags := map[RevertTo]libvirt.DomainSnapshotRevertFlags{RevertRunning: libvirt.DOMAIN_SNAPSHOT_REVERT_RUNNING,
		RevertPaused: libvirt.DOMAIN_SNAPSHOT_REVERT_PAUSED}[to]
	if force {
		flags |= libvirt.DOMAIN_SNAPSHOT_REVERT_FORCE
	}
	if err := snap.RevertToSnapshot(flags); err != nil {
		var le libvirt.Error
		if errors.As(err, &le) && le.Code == libvirt.ERR_SNAPSHOT_REVERT_RISKY {
			return RiskyRevert{le.Message}
		}
		return errors.New(ErrText(err))
	}
	return nil
}

// withSnapshot runs f on a VM's snapshot, read and looked up, on a
// connection that may change the host.
func (m *Manager) withSnapshot(ref Ref, name string, f func(*libvirt.Connect, *libvirt.Domain, *libvirt.DomainSnapshot, Snapshot) error) error {
	lc, d, done, err := m.openDomain(ref, true)
	if err != nil {
		return err
	}
	defer done()
	defer m.refreshLater(ref, "snapshot") // a revert changes the VM's state
	snap, s, err := lookupSnapshot(d, ref, name)
	if err != nil {
		return err
	}
	defer snap.Free()
	return f(lc, d, snap, s)
}

func lookupSnapshot(d *libvirt.Domain, ref Ref, name string) (*libvirt.DomainSnapshot, Snapshot, error) {
	snap, err := d.SnapshotLookupByName(name, 0)
	if err != nil {
		return nil, Snapshot{}, fmt.Errorf("%s has no snapshot %q", ref.Name, name)
	}
	raw, err := snap.GetXMLDesc(0)
	if err != nil {
		snap.Free()
		return nil, Snapshot{}, errors.New(ErrText(err))
	}
	s, err := parseSnapshot(ref.URI, ref.Name, raw)
	if err != nil {
		snap.Free()
		return nil, Snapshot{}, err
	}
	return snap, s, nil
}

// externalSupport is the first libvirt that reverts and deletes external
// snapshots (9.9.0).
const externalSupport = 9_009_000

// ExternalUnsupported is a libvirt before 9.9 asked to revert or delete
// an external snapshot: what works instead is merging its overlays (block
// commit or pull) or deleting its metadata only.
type ExternalUnsupported struct {
	Snapshot, Version, What string
}

func (e ExternalUnsupported) Error() string {
	return fmt.Sprintf("libvirt %s on this host cannot %s an external snapshot (that came in libvirt 9.9): "+
		"merge %s's overlays instead with block commit (into the base) or block pull (into the VM's disk), "+
		"or delete its metadata only", e.Version, e.What, e.Snapshot)
}

// externalRefused is ExternalUnsupported for an external snapshot on a
// libvirt before 9.9.
func externalRefused(lc *libvirt.Connect, s Snapshot, what string) error {
	if !s.External {
		return nil
	}
	v, err := lc.GetLibVersion()
	if err != nil || v >= externalSupport {
		return nil
	}
	return ExternalUnsupported{Snapshot: s.Name, Version: versionText(v), What: what}
}

// SnapDelete is what a snapshot delete removes.
type SnapDelete string

const (
	DeleteOne      SnapDelete = "one"      // the snapshot; its children move to its parent
	DeleteChildren SnapDelete = "children" // the snapshot and everything under it
	DeleteMetadata SnapDelete = "metadata" // libvirt's record only; disks and files stay as they are
)

// DeleteSnapshot removes a snapshot as how says.
func (m *Manager) DeleteSnapshot(ref Ref, name string, how SnapDelete) error {
	return m.withSnapshot(ref, name, func(lc *libvirt.Connect, _ *libvirt.Domain, snap *libvirt.DomainSnapshot, s Snapshot) error {
		return deleteSnapshot(lc, snap, s, ref, how)
	})
}

func deleteSnapshot(lc *libvirt.Connect, snap *libvirt.DomainSnapshot, s Snapshot, ref Ref, how SnapDelete) error {
	var flags libvirt.DomainSnapshotDeleteFlags
	switch how {
	case DeleteOne:
	case DeleteChildren:
		flags = libvirt.DOMAIN_SNAPSHOT_DELETE_CHILDREN
	case DeleteMetadata:
		flags = libvirt.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY
	default:
		return fmt.Errorf("delete %q: one, children or metadata", how)
	}
	if how != DeleteMetadata {
		if err := externalRefused(lc, s, "delete"); err != nil {
			return err
		}
		if how == DeleteChildren {
			if err := externalDescendant(lc, snap, ref); err != nil {
				return err
			}
		}
	}
	if err := snap.Delete(flags); err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// externalDescendant refuses deleting a tree with an external snapshot in
// it, on a libvirt that cannot.
func externalDescendant(lc *libvirt.Connect, snap *libvirt.DomainSnapshot, ref Ref) error {
	kids, err := snap.ListAllChildren(libvirt.DOMAIN_SNAPSHOT_LIST_DESCENDANTS)
	if err != nil {
		return nil
	}
	var refusal error
	for i := range kids {
		if refusal == nil {
			if raw, err := kids[i].GetXMLDesc(0); err == nil {
				if s, err := parseSnapshot(ref.URI, ref.Name, raw); err == nil {
					refusal = externalRefused(lc, s, "delete")
				}
			}
		}
		kids[i].Free()
	}
	return refusal
}
