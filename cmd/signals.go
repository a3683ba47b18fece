package cmd

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
)

// Why kvmtui never dies of a signal: libvirtd 9.0 (Debian 12) frees a
// client's event callbacks from two threads at once when the client
// vanishes while a call is in flight, and segfaults. A stop asked for by a
// signal therefore returns through the deferred closes, which wait for the
// calls, remove the callbacks and close each connection.

// stopSignals are the ways a terminal program is told to end: ^C, kill,
// and a hangup (its SSH session or tmux pane closed).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// stopContext is done when one of stopSignals arrives.
func stopContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), stopSignals...)
}

// runScreen runs a full-screen program until it quits or a stop signal
// arrives (Bubble Tea itself handles ^C and kill, not a hangup).
func runScreen(p *tea.Program) error {
	ctx, stop := stopContext()
	defer stop()
	go func() {
		<-ctx.Done() // also when Run has returned: Quit is then a no-op
		p.Quit()
	}()
	_, err := p.Run()
	return err
}
