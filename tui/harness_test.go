package tui

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
	"kvmtui/tui/common"
)

func init() {
	// Screens are compared as plain text.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// demoURI is the bundled demo host, loaded by libvirt's test driver.
func demoURI(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs("../testdata/demo/host.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

// harness drives a Model the way Bubble Tea would, but synchronously: keys
// go through Update, commands run with a deadline, libvirt events are pumped
// in on demand.
type harness struct {
	t   testing.TB
	m   *Model
	mgr *libvirtx.Manager
	evs chan []libvirtx.Event
}

func newHarness(t testing.TB, readOnly bool, uris ...string) *harness {
	t.Helper()
	mgr := libvirtx.NewManager(readOnly)
	t.Cleanup(mgr.Close)
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{t: t, mgr: mgr, evs: make(chan []libvirtx.Event, 64)}
	go func() {
		for {
			h.evs <- mgr.Next()
		}
	}()
	h.m = New(mgr, Options{DemoURI: uris[0], Interval: time.Second})
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.until("the inventory", func() bool { return len(h.m.list.rows) > 0 })
	return h
}

// until feeds libvirt events into the model until cond holds.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case evs := <-h.evs:
			// Not through Update: its batch waits for the next events,
			// which this harness reads itself.
			h.run(h.m.ApplyEvents(evs))
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.m.View())
		}
	}
}

// keys sends key presses; "enter", "esc", "space", "f2", "ctrl+a" are named
// keys, anything else is typed as runes.
func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		case "f2":
			msg = tea.KeyMsg{Type: tea.KeyF2}
		case "ctrl+a":
			msg = tea.KeyMsg{Type: tea.KeyCtrlA}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "backspace":
			msg = tea.KeyMsg{Type: tea.KeyBackspace}
		default:
			for _, r := range k {
				h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
			continue
		}
		h.send(msg)
	}
}

func (h *harness) send(msg tea.Msg) {
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run executes a command and feeds its message back, like the runtime.
// Commands that block (waiting for events or a tick) are left behind.
func (h *harness) run(cmd tea.Cmd) {
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
				h.run(c)
			}
		case common.EventsMsg, common.TickMsg, nil:
			// the harness pumps events itself; ticks are not wanted here
		case tea.QuitMsg:
		default:
			h.send(msg)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("a command took more than 10s")
	}
}

// selectVM moves the cursor onto the named VM.
func (h *harness) selectVM(name string) {
	h.t.Helper()
	for i, r := range h.m.list.view {
		if r.dom.Name == name {
			h.m.list.cursor = i
			h.m.list.clamp()
			return
		}
	}
	h.t.Fatalf("%s is not in the list", name)
}

func (h *harness) vm(name string) libvirtx.Domain {
	h.t.Helper()
	for _, r := range h.m.list.rows {
		if r.dom.Name == name {
			return r.dom
		}
	}
	h.t.Fatalf("%s is not in the list", name)
	return libvirtx.Domain{}
}

func (h *harness) stateOf(name string) libvirtx.State {
	for _, r := range h.m.list.rows {
		if r.dom.Name == name {
			return r.dom.State
		}
	}
	return -1
}

func (h *harness) screenHas(ss ...string) {
	h.t.Helper()
	v := h.m.View()
	for _, s := range ss {
		if !strings.Contains(v, s) {
			h.t.Fatalf("screen lacks %q:\n%s", s, v)
		}
	}
}

func (h *harness) screenLacks(ss ...string) {
	h.t.Helper()
	v := h.m.View()
	for _, s := range ss {
		if strings.Contains(v, s) {
			h.t.Fatalf("screen shows %q:\n%s", s, v)
		}
	}
}
