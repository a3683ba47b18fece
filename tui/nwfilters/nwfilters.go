// Package nwfilters is the network filter page (:nwfilter): every filter
// of every connection with its chain, rules, the filters it includes, the
// VM NICs that reference it and the running NICs it is applied to. e edits
// a filter's XML, n copies the selected filter under a new name (libvirt's
// shipped ones, such as clean-traffic, are the usual starting point), D
// deletes one that nothing references.
package nwfilters

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/rawedit"
	"kvmtui/tui/widget"
)

const kind = string(libvirtx.ObjFilter)

func init() {
	common.Register(common.Entry{
		Words: []string{"nwfilter", "nwfilters", "filter", "filters"},
		Usage: "nwfilter",
		Desc:  "network filters of every host: rules, includes, the NICs using them",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Network filters (:nwfilter)", Keys: common.Bind(ctx, "nwfilters", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

type keys struct{ Edit, Copy, Delete, Back key.Binding }

func newKeys() keys {
	return keys{
		Edit:   key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e/enter", "view and edit its XML in $EDITOR")),
		Copy:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new filter, a copy of the selected one")),
		Delete: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete the filter (asks first)")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Edit, k.Copy, k.Delete, k.Back}
}

// Page lists the filters of every connection, by host then name.
type Page struct {
	ctx  *common.Context
	keys keys
	list *objpage.List[libvirtx.NWFilter]
}

// Open lists the filters of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: nwfilter (it lists the network filters of every host)")
	}
	same := func(a, b libvirtx.NWFilter) bool { return a.URI == b.URI && a.Name == b.Name }
	list, cmd := objpage.New(ctx, kind, ctx.Mgr.NWFilters, same)
	return &Page{ctx: ctx, keys: common.Bind(ctx, "nwfilters", newKeys()), list: list}, cmd, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Network filters" }

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.list.Capturing() }

// Update takes keys; the list takes the rest.
func (p *Page) Update(msg tea.Msg) tea.Cmd { return p.list.Route(msg, p.key) }

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k, s := p.keys, p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case !key.Matches(msg, k.Edit, k.Copy, k.Delete):
		return nil
	case s == nil:
		p.ctx.SetMsg("no filter selected", true)
	case key.Matches(msg, k.Edit):
		// Read-only sessions view it: the editor's result cannot be defined.
		pg, cmd, err := rawedit.Open(p.ctx, s.URI, libvirtx.ObjFilter, s.Name, s.Name)
		if err != nil {
			p.ctx.SetMsg(err.Error(), true)
			return nil
		}
		return func() tea.Msg { return common.PushMsg{Page: pg, Cmd: cmd} }
	case p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.Copy):
		pg := p.copyForm(*s)
		return func() tea.Msg { return common.PushMsg{Page: pg} }
	case key.Matches(msg, k.Delete):
		p.remove(*s)
	}
	return nil
}

// remove refuses a filter in use, naming its users, and asks otherwise.
func (p *Page) remove(f libvirtx.NWFilter) {
	if len(f.Users) > 0 {
		p.ctx.SetMsg(fmt.Sprintf("%s is in use by %s: drop the references first", f.Name, strings.Join(f.Users, ", ")), true)
		return
	}
	mgr := p.ctx.Mgr
	run := func() tea.Msg {
		err := mgr.UndefineNWFilter(f.URI, f.Name)
		return objpage.Done{Kind: kind, URI: f.URI, Text: widget.Choose(err == nil, "deleted filter ", "deleting filter ") + f.Name, Err: err}
	}
	p.list.Ask = &objpage.Question{Prompt: "Delete network filter " + f.Name + " from libvirt?",
		Answers: []objpage.Answer{{Key: "y", Text: "delete it", Run: run}}}
}

// nameForm is the copy form's one field.
type nameForm struct{ Name string }

func (f *nameForm) Fields() []devices.Field {
	return []devices.Field{{Name: "name", Label: "Name", Type: devices.TypeText, Help: "the new filter's name; then e edits its rules"}}
}

