// Package tui is kvmtui's Bubble Tea model tree. It never imports libvirt:
// it gets plain values from libvirtx through messages and calls libvirtx only
// inside tea.Cmds, so a slow or dead daemon never freezes the screen.
package tui

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/perf"
)

// Options are what main hands the UI.
type Options struct {
	DemoURI  string        // the URI of the bundled demo host, if one is open
	Interval time.Duration // stats sweep interval
	Perf     *perf.Config  // thresholds and charts; nil reads perf.ConfigPath()
}

// MinInterval is the shortest stats interval allowed.
const MinInterval = time.Second

type mode int

const (
	modeList mode = iota
	modeFilter
	modeCommand
	modeRename
	modeConfirm
	modeDelete
	modeHelp
	modeRawDiff
	modeDetails
	modeHostdev
	modeWizard     // the new-VM wizard (wizard.go)
	modeVolumeSize // the size of a volume to create for a new disk
)

// connState is what the UI knows of one connection.
type connState struct {
	uri    string
	label  string
	status libvirtx.ConnStatus
	err    string
	retry  time.Duration
	host   libvirtx.HostInfo
}

// Model is the root model.
type Model struct {
	mgr   *libvirtx.Manager
	opts  Options
	theme *Theme
	gk    globalKeys
	lk    listKeys

	list  *vmList
	conns map[string]*connState

	width, height int
	mode          mode
	input         textinput.Model
	renaming      libvirtx.Domain
	confirm       *confirmation
	del           *deleteDialog
	raw           *rawEdit
	det           *details
	detGen        int // the newest details load, see reloadDetails
	dk            detailsKeys
	helpReturn    mode // where the help overlay returns to
	helpOffset    int  // first help line shown
	hd            *hostdevState
	wiz           *wizard // the new-VM wizard, while open
	hk            hostdevKeys

	msg      string
	msgErr   bool
	msgAt    time.Time // when msg was set
	msgAlert bool      // msg is a threshold alert, not an answer to the user
	sweeping bool
	perf     *perfState
	con      *consoleState // consoles: see console.go
}

// New builds the root model over a manager whose connections were added.
func New(mgr *libvirtx.Manager, opts Options) *Model {
	if opts.Interval < MinInterval {
		opts.Interval = MinInterval
	}
	in := textinput.New()
	in.CharLimit = 512
	// A blinking cursor redraws the screen twice a second: bytes over SSH
	// for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	m := &Model{
		mgr:   mgr,
		opts:  opts,
		theme: newTheme(),
		gk:    newGlobalKeys(),
		lk:    newListKeys(),
		dk:    newDetailsKeys(),
		hk:    newHostdevKeys(),
		list:  newVMList(),
		conns: map[string]*connState{},
		input: in,
	}
	for _, u := range mgr.URIs() {
		m.trackConn(u)
	}
	m.initPerf()
	return m
}

// eventsMsg carries a batch of libvirt events.
type eventsMsg []libvirtx.Event

type tickMsg time.Time

type sweepMsg struct {
	samples []libvirtx.Sample
	hosts   []libvirtx.HostSample // of the connections whose sweep succeeded
	active  bool                  // of the running domains only (see sweeper)
}

// waitEvents blocks (in its own goroutine) until libvirtx has events.
func waitEvents(mgr *libvirtx.Manager) tea.Cmd {
	return func() tea.Msg { return eventsMsg(mgr.Next()) }
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.Interval, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func sweep(mgr *libvirtx.Manager) tea.Cmd {
	return func() tea.Msg {
		s, errs := mgr.Sweep() // a down connection reports through its ConnEvent
		return sweepMsg{samples: s, hosts: hostStats(mgr, errs)}
	}
}

// Init starts listening for events and the stats ticks.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(waitEvents(m.mgr), sweep(m.mgr))
}

func (m *Model) trackConn(uri string) *connState {
	c := m.conns[uri]
	if c == nil {
		c = &connState{uri: uri, label: connLabel(uri, uri == m.opts.DemoURI)}
		m.conns[uri] = c
		m.list.labels[uri] = c.label
	}
	return c
}

