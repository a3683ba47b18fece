package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

func TestHelpIsGeneratedFromKeyMaps(t *testing.T) {
	// No connection: help is drawn from the key maps alone.
	mgr := libvirtx.NewManager(false)
	t.Cleanup(mgr.Close)
	m := New(mgr, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 50})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'?'}})
	// Every binding of every page is somewhere in the (scrollable) help.
	all := strings.Join(m.helpLines(), "\n")
	keys := m.ctx.Keys.All()
	for _, p := range m.stack {
		if hp, ok := p.(common.Helper); ok {
			for _, sec := range hp.Help() {
				keys = append(keys, sec.Keys...)
			}
		}
	}
	for _, e := range common.Entries() {
		if e.Help != nil {
			for _, sec := range e.Help(m.ctx) {
				keys = append(keys, sec.Keys...)
			}
		}
	}
	if len(keys) < 60 {
		t.Fatalf("only %d keys found in the key maps", len(keys))
	}
	for _, b := range keys {
		if !strings.Contains(all, b.Help().Desc) {
			t.Fatalf("help lacks %q", b.Help().Desc)
		}
	}
	if !strings.Contains(all, ":sort COLUMN") {
		t.Fatal("help lacks the command line reference")
	}
	// On a short terminal it scrolls to the end.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	screenHas(t, m, "more below")
	for range 1000 { // more than the help has lines
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}})
	}
	screenLacks(t, m, "more below")
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	screenHas(t, m, "STATE")
}

func screenHas(t *testing.T, m *Model, s string) {
	t.Helper()
	if v := m.View(); !strings.Contains(v, s) {
		t.Fatalf("screen lacks %q:\n%s", s, v)
	}
}

func screenLacks(t *testing.T, m *Model, s string) {
	t.Helper()
	if v := m.View(); strings.Contains(v, s) {
		t.Fatalf("screen shows %q:\n%s", s, v)
	}
}
