package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// starter runs Options.Start once the connections have listed their VMs
// (its VM may be on any of them), and with Options.QuitAfter ends kvmtui
// when the page it opened is left.
type starter struct {
	line    string          // still to run
	settled map[string]bool // connections whose VMs arrived, or that failed
	depth   int             // the stack's depth with its page open; 0: none
	quit    bool
	Err     string // why it could not run
}

// events tries the line when a connection's VMs arrive: it runs when it
// opens a page, or once every connection has listed or failed (then its
// message is the error).
func (s *starter) events(m *Model, evs common.EventsMsg) tea.Cmd {
	if s.line == "" {
		return nil
	}
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.InventoryEvent:
			if !e.Partial {
				s.settled[e.URI] = true
			}
		case libvirtx.ConnEvent:
			if e.Status == libvirtx.Disconnected {
				s.settled[e.URI] = true
			}
		}
	}
	if len(s.settled) == 0 {
		return nil
	}
	before, msg := len(m.stack), m.ctx.Msg
	cmd := m.runCommand(s.line)
	switch {
	case len(m.stack) > before:
		s.line, s.depth = "", len(m.stack)
		return cmd
	case len(s.settled) < len(m.mgr.URIs()):
		m.ctx.Msg = msg // not yet: another connection may have it
		return nil
	}
	s.line, s.Err = "", m.ctx.Msg.Text
	if s.quit {
		return tea.Quit
	}
	return cmd
}

// popped ends kvmtui when the started page was left.
func (s *starter) popped(m *Model) tea.Cmd {
	if s.quit && s.depth > 0 && len(m.stack) < s.depth {
		return tea.Quit
	}
	return nil
}

// StartErr is why Options.Start could not run ("" when it did, or there was
// none).
func (m *Model) StartErr() string { return m.start.Err }
