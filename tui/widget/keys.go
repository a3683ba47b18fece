package widget

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Section is one block of the help overlay: a title and its keys, or free
// lines (the command reference).
type Section struct {
	Title string
	Keys  []key.Binding
	Lines []string
}

// Render draws the section as help lines.
func (s Section) Render(th *Theme) []string {
	out := []string{th.Header.Render(s.Title)}
	for _, b := range s.Keys {
		out = append(out, fmt.Sprintf("%-8s %s", b.Help().Key, b.Help().Desc))
	}
	return append(out, s.Lines...)
}

// Hints is a bottom line of key hints, fitted to w cells.
func Hints(th *Theme, w int, bs ...key.Binding) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		parts = append(parts, th.Key.Render(b.Help().Key)+" "+b.Help().Desc)
	}
	return Fit(strings.Join(parts, "  "), w)
}

// Hint is a key and its word on a bottom line.
type Hint struct {
	Key  key.Binding
	Word string
}

// WordHints is a bottom line of short words ("s start  S stop"); the help
// has the long descriptions.
func WordHints(th *Theme, w int, hs ...Hint) string {
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		parts = append(parts, th.Key.Render(h.Key.Help().Key)+" "+h.Word)
	}
	return Fit(strings.Join(parts, "  "), w)
}

// ListKeys move a cursor through a list; pages with a list embed them.
type ListKeys struct {
	Up, Down, Top, Bottom key.Binding
}

// NewListKeys builds the list bindings: arrows and vi keys, g and G.
func NewListKeys() ListKeys {
	return ListKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
	}
}
