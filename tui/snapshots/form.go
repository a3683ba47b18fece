package snapshots

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
)

// snapForm is the new-snapshot form: a name, a description, the kind, and
// for an external one each disk's overlay (empty leaves the disk out), the
// memory file and whether to quiesce. Untouched paths follow the name.
type snapForm struct {
	vm     string
	plan   libvirtx.SnapshotPlan
	spec   libvirtx.SnapshotSpec
	memSet bool // the memory file was typed
}

func newSnapForm(vm string, plan libvirtx.SnapshotPlan) *snapForm {
	f := &snapForm{vm: vm, plan: plan, spec: libvirtx.SnapshotSpec{Name: plan.FreeName(), Kind: libvirtx.SnapInternal, Overlays: map[string]string{}, Quiesce: plan.Agent}}
	if plan.InternalRefusal() != "" {
		f.spec.Kind = libvirtx.SnapDiskOnly
	}
	return f
}

func (f *snapForm) running() bool { return f.plan.State.Active() }

func (f *snapForm) kinds() []string {
	if f.running() {
		return libvirtx.SnapshotKinds
	}
	return libvirtx.SnapshotKinds[:2] // a shut-off VM has no memory to keep
}

func (f *snapForm) Fields() []devices.Field {
	fs := []devices.Field{
		{Name: "name", Label: "Name", Type: devices.TypeText, Help: "unique among the VM's snapshots"},
		{Name: "description", Label: "Description", Type: devices.TypeText, Optional: true, Help: "what it is for: before the upgrade, …"},
		{Name: "kind", Label: "Kind", Type: devices.TypeEnum, Choices: f.kinds(), Help: f.kindHelp()},
	}
	if f.spec.Kind == libvirtx.SnapInternal {
		return fs
	}
	for _, d := range f.plan.Disks {
		fs = append(fs, devices.Field{Name: "disk:" + d.Target, Label: d.Target + " overlay", Type: devices.TypeText, Optional: true,
			Help: "a new qcow2 file over " + d.File + " that takes the writes from now on; empty leaves this disk out"})
	}
	if f.spec.Kind == libvirtx.SnapExternal {
		fs = append(fs, devices.Field{Name: "memory", Label: "Memory file", Type: devices.TypeText,
			Help: "where the running VM's memory is saved (" + devices.ApproxSize(f.plan.Memory) + ")"})
	}
	if f.running() {
		help := "freeze the guest's file systems through its guest agent while the overlays are made"
		if !f.plan.Agent {
			help = "this VM has no guest agent channel: the snapshot is taken unfrozen (kvmtui says so)"
		}
		fs = append(fs, devices.Field{Name: "quiesce", Label: "Quiesce", Type: devices.TypeBool, Help: help})
	}
	return fs
}

func (f *snapForm) kindHelp() string {
	switch f.spec.Kind {
	case libvirtx.SnapDiskOnly:
		return "disk-only: each disk gets a qcow2 overlay; the memory is not kept"
	case libvirtx.SnapExternal:
		return "external: overlays for the disks and a file for the memory (the VM pauses while it is saved)"
	}
	return "internal: kept inside the qcow2 disks" + map[bool]string{true: ", with the memory (the VM pauses meanwhile)", false: ""}[f.running()]
}

func (f *snapForm) overlayOf(target string) string {
	if v, ok := f.spec.Overlays[target]; ok {
		return v
	}
	for _, d := range f.plan.Disks {
		if d.Target == target {
			return d.Overlay(f.spec.Name)
		}
	}
	return ""
}

func (f *snapForm) Get(name string) string {
	switch {
	case name == "name":
		return f.spec.Name
	case name == "description":
		return f.spec.Description
	case name == "kind":
		return string(f.spec.Kind)
	case name == "memory":
		if f.memSet {
			return f.spec.MemoryFile
		}
		return f.plan.MemoryFile(f.vm, f.spec.Name)
	case name == "quiesce":
		return objpage.YesNo(f.spec.Quiesce)
	case strings.HasPrefix(name, "disk:"):
		return f.overlayOf(strings.TrimPrefix(name, "disk:"))
	}
	return ""
}

func (f *snapForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch {
	case name == "name":
		if v == "" || strings.Contains(v, "/") || strings.HasPrefix(v, ".") {
			return fmt.Errorf("a name with no '/', not starting with '.'")
		}
		if slices.Contains(f.plan.Names, v) {
			return fmt.Errorf("%s already has a snapshot named %s", f.vm, v)
		}
		f.spec.Name = v
	case name == "description":
		f.spec.Description = v
	case name == "kind":
		if !slices.Contains(f.kinds(), v) {
			return fmt.Errorf("one of %s", strings.Join(f.kinds(), ", "))
		}
		if why := f.plan.InternalRefusal(); v == string(libvirtx.SnapInternal) && why != "" {
			return fmt.Errorf("no internal snapshot: %s; take a disk-only or external one", why)
		}
		f.spec.Kind = libvirtx.SnapshotKind(v)
	case name == "memory":
		if !filepath.IsAbs(v) {
			return fmt.Errorf("a full path, like %s", f.plan.MemoryFile(f.vm, f.spec.Name))
		}
		f.spec.MemoryFile, f.memSet = v, true
	case name == "quiesce":
		f.spec.Quiesce = form.IsYes(v)
	case strings.HasPrefix(name, "disk:"):
		if v != "" && !filepath.IsAbs(v) {
			return fmt.Errorf("a full path, or empty to leave the disk out")
		}
		f.spec.Overlays[strings.TrimPrefix(name, "disk:")] = v
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// Snapshot lets the form replay typed fields, so untyped paths follow the
// name.
func (f *snapForm) Snapshot() (func(), error) {
	saved := *f
	saved.spec.Overlays = maps.Clone(f.spec.Overlays)
	return func() {
		*f = saved
		f.spec.Overlays = maps.Clone(saved.spec.Overlays)
	}, nil
}

// final is the spec to take: paths as shown.
func (f *snapForm) final() libvirtx.SnapshotSpec {
	s := f.spec
	s.Overlays = map[string]string{}
	for _, d := range f.plan.Disks {
		s.Overlays[d.Target] = f.overlayOf(d.Target)
	}
	s.MemoryFile = f.Get("memory")
	return s
}

// newForm reads the VM's disks and snapshots, then opens the form.
func (p *Page) newForm() tea.Cmd {
	ctx, dom := p.ctx, p.dom
	return func() tea.Msg {
		plan, err := ctx.Mgr.PlanSnapshot(dom.Ref)
		if err != nil {
			return common.StatusMsg{Text: err.Error(), Err: true}
		}
		f := newSnapForm(dom.Name, plan)
		note := "Snapshot of " + dom.Name + " (" + plan.State.String() + "): ctrl+s takes it."
		return common.PushMsg{Page: formpage.New(ctx, "New snapshot", note, form.New(f, nil), func() tea.Cmd {
			spec := f.final()
			return func() tea.Msg {
				note, err := ctx.Mgr.CreateSnapshot(dom.Ref, spec)
				if err != nil {
					return formpage.Saved{Err: err}
				}
				text := "took snapshot " + spec.Name + " of " + dom.Name
				if note != "" {
					text += " (" + note + ")"
				}
				done := objpage.Done{Kind: "snapshot", URI: dom.URI, Text: text}
				return formpage.Saved{Text: text, Then: func() tea.Msg { return done }}
			}
		})}
	}
}