func (f *nameForm) Get(string) string { return f.Name }

func (f *nameForm) Set(_, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, "/ \t") {
		return fmt.Errorf("invalid filter name %q: no spaces or '/'", v)
	}
	f.Name = v
	return nil
}

// copyForm asks the new filter's name and defines it with the selected
// filter's rules.
func (p *Page) copyForm(from libvirtx.NWFilter) common.Page {
	f := &nameForm{Name: from.Name + "-custom"}
	mgr := p.ctx.Mgr
	note := "A new filter on " + p.ctx.Label(from.URI) + " with the rules of " + from.Name + ". ctrl+s defines it."
	return formpage.New(p.ctx, "New filter", note, form.New(f, nil), func() tea.Cmd {
		name := f.Name
		return func() tea.Msg {
			if err := mgr.CopyNWFilter(from.URI, from.Name, name); err != nil {
				return formpage.Saved{Err: err}
			}
			done := objpage.Done{Kind: kind, URI: from.URI, Text: "defined filter " + name + " from " + from.Name}
			return formpage.Saved{Text: done.Text, Then: func() tea.Msg { return done }}
		}
	})
}

// View is the table with the selected filter described below it.
func (p *Page) View() string {
	cols := []objpage.Column[libvirtx.NWFilter]{{Title: "NAME", Width: 24, Text: func(f libvirtx.NWFilter) string { return f.Name }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, objpage.Column[libvirtx.NWFilter]{Title: "HOST", Width: 10, Text: func(f libvirtx.NWFilter) string { return p.ctx.Label(f.URI) }})
	}
	cols = append(cols,
		objpage.Column[libvirtx.NWFilter]{Title: "CHAIN", Width: 10, Text: func(f libvirtx.NWFilter) string { return f.Chain }},
		objpage.Column[libvirtx.NWFilter]{Title: "RULES", Width: 5, Text: func(f libvirtx.NWFilter) string { return fmt.Sprint(f.Rules) }},
		objpage.Column[libvirtx.NWFilter]{Title: "INCLUDES", Width: widget.Choose(p.ctx.Width >= 120, 60, 20), Text: func(f libvirtx.NWFilter) string { return strings.Join(f.Refs, " ") }},
		objpage.Column[libvirtx.NWFilter]{Title: "USED BY", Text: func(f libvirtx.NWFilter) string { return strings.Join(f.Users, ", ") }},
	)
	return p.list.View(objpage.Table[libvirtx.NWFilter]{
		Columns: cols,
		Loading: "reading the network filters…",
		Empty:   "no network filter defined (libvirt ships clean-traffic and others in libvirt-daemon-config-nwfilter)",
		Dim:     func(f libvirtx.NWFilter) bool { return len(f.Users) == 0 },
		Footer:  p.footer,
	})
}

func (p *Page) footer(f libvirtx.NWFilter) []string {
	head := p.ctx.Theme.Title.Render(f.Name) + " on " + p.ctx.Label(f.URI)
	if f.Chain != "" {
		head += " · chain " + f.Chain
	}
	if f.Priority != 0 {
		head += fmt.Sprint(" · priority ", f.Priority)
	}
	head += " · " + widget.Plural(f.Rules, "1 rule", fmt.Sprint(f.Rules, " rules"))
	out := []string{head, "includes: none", "referenced by: nothing (D deletes it)", "applied to: no running NIC"}
	if len(f.Refs) > 0 {
		out[1] = "includes: " + strings.Join(f.Refs, ", ")
	}
	if len(f.Users) > 0 {
		out[2] = "referenced by: " + strings.Join(f.Users, ", ")
	}
	if len(f.Bound) > 0 {
		out[3] = "applied to: " + strings.Join(f.Bound, ", ")
	}
	return out
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.Edit, Word: "XML"}, widget.Hint{Key: k.Copy, Word: "copy"}, widget.Hint{Key: k.Delete, Word: "delete"})
}

func init() { common.RegisterKeys("nwfilters", func() any { return newKeys() }) }
