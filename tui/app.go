// Package tui is kvmtui's Bubble Tea model tree. It never imports libvirt:
// it gets plain values from libvirtx through messages and calls libvirtx only
// inside tea.Cmds, so a slow or dead daemon never freezes the screen.
package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Options are what main hands the UI.
type Options struct {
	DemoURI  string        // the URI of the bundled demo host, if one is open
	Interval time.Duration // stats sweep interval
	Perf     *perf.Config  // thresholds and charts; nil reads perf.ConfigPath()
}

type mode int

const (
	modeList mode = iota
	modeFilter
	modeCommand
	modeRename
	modeConfirm
	modeDelete
	modeHelp
)

// Model is the root model.
type Model struct {
	mgr   *libvirtx.Manager
	opts  Options
	ctx   *common.Context // what every page shares: theme, size, connections, message line
	stack []common.Page   // pages opened over the list; the last is on top
	gk    globalKeys
	lk    listKeys

	list *vmList

	mode       mode
	input      textinput.Model
	renaming   libvirtx.Domain
	confirm    *widget.Confirm
	del        *deleteDialog
	helpReturn mode // where the help overlay returns to
	helpOffset int  // first help line shown

	sweeping bool
	perf     *perfState
	con      *consoleState // consoles: see console.go
}

// New builds the root model over a manager whose connections were added.
func New(mgr *libvirtx.Manager, opts Options) *Model {
	if opts.Interval < common.MinInterval {
		opts.Interval = common.MinInterval
	}
	in := textinput.New()
	in.CharLimit = 512
	// A blinking cursor redraws the screen twice a second: bytes over SSH
	// for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	m := &Model{
		mgr:   mgr,
		opts:  opts,
		ctx:   common.NewContext(mgr, opts.DemoURI),
		gk:    newGlobalKeys(),
		lk:    newListKeys(),
		list:  newVMList(),
		input: in,
	}
	for _, c := range m.ctx.Conns {
		m.list.labels[c.URI] = c.Label
	}
	m.ctx.Targets = m.list.targets
	m.ctx.Selected = func() (libvirtx.Domain, bool) {
		if r := m.list.selected(); r != nil {
			return r.dom, true
		}
		return libvirtx.Domain{}, false
	}
	m.initPerf()
	return m
}

// Init starts listening for events and the stats ticks.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(common.WaitEvents(m.mgr), common.Sweep(m.mgr))
}

// trackConn follows a new connection in the context and the list.
func (m *Model) trackConn(uri string) {
	m.list.labels[uri] = m.ctx.Track(uri).Label
}

// Update routes messages: data first, then keys by mode.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	if c, done := m.consoleUpdate(msg); done {
		return m, tea.Batch(c, m.consoleAfter())
	}
	defer func() {
		switch msg.(type) {
		case tea.KeyMsg, common.EventsMsg: // keys go to the top page only; events through ApplyEvents
		default:
			cmd = tea.Batch(cmd, m.forward(msg)) // after the root: the context is current
		}
		cmd = tea.Batch(cmd, m.consoleAfter())
	}()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.list.height = max(m.ctx.Height-4, 1)
		m.list.clamp()
		m.renderPerf()
		return m, nil
	case common.EventsMsg:
		return m, tea.Batch(common.WaitEvents(m.mgr), m.ApplyEvents(msg))
	case common.TickMsg:
		if m.sweeping {
			return m, nil
		}
		m.sweeping = true
		return m, m.perf.sweeps.Next(m.mgr, m.opts.Interval)
	case common.SweepMsg:
		m.sweeping = false
		m.observePerf(msg)
		m.list.applySamples(msg.Samples)
		return m, common.Tick(m.opts.Interval)
	case actionDoneMsg:
		switch {
		case msg.err != nil && msg.text != "":
			m.ctx.SetMsg(msg.text+"; "+msg.err.Error(), true)
		case msg.err != nil:
			m.ctx.SetMsg(msg.err.Error(), true)
		default:
			m.ctx.SetMsg(msg.text, false)
		}
		return m, nil
	case renameDoneMsg:
		if msg.err != nil {
			m.ctx.SetMsg(fmt.Sprintf("rename %s: %v", msg.from, msg.err), true)
		} else {
			m.ctx.SetMsg(fmt.Sprintf("renamed %s to %s", msg.from, msg.to), false)
		}
		return m, nil
	case planMsg:
		if msg.err != nil {
			m.ctx.SetMsg("delete: "+msg.err.Error(), true)
			return m, nil
		}
		m.del = newDeleteDialog(msg.plan)
		m.mode = modeDelete
		return m, nil
	case deleteDoneMsg:
		m.ctx.SetMsg(deleteSummary(msg), msg.err != nil || len(msg.res.Failed) > 0)
		return m, nil
	case common.OpenMsg:
		return m, m.open(msg.Word, msg.Args)
	case common.PopMsg:
		m.pop()
		return m, nil
	case common.ReplaceMsg:
		m.pop()
		m.stack = append(m.stack, msg.Page)
		return m, msg.Cmd
	case common.PushMsg:
		m.stack = append(m.stack, msg.Page)
		return m, msg.Cmd
	case common.StatusMsg:
		m.ctx.SetMsg(msg.Text, msg.Err)
		return m, nil
	case tea.KeyMsg:
		return m.handleKeys(msg)
	}
	return m, nil
}

