// Package backups is a VM's backup page (:backup [VM] [POOL], B on the
// list): the backup points in a pool with their kind, chain, size and
// time; b takes a full backup, i an incremental one, R restores a point
// (into the VM or as a new one), K keeps only the newest points.
package backups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"backup", "backups"},
		Usage: "backup [VM] [POOL]",
		Desc:  "a VM's backups in a pool (default: default)",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Backups (:backup VM, B)", Keys: common.Bind(ctx, "backups", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

type keys struct {
	Full, Incremental, Restore, Keep, Cancel, Back key.Binding
}

func newKeys() keys {
	return keys{
		Full:        key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "full backup (with a checkpoint)")),
		Incremental: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "incremental: changes since the last")),
		Restore:     key.NewBinding(key.WithKeys("R", "enter"), key.WithHelp("R", "restore: into the VM or as a new one")),
		Keep:        key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "keep only the newest N (merges)")),
		Cancel:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "abort the backup or restore")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Full, k.Incremental, k.Restore, k.Keep, k.Cancel, k.Back}
}

// Page is one VM's backups in one pool.
type Page struct {
	ctx  *common.Context
	keys keys
	dom  libvirtx.Domain
	pool string
	list *objpage.List[libvirtx.Backup]
}

// Open opens the backups of the named VM (else the selected one) in the
// named pool (else "default").
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 2 {
		return nil, nil, errors.New("usage: backup [VM] [POOL]")
	}
	pool := "default"
	if len(args) == 2 {
		pool = args[1]
	}
	doms, err := ctx.Resolve(args[:min(len(args), 1)])
	if err != nil {
		return nil, nil, fmt.Errorf("backup: %v", err)
	}
	if c := ctx.Conns[doms[0].URI]; c != nil && len(c.Pools) > 0 && !slices.Contains(c.Pools, pool) {
		return nil, nil, fmt.Errorf("backup: no storage pool %q on %s: :backup VM POOL (:pool lists them)", pool, c.Label)
	}
	p, cmd := New(ctx, doms[0], pool)
	return p, cmd, nil
}

// New opens dom's backups in pool.
func New(ctx *common.Context, dom libvirtx.Domain, pool string) (*Page, tea.Cmd) {
	load := func(uri string) ([]libvirtx.Backup, error) {
		if uri != dom.URI {
			return nil, nil
		}
		return ctx.Mgr.Backups(uri, pool, dom.Name)
	}
	list, cmd := objpage.New(ctx, "backup", load, func(a, b libvirtx.Backup) bool { return a.ID == b.ID })
	return &Page{ctx: ctx, keys: common.Bind(ctx, "backups", newKeys()), dom: dom, pool: pool, list: list}, cmd
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Backups of " + p.dom.Name + " in " + p.pool }

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.list.Capturing() }

// Update takes keys; the list takes listings, outcomes and jobs.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	if evs, ok := msg.(common.EventsMsg); ok {
		common.Follow(evs, &p.dom)
	}
	if _, ok := msg.(noBaseMsg); ok {
		p.list.Ask = &objpage.Question{Prompt: p.dom.Name + " has no backup in " + p.pool + " to build an incremental one on.",
			Answers: []objpage.Answer{{Key: "b", Text: "take a full backup", Run: p.backup(false)}}}
		return nil
	}
	return p.list.Route(msg, p.key)
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k, s := p.keys, p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case !key.Matches(msg, k.Full, k.Incremental, k.Restore, k.Keep):
		return nil
	case p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.Full):
		return p.backup(false)
	case key.Matches(msg, k.Incremental):
		return p.backup(true)
	case key.Matches(msg, k.Keep):
		return p.keepForm()
	case s == nil:
		p.ctx.SetMsg("no backup selected: b takes one", true)
	case key.Matches(msg, k.Restore):
		p.list.Ask = p.restoreQuestion(*s)
	}
	return nil
}

// backup runs a backup as the page's job; an incremental one with nothing
// to build on offers a full one.
func (p *Page) backup(incremental bool) tea.Cmd {
	mgr, ref, pool := p.ctx.Mgr, p.dom.Ref, p.pool
	what := widget.Choose(incremental, "incremental backup of ", "full backup of ") + ref.Name
	start := p.list.StartJob(what, ref.URI, func(ctx context.Context, progress func(done, total int64)) (string, error) {
		b, err := mgr.BackupVM(ctx, ref, libvirtx.BackupOptions{Pool: pool, Incremental: incremental}, progress)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("backed up %s: %s %s (%.1fs)", ref.Name, b.Kind, b.ID, b.Seconds), nil
	})
	if incremental {
		return func() tea.Msg {
			// Asked here, not after a failed job: the question is what to do instead.
			if all, err := mgr.Backups(ref.URI, pool, ref.Name); err == nil && len(all) == 0 {
				return noBaseMsg{}
			}
			return start
		}
	}
	return func() tea.Msg { return start }
}

// noBaseMsg: an incremental backup was asked for with no backup before it.
type noBaseMsg struct{}

// restoreQuestion offers the point into the VM (shut off) or as a new VM.
func (p *Page) restoreQuestion(b libvirtx.Backup) *objpage.Question {
	q := &objpage.Question{Prompt: "Restore " + b.ID + " (" + b.Kind + ") of " + p.dom.Name + "?"}
	if p.dom.State.Active() {
		q.Prompt += "\n" + p.dom.Name + " is " + p.dom.State.String() + ": shut it down to restore into it, or restore a new VM."
	} else {
		q.Answers = append(q.Answers, objpage.Answer{Key: "y", Text: "into " + p.dom.Name + ": its disks become the backup's (the old images stay)",
			Run: p.restore(b, "")})
	}
	q.Answers = append(q.Answers, objpage.Answer{Key: "a", Text: "as a new VM…", Run: p.asForm(b)})
	return q
}

