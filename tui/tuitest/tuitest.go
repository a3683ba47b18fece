// Package tuitest drives kvmtui's root model the way Bubble Tea would, but
// synchronously, over libvirt itself (the bundled demo host on libvirt's
// test driver, or a real daemon): the harness page packages test with.
package tuitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui"
	"kvmtui/tui/common"
)

func init() {
	// Screens are compared as plain text.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// DemoURI is the bundled demo host, loaded by libvirt's test driver.
func DemoURI(t testing.TB) string {
	t.Helper()
	p := filepath.Join(lt.RepoRoot(), "testdata", "demo", "host.xml")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

// Harness is a root model at 80x24 over fresh connections. Keys go through
// Update, commands run with a deadline and their messages are fed back,
// libvirt events are pumped in on demand.
type Harness struct {
	T   testing.TB
	M   *tui.Model
	Mgr *libvirtx.Manager
	evs chan []libvirtx.Event
	inv map[string]bool // connections whose VM inventory arrived
}

// New connects to uris (a test:/// one is taken as the demo host) and waits
// until every connection is up with its VMs listed.
func New(t testing.TB, readOnly bool, uris ...string) *Harness {
	t.Helper()
	return NewWith(t, tui.Options{}, readOnly, uris...)
}

// NewWith is New with options for the root (a configuration file's).
func NewWith(t testing.TB, opts tui.Options, readOnly bool, uris ...string) *Harness {
	t.Helper()
	mgr := libvirtx.NewManager(readOnly)
	t.Cleanup(mgr.Close)
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	h := &Harness{T: t, Mgr: mgr, evs: make(chan []libvirtx.Event, 64), inv: map[string]bool{}}
	go func() {
		for {
			h.evs <- mgr.Next()
		}
	}()
	if strings.HasPrefix(uris[0], "test://") {
		opts.DemoURI = uris[0]
	}
	opts.Interval = time.Second
	h.M = tui.New(mgr, opts)
	h.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.Until("the connections and their VMs", func() bool { return len(h.inv) == len(uris) })
	return h
}

// Ctx is the context the root shares with its pages.
func (h *Harness) Ctx() *common.Context { return h.M.Context() }

// Until feeds libvirt events into the model until cond holds.
func (h *Harness) Until(what string, cond func() bool) {
	h.T.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case evs := <-h.evs:
			for _, e := range evs {
				if e, ok := e.(libvirtx.InventoryEvent); ok && !e.Partial {
					h.inv[e.URI] = true // the complete listing, titles and all
				}
			}
			h.Run(h.M.ApplyEvents(evs))
		case <-deadline:
			h.T.Fatalf("timed out waiting for %s; screen:\n%s", what, h.M.View())
		}
	}
}

var named = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "down": tea.KeyDown, "up": tea.KeyUp,
	"backspace": tea.KeyBackspace, "ctrl+a": tea.KeyCtrlA, "ctrl+r": tea.KeyCtrlR, "ctrl+s": tea.KeyCtrlS, "f2": tea.KeyF2,
	"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
}

// Keys sends key presses: "enter", "esc", "space", "tab", "down",
// "ctrl+r"… are named keys, anything else is typed rune by rune.
func (h *Harness) Keys(ks ...string) {
	h.T.Helper()
	for _, k := range ks {
		if k == "space" {
			h.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		if t, ok := named[k]; ok {
			h.Send(tea.KeyMsg{Type: t})
			continue
		}
		for _, r := range k {
			h.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
}

// Send is one message through Update, and what its commands bring back.
func (h *Harness) Send(msg tea.Msg) {
	_, cmd := h.M.Update(msg)
	h.Run(cmd)
}

// Run executes a command and feeds its message back, like the runtime.
// What blocks (events, ticks) is left to the harness's own pump.
func (h *Harness) Run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	select {
	case msg := <-out:
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				h.Run(c)
			}
		case common.EventsMsg, common.TickMsg, tea.QuitMsg, nil:
			// events come through the harness's pump; ticks are not wanted here
		default:
			h.Send(msg)
		}
	case <-time.After(10 * time.Second):
		h.T.Fatal("a command took more than 10s")
	}
}

// VM is the named VM as the context knows it.
func (h *Harness) VM(name string) libvirtx.Domain {
	h.T.Helper()
	for _, d := range h.Ctx().VMs("") {
		if d.Name == name {
			return d
		}
	}
	h.T.Fatalf("%s is not in the inventory", name)
	return libvirtx.Domain{}
}

// ScreenHas fails unless the screen shows every string.
func (h *Harness) ScreenHas(ss ...string) {
	h.T.Helper()
	v := h.M.View()
	for _, s := range ss {
		if !strings.Contains(v, s) {
			h.T.Fatalf("screen lacks %q:\n%s", s, v)
		}
	}
}

// ScreenLacks fails if the screen shows any of the strings.
func (h *Harness) ScreenLacks(ss ...string) {
	h.T.Helper()
	v := h.M.View()
	for _, s := range ss {
		if strings.Contains(v, s) {
			h.T.Fatalf("screen shows %q:\n%s", s, v)
		}
	}
}

// MsgHas fails unless the message line holds s.
func (h *Harness) MsgHas(s string) {
	h.T.Helper()
	if m := h.Ctx().Msg.Text; !strings.Contains(m, s) {
		h.T.Fatalf("message %q lacks %q", m, s)
	}
}

// OnList reports whether the VM list is on top: no page is open over it.
func (h *Harness) OnList() bool { return len(h.M.Pages()) == 1 }

// Top is the page on top, failing the test unless it is a P.
func Top[P any](h *Harness) P {
	h.T.Helper()
	p, ok := h.M.Top().(P)
	if !ok {
		var want P
		h.T.Fatalf("the page on top is not a %T; screen:\n%s", want, h.M.View())
	}
	return p
}
