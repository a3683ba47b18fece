package perfview

import (
	"kvmtui/tui/common"

	"github.com/charmbracelet/bubbles/key"
)

// keys work inside the performance view (p and % are the list's).
type keys struct {
	Back, Prev, Next, HostView, Charts, Window, Limit key.Binding
}

func newKeys() keys {
	return keys{
		Back:     key.NewBinding(key.WithKeys("esc", "p"), key.WithHelp("esc/p", "back to the list")),
		Prev:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous VM")),
		Next:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next VM")),
		HostView: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "VM / host view (tab again: next host)")),
		Charts:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "braille / block / ascii")),
		Window:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "recent / whole history")),
		Limit:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set a threshold (:threshold)")),
	}
}

func (k keys) view() []key.Binding {
	return []key.Binding{k.Back, k.Prev, k.Next, k.HostView, k.Charts, k.Window, k.Limit}
}

func init() { common.RegisterKeys("perf", func() any { return newKeys() }) }
