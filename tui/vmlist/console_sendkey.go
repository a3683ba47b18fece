package vmlist

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/console"
	"kvmtui/libvirtx"
)

// sendKeyMenu sends key combinations a terminal cannot pass on (they would
// act on the user's own machine) through libvirt's send-key, and takes
// screenshots.
type sendKeyMenu struct {
	dom   libvirtx.Domain
	sysrq bool // waiting for the SysRq command letter
}

type sendKeyDoneMsg struct {
	text string
	err  error
}

// sysrqHelp names the SysRq commands people reach for.
const sysrqHelp = "h help  s sync  u remount read-only  b reboot now  o power off\ne SIGTERM all  i SIGKILL all  t tasks  w blocked tasks  m memory"

func (m *Page) openSendKeyMenu() {
	d, ok := m.consoleTarget("K", true)
	if !ok {
		return
	}
	m.cons().menu = &sendKeyMenu{dom: d}
	m.ctx.SetMsg("", false)
}

func (m *Page) sendKeyMenuKey(msg tea.KeyMsg) tea.Cmd {
	mn := m.con.menu
	k := msg.String()
	if k == "esc" {
		if mn.sysrq {
			mn.sysrq = false
		} else {
			m.con.menu = nil
		}
		return nil
	}
	if mn.sysrq {
		if len(k) != 1 || !(k[0] >= 'a' && k[0] <= 'z' || k[0] >= '0' && k[0] <= '9') {
			return nil
		}
		m.con.menu = nil
		return m.sendKeys(mn.dom, "Alt+SysRq+"+k, "KEY_LEFTALT", "KEY_SYSRQ", "KEY_"+strings.ToUpper(k))
	}
	switch {
	case k == "d":
		m.con.menu = nil
		return m.sendKeys(mn.dom, "Ctrl+Alt+Del", "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE")
	case k == "b":
		m.con.menu = nil
		return m.sendKeys(mn.dom, "Ctrl+Alt+Backspace", "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_BACKSPACE")
	case len(k) >= 2 && k[0] == 'f' && k[1] >= '1' && k[1] <= '9':
		m.con.menu = nil
		n := strings.ToUpper(k)
		return m.sendKeys(mn.dom, "Ctrl+Alt+"+n, "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_"+n)
	case k == "r":
		mn.sysrq = true
	case k == "z":
		m.con.menu = nil
		m.fitPane(mn.dom)
	case k == "p":
		m.con.menu = nil
		m.ctx.SetMsg("taking a screenshot of "+mn.dom.Name+"…", false)
		return screenshot(m.mgr, mn.dom)
	}
	return nil
}

func (m *Page) sendKeys(d libvirtx.Domain, label string, keys ...string) tea.Cmd {
	m.ctx.SetMsg("sending "+label+" to "+d.Name+"…", false)
	mgr := m.mgr
	return func() tea.Msg {
		if err := mgr.SendKey(d.Ref, keys...); err != nil {
			return sendKeyDoneMsg{err: fmt.Errorf("send %s to %s: %v", label, d.Name, err)}
		}
		return sendKeyDoneMsg{text: "sent " + label + " to " + d.Name}
	}
}

// screenshotDir is where screenshots go: "" is the working directory (as
// virsh screenshot does), else the temporary directory.
var screenshotDir = ""

func screenshot(mgr *libvirtx.Manager, d libvirtx.Domain) tea.Cmd {
	dir := screenshotDir
	return func() tea.Msg {
		data, mime, err := mgr.Screenshot(d.Ref, 0)
		if err != nil {
			return sendKeyDoneMsg{err: fmt.Errorf("screenshot of %s: %v", d.Name, err)}
		}
		png, img, err := console.ToPNG(data, mime)
		if err != nil {
			return sendKeyDoneMsg{err: err}
		}
		path, err := console.SaveScreenshot(dir, d.Name, png, time.Now())
		if err != nil {
			return sendKeyDoneMsg{err: err}
		}
		b := img.Bounds()
		return sendKeyDoneMsg{text: fmt.Sprintf("screenshot of %s saved: %s (%dx%d)", d.Name, path, b.Dx(), b.Dy())}
	}
}

func (m *Page) sendKeyDone(msg sendKeyDoneMsg) {
	if msg.err != nil {
		m.ctx.SetMsg(msg.err.Error(), true)
		return
	}
	m.ctx.SetMsg(msg.text, false)
}

func (m *Page) sendKeyMenuView() string {
	mn := m.con.menu
	k := m.ctx.Theme.Key.Render
	var b strings.Builder
	if mn.sysrq {
		b.WriteString(m.ctx.Theme.Title.Render("SysRq on "+mn.dom.Name+": press the command letter") + "\n\n")
		b.WriteString(sysrqHelp + "\n\n")
		b.WriteString(k("esc") + " back")
		return m.ctx.Theme.Box.Render(b.String())
	}
	b.WriteString(m.ctx.Theme.Title.Render("Send to "+mn.dom.Name) + "\n\n")
	rows := [][2]string{
		{"d", "Ctrl+Alt+Del"},
		{"b", "Ctrl+Alt+Backspace"},
		{"F1…F12", "Ctrl+Alt+F1…F12"},
		{"r", "Alt+SysRq, then its letter"},
		{"p", "screenshot of the display (PNG)"},
		{"z", "fit the guest's terminal to the pane (types stty: at a shell prompt)"},
		{"esc", "close"},
	}
	for _, r := range rows {
		b.WriteString(k(fmt.Sprintf("%-7s", r[0])) + " " + r[1] + "\n")
	}
	return m.ctx.Theme.Box.Render(strings.TrimRight(b.String(), "\n"))
}

// fitPane gives the guest's serial terminal the pane's whole size: the
// emulator takes the widest pane the layout allows, and the guest learns
// it from stty typed at its shell (a serial line has no other way). Both
// ends then agree, so full-screen programs and long command lines fit.
func (m *Page) fitPane(d libvirtx.Domain) {
	p := &m.cons().pane
	if !p.shown || p.sess == nil || p.dom.UUID != d.UUID {
		m.ctx.SetMsg("open "+d.Name+"'s console pane first (C), with its shell at a prompt", true)
		return
	}
	cols := m.ctx.Width - 1 - minListBeside // beside the list
	if cols < console.Width {
		cols = m.ctx.Width // below it, the full width
	}
	p.cols = max(cols, 20)
	m.layoutPane()
	p.told = p.rows()
	m.cons().fitted[p.key] = [2]int{p.cols, p.told}
	cmd := fmt.Sprintf("stty rows %d cols %d", p.told, p.cols)
	p.sess.Type(cmd + "\r")
	m.ctx.SetMsg("typed "+cmd+" at "+d.Name+"'s console (meant for an empty shell prompt)", false)
}
