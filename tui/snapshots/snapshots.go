// Package snapshots is a VM's snapshot page (:snap VM, t from the VM list
// and the details): the snapshot tree with the current one marked, what
// each holds and where; n takes one, enter reverts, D deletes, and c / p
// merge an external snapshot's overlays by block commit or pull (what a
// libvirt before 9.9 offers instead of reverting or deleting them).
package snapshots

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"snap", "snapshot", "snapshots"},
		Usage: "snap [VM]",
		Desc:  "a VM's snapshots and their block jobs",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Snapshots (:snap VM, t)", Keys: common.Bind(ctx, "snapshots", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

type keys struct {
	New, Revert, Delete, Commit, Pull, Cancel, Back key.Binding
}

func newKeys() keys {
	return keys{
		New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "take one: internal, disk-only, external")),
		Revert: key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter", "revert (asks: as taken, running, paused)")),
		Delete: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete: one, with children, or metadata")),
		Commit: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "block commit an external one's overlays")),
		Pull:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "block pull the base into the VM's disks")),
		Cancel: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "abort the block job")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.New, k.Revert, k.Delete, k.Commit, k.Pull, k.Cancel, k.Back}
}

// Page is one VM's snapshot tree.
type Page struct {
	ctx  *common.Context
	keys keys
	dom  libvirtx.Domain
	list *objpage.List[libvirtx.Snapshot]
}

// Open opens the snapshots of the named VM (a name or UUID), else of the
// selected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 1 {
		return nil, nil, errors.New("usage: snap [VM]")
	}
	var dom libvirtx.Domain
	if len(args) == 0 {
		d, ok := ctx.Selected()
		if !ok {
			return nil, nil, errors.New("snap: no VM selected")
		}
		dom = d
	} else {
		doms, err := ctx.Resolve(args)
		if err != nil {
			return nil, nil, fmt.Errorf("snap: %v", err)
		}
		dom = doms[0]
	}
	p, cmd := New(ctx, dom)
	return p, cmd, nil
}

// New opens dom's snapshots and the command that reads them.
func New(ctx *common.Context, dom libvirtx.Domain) (*Page, tea.Cmd) {
	load := func(uri string) ([]libvirtx.Snapshot, error) {
		if uri != dom.URI {
			return nil, nil
		}
		return ctx.Mgr.Snapshots(dom.Ref)
	}
	list, cmd := objpage.New(ctx, "snapshot", load, func(a, b libvirtx.Snapshot) bool { return a.Name == b.Name })
	return &Page{ctx: ctx, keys: common.Bind(ctx, "snapshots", newKeys()), dom: dom, list: list}, cmd
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Snapshots of " + p.dom.Name }

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.list.Capturing() }

// Update takes keys; the list takes listings, outcomes and jobs.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.EventsMsg:
		common.Follow(msg, &p.dom) // the questions say what a revert does to a running VM
	case insteadMsg:
		p.list.Ask = p.insteadQuestion(msg)
		return nil
	case forceMsg:
		p.list.Ask = &objpage.Question{Prompt: "libvirt will not revert " + p.dom.Name + " to " + msg.s.Name + " without forcing it:\n" + msg.reason,
			Answers: []objpage.Answer{{Key: "F", Text: "force the revert", Run: p.revert(msg.s, msg.to, true)}}}
		return nil
	}
	return p.list.Route(msg, p.key)
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k, s := p.keys, p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case !key.Matches(msg, k.New, k.Revert, k.Delete, k.Commit, k.Pull):
		return nil
	case p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.New):
		return p.newForm()
	case s == nil:
		p.ctx.SetMsg("no snapshot selected: n takes one", true)
	case key.Matches(msg, k.Revert):
		p.list.Ask = p.revertQuestion(*s)
	case key.Matches(msg, k.Delete):
		p.list.Ask = p.deleteQuestion(*s)
	case !s.External:
		p.ctx.SetMsg(s.Name+" is internal: its state is inside the disks, there is no overlay to merge", true)
	case !p.dom.State.Active():
		p.ctx.SetMsg("block commit and pull run inside QEMU: start "+p.dom.Name+" (or start it paused) first", true)
	case key.Matches(msg, k.Commit):
		p.list.Ask = &objpage.Question{Prompt: fmt.Sprintf("Commit %s: write %s into %s, put the VM back on it, and drop the snapshot and its files?",
			s.Name, names(overlays(*s)), names(bases(*s))), Answers: []objpage.Answer{{Key: "y", Text: "commit", Run: p.merge(*s, false)}}}
	case key.Matches(msg, k.Pull):
		p.list.Ask = &objpage.Question{Prompt: fmt.Sprintf("Pull %s: copy %s into the VM's disks (%s), so that they stand alone? The snapshot stays.",
			s.Name, names(bases(*s)), names(overlays(*s))), Answers: []objpage.Answer{{Key: "y", Text: "pull", Run: p.merge(*s, true)}}}
	}
	return nil
}

// overlays and bases are the files an external snapshot made and the
// images they were made on.
func overlays(s libvirtx.Snapshot) []string {
	return files(s, func(d libvirtx.SnapshotDisk) string { return d.File })
}

