package cmd

import (
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/askpass"
	"kvmtui/console"
	"kvmtui/libvirtx"
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
	// Login prompts, ssh's (qemu+ssh:// passwords) and libvirt's (SASL),
	// come to the UI: set up before the first connection starts, they ask
	// the program once it runs.
	prog := make(chan *tea.Program, 1)
	ended := make(chan struct{})
	ask := func(r askpass.Request) askpass.Answer {
		p := <-prog
		prog <- p
		reply := make(chan askpass.Answer, 1)
		go p.Send(tui.SecretMsg{Request: r, Reply: reply})
		select {
		case a := <-reply:
			return a
		case <-ended:
			return askpass.Answer{}
		}
	}
	bridge, err := askpass.Start(ask)
	if err != nil {
		return o.fail(err)
	}
	defer bridge.Close()
	libvirtx.UseSSH(bridge.SSH())
	console.AskPass = bridge.Client() // the viewers' and screen's SSH tunnels
	libvirtx.UsePrompter(func(prompt string, echo bool) (string, bool) {
		a := ask(askpass.Request{From: "libvirt", Prompt: prompt, Echo: echo})
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
	m := tui.New(mgr, tui.Options{Config: &o.cfg, ConfigErrs: o.cfgErrs, Start: start, QuitAfter: quitAfter, DemoURI: demoURI, Interval: o.interval})
	defer m.Close() // viewers and their SSH tunnels end with kvmtui
	p := tea.NewProgram(m, tea.WithAltScreen())
	prog <- p
	err = runScreen(p)
	close(ended)
	if err != nil {
		return o.fail(err)
	}
	if e := m.StartErr(); e != "" {
		return o.fail(errors.New(e))
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