// connLabel is a connection's short name: the host for remote URIs, else the
// driver's instance ("system", "session"), "demo" for the bundled demo host.
func connLabel(uri string, demo bool) string {
	if demo {
		return "demo"
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	if u.Hostname() != "" {
		return u.Hostname()
	}
	p := strings.Trim(u.Path, "/")
	if u.Scheme == "test" || p == "" || strings.Contains(p, "/") {
		return strings.SplitN(u.Scheme, "+", 2)[0]
	}
	return p
}

func (m *Model) setMsg(text string, isErr bool) {
	m.msg, m.msgErr, m.msgAt, m.msgAlert = text, isErr, time.Now(), false
}

// setAlert shows a threshold alert, unless the answer to something the user
// just did is on the line: that stays readable for a few seconds.
func (m *Model) setAlert(text string, isErr bool) {
	if m.msg != "" && !m.msgAlert && time.Since(m.msgAt) < 5*time.Second {
		return
	}
	m.setMsg(text, isErr)
	m.msgAlert = true
}

// Update routes messages: data first, then keys by mode.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	if c, done := m.consoleUpdate(msg); done {
		return m, tea.Batch(c, m.consoleAfter())
	}
	defer func() { cmd = tea.Batch(cmd, m.consoleAfter()) }()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.list.height = max(m.height-4, 1)
		m.list.clamp()
		m.renderPerf()
		return m, nil
	case eventsMsg:
		return m, tea.Batch(waitEvents(m.mgr), m.applyEvents(msg))
	case tickMsg:
		if m.sweeping {
			return m, nil
		}
		m.sweeping = true
		return m, m.perf.sweeps.next(m.mgr, m.opts.Interval)
	case sweepMsg:
		m.sweeping = false
		m.observePerf(msg)
		m.list.applySamples(msg.samples)
		return m, m.tick()
	case actionDoneMsg:
		switch {
		case msg.err != nil && msg.text != "":
			m.setMsg(msg.text+"; "+msg.err.Error(), true)
		case msg.err != nil:
			m.setMsg(msg.err.Error(), true)
		default:
			m.setMsg(msg.text, false)
		}
		return m, nil
	case renameDoneMsg:
		if msg.err != nil {
			m.setMsg(fmt.Sprintf("rename %s: %v", msg.from, msg.err), true)
		} else {
			m.setMsg(fmt.Sprintf("renamed %s to %s", msg.from, msg.to), false)
		}
		return m, nil
	case planMsg:
		if msg.err != nil {
			m.setMsg("delete: "+msg.err.Error(), true)
			return m, nil
		}
		m.del = newDeleteDialog(msg.plan)
		m.mode = modeDelete
		return m, nil
	case deleteDoneMsg:
		m.setMsg(deleteSummary(msg), msg.err != nil || len(msg.res.Failed) > 0)
		return m, nil
	case rawXMLMsg:
		if msg.err != nil {
			m.setMsg(msg.err.Error(), true)
			return m, nil
		}
		return m, m.openEditor(msg.ed)
	case editorDoneMsg:
		return m, m.editorDone(msg)
	case rawDefinedMsg:
		m.rawDefined(msg)
		if msg.err == nil && m.det != nil {
			m.mode = modeDetails
			return m, m.reloadDetails()
		}
		return m, nil
	case detailsLoadedMsg:
		m.detailsLoaded(msg)
		return m, m.reloadIfStale()
	case detailsAppliedMsg:
		return m, m.detailsApplied(msg)
	case needVolumeMsg:
		if m.det != nil {
			m.det.needVol = &msg
			m.startInput(modeVolumeSize, msg.path+" does not exist; create a qcow2 volume of size: ", "20 GiB")
		}
		return m, nil
	case hostdevMsg:
		return m, m.updateHostdev(msg)
	case wizHostMsg, wizMediaMsg, wizCreatedMsg:
		return m, m.updateWizard(msg)
	case tea.KeyMsg:
		// A key may end what held a stale details view back (a form, the
		// help, an input line): see reloadIfStale.
		_, cmd := m.handleKeys(msg)
		return m, tea.Batch(cmd, m.reloadIfStale())
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
	return m.mode == modeFilter || m.mode == modeCommand || m.mode == modeRename || m.mode == modeVolumeSize
}

// applyEvents updates the connections and the list. An event about the VM
// the details view shows (someone else changed it, or it started or
// stopped) marks that view stale, so it never shows an old definition: it
// is reloaded now if the user is idle on its tree, else once they are.
func (m *Model) applyEvents(evs []libvirtx.Event) tea.Cmd {
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			c := m.trackConn(e.URI)
			c.status, c.err, c.retry = e.Status, e.Err, e.Retry
			switch e.Status {
			case libvirtx.Connected:
				c.host = e.Host
				m.list.hostCPUs[e.URI] = e.Host.CPUs
			case libvirtx.Disconnected:
				m.list.dropConn(e.URI)
			case libvirtx.Closed:
				m.list.dropConn(e.URI)
				delete(m.conns, e.URI)
			}
		case libvirtx.InventoryEvent:
			m.list.setInventory(e.URI, e.Domains)
		case libvirtx.DomainEvent:
			m.list.applyDomainEvent(e)
			if e.Notice != "" {
				m.setMsg(e.Name+": "+e.Notice, e.Failed)
			}
			if d := m.det; d != nil && d.dom.URI == e.URI && d.dom.UUID == e.UUID {
				if e.Gone {
					m.setMsg(e.Name+" is gone ("+e.What+"): esc to go back", true)
				} else {
					d.stale = true
				}
			}
		}
	}
	return m.reloadIfStale()
}

