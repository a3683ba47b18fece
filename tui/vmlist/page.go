// Package vmlist is kvmtui's home page: every VM of every connection with
// its load at a glance, the lifecycle actions, the filter, marks and sort,
// and the consoles (the pane beside the list, full screen, the graphical
// viewer, send-key). It is the bottom of the root's page stack.
package vmlist

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"vm", "vms"},
		Usage: "vm",
		Desc:  "the VM list (closes the pages over it)",
		Root:  true,
		Open: func(ctx *common.Context, _ []string) (common.Page, tea.Cmd, error) {
			return New(ctx), nil, nil
		},
	})
}

type mode int

const (
	modeList   mode = iota
	modeFilter      // typing the filter
	modeRename      // typing a new name
	modeDelete      // the delete dialog
)

// Page is the VM list.
type Page struct {
	ctx      *common.Context
	mgr      *libvirtx.Manager
	lk       listKeys
	colOrder []int // the columns, in the configuration's order
	list     *vmList
	mode     mode
	input    textinput.Model
	renaming libvirtx.Domain
	del      *deleteDialog
	con      *consoleState // consoles: see console.go
}

// New builds the list over the context, and gives the context the list's
// selection.
func New(ctx *common.Context) *Page {
	in := textinput.New()
	in.CharLimit = 512
	// A blinking cursor redraws the screen twice a second: bytes over SSH
	// for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	m := &Page{ctx: ctx, mgr: ctx.Mgr, lk: common.Bind(ctx, "list", newListKeys()), list: newVMList(ctx.Conns), input: in}
	for _, d := range ctx.VMs("") {
		m.list.upsert(common.VMKey(d.URI, d.UUID), d)
	}
	m.list.rebuild()
	m.list.decorate = m.decorateRow
	m.colOrder, _ = columnOrder(ctx.Config.Columns) // common.Configure reports its errors
	ctx.Targets = m.list.targets
	ctx.Selected = func() (libvirtx.Domain, bool) {
		if r := m.list.selected(); r != nil {
			return r.dom, true
		}
		return libvirtx.Domain{}, false
	}
	ctx.Move = m.list.move
	return m
}

// Title: the list is the root of the breadcrumbs.
func (m *Page) Title() string { return "" }

// Capturing: the filter and rename inputs, the delete dialog and a focused
// console take every key.
func (m *Page) Capturing() bool {
	c := m.cons()
	return m.mode != modeList || c.menu != nil || c.ws != nil || c.pane.focused
}

// Update takes the list's keys, the events, the sweeps and the results of
// its commands; the consoles' own messages first.
func (m *Page) Update(msg tea.Msg) tea.Cmd {
	if c, done := m.consoleUpdate(msg); done {
		return tea.Batch(c, m.consoleAfter())
	}
	return tea.Batch(m.update(msg), m.consoleAfter())
}

func (m *Page) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.list.height = max(m.ctx.Height-4, 1)
		m.list.clamp()
	case common.EventsMsg:
		m.events(msg)
	case common.SweepMsg:
		if msg.Active {
			m.decorateStopped()
		}
		m.list.applySamples(msg.Samples)
	case common.PerfChangedMsg:
		m.redecorate()
	case actionDoneMsg:
		switch {
		case msg.err != nil && msg.text != "":
			m.ctx.SetMsg(msg.text+"; "+msg.err.Error(), true)
		case msg.err != nil:
			m.ctx.SetMsg(msg.err.Error(), true)
		default:
			m.ctx.SetMsg(msg.text, false)
		}
	case renameDoneMsg:
		if msg.err != nil {
			m.ctx.SetMsg(fmt.Sprintf("rename %s: %v", msg.from, msg.err), true)
		} else {
			m.ctx.SetMsg(fmt.Sprintf("renamed %s to %s", msg.from, msg.to), false)
		}
	case planMsg:
		if msg.err != nil {
			m.ctx.SetMsg("delete: "+msg.err.Error(), true)
			return nil
		}
		m.del = newDeleteDialog(msg.plan)
		m.mode = modeDelete
	case deleteDoneMsg:
		m.ctx.SetMsg(deleteSummary(msg), msg.err != nil || len(msg.res.Failed) > 0)
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return nil
}

