package pools

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

// The volume page: one pool's volumes with their format, sizes, backing
// and the VMs using them; n creates one, R resizes, c clones, W wipes, D
// deletes.

type volKeys struct {
	New, Resize, Clone, Wipe, Delete, Upload, Download, Cancel, Back key.Binding
}

func newVolKeys() volKeys {
	return volKeys{
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new volume (or an overlay on one)")),
		Resize:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resize (live for a running VM's disk)")),
		Clone:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clone, into this pool or another")),
		Wipe:     key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "wipe its data with zeros (asks)")),
		Delete:   key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete the volume (asks)")),
		Upload:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "upload a local file into a volume")),
		Download: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "download the volume to a local file")),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel the upload or download")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the pools")),
	}
}

func (k volKeys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.New, k.Resize, k.Clone, k.Wipe, k.Delete, k.Upload, k.Download, k.Cancel, k.Back}
}

// volPage lists one pool's volumes.
type volPage struct {
	ctx       *common.Context
	keys      volKeys
	uri, pool string
	list      *objpage.List[libvirtx.Volume]
	detailed  atomic.Bool // the names are on screen: loads read the details
}

func newVolPage(ctx *common.Context, uri, pool string) (*volPage, tea.Cmd) {
	p := &volPage{ctx: ctx, keys: common.Bind(ctx, "volumes", newVolKeys()), uri: uri, pool: pool}
	// The first load lists the names in one call; the details follow.
	load := func(u string) ([]libvirtx.Volume, error) {
		switch {
		case u != uri:
			return nil, nil
		case !p.detailed.Load():
			return ctx.Mgr.VolumeNames(uri, pool)
		}
		return ctx.Mgr.Volumes(uri, pool)
	}
	var cmd tea.Cmd
	p.list, cmd = objpage.New(ctx, "pool", load, func(a, b libvirtx.Volume) bool { return a.Name == b.Name })
	return p, cmd
}

// openVolumes is :vol POOL: the pool of that name on the one host that
// has it.
func openVolumes(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) != 1 {
		return nil, nil, fmt.Errorf("usage: vol POOL")
	}
	var hosts []string
	for _, c := range ctx.SortedConns() {
		if slices.Contains(c.Pools, args[0]) {
			hosts = append(hosts, c.URI)
		}
	}
	switch len(hosts) {
	case 0:
		return nil, nil, fmt.Errorf("vol: no storage pool %q (:pool lists them)", args[0])
	case 1:
		p, cmd := newVolPage(ctx, hosts[0], args[0])
		return p, cmd, nil
	}
	return nil, nil, fmt.Errorf("vol: pool %q is on several hosts: open it from :pool", args[0])
}

// Title is the page's crumb.
func (p *volPage) Title() string { return "Volumes of " + p.pool }

// Capturing: a question takes every key.
func (p *volPage) Capturing() bool { return p.list.Capturing() }

// Update takes keys; the list takes the rest.
func (p *volPage) Update(msg tea.Msg) tea.Cmd {
	cmd := p.list.Route(msg, p.key)
	if !p.detailed.Load() && !p.list.Loading() {
		p.detailed.Store(true)
		if len(p.list.Rows()) > 0 {
			return tea.Batch(cmd, p.list.Reload(p.uri))
		}
	}
	return cmd
}

func (p *volPage) key(msg tea.KeyMsg) tea.Cmd {
	k, s := p.keys, p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case !key.Matches(msg, k.New, k.Resize, k.Clone, k.Wipe, k.Delete, k.Upload, k.Download):
		return nil
	case p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.New):
		return p.withPool(func(pl libvirtx.Pool, _ []libvirtx.Pool) common.Page { return p.newForm(pl, s) })
	case key.Matches(msg, k.Upload):
		return push(p.uploadForm())
	case s == nil:
		p.ctx.SetMsg("no volume selected", true)
	case key.Matches(msg, k.Resize):
		return push(p.resizeForm(*s))
	case key.Matches(msg, k.Download):
		return push(p.downloadForm(*s))
	case key.Matches(msg, k.Clone):
		v := *s
		return p.withPool(func(_ libvirtx.Pool, all []libvirtx.Pool) common.Page { return p.cloneForm(v, all) })
	case key.Matches(msg, k.Wipe):
		p.ask(*s, libvirtx.VolWipe, "Wipe "+s.Name+"? Everything in it is overwritten.", "wipe it", "wiped "+s.Name)
	case key.Matches(msg, k.Delete):
		p.ask(*s, libvirtx.VolDelete, "Delete volume "+s.Name+" ("+s.Path+")? Its data is gone.", "delete it", "deleted "+s.Name)
	}
	return nil
}

func push(pg common.Page) tea.Cmd {
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}

