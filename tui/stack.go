package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// The page stack: pages opened over the VM list (":hostdev", H, …), the
// last one on top. The root gives the top page the keys and every page the
// other messages; a page asks to be closed with common.Pop.

// Top is the page on top of the stack (the VM list when nothing is open
// over it).
func (m *Model) Top() common.Page {
	if len(m.stack) == 0 {
		return nil
	}
	return m.stack[len(m.stack)-1]
}

// Context is what the root shares with every page.
func (m *Model) Context() *common.Context { return m.ctx }

// open builds a registered page and pushes it (runs a registered command;
// for the root page, closes the pages over it); a wrong argument is said
// on the message line and opens nothing.
func (m *Model) open(word string, args []string) tea.Cmd {
	e, ok := common.Lookup(word)
	switch {
	case !ok:
		m.ctx.SetMsg("unknown command \""+word+"\": press ? for the list", true)
		return nil
	case e.Run != nil:
		return e.Run(m.ctx, args)
	case e.Root && len(args) > 0:
		m.ctx.SetMsg("usage: "+e.Usage+" (it takes no argument; / filters the list)", true)
		return nil
	case e.Root:
		m.stack = m.stack[:min(len(m.stack), 1)]
		return nil
	}
	p, cmd, err := e.Open(m.ctx, args)
	if err != nil {
		m.ctx.SetMsg(err.Error(), true)
		return nil
	}
	m.stack = append(m.stack, p)
	return cmd
}

// pop closes the top page; the VM list stays.
func (m *Model) pop() {
	if len(m.stack) > 1 {
		m.stack = m.stack[:len(m.stack)-1]
	}
}

// forward hands a message that is not a key to every page.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, p := range m.stack {
		cmds = append(cmds, p.Update(msg))
	}
	return tea.Batch(cmds...)
}

// pageKey gives a key to the top page, but for the keys every page shares:
// ctrl+c, ? and :, unless the page captures them (a question, a picker).
func (m *Model) pageKey(p common.Page, msg tea.KeyMsg) tea.Cmd {
	if c, ok := p.(common.Capturer); !ok || !c.Capturing() {
		switch {
		case msg.String() == "ctrl+c":
			return tea.Quit
		case key.Matches(msg, m.ctx.Keys.Help):
			m.over = overlayHelp
			return nil
		case key.Matches(msg, m.ctx.Keys.Command):
			m.startCommand("")
			return nil
		}
	}
	return p.Update(msg)
}

// Close ends what pages hold (consoles, viewers) when the program exits,
// and thaws the file systems kvmtui froze: a guest left frozen hangs its
// writers.
func (m *Model) Close() {
	m.secrets.close()
	for _, p := range m.stack {
		if c, ok := p.(common.Closer); ok {
			c.Close()
		}
	}
	for _, ref := range m.ctx.Frozen {
		_, _ = m.ctx.Mgr.Agent(ref, libvirtx.AgentThaw)
	}
}

// Pages lists the stack, the VM list first.
func (m *Model) Pages() []common.Page { return append([]common.Page(nil), m.stack...) }