// handleKeys splits a burst of typed runes ("jjj" arrives as one message
// when keys come faster than they are read, as over SSH) into single key
// presses, except where a text input takes them as text.
func (m *Model) handleKeys(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 || msg.Paste {
		return m.handleKey(msg)
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if m.inputMode() {
			rest := msg
			rest.Runes = msg.Runes[i:]
			_, cmd := m.handleKey(rest)
			return m, tea.Batch(append(cmds, cmd)...)
		}
		_, cmd := m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) inputMode() bool {
	return m.mode == modeFilter || m.mode == modeCommand || m.mode == modeRename
}

// ApplyEvents updates the context, the list and every page with a batch
// of libvirt events (Update calls it for each batch; a test harness that
// reads the events itself too).
func (m *Model) ApplyEvents(evs []libvirtx.Event) tea.Cmd {
	m.ctx.Apply(evs)
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			switch e.Status {
			case libvirtx.Connected:
				m.list.labels[e.URI] = m.ctx.Conns[e.URI].Label
				m.list.hostCPUs[e.URI] = e.Host.CPUs
			case libvirtx.Disconnected, libvirtx.Closed:
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
	return m.forward(common.EventsMsg(evs))
}

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.inputMode() {
		return m.handleInput(msg)
	}
	switch m.mode {
	case modeConfirm:
		return m.handleConfirm(msg)
	case modeDelete:
		return m.handleDelete(msg)
	case modeHelp:
		maxOff := max(len(m.helpLines())-m.ctx.BodyHeight(), 0)
		switch msg.String() {
		case "j", "down":
			m.helpOffset = min(m.helpOffset+1, maxOff)
		case "k", "up":
			m.helpOffset = max(m.helpOffset-1, 0)
		case "pgdown", " ", "ctrl+f":
			m.helpOffset = min(m.helpOffset+m.ctx.BodyHeight(), maxOff)
		case "pgup", "ctrl+b":
			m.helpOffset = max(m.helpOffset-m.ctx.BodyHeight(), 0)
		}
		if key.Matches(msg, m.gk.Help, m.gk.Back) || msg.String() == "q" {
			m.mode, m.helpReturn, m.helpOffset = m.helpReturn, modeList, 0
		}
		return m, nil
	}
	if p := m.Top(); p != nil {
		return m, m.pageKey(p, msg)
	}
	if m.perf.open {
		if cmd, ok := m.handlePerfKey(msg); ok {
			return m, cmd
		}
	}

	switch {
	case key.Matches(msg, m.gk.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.gk.Help):
		m.mode = modeHelp
		return m, nil
	case key.Matches(msg, m.gk.Command):
		m.startInput(modeCommand, ":", "")
		return m, nil
	case key.Matches(msg, m.gk.Back):
		switch {
		case m.list.filter != "":
			m.list.setFilter("")
		case len(m.list.marks) > 0:
			m.list.marks = map[string]bool{}
		}
		m.ctx.SetMsg("", false)
		return m, nil
	}
	return m.handleListKey(msg)
}

func (m *Model) handleListKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
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
		l.setSort((l.sortCol+1)%len(columns), l.sortDesc)
	case key.Matches(msg, k.SortRev):
		l.setSort(l.sortCol, !l.sortDesc)
	case key.Matches(msg, m.perf.keys.Open):
		m.openPerf(false)
	case key.Matches(msg, m.perf.keys.SparkColumn):
		m.setListSpark(!m.perf.cfg.ListSparkline)
	case key.Matches(msg, k.Details):
		if r := l.selected(); r != nil {
			return m, m.open("details", nil)
		}
	case key.Matches(msg, k.HostDevices):
		return m, m.open("hostdev", nil)
	case key.Matches(msg, k.New):
		return m, m.open("new", nil)
	default:
		if cmd, ok := m.handleConsoleKey(msg); ok {
			return m, cmd
		}
		return m, m.handleActionKey(msg)
	}
	return m, nil
}

