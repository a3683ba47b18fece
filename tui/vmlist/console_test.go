package vmlist

// Console keys on the demo host. libvirt's test driver has no consoles, so
// these check the routing, the dialogs and the one-line explanations; the
// real consoles are exercised in console_e2e_test.go.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

func TestConsoleRefusalsAreOneLineWithWhatToDo(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("win11-desktop") // saved, not running
	for _, k := range []string{"c", "v", "K"} {
		h.Keys(k)
		if !h.Ctx().Msg.Err || !strings.Contains(h.Ctx().Msg.Text, "win11-desktop is shut off: start it (s) first, then "+k) {
			t.Fatalf("%s on a stopped VM: %q", k, h.Ctx().Msg.Text)
		}
	}
	h.selectVM("web-01")
	h.Keys("c")
	// libvirt's own words, verbatim.
	if !strings.Contains(h.Ctx().Msg.Text, "console of web-01: this function is not supported by the connection driver: virDomainOpenConsole") {
		t.Fatalf("c on the test driver: %q", h.Ctx().Msg.Text)
	}
	if h.m.con.holder != (common.VMID{}) || h.m.mode != modeList {
		t.Fatalf("a failed open left the console held (%q) or mode %v", h.m.con.holder, h.m.mode)
	}
	h.Keys("v")
	if !strings.Contains(h.Ctx().Msg.Text, "web-01's VNC display has no port") || strings.Contains(h.Ctx().Msg.Text, "\n") {
		t.Fatalf("v without a port: %q", h.Ctx().Msg.Text)
	}

	ro := newHarness(t, true)
	ro.selectVM("web-01")
	ro.Keys("c")
	if !strings.Contains(ro.Ctx().Msg.Text, "read-only connection") {
		t.Fatalf("c on a read-only connection: %q", ro.Ctx().Msg.Text)
	}
}

