package vmlist

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kvmtui/console"
	"kvmtui/libvirtx"
)

// viewerMsg reports the graphical console: a viewer started or ended, the
// commands to run elsewhere, or why none of it can happen.
type viewerMsg struct {
	dom    libvirtx.Domain
	viewer *console.Viewer
	ws     *workstationBox
	ended  bool
	err    error
}

// workstationBox shows what to run on the user's own machine when kvmtui
// has no display to open a viewer on.
type workstationBox struct {
	dom      libvirtx.Domain
	commands []string
	copied   bool
}

func (m *Page) openViewer() tea.Cmd {
	d, ok := m.consoleTarget("v", false)
	if !ok {
		return nil
	}
	m.ctx.SetMsg("reading the display of "+d.Name+"…", false)
	mgr, ro := m.mgr, m.ctx.ReadOnly()
	return func() tea.Msg {
		// Secure XML has the display password; a read-only connection may
		// not read it, and the viewer then asks for it.
		xml, err := mgr.DomainXML(d.Ref, false, !ro)
		if err != nil {
			return viewerMsg{dom: d, err: err}
		}
		dv, err := console.ParseDevices(xml)
		if err != nil {
			return viewerMsg{dom: d, err: err}
		}
		disp, err := dv.Usable(d.Name)
		if err != nil {
			return viewerMsg{dom: d, err: err}
		}
		if !console.HaveDisplay() {
			user, host := console.Self()
			return viewerMsg{dom: d, ws: &workstationBox{dom: d, commands: console.Workstation(d.URI, disp, d.Name, user, host)}}
		}
		v, err := console.Launch(console.PlanViewer(d.URI, disp, d.Name))
		return viewerMsg{dom: d, viewer: v, err: err}
	}
}

func (m *Page) viewerEvent(msg viewerMsg) tea.Cmd {
	c := m.cons()
	name := msg.dom.Name
	switch {
	case msg.ended:
		delete(c.viewers, msg.viewer)
		if msg.err != nil {
			m.ctx.SetMsg("viewer of "+name+" failed: "+msg.err.Error(), true)
		} else {
			m.ctx.SetMsg("viewer of "+name+" closed", false)
		}
		return nil
	case msg.err != nil:
		m.ctx.SetMsg("graphical console of "+name+": "+msg.err.Error(), true)
		return nil
	case msg.ws != nil:
		c.ws = msg.ws
		m.ctx.SetMsg("", false)
		return nil
	}
	v := msg.viewer
	c.viewers[v] = name
	via := ""
	if v.Tunnel != nil {
		via = ", through an SSH tunnel"
	}
	m.ctx.SetMsg(fmt.Sprintf("remote-viewer shows %s (%s %s:%d%s)", name, v.VV.Type, v.VV.Host, v.VV.Port, via), false)
	return func() tea.Msg {
		err := v.Wait()
		return viewerMsg{dom: msg.dom, viewer: v, ended: true, err: err}
	}
}

func (m *Page) workstationKey(msg tea.KeyMsg) tea.Cmd {
	ws := m.cons().ws
	switch msg.String() {
	case "y":
		ws.copied = true
	case "esc", "q", "enter":
		m.con.ws = nil
	}
	return nil
}

func (m *Page) workstationView() string {
	ws := m.con.ws
	w := max(m.ctx.Width-8, 20)
	wrap := func(s string) string { return ansi.Wrap(s, w, " ") }
	var b strings.Builder
	if ws.copied {
		// OSC 52 travels inside the frame: Bubble Tea v1 has no clipboard
		// call, and writing to the terminal behind its back could split a
		// frame. Terminals without OSC 52 ignore it.
		b.WriteString(console.OSC52(strings.Join(ws.commands, "\n") + "\n"))
	}
	b.WriteString(m.ctx.Theme.Title.Render("Graphical console of "+ws.dom.Name) + "\n")
	b.WriteString(wrap("No graphical display here (no DISPLAY or WAYLAND_DISPLAY: kvmtui runs over SSH?). On your workstation, run:") + "\n\n")
	last := len(ws.commands) - 1
	for i, c := range ws.commands {
		if i == last {
			b.WriteString("\n" + wrap("or, with the display's password and settings in one file (kvmtui vv prints it):") + "\n")
		}
		b.WriteString(wrap("  "+c) + "\n")
	}
	b.WriteString("\n")
	if ws.copied {
		b.WriteString(m.ctx.Theme.OK.Render("copied through OSC 52 (if your terminal allows it)") + "   ")
	} else {
		b.WriteString(m.ctx.Theme.Key.Render("y") + " copy the commands   ")
	}
	b.WriteString(m.ctx.Theme.Key.Render("esc") + " close")
	return m.ctx.Theme.Box.Render(b.String())
}