func bases(s libvirtx.Snapshot) []string {
	return files(s, func(d libvirtx.SnapshotDisk) string { return d.Base })
}

func files(s libvirtx.Snapshot, of func(libvirtx.SnapshotDisk) string) []string {
	var out []string
	for _, d := range s.Disks {
		if d.Mode == "external" {
			out = append(out, of(d))
		}
	}
	return out
}

// names are files by their base names, for a question's one sentence.
func names(paths []string) string {
	out := make([]string, len(paths))
	for i, f := range paths {
		out[i] = filepath.Base(f)
	}
	return strings.Join(out, ", ")
}

// done runs a change and reports it to the list.
func (p *Page) done(text string, f func() error) tea.Cmd {
	uri := p.dom.URI
	return func() tea.Msg {
		err := f()
		return objpage.Done{Kind: "snapshot", URI: uri, Text: widget.Choose(err == nil, text, "not "+text), Err: err}
	}
}

// revertQuestion says what is lost and offers the state to be left in.
func (p *Page) revertQuestion(s libvirtx.Snapshot) *objpage.Question {
	since := "its disks' current state"
	for _, c := range p.list.Rows() {
		if c.Current && c.Name != s.Name {
			since = "its disks' changes since " + c.Name + " (" + c.Created.Format("2006-01-02 15:04") + ")"
		}
	}
	lost := strings.ToUpper(since[:1]) + since[1:] + widget.Choose(strings.HasSuffix(since, "state"), " is", " are") + " lost."
	if p.dom.State.Active() {
		lost = p.dom.Name + " is " + p.dom.State.String() + ": what it runs now and " + since + " are lost."
	}
	held := map[string]string{"running": "running", "paused": "paused", "shutoff": "shut off", "disk-snapshot": "shut off (disks only)"}[s.State]
	return &objpage.Question{Prompt: "Revert " + p.dom.Name + " to " + s.Name + "? " + lost, Answers: []objpage.Answer{
		{Key: "y", Text: "revert, " + widget.Choose(held != "", held, s.State) + " as in the snapshot", Run: p.revert(s, libvirtx.RevertAsTaken, false)},
		{Key: "r", Text: "revert and run it", Run: p.revert(s, libvirtx.RevertRunning, false)},
		{Key: "p", Text: "revert, paused", Run: p.revert(s, libvirtx.RevertPaused, false)},
	}}
}

func (p *Page) revert(s libvirtx.Snapshot, to libvirtx.RevertTo, force bool) tea.Cmd {
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	return func() tea.Msg {
		err := mgr.RevertSnapshot(ref, s.Name, to, force)
		var risky libvirtx.RiskyRevert
		if errors.As(err, &risky) {
			return forceMsg{s: s, to: to, reason: risky.Reason}
		}
		if errors.As(err, new(libvirtx.ExternalUnsupported)) {
			return insteadMsg{s: s, why: err.Error()}
		}
		return objpage.Done{Kind: "snapshot", URI: ref.URI, Text: widget.Choose(err == nil, "reverted "+ref.Name+" to "+s.Name, "not reverted"), Err: err}
	}
}

// insteadMsg is a libvirt that cannot revert or delete an external
// snapshot: offer what it can do.
type insteadMsg struct {
	s   libvirtx.Snapshot
	why string
}

// insteadQuestion offers block commit and pull (with the VM running) and
// forgetting the snapshot.
func (p *Page) insteadQuestion(m insteadMsg) *objpage.Question {
	q := &objpage.Question{Prompt: m.why}
	if p.dom.State.Active() {
		q.Answers = append(q.Answers, objpage.Answer{Key: "c", Text: "block commit " + m.s.Name + " (then it is gone)", Run: p.merge(m.s, false)},
			objpage.Answer{Key: "p", Text: "block pull into the VM's disks (the snapshot stays)", Run: p.merge(m.s, true)})
	} else {
		q.Prompt += "\n(Commit and pull run inside QEMU: start " + p.dom.Name + " for them.)"
	}
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	q.Answers = append(q.Answers, objpage.Answer{Key: "m", Text: "forget it: libvirt's record only, its files stay",
		Run: p.done("removed the metadata of "+m.s.Name, func() error { return mgr.DeleteSnapshot(ref, m.s.Name, libvirtx.DeleteMetadata) })})
	return q
}

// forceMsg is libvirt calling a revert risky: ask again, to force it.
type forceMsg struct {
	s      libvirtx.Snapshot
	to     libvirtx.RevertTo
	reason string
}

