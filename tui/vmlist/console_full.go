package vmlist

import (
	"errors"
	"fmt"
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// fullOpenedMsg: the console stream for a full-screen session is open (or
// could not be).
type fullOpenedMsg struct {
	dom    libvirtx.Domain
	rw     io.ReadWriteCloser
	err    error
	replay *console.Snapshot // the pane's history of this VM, shown first
	rec    *console.Pane     // records the session for the pane, when shown
}

type fullEndedMsg struct {
	dom   libvirtx.Domain
	ended console.Ended
	err   error
	rec   *console.Pane
}

// openSerial checks that the domain has a console libvirt can stream, then
// opens it: the checks turn libvirt's terse refusals into what to do.
func openSerial(mgr *libvirtx.Manager, d libvirtx.Domain, force bool) (io.ReadWriteCloser, error) {
	xml, err := mgr.DomainXML(d.Ref, false, false)
	if err != nil {
		return nil, err
	}
	dv, err := console.ParseDevices(xml)
	if err != nil {
		return nil, err
	}
	if err := dv.Serial.Check(d.Name); err != nil {
		return nil, err
	}
	return mgr.OpenConsole(d.Ref, "", force)
}

// openFull starts a full-screen session on the selected VM. The pane lets
// go of that VM's console first: libvirt allows one client per console.
func (m *Page) openFull() tea.Cmd {
	d, ok := m.consoleTarget("c", true)
	if !ok {
		return nil
	}
	c := m.cons()
	key := common.VMKey(d.URI, d.UUID)
	sess := c.pane.release(key)
	var replay *console.Snapshot
	if c.pane.shown && c.pane.key == key {
		replay = c.pane.keep
	}
	c.holder = key
	m.ctx.SetMsg("opening the console of "+d.Name+"…", false)
	return openFullCmd(m.mgr, d, sess, false, replay)
}

func openFullCmd(mgr *libvirtx.Manager, d libvirtx.Domain, release *console.Pane, force bool, replay *console.Snapshot) tea.Cmd {
	return func() tea.Msg {
		if release != nil {
			release.Close() // a libvirt call: here, not in Update
		}
		rw, err := openSerial(mgr, d, force)
		return fullOpenedMsg{dom: d, rw: rw, err: err, replay: replay}
	}
}

func (m *Page) fullOpened(msg fullOpenedMsg) tea.Cmd {
	c := m.cons()
	d := msg.dom
	var busy libvirtx.ConsoleBusyError
	switch {
	case errors.As(msg.err, &busy):
		c.holder = common.VMID{}
		return common.Ask(
			m.wrapPrompt(fmt.Sprintf("%s: %s.\nAnother client (virsh console, another kvmtui) holds it.\nTake it over? That client is cut off.", d.Name, msg.err)),
			openFullCmd(m.mgr, d, nil, true, msg.replay))
	case msg.err != nil:
		c.holder = common.VMID{}
		m.ctx.SetMsg("console of "+d.Name+": "+msg.err.Error(), true)
		return nil
	}
	c.holder = common.VMKey(d.URI, d.UUID)
	m.ctx.SetMsg("", false)
	fs := &fullScreen{rw: msg.rw, dom: d, replay: msg.replay}
	if c.pane.shown && c.pane.key == c.holder {
		// The pane keeps what the session showed, as if it had watched.
		fs.rec = console.NewRecorder(c.pane.width(), c.pane.rows(), msg.replay)
	}
	return tea.Exec(fs, func(err error) tea.Msg { return fullEndedMsg{dom: d, ended: fs.ended, err: err, rec: fs.rec} })
}

func (m *Page) fullEnded(msg fullEndedMsg) {
	c := m.cons()
	if msg.rec != nil {
		if c.pane.key == c.holder {
			c.pane.keep = msg.rec.Snapshot(colorOn())
		}
		msg.rec.Close()
	}
	c.holder = common.VMID{}
	switch {
	case msg.err != nil:
		m.ctx.SetMsg("console of "+msg.dom.Name+": "+msg.err.Error(), true)
	case msg.ended.Escaped:
		m.ctx.SetMsg("back from the console of "+msg.dom.Name, false)
	default:
		m.ctx.SetMsg("the console of "+msg.dom.Name+" closed"+endReason(msg.ended.Err), false)
	}
}

// endReason explains a stream that ended by itself: libvirt's text, and
// what usually causes it.
func endReason(err error) string {
	if err == nil || err == io.EOF {
		return " (the VM stopped, or its console was closed)"
	}
	return ": " + err.Error() + " (the VM stopped, or another client took the console over)"
}

// fullScreen is the console session as a tea.ExecCommand: Bubble Tea
// releases the terminal (alt screen, raw mode, its input reader) before Run
// and restores and repaints it after, so the list comes back as it was.
type fullScreen struct {
	rw     io.ReadWriteCloser
	dom    libvirtx.Domain
	replay *console.Snapshot
	rec    *console.Pane
	in     io.Reader
	out    io.Writer
	ended  console.Ended
}

func (f *fullScreen) SetStdin(r io.Reader)  { f.in = r }
func (f *fullScreen) SetStdout(w io.Writer) { f.out = w }
func (f *fullScreen) SetStderr(io.Writer)   {}

func (f *fullScreen) Run() error {
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J") // a clean screen, not the shell's history
	fmt.Fprintf(&b, "Connected to %s (%s)\r\nEscape character is ^] (Ctrl + ])\r\n", f.dom.Name, f.dom.URI)
	if f.replay != nil {
		// The end of what the pane showed, the cursor where the guest
		// thinks it is (usually after the prompt).
		tail := *f.replay
		tail.Lines = tail.Lines[max(len(tail.Lines)-replayLines, 0):]
		b.WriteString(tail.Replay())
	}
	if _, err := io.WriteString(f.out, b.String()); err != nil {
		f.rw.Close()
		return err
	}
	out := f.out
	if f.rec != nil {
		out = io.MultiWriter(f.out, f.rec)
	}
	e, err := console.Attach(f.rw, f.in, out)
	f.ended = e
	return err
}

// wrapPrompt fits a dialog's text (libvirt's messages are long) to the
// terminal, inside the box's border and padding.
func (m *Page) wrapPrompt(s string) string { return ansi.Wrap(s, max(m.ctx.Width-8, 20), " ") }

// replayLines is how much of the pane's history a full-screen session
// starts with: context, not the whole scrollback over a slow link.
const replayLines = 20
