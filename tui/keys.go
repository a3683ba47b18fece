package tui

import "github.com/charmbracelet/bubbles/key"

// globalKeys work everywhere a text input does not have focus.
type globalKeys struct {
	Help    key.Binding
	Command key.Binding
	Quit    key.Binding
	Back    key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
	}
}

func (k globalKeys) all() []key.Binding { return []key.Binding{k.Help, k.Command, k.Back, k.Quit} }