// deleteQuestion offers the snapshot alone, with its children, or its
// record only.
func (p *Page) deleteQuestion(s libvirtx.Snapshot) *objpage.Question {
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	del := func(how libvirtx.SnapDelete, text string) tea.Cmd {
		return func() tea.Msg {
			err := mgr.DeleteSnapshot(ref, s.Name, how)
			if errors.As(err, new(libvirtx.ExternalUnsupported)) {
				return insteadMsg{s: s, why: err.Error()}
			}
			return objpage.Done{Kind: "snapshot", URI: ref.URI, Text: widget.Choose(err == nil, text, "not "+text), Err: err}
		}
	}
	q := &objpage.Question{Prompt: "Delete snapshot " + s.Name + " of " + ref.Name + "? The VM as it is now stays.",
		Answers: []objpage.Answer{{Key: "y", Text: "delete it" + widget.Choose(s.Children > 0, "; its children move up to its parent", ""), Run: del(libvirtx.DeleteOne, "deleted "+s.Name)}}}
	if s.Children > 0 {
		q.Answers = append(q.Answers, objpage.Answer{Key: "c", Text: fmt.Sprintf("delete it and everything under it (%d %s below)", s.Children, widget.Plural(s.Children, "child", "children")),
			Run: del(libvirtx.DeleteChildren, "deleted "+s.Name+" and its children")})
	}
	q.Answers = append(q.Answers, objpage.Answer{Key: "m", Text: "forget it: libvirt's record only, its files and disk data stay", Run: del(libvirtx.DeleteMetadata, "removed the metadata of "+s.Name)})
	return q
}

// merge runs a block commit or pull as the page's job.
func (p *Page) merge(s libvirtx.Snapshot, pull bool) tea.Cmd {
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	what := widget.Choose(pull, "pulling ", "committing ") + s.Name
	start := p.list.StartJob(what, ref.URI, func(ctx context.Context, progress func(done, total int64)) (string, error) {
		return mgr.MergeSnapshot(ctx, ref, s.Name, pull, func(_ string, done, total int64) { progress(done, total) })
	})
	return func() tea.Msg { return start }
}

// View is the tree with the selected snapshot described below it.
func (p *Page) View() string {
	type col = objpage.Column[libvirtx.Snapshot]
	wide := p.ctx.Width >= 120
	cols := []col{
		{Title: "NAME", Width: widget.Choose(wide, 36, 28), Text: treeName},
		{Title: "CREATED", Width: 16, Text: func(s libvirtx.Snapshot) string { return s.Created.Format("2006-01-02 15:04") }},
		{Title: "STATE", Width: 8, Text: stateText},
		{Title: "KIND", Width: 9, Text: libvirtx.Snapshot.Kind},
		{Title: "DESCRIPTION", Text: func(s libvirtx.Snapshot) string { return firstLine(s.Description) }},
	}
	if wide { // the footer says these at 80 columns
		cols = append(cols[:4:4], col{Title: "MEM", Width: 3, Text: func(s libvirtx.Snapshot) string { return objpage.YesNo(s.Memory) }},
			col{Title: "SIZE", Width: 7, Text: sizeText}, cols[4])
	}
	return p.list.View(objpage.Table[libvirtx.Snapshot]{
		Columns: cols,
		Loading: "reading the snapshots of " + p.dom.Name + "…",
		Empty:   p.dom.Name + " has no snapshot: n takes one",
		Footer:  p.footer,
	})
}

// treeName indents a snapshot under its parent and marks the current one.
// A long chain stops indenting after a few levels (… says it goes deeper),
// so that the names stay readable.
func treeName(s libvirtx.Snapshot) string {
	mark := widget.Choose(s.Current, "● ", "  ")
	const deepest = 4
	switch {
	case s.Depth == 0:
		return mark + s.Name
	case s.Depth > deepest:
		return mark + strings.Repeat("  ", deepest-1) + "…└ " + s.Name
	}
	return mark + strings.Repeat("  ", s.Depth-1) + "└ " + s.Name
}

func stateText(s libvirtx.Snapshot) string {
	switch s.State {
	case "shutoff":
		return "shut off"
	case "disk-snapshot":
		return "disks"
	}
	return s.State
}

func sizeText(s libvirtx.Snapshot) string {
	if !s.External {
		return "in disk"
	}
	return devices.ApproxSize(s.Size)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func (p *Page) footer(s libvirtx.Snapshot) []string {
	th := p.ctx.Theme
	head := th.Title.Render(s.Name) + " of " + s.VM + " on " + p.ctx.Label(s.URI) + widget.Choose(s.Current, " · current", "")
	if s.Parent != "" {
		head += " · after " + s.Parent
	}
	desc := firstLine(s.Description)
	if desc == "" {
		desc = th.Dim.Render("no description")
	}
	if !s.External {
		return []string{head, "inside the qcow2 disks (internal)" + widget.Choose(s.Memory, ", with the memory", ""), desc}
	}
	on := "on " + strings.Join(bases(s), ", ")
	if s.MemoryFile != "" {
		on += " · memory in " + s.MemoryFile
	}
	return []string{head, "overlays " + strings.Join(overlays(s), ", ") + " (" + devices.ApproxSize(s.Size) + ")", on, desc}
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.New, Word: "new"}, widget.Hint{Key: k.Revert, Word: "revert"}, widget.Hint{Key: k.Delete, Word: "delete"},
		widget.Hint{Key: k.Commit, Word: "commit"}, widget.Hint{Key: k.Pull, Word: "pull"})
}

func init() { common.RegisterKeys("snapshots", func() any { return newKeys() }) }
