package screen

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/tui/common"
	"kvmtui/tui/tuitest"
)

// openScreen opens the screen of a VM and takes its first frame (the page
// streams frames for as long as it is open, so the harness's pump, which
// runs every command to its end, is not used).
func openScreen(t *testing.T, h *tuitest.Harness, vm string) *Page {
	t.Helper()
	pg, cmd, err := Open(h.Ctx(), []string{vm})
	if err != nil {
		t.Fatal(err)
	}
	p := pg.(*Page)
	t.Cleanup(p.Close)
	next := p.Update(cmd())
	if p.err != "" {
		t.Fatal(p.err)
	}
	p.Update(next())
	if p.err != "" || p.frame == nil {
		t.Fatalf("no frame: %q", p.err)
	}
	return p
}

// A test-driver VM has no display kvmtui can dial: its screen comes from
// libvirt's screenshots, drawn in blocks and shades (the harness's
// terminal has no colour); ctrl+] leaves.
func TestScreenOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	p := openScreen(t, h, "web-01")
	v := p.View()
	drawn := 0
	for _, c := range []string{"▀", "▄", "░", "▒", "▓", "█"} {
		drawn += strings.Count(v, c)
	}
	if !strings.Contains(v, "libvirt screenshots") || drawn < 500 || strings.Contains(v, "\x1b[") {
		t.Fatalf("the frame is not drawn:\n%s", v)
	}
	if lines := strings.Split(v, "\n"); len(lines) != h.Ctx().BodyHeight() {
		t.Fatalf("%d lines, want the body's %d", len(lines), h.Ctx().BodyHeight())
	}
	if cmd := p.Update(tea.KeyMsg{Type: tea.KeyCtrlCloseBracket}); cmd == nil {
		t.Fatal("ctrl+] does nothing")
	} else if _, ok := cmd().(common.PopMsg); !ok {
		t.Fatal("ctrl+] does not leave the screen")
	}
	// A VM that is not running has no screen.
	if _, _, err := Open(h.Ctx(), []string{"legacy-centos7"}); err == nil || !strings.Contains(err.Error(), "legacy-centos7 is shut off") {
		t.Fatalf("a shut-off VM: %v", err)
	}
}