// handleActionKey maps lifecycle keys to actions on the targeted VMs.
func (m *Model) handleActionKey(msg tea.KeyMsg) tea.Cmd {
	k := m.lk
	isAction := false
	for _, b := range k.mutating() {
		isAction = isAction || key.Matches(msg, b)
	}
	if !isAction {
		return nil
	}
	if m.ctx.ReadOnly() {
		m.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		return nil
	}
	doms := m.list.targets()
	if len(doms) == 0 {
		m.ctx.SetMsg("no VM selected", true)
		return nil
	}
	switch {
	case key.Matches(msg, k.Start):
		if cmd := m.paneStart(doms); cmd != nil { // boot shown in the console pane
			return cmd
		}
		return m.act(libvirtx.Start, doms)
	case key.Matches(msg, k.Shutdown):
		return m.act(libvirtx.Shutdown, doms)
	case key.Matches(msg, k.Reboot):
		return m.act(libvirtx.Reboot, doms)
	case key.Matches(msg, k.Reset):
		return m.act(libvirtx.Reset, doms)
	case key.Matches(msg, k.ForceOff):
		return m.act(libvirtx.ForceOff, doms)
	case key.Matches(msg, k.Pause):
		return m.act(pauseOrResume(doms), doms)
	case key.Matches(msg, k.Save):
		return m.act(libvirtx.ManagedSave, doms)
	case key.Matches(msg, k.Autostart):
		return m.act(autostartToggle(doms), doms)
	case key.Matches(msg, k.Rename):
		return m.beginRename(doms)
	case key.Matches(msg, k.Delete):
		return m.beginDelete(doms)
	case key.Matches(msg, k.EditXML):
		if len(doms) != 1 {
			m.ctx.SetMsg("edit one VM at a time: clear the marks (esc) first", true)
			return nil
		}
		return m.open("edit", nil)
	}
	return nil
}

// act runs an action now, or after a confirmation for the disruptive ones.
func (m *Model) act(a libvirtx.Action, doms []libvirtx.Domain) tea.Cmd {
	run := doAction(m.mgr, a, doms)
	if !confirmFirst[a] {
		m.ctx.SetMsg(fmt.Sprintf("%s %s…", verbs[a][0], names(domNames(doms))), false)
		return run
	}
	m.confirm = &widget.Confirm{Prompt: fmt.Sprintf("%s %s?", capitalize(verbs[a][0]), names(domNames(doms))), Run: run}
	m.mode = modeConfirm
	return nil
}

func (m *Model) beginRename(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.ctx.SetMsg("rename one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	m.renaming = doms[0]
	m.startInput(modeRename, "rename "+doms[0].Name+" to: ", doms[0].Name)
	return nil
}

func (m *Model) beginDelete(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.ctx.SetMsg("delete one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	m.ctx.SetMsg("reading the storage of "+doms[0].Name+"…", false)
	return planDelete(m.mgr, doms[0])
}

func (m *Model) startInput(md mode, prompt, value string) {
	m.mode = md
	m.input.Prompt = prompt
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.input.Focus()
	m.ctx.SetMsg("", false)
}

func (m *Model) endInput() {
	m.mode = modeList
	m.input.Blur()
	m.input.SetSuggestions(nil)
}

func (m *Model) handleInput(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		if m.mode == modeFilter {
			m.list.setFilter("")
		}
		m.endInput()
		return m, nil
	case tea.KeyEnter:
		md, val := m.mode, m.input.Value()
		m.endInput()
		switch md {
		case modeFilter:
			m.list.setFilter(val)
		case modeCommand:
			return m, m.runCommand(val)
		case modeRename:
			if strings.TrimSpace(val) == m.renaming.Name {
				m.ctx.SetMsg("name unchanged", false)
				return m, nil
			}
			return m, doRename(m.mgr, m.renaming, strings.TrimSpace(val))
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	switch m.mode {
	case modeFilter:
		m.list.setFilter(m.input.Value())
	case modeCommand:
		m.input.SetSuggestions(m.suggestions(m.input.Value()))
	}
	return m, cmd
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