func (p *Page) restore(b libvirtx.Backup, as string) tea.Cmd {
	mgr, uri, pool, vm := p.ctx.Mgr, p.dom.URI, p.pool, p.dom.Name
	start := p.list.StartJob("restoring "+b.ID, uri, func(_ context.Context, progress func(done, total int64)) (string, error) {
		return mgr.RestoreBackup(uri, pool, vm, b.ID, as, func(_ string, done, total int64) { progress(done, total) })
	})
	return func() tea.Msg { return start }
}

func (p *Page) asForm(b libvirtx.Backup) tea.Cmd {
	taken := p.ctx.VMNames()
	f := &formpage.Value{Field: devices.Field{Name: "value", Label: "Name", Type: devices.TypeText, Help: "the new VM's name"},
		Text: p.dom.Name + "-restored", Check: func(v string) error {
			for _, n := range taken {
				if n == v {
					return fmt.Errorf("a VM named %s exists", v)
				}
			}
			if v == "" || strings.Contains(v, "/") {
				return errors.New("a name with no '/'")
			}
			return nil
		}}
	note := "Restore " + b.ID + " of " + p.dom.Name + " as a new VM (new UUID and MACs): ctrl+s starts."
	pg := formpage.New(p.ctx, "Restore as", note, form.New(f, nil), func() tea.Cmd {
		run := p.restore(b, f.Text)
		return func() tea.Msg { return formpage.Saved{Then: run} }
	})
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}

func (p *Page) keepForm() tea.Cmd {
	f := &formpage.Value{Field: devices.Field{Name: "value", Label: "Keep", Type: devices.TypeText,
		Help: "how many of the newest backups stay; older ones go (merged into a kept one that builds on them)"},
		Text: strconv.Itoa(max(len(p.list.Rows()), 1)), Check: func(v string) error {
			if n, err := strconv.Atoi(v); err != nil || n < 1 {
				return errors.New("a number, at least 1")
			}
			return nil
		}}
	mgr, uri, pool, vm := p.ctx.Mgr, p.dom.URI, p.pool, p.dom.Name
	note := fmt.Sprintf("%s has %d backups in %s: ctrl+s removes all but the newest.", vm, len(p.list.Rows()), pool)
	pg := formpage.New(p.ctx, "Keep", note, form.New(f, nil), func() tea.Cmd {
		keep, _ := strconv.Atoi(f.Text)
		return func() tea.Msg {
			removed, err := mgr.PruneBackups(uri, pool, vm, keep)
			if err != nil {
				return formpage.Saved{Err: err}
			}
			text := fmt.Sprintf("kept %d; removed %s", keep, widget.Choose(len(removed) > 0, strings.Join(removed, ", "), "nothing"))
			done := objpage.Done{Kind: "backup", URI: uri, Text: text}
			return formpage.Saved{Text: text, Then: func() tea.Msg { return done }}
		}
	})
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}

// View is the list of points, newest last, with the selected one below.
func (p *Page) View() string {
	type col = objpage.Column[libvirtx.Backup]
	cols := []col{
		{Title: "ID", Width: 17, Text: func(b libvirtx.Backup) string { return b.ID }},
		{Title: "KIND", Width: 11, Text: func(b libvirtx.Backup) string { return b.Kind }},
		{Title: "ON", Width: 17, Text: func(b libvirtx.Backup) string { return widget.Choose(b.Parent == "", "-", b.Parent) }},
		{Title: "SIZE", Width: 7, Text: func(b libvirtx.Backup) string { return devices.ApproxSize(size(b)) }},
		{Title: "DISKS", Text: func(b libvirtx.Backup) string { return targets(b) }},
	}
	return p.list.View(objpage.Table[libvirtx.Backup]{
		Columns: cols,
		Loading: "reading the backups of " + p.dom.Name + " in " + p.pool + "…",
		Empty:   p.dom.Name + " has no backup in " + p.pool + ": b takes a full one",
		Footer:  p.footer,
	})
}

func size(b libvirtx.Backup) uint64 {
	var n uint64
	for _, d := range b.Disks {
		n += d.Allocation
	}
	return n
}

func targets(b libvirtx.Backup) string {
	var out []string
	for _, d := range b.Disks {
		out = append(out, d.Target)
	}
	return strings.Join(out, " ")
}

func (p *Page) footer(b libvirtx.Backup) []string {
	head := p.ctx.Theme.Title.Render(b.ID) + " · " + b.Kind + widget.Choose(b.Parent == "", "", " on "+b.Parent) +
		fmt.Sprintf(" · taken %s in %.1fs", b.Time.Local().Format("2006-01-02 15:04:05"), b.Seconds)
	var files []string
	for _, d := range b.Disks {
		files = append(files, d.Target+" → "+d.File)
	}
	return []string{head, strings.Join(files, "; "), "checkpoint " + b.Checkpoint}
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.Full, Word: "full"}, widget.Hint{Key: k.Incremental, Word: "incremental"},
		widget.Hint{Key: k.Restore, Word: "restore"}, widget.Hint{Key: k.Keep, Word: "keep"})
}

func init() { common.RegisterKeys("backups", func() any { return newKeys() }) }
