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