// withPool reads the host's pools (the forms need the pool's type and the
// others' names) and then opens a form.
func (p *volPage) withPool(open func(pool libvirtx.Pool, all []libvirtx.Pool) common.Page) tea.Cmd {
	mgr, uri, name := p.ctx.Mgr, p.uri, p.pool
	return func() tea.Msg {
		all, err := mgr.Pools(uri)
		if err != nil {
			return common.StatusMsg{Text: err.Error(), Err: true}
		}
		for _, pl := range all {
			if pl.Name == name {
				return common.PushMsg{Page: open(pl, all)}
			}
		}
		return common.StatusMsg{Text: "pool " + name + " is gone", Err: true}
	}
}

// ask asks before a wipe or a delete; a VM's disk asks more plainly. A
// wipe offers zeros (y), random data (r) or the DoD's four passes (d).
func (p *volPage) ask(v libvirtx.Volume, a libvirtx.VolAction, prompt, answer, done string) {
	force := len(v.Users) > 0
	if force {
		prompt += "\nIt is a disk of " + strings.Join(v.Users, ", ") + ": the VM loses " + widget.Choose(a == libvirtx.VolDelete, "it.", "what is on it.")
		answer += " anyway"
	}
	mgr := p.ctx.Mgr
	run := func(a libvirtx.VolAction) tea.Cmd {
		return func() tea.Msg {
			err := mgr.DoVolume(v.URI, v.Pool, v.Name, a, force)
			return objpage.Done{Kind: "pool", URI: v.URI, Text: widget.Choose(err == nil, done, "not "+done), Err: err}
		}
	}
	q := &objpage.Question{Prompt: prompt, Answers: []objpage.Answer{{Key: "y", Text: answer, Run: run(a)}}}
	if a == libvirtx.VolWipe {
		q.Answers[0].Text += " with zeros, one pass"
		q.Answers = append(q.Answers, objpage.Answer{Key: "r", Text: "random data, one pass", Run: run(libvirtx.WipeWith("random"))},
			objpage.Answer{Key: "d", Text: "DoD 5220.22-M, four passes (slow)", Run: run(libvirtx.WipeWith("dod"))})
	}
	p.list.Ask = q
}

// View is the table with the selected volume described below it.
func (p *volPage) View() string {
	type col = objpage.Column[libvirtx.Volume]
	size := func(b uint64) string { return widget.HumanBytes(float64(b)) }
	cols := []col{
		{Title: "NAME", Width: 22, Text: func(v libvirtx.Volume) string { return v.Name }},
		{Title: "FORMAT", Width: 10, Text: formatText},
		{Title: "SIZE", Width: 6, Text: func(v libvirtx.Volume) string { return size(v.Capacity) }},
		{Title: "USED", Width: 6, Text: func(v libvirtx.Volume) string { return size(v.Allocation) }},
		{Title: "VMS", Width: widget.Choose(p.ctx.Width >= 120, 24, 0), Text: func(v libvirtx.Volume) string { return strings.Join(v.Users, " ") }},
	}
	if p.ctx.Width >= 120 {
		cols = append(cols, col{Title: "BACKING", Text: func(v libvirtx.Volume) string { return v.Backing }})
	}
	return p.list.View(objpage.Table[libvirtx.Volume]{
		Columns: cols,
		Loading: "reading the volumes of " + p.pool + "…",
		Empty:   "no volume in " + p.pool + ": n makes one",
		Dim:     func(v libvirtx.Volume) bool { return len(v.Users) == 0 },
		Footer:  p.footer,
	})
}

// formatText is the volume's format, "+luks" when encrypted.
func formatText(v libvirtx.Volume) string {
	if v.Encrypted {
		return v.Format + "+luks"
	}
	return v.Format
}

func (p *volPage) footer(v libvirtx.Volume) []string {
	head := p.ctx.Theme.Title.Render(v.Name) + " in " + v.Pool + " on " + p.ctx.Label(v.URI)
	if v.Format != "" {
		head += " · " + formatText(v)
	}
	if v.Encrypted {
		head += " (LUKS: libvirt holds its passphrase)"
	}
	out := []string{head, fmt.Sprintf("%s, %s allocated · %s", widget.HumanBytes(float64(v.Capacity)), widget.HumanBytes(float64(v.Allocation)), v.Path),
		"no backing volume", "no VM uses it"}
	if v.Backing != "" {
		out[2] = "an overlay on " + v.Backing
	}
	if len(v.Users) > 0 {
		out[3] = "a disk of " + strings.Join(v.Users, ", ")
	}
	return out
}

// Hints is the bottom line.
func (p *volPage) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.New, Word: "new"}, widget.Hint{Key: k.Resize, Word: "resize"}, widget.Hint{Key: k.Clone, Word: "clone"},
		widget.Hint{Key: k.Wipe, Word: "wipe"}, widget.Hint{Key: k.Delete, Word: "delete"}, widget.Hint{Key: k.Upload, Word: "upload"},
		widget.Hint{Key: k.Download, Word: "download"})
}

func init() { common.RegisterKeys("volumes", func() any { return newVolKeys() }) }