// reloadIfStale reloads the details view when the VM changed and the user
// is on its tree with nothing open (a form, a question, the help).
func (m *Model) reloadIfStale() tea.Cmd {
	if d := m.det; d != nil && m.mode == modeDetails && d.stale && d.idle() {
		d.stale = false
		return m.reloadDetails()
	}
	return nil
}

func (m *Model) readOnly() bool { return m.mgr.ReadOnly() }

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.inputMode() {
		return m.handleInput(msg)
	}
	switch m.mode {
	case modeConfirm:
		return m.handleConfirm(msg)
	case modeDelete:
		return m.handleDelete(msg)
	case modeRawDiff:
		return m.handleRawDiff(msg)
	case modeDetails:
		return m, m.detailsKey(msg)
	case modeHostdev:
		return m.handleHostdevKey(msg)
	case modeWizard:
		return m.handleWizardKey(msg)
	case modeHelp:
		maxOff := max(len(m.helpLines())-m.bodyHeight(), 0)
		switch msg.String() {
		case "j", "down":
			m.helpOffset = min(m.helpOffset+1, maxOff)
		case "k", "up":
			m.helpOffset = max(m.helpOffset-1, 0)
		case "pgdown", " ", "ctrl+f":
			m.helpOffset = min(m.helpOffset+m.bodyHeight(), maxOff)
		case "pgup", "ctrl+b":
			m.helpOffset = max(m.helpOffset-m.bodyHeight(), 0)
		}
		if key.Matches(msg, m.gk.Help, m.gk.Back) || msg.String() == "q" {
			m.mode, m.helpReturn, m.helpOffset = m.helpReturn, modeList, 0
		}
		return m, nil
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
		m.setMsg("", false)
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
			return m, m.openDetails(r.dom)
		}
	case key.Matches(msg, k.HostDevices):
		return m, m.openHostdev("")
	case key.Matches(msg, k.New):
		return m, m.openWizard()
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
	if m.readOnly() {
		m.setMsg(libvirtx.ErrReadOnly.Error(), true)
		return nil
	}
	doms := m.list.targets()
	if len(doms) == 0 {
		m.setMsg("no VM selected", true)
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
			m.setMsg("edit one VM at a time: clear the marks (esc) first", true)
			return nil
		}
		return beginRawEdit(m.mgr, doms[0].URI, libvirtx.ObjDomain, doms[0].UUID, doms[0].Name)
	}
	return nil
}

// act runs an action now, or after a confirmation for the disruptive ones.
func (m *Model) act(a libvirtx.Action, doms []libvirtx.Domain) tea.Cmd {
	run := doAction(m.mgr, a, doms)
	if !confirmFirst[a] {
		m.setMsg(fmt.Sprintf("%s %s…", verbs[a][0], names(domNames(doms))), false)
		return run
	}
	m.confirm = &confirmation{prompt: fmt.Sprintf("%s %s?", capitalize(verbs[a][0]), names(domNames(doms))), run: run}
	m.mode = modeConfirm
	return nil
}

func (m *Model) beginRename(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.setMsg("rename one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	m.renaming = doms[0]
	m.startInput(modeRename, "rename "+doms[0].Name+" to: ", doms[0].Name)
	return nil
}

func (m *Model) beginDelete(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.setMsg("delete one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	m.setMsg("reading the storage of "+doms[0].Name+"…", false)
	return planDelete(m.mgr, doms[0])
}

func (m *Model) startInput(md mode, prompt, value string) {
	m.mode = md
	m.input.Prompt = prompt
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.input.Focus()
	m.setMsg("", false)
}

func (m *Model) endInput() {
	m.mode = modeList
	if m.det != nil {
		m.mode = modeDetails // inputs asked from the details view return there
	}
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
		case modeVolumeSize:
			return m, m.volumeSizeEntered(val)
		case modeRename:
			if strings.TrimSpace(val) == m.renaming.Name {
				m.setMsg("name unchanged", false)
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

// sortedConns lists the connection states in URI order.
func (m *Model) sortedConns() []*connState {
	out := make([]*connState, 0, len(m.conns))
	for _, c := range m.conns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].uri < out[j].uri })
	return out
}
