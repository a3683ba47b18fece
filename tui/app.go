// Package tui is kvmtui's root model: a stack of pages over the VM list
// (see docs/architecture.md). It owns what every page shares (the
// common.Context: connections, the VMs, the message line, the stats
// history), routes keys to the top page and data to every page, and draws
// the frame: the title with breadcrumbs, the message line, the key hints,
// and the overlays (help, the command line, confirmations). It never
// imports libvirt: it gets plain values from libvirtx through messages and
// calls libvirtx only inside tea.Cmds, so a slow or dead daemon never
// freezes the screen. The pages register themselves (tui/pages).
package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/config"
	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/termimg"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Options are what main hands the UI.
type Options struct {
	// Config is the configuration file (nil: none), ConfigErrs what
	// loading it left out; the first screen says what was ignored.
	Config     *config.Config
	ConfigErrs []error

	// Start is a command line (as typed after ":") run once the
	// connections have listed their VMs: "screen web-01". With QuitAfter,
	// leaving the page it opens ends kvmtui (kvmtui screen VM).
	Start     string
	QuitAfter bool
	// Logins are the login questions to ask (nil: none come).
	Logins *Logins

	DemoURI  string        // the URI of the bundled demo host, if one is open
	Interval time.Duration // stats sweep interval
	Perf     *perf.Config  // thresholds and charts; nil reads perf.ConfigPath()
	// Graphics is how the terminal draws pictures (the guest's screen).
	Graphics termimg.Graphics
}

// overlay is what is drawn over the top page, and takes the keys.
type overlay int

const (
	noOverlay overlay = iota
	overlayCommand
	overlayConfirm
	overlayHelp
)

// Model is the root model.
type Model struct {
	mgr   *libvirtx.Manager
	opts  Options
	ctx   *common.Context // what every page shares: theme, size, connections, message line
	stack []common.Page   // the VM list, then the pages opened over it; the last is on top

	over       overlay
	input      textinput.Model // the command line
	confirm    *widget.Confirm
	secrets    secrets // ssh's prompts: over everything, they take the keys
	helpOffset int     // first help line shown

	sweeping bool
	sweeps   common.Sweeper
	start    starter
}

// New builds the root model over a manager whose connections were added,
// with the VM list (the registry's root page) at the bottom of the stack.
func New(mgr *libvirtx.Manager, opts Options) *Model {
	if opts.Interval < common.MinInterval {
		opts.Interval = common.MinInterval
	}
	in := textinput.New()
	in.CharLimit = 512
	in.ShowSuggestions = true
	// A blinking cursor redraws the screen twice a second: bytes over SSH
	// for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	m := &Model{
		mgr:    mgr,
		opts:   opts,
		ctx:    common.NewContext(mgr, opts.DemoURI),
		input:  in,
		sweeps: common.Sweeper{Period: common.FullSweepPeriod},
	}
	m.ctx.Interval, m.ctx.Graphics = opts.Interval, opts.Graphics
	m.start = starter{line: opts.Start, quit: opts.QuitAfter, settled: map[string]bool{}}
	ignored := opts.ConfigErrs
	if c := opts.Config; c != nil {
		th, errs := common.Configure(c)
		m.ctx.Config, m.ctx.Theme = c, th
		ignored = append(ignored, errs...)
		m.ctx.Keys = common.Bind(m.ctx, "global", common.NewKeys())
	}
	m.initPerf()
	for _, e := range common.Entries() {
		if e.Root {
			p, _, _ := e.Open(m.ctx, nil)
			m.stack = []common.Page{p}
		}
	}
	if len(ignored) > 0 {
		more := ""
		if len(ignored) > 1 {
			more = fmt.Sprintf(" (and %d more: kvmtui config)", len(ignored)-1)
		}
		m.ctx.SetMsg("ignored: "+ignored[0].Error()+more, true)
	}
	return m
}

// Init starts listening for events and the stats ticks.
func (m *Model) Init() tea.Cmd {
	// All groups: the size, and so the columns, are not known yet.
	return tea.Batch(common.WaitEvents(m.mgr), common.Sweep(m.mgr, libvirtx.AllGroups), m.opts.Logins.wait())
}

