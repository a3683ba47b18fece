package common

import "github.com/charmbracelet/bubbles/key"

// Keys are the bindings every page shares: the root takes ? and : (unless
// a page captures keys); the list takes q and esc. Pages show them in their
// hints from here.
type Keys struct {
	Help    key.Binding
	Command key.Binding
	Quit    key.Binding
	Back    key.Binding
}

// NewKeys builds the shared bindings.
func NewKeys() Keys {
	return Keys{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
	}
}

// All lists them for the help overlay.
func (k Keys) All() []key.Binding { return []key.Binding{k.Help, k.Command, k.Back, k.Quit} }