func TestSendKeyMenuAndScreenshot(t *testing.T) {
	h := newHarness(t, false)
	screenshotDir = t.TempDir()
	defer func() { screenshotDir = "" }()
	h.selectVM("web-01")
	h.Keys("K")
	h.ScreenHas("Send to web-01", "Ctrl+Alt+Del", "Ctrl+Alt+F1…F12", "SysRq", "screenshot")
	// Keys go to the menu, not the list: j does not move the cursor.
	cur := h.m.list.cursor
	h.Keys("j")
	if h.m.list.cursor != cur || h.m.con.menu == nil {
		t.Fatal("the open menu let a list key through")
	}
	h.Keys("r")
	h.ScreenHas("SysRq on web-01", "b reboot now")
	h.Keys("esc")
	h.ScreenHas("Send to web-01")
	h.Keys("d")
	if h.m.con.menu != nil || h.Ctx().Msg.Text != "sent Ctrl+Alt+Del to web-01" {
		t.Fatalf("after d: menu %v, message %q", h.m.con.menu, h.Ctx().Msg.Text)
	}
	h.Keys("K", "p")
	if !strings.HasPrefix(h.Ctx().Msg.Text, "screenshot of web-01 saved: "+screenshotDir) {
		t.Fatalf("screenshot: %q", h.Ctx().Msg.Text)
	}
	files, _ := filepath.Glob(filepath.Join(screenshotDir, "web-01-*.png"))
	if len(files) != 1 {
		t.Fatalf("screenshot files: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.HasPrefix(string(data), "\x89PNG") {
		t.Fatal("the screenshot is not a PNG")
	}
	if !strings.Contains(h.Ctx().Msg.Text, files[0]) {
		t.Fatalf("the message does not show the path: %q", h.Ctx().Msg.Text)
	}
}

func TestConsolePaneLayoutAndFocus(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("web-01")
	h.Keys("C")
	p := &h.m.con.pane
	if !p.shown || p.g.beside {
		t.Fatalf("at 80x24 the pane goes below the list: %+v", p.g)
	}
	// The pane's attach is delayed (the cursor may be passing by); run it.
	h.Send(paneAttachMsg{gen: p.gen})
	h.ScreenHas("console: web-01", "this function is not supported by the connection driver: virDomainOpenConsole")
	v := h.M.View()
	if n := strings.Count(v, "\n") + 1; n != 24 {
		t.Fatalf("screen has %d lines at 80x24:\n%s", n, v)
	}
	// Moving the cursor retargets the pane.
	h.selectVM("web-02")
	h.Send(tea.WindowSizeMsg{Width: 80, Height: 24}) // any message runs the follow-up
	if p.dom.Name != "web-02" {
		t.Fatalf("pane still on %s", p.dom.Name)
	}
	h.Send(tea.WindowSizeMsg{Width: 200, Height: 50})
	if !p.g.beside || p.g.paneW != 81 || p.g.listW != 119 {
		t.Fatalf("at 200x50 the pane goes beside the list: %+v", p.g)
	}
	for _, l := range strings.Split(h.M.View(), "\n") {
		if w := ansi.StringWidth(l); w > 200 {
			t.Fatalf("line wider than the terminal (%d): %q", w, l)
		}
	}
	// Focus: keys go to the pane, q does not quit, ctrl+] comes back.
	h.Send(tea.KeyMsg{Type: tea.KeyTab})
	if !p.focused {
		t.Fatal("tab did not focus the pane")
	}
	h.Keys("q", "j")
	if h.m.list.selected().dom.Name != "web-02" {
		t.Fatal("a key typed into the pane moved the list")
	}
	// No console attached: enter tries again (here it fails again).
	h.Send(paneAttachMsg{gen: p.gen})
	if p.failed == nil || p.pending {
		t.Fatalf("attach on the test driver: failed=%v pending=%v", p.failed, p.pending)
	}
	first := p.failed
	h.Send(tea.KeyMsg{Type: tea.KeyEnter}) // the harness runs the attach at once
	if p.failed == first || p.failed == nil {
		t.Fatalf("enter did not try again: %v", p.failed)
	}
	h.Send(tea.KeyMsg{Type: tea.KeyCtrlCloseBracket})
	if p.focused {
		t.Fatal("ctrl+] did not leave the pane")
	}
	h.Keys("C")
	if p.shown || h.m.list.height != 50-4 {
		t.Fatalf("pane still shown, or the list kept its small height %d", h.m.list.height)
	}
}

func TestHelpListsConsoleKeys(t *testing.T) {
	h := newHarness(t, false)
	h.Send(tea.WindowSizeMsg{Width: 200, Height: 60})
	h.Keys("?")
	h.ScreenHas("Consoles", "serial console, full screen", "console pane on / off", "graphical console", "send keys")
}

func TestWorkstationBoxCopiesThroughOSC52(t *testing.T) {
	h := newHarness(t, false)
	cmds := []string{"ssh -N -f -L 5900:127.0.0.1:5900 root@h", "remote-viewer vnc://127.0.0.1:5900", "ssh root@h kvmtui vv web-01 | remote-viewer -"}
	h.m.cons().ws = &workstationBox{dom: h.VM("web-01"), commands: cmds}
	h.ScreenHas("Graphical console of web-01", "No graphical display here", cmds[0], cmds[1], "y copy the commands")
	h.ScreenLacks("\x1b]52;")
	h.Keys("y")
	want := console.OSC52(strings.Join(cmds, "\n") + "\n")
	h.ScreenHas(want, "copied through OSC 52")
	h.Keys("esc")
	if h.m.con.ws != nil {
		t.Fatal("esc did not close the box")
	}
	h.ScreenLacks("Graphical console")
}

// s with the pane open starts the VM paused, attaches, resumes; on the test
// driver the attach fails, and the VM runs anyway with libvirt's reason shown.
func TestPaneStartStartsEvenWithoutAConsole(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("legacy-centos7")
	h.Keys("C", "s")
	h.Until("legacy-centos7 running", func() bool { return h.stateOf("legacy-centos7") == libvirtx.StateRunning })
	want := "legacy-centos7 started, but its console could not be opened: this function is not supported by the connection driver: virDomainOpenConsole"
	if h.Ctx().Msg.Text != want || !h.Ctx().Msg.Err {
		t.Fatalf("message %q", h.Ctx().Msg.Text)
	}
	if p := h.m.con.pane; p.pending || p.failed == nil {
		t.Fatalf("pane left pending=%v failed=%v", p.pending, p.failed)
	}
}