// Update routes messages: the root's own first; then keys to the overlay
// or the top page, everything else to every page.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	defer func() {
		switch msg.(type) {
		case tea.KeyMsg, common.EventsMsg: // keys go to the top page only; events through ApplyEvents
		default:
			cmd = tea.Batch(cmd, m.forward(msg)) // after the root: the context is current
		}
	}()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
	case common.EventsMsg:
		return m, tea.Batch(common.WaitEvents(m.mgr), m.ApplyEvents(msg), m.start.events(m, msg))
	case common.TickMsg:
		if m.sweeping {
			return m, nil
		}
		m.sweeping = true
		return m, m.sweeps.Next(m.mgr, m.ctx.Interval, m.StatGroups())
	case common.SweepMsg:
		m.sweeping = false
		m.observePerf(msg) // before the pages draw from the history
		return m, common.Tick(m.ctx.Interval)
	case common.OpenMsg:
		return m, m.open(msg.Word, msg.Args)
	case common.PopMsg:
		m.pop()
		return m, m.start.popped(m)
	case common.ReplaceMsg:
		m.pop()
		m.stack = append(m.stack, msg.Page)
		return m, msg.Cmd
	case common.PushMsg:
		m.stack = append(m.stack, msg.Page)
		return m, msg.Cmd
	case common.NamesMsg:
		if c := m.ctx.Conns[msg.URI]; c != nil {
			c.Nets, c.Pools = msg.Nets, msg.Pools
		}
	case common.StatusMsg:
		m.ctx.SetMsg(msg.Text, msg.Err)
	case common.StreamedMsg:
		next, cmd := m.Update(msg.Msg)
		return next, tea.Batch(cmd, msg.Next)
	case SecretMsg:
		m.secrets.add(msg)
		return m, m.opts.Logins.wait()
	case common.ConfirmMsg:
		c := msg.Confirm
		m.confirm, m.over = &c, overlayConfirm
	case common.CommandLineMsg:
		m.startCommand(msg.Text)
	case common.RunMsg:
		return m, m.runCommand(msg.Line)
	case tea.KeyMsg:
		return m, m.handleKeys(msg)
	}
	return m, nil
}

// ApplyEvents updates the context and every page with a batch of libvirt
// events (Update calls it for each batch; a test harness that reads the
// events itself too).
func (m *Model) ApplyEvents(evs []libvirtx.Event) tea.Cmd {
	m.ctx.Apply(evs)
	// Network and pool names (completion) are read when a host connects
	// and when one of its networks or pools comes or goes.
	reread := map[string]bool{}
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			reread[e.URI] = reread[e.URI] || e.Status == libvirtx.Connected
		case libvirtx.ObjectEvent:
			reread[e.URI] = true
		}
	}
	cmds := []tea.Cmd{m.forward(common.EventsMsg(evs))}
	for uri, ok := range reread {
		if ok {
			cmds = append(cmds, common.LoadNames(m.mgr, uri))
		}
	}
	return tea.Batch(cmds...)
}

// handleKeys splits a burst of typed runes ("jjj" arrives as one message
// when keys come faster than they are read, as over SSH) into single key
// presses, except where a text input takes them as text.
func (m *Model) handleKeys(msg tea.KeyMsg) tea.Cmd {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 || msg.Paste {
		return m.handleKey(msg)
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if m.typing() {
			rest := msg
			rest.Runes = msg.Runes[i:]
			return tea.Batch(append(cmds, m.handleKey(rest))...)
		}
		cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
	}
	return tea.Batch(cmds...)
}

// typing reports whether a text field has the keys: the command line, or
// a page that captures them.
func (m *Model) typing() bool {
	if m.over == overlayCommand || m.secrets.open() {
		return true
	}
	c, ok := m.Top().(common.Capturer)
	return m.over == noOverlay && ok && c.Capturing()
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.secrets.open() {
		cmd, status := m.secrets.key(msg)
		if status != "" {
			m.ctx.SetMsg(status, false)
		}
		return cmd
	}
	switch m.over {
	case overlayCommand:
		return m.commandKey(msg)
	case overlayConfirm:
		run, done := m.confirm.Answer(msg)
		if done {
			m.confirm, m.over = nil, noOverlay
			if run == nil {
				m.ctx.SetMsg("cancelled", false)
			}
		}
		return run
	case overlayHelp:
		m.helpKey(msg)
		return nil
	}
	if p := m.Top(); p != nil {
		return m.pageKey(p, msg)
	}
	return nil
}
