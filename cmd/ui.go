package cmd

import (
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/libvirtx"
	"kvmtui/tui"
)

// runUI opens the interactive UI on the chosen connections.
func (o *options) runUI() error {
	uris, demoURI, err := o.chooseURIs()
	if err != nil {
		return o.fail(err)
	}
	noColor()
	mgr, err := o.manager(uris)
	if err != nil {
		return err
	}
	defer mgr.Close()
	if demoURI != "" {
		mgr.SetDemoLoad(demoURI)
	}
	m := tui.New(mgr, tui.Options{DemoURI: demoURI, Interval: o.interval})
	defer m.Close() // viewers and their SSH tunnels end with kvmtui
	if err := runScreen(tea.NewProgram(m, tea.WithAltScreen())); err != nil {
		return o.fail(err)
	}
	return nil
}

// noColor honours NO_COLOR (https://no-color.org).
func noColor() {
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}

// manager connects to the URIs in the background, as the interactive
// commands want: a host that is down shows as such and is retried.
func (o *options) manager(uris []string) (*libvirtx.Manager, error) {
	mgr := libvirtx.NewManager(o.readOnly)
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			mgr.Close()
			return nil, o.usage("%v", err)
		}
	}
	return mgr, nil
}
