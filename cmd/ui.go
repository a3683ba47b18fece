package cmd

import (
	"errors"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"kvmtui/askpass"
	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/termimg"
	"kvmtui/tui"
)

// runUI opens the interactive UI on the chosen connections; start is a
// command line for it to run first (quitAfter: leaving its page ends it).
func (o *options) runUI(start string, quitAfter bool) error {
	uris, demoURI, err := o.chooseURIs()
	if err != nil {
		return o.fail(err)
	}
	noColor()
	// Login questions, ssh's (qemu+ssh:// passwords) and libvirt's (SASL),
	// come to the UI; set up before the first connection starts.
	logins := tui.NewLogins()
	defer logins.End()
	bridge, err := askpass.Start(logins.Ask)
	if err != nil {
		return o.fail(err)
	}
	defer bridge.Close()
	libvirtx.UseSSH(bridge.SSH())
	console.AskPass = bridge.Client() // the viewers' and screen's SSH tunnels
	libvirtx.UsePrompter(func(prompt, why string, echo bool) (string, bool) {
		a := logins.Ask(askpass.Request{From: "libvirt", Prompt: prompt, Why: why, Echo: echo})
		return a.Text, a.OK
	})
	mgr, err := o.manager(uris)
	if err != nil {
		return err
	}
	defer mgr.Close()
	if demoURI != "" {
		mgr.SetDemoLoad(demoURI)
	}
	graphics, err := detectGraphics()
	if err != nil {
		return o.usage("%v", err)
	}
	m := tui.New(mgr, tui.Options{Config: &o.cfg, ConfigErrs: o.cfgErrs, Start: start, QuitAfter: quitAfter, Logins: logins, DemoURI: demoURI, Interval: o.interval, Graphics: graphics})
	defer m.Close() // viewers and their SSH tunnels end with kvmtui
	err = runScreen(tea.NewProgram(m, tea.WithAltScreen()))
	logins.End() // before the closes: a connection still asking gives up
	if err != nil {
		return o.fail(err)
	}
	if e := m.StartErr(); e != "" {
		return o.fail(errors.New(e))
	}
	return nil
}

// detectGraphics asks the terminal how it draws pictures (the guest's
// screen), while the connections start: one round trip to the terminal.
// Without one (output to a file), KVMTUI_GRAPHICS alone decides.
func detectGraphics() (termimg.Graphics, error) {
	var tty *os.File
	if term.IsTerminal(int(os.Stdout.Fd())) {
		if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
			defer f.Close()
			tty = f
		}
	}
	return termimg.Detect(tty, os.Getenv, 2*time.Second)
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