// events keeps the rows current with libvirt.
func (m *Page) events(evs common.EventsMsg) {
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			if e.Status == libvirtx.Disconnected || e.Status == libvirtx.Closed {
				m.list.dropConn(e.URI)
			}
		case libvirtx.InventoryEvent:
			m.list.setInventory(e.URI, e.Domains)
		case libvirtx.DomainEvent:
			m.list.applyDomainEvent(e)
			if e.Notice != "" {
				m.ctx.SetMsg(e.Name+": "+e.Notice, e.Failed)
			}
		}
	}
}

func (m *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch m.mode {
	case modeFilter, modeRename:
		return m.handleInput(msg)
	case modeDelete:
		return m.handleDelete(msg)
	}
	switch g := m.ctx.Keys; {
	case key.Matches(msg, g.Quit):
		return tea.Quit
	case key.Matches(msg, g.Back):
		switch {
		case m.list.filter != "":
			m.list.setFilter("")
		case len(m.list.marks) > 0:
			m.list.marks = map[common.VMID]bool{}
		}
		m.ctx.SetMsg("", false)
		return nil
	}
	return m.handleListKey(msg)
}

func (m *Page) handleListKey(msg tea.KeyMsg) tea.Cmd {
	l, k := m.list, m.lk
	switch {
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.PageUp):
		l.move(-l.height)
	case key.Matches(msg, k.PageDown):
		l.move(l.height)
	case key.Matches(msg, k.Top):
		l.move(-len(l.view))
	case key.Matches(msg, k.Bottom):
		l.move(len(l.view))
	case key.Matches(msg, k.Filter):
		m.startInput(modeFilter, "/", l.filter)
	case key.Matches(msg, k.Mark):
		l.toggleMark()
		l.move(1)
	case key.Matches(msg, k.MarkAll):
		l.markAll()
	case key.Matches(msg, k.Sort):
		l.setSort(m.layout().next(l.sortCol), l.sortDesc)
	case key.Matches(msg, k.SortRev):
		l.setSort(l.sortCol, !l.sortDesc)
	case key.Matches(msg, k.Perf):
		return common.Open("perf")
	case key.Matches(msg, k.SparkColumn):
		return common.Run("spark")
	case key.Matches(msg, k.Details):
		if l.selected() != nil {
			return common.Open("details")
		}
	case key.Matches(msg, k.HostDevices):
		return common.Open("hostdev")
	case key.Matches(msg, k.Clone):
		return common.Run("clone")
	case key.Matches(msg, k.Migrate):
		return common.Open("migrate")
	case key.Matches(msg, k.Screen):
		if l.selected() != nil {
			return common.Open("screen")
		}
	case key.Matches(msg, k.Agent):
		if l.selected() != nil {
			return common.Open("agent")
		}
	case key.Matches(msg, k.Backups):
		if l.selected() != nil {
			return common.Open("backup")
		}
	case key.Matches(msg, k.Snapshots):
		if l.selected() != nil {
			return common.Open("snap")
		}
	case key.Matches(msg, k.New):
		return common.Open("new")
	default:
		if cmd, ok := m.handleConsoleKey(msg); ok {
			return cmd
		}
		return m.handleActionKey(msg)
	}
	return nil
}

func (m *Page) startInput(md mode, prompt, value string) {
	m.mode = md
	m.input.Prompt = prompt
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.input.Focus()
	m.ctx.SetMsg("", false)
}

func (m *Page) endInput() {
	m.mode = modeList
	m.input.Blur()
}

func (m *Page) handleInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		if m.mode == modeFilter {
			m.list.setFilter("")
		}
		m.endInput()
		return nil
	case tea.KeyEnter:
		md, val := m.mode, m.input.Value()
		m.endInput()
		switch md {
		case modeFilter:
			m.list.setFilter(val)
		case modeRename:
			if strings.TrimSpace(val) == m.renaming.Name {
				m.ctx.SetMsg("name unchanged", false)
				return nil
			}
			return doRename(m.mgr, m.renaming, strings.TrimSpace(val))
		}
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.mode == modeFilter {
		m.list.setFilter(m.input.Value())
	}
	return cmd
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
