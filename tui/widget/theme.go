package widget

import (
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
)

// Theme holds every style the UI uses, built once. With NO_COLOR (or a
// terminal without colour) lipgloss renders them as plain text, so nothing
// may rely on colour alone: states are words, the cursor row is reversed.
type Theme struct {
	Title     lipgloss.Style
	Header    lipgloss.Style
	Cursor    lipgloss.Style
	Marked    lipgloss.Style
	Dim       lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	OK        lipgloss.Style
	Demo      lipgloss.Style
	StatusBar lipgloss.Style
	Key       lipgloss.Style
	Box       lipgloss.Style
	States    map[libvirtx.State]lipgloss.Style
}

// NewTheme builds the styles once.
func NewTheme() *Theme {
	t := &Theme{
		Title:     lipgloss.NewStyle().Bold(true),
		Header:    lipgloss.NewStyle().Bold(true).Underline(true),
		Cursor:    lipgloss.NewStyle().Reverse(true),
		Marked:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		Dim:       lipgloss.NewStyle().Faint(true),
		Error:     lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		Warn:      lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		OK:        lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		Demo:      lipgloss.NewStyle().Bold(true).Reverse(true),
		StatusBar: lipgloss.NewStyle(),
		Key:       lipgloss.NewStyle().Bold(true),
		Box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
	}
	t.States = map[libvirtx.State]lipgloss.Style{
		libvirtx.StateRunning:     lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		libvirtx.StatePaused:      lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		libvirtx.StatePMSuspended: lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		libvirtx.StateCrashed:     lipgloss.NewStyle().Foreground(lipgloss.Color("9")),
		libvirtx.StateShutoff:     lipgloss.NewStyle().Faint(true),
	}
	return t
}
