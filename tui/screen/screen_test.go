package screen

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/termimg"
	"kvmtui/termimg/termimgtest"
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
	// On VNC the page also turns the mouse on: a batch, the frame's wait first.
	msg := next()
	if b, ok := msg.(tea.BatchMsg); ok {
		msg = b[0]()
	}
	p.Update(msg)
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

// A paste types its line ends and tabs as Enter and Tab; ctrl+g's menu
// sends what a terminal cannot type, and any other key just closes it.
func TestPasteAndCombinations(t *testing.T) {
	ss := strokes(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ls\n\tx"), Paste: true})
	var syms []uint32
	for _, s := range ss {
		syms = append(syms, s.sym)
	}
	if fmt.Sprint(syms) != fmt.Sprint([]uint32{'l', 's', 0xff0d, 0xff09, 'x'}) || ss[2].linux[0] != "KEY_ENTER" {
		t.Fatalf("a paste as strokes: %x", syms)
	}
	for _, c := range []struct {
		key   tea.KeyMsg
		label string
		linux string
	}{
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d")}, "Ctrl+Alt+Del", "KEY_LEFTCTRL KEY_LEFTALT KEY_DELETE"},
		{tea.KeyMsg{Type: tea.KeyF2}, "Ctrl+Alt+F2", "KEY_LEFTCTRL KEY_LEFTALT KEY_F2"},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")}, "Ctrl+Alt+Backspace", "KEY_LEFTCTRL KEY_LEFTALT KEY_BACKSPACE"},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")}, "Alt+Tab", "KEY_LEFTALT KEY_TAB"},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")}, "Alt+F4", "KEY_LEFTALT KEY_F4"},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")}, "Super", "KEY_LEFTMETA"},
	} {
		s, label, ok := comboStroke(c.key)
		if !ok || label != c.label || strings.Join(s.linux, " ") != c.linux || len(s.mods) != len(s.linux)-1 {
			t.Errorf("%v: %q %v %v", c.key, label, s, ok)
		}
	}
	if _, _, ok := comboStroke(tea.KeyMsg{Type: tea.KeyEsc}); ok {
		t.Error("esc picked a combination")
	}

	h := tuitest.New(t, false, tuitest.DemoURI(t))
	p := openScreen(t, h, "web-01")
	p.Update(tea.KeyMsg{Type: tea.KeyCtrlG})
	if !strings.Contains(p.Hints(), "d Ctrl+Alt+Del") {
		t.Fatalf("no menu: %s", p.Hints())
	}
	cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d")})
	if cmd == nil || !strings.Contains(h.Ctx().Msg.Text, "sent Ctrl+Alt+Del to web-01") || strings.Contains(p.Hints(), "send:") {
		t.Fatalf("the menu's d: %v %q %s", cmd, h.Ctx().Msg.Text, p.Hints())
	}
	if msg := cmd(); msg != nil {
		t.Fatalf("send-key on the demo host: %v", msg) // the test driver takes send-key
	}
	p.Update(tea.KeyMsg{Type: tea.KeyCtrlG})
	if cmd := p.Update(tea.KeyMsg{Type: tea.KeyEsc}); cmd != nil || strings.Contains(p.Hints(), "send:") {
		t.Fatal("esc in the menu sent something or left it open")
	}
}

// Characters typed with shift on a US keyboard are sent with shift held,
// as a keyboard sends them (QEMU does not add it: '$' arrived as '4');
// send-key gets the same keys by their Linux names.
func TestShiftedCharacters(t *testing.T) {
	for _, c := range []struct {
		r     rune
		shift bool
		linux string
	}{
		{'$', true, "KEY_LEFTSHIFT KEY_4"}, {'A', true, "KEY_LEFTSHIFT KEY_A"}, {'>', true, "KEY_LEFTSHIFT KEY_DOT"},
		{'|', true, "KEY_LEFTSHIFT KEY_BACKSLASH"}, {'"', true, "KEY_LEFTSHIFT KEY_APOSTROPHE"},
		{'a', false, "KEY_A"}, {'-', false, "KEY_MINUS"}, {'/', false, "KEY_SLASH"}, {'\'', false, "KEY_APOSTROPHE"},
	} {
		ss := strokes(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c.r}})
		if len(ss) != 1 || ss[0].sym != uint32(c.r) || (len(ss[0].mods) == 1 && ss[0].mods[0] == symShift) != c.shift ||
			strings.Join(ss[0].linux, " ") != c.linux {
			t.Errorf("%q: %+v, want shift %v and %s", c.r, ss, c.shift, c.linux)
		}
	}
}

// Input is sent in the order it was typed, however the runtime schedules
// the commands: the second key's command, run first, waits for the first.
func TestInputInOrder(t *testing.T) {
	p := &Page{}
	var got []int
	first := p.inOrder(func() tea.Msg { got = append(got, 1); return nil })
	second := p.inOrder(func() tea.Msg { got = append(got, 2); return nil })
	done := make(chan struct{})
	go func() { second(); close(done) }()
	select {
	case <-done:
		t.Fatal("the second key went before the first")
	case <-time.After(50 * time.Millisecond):
	}
	first()
	<-done
	if fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("sent %v", got)
	}
}

// The line above the picture changes with frames only: between frames it
// stays as it was (a still screen writes nothing to the terminal), and it
// says "still" once frames stop.
func TestFrameRateLineChangesWithFramesOnly(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	p := openScreen(t, h, "web-01")
	now := time.Now()
	p.frames = []stamp{{at: now.Add(-1500 * time.Millisecond)}, {at: now.Add(-1000 * time.Millisecond)}, {at: now.Add(-500 * time.Millisecond)}}
	first := strings.SplitN(p.View(), "\n", 2)[0]
	if !strings.Contains(first, "2.0 frames/s") {
		t.Fatalf("three frames half a second apart: %q", first)
	}
	time.Sleep(100 * time.Millisecond)
	if again := strings.SplitN(p.View(), "\n", 2)[0]; again != first {
		t.Fatalf("no frame came, yet the line changed: %q, then %q", first, again)
	}
	p.frames = []stamp{{at: now.Add(-stillAfter - time.Second)}}
	if line := strings.SplitN(p.View(), "\n", 2)[0]; !strings.Contains(line, "still") {
		t.Fatalf("no frame for %v: %q", stillAfter+time.Second, line)
	}
}

// kitty: a frame is sent whole the first time; the same frame again (a
// screenshot a second of a still screen) sends nothing; a changed frame
// is sent whole to a terminal that takes whole pictures only (Ghostty),
// and as an edit of what changed to kitty itself.
func TestKittyFramesWholeEditedOrNothing(t *testing.T) {
	for _, edits := range []bool{false, true} {
		h := tuitest.New(t, false, tuitest.DemoURI(t))
		h.Ctx().Graphics = termimg.Graphics{Protocol: termimg.KittyImage, KittyEdits: edits, CellW: 8, CellH: 16}
		p := openScreen(t, h, "web-01")
		frame := image.NewRGBA(p.frame.Bounds()) // the screenshot's own kind (grey)
		draw.Draw(frame, frame.Rect, p.frame, frame.Rect.Min, draw.Src)
		// drawn is the picture the command asks the renderer to draw, if any.
		drawn := func(cmd tea.Cmd) (tea.Graphic, bool) {
			if cmd == nil {
				return tea.Graphic{}, false
			}
			g, ok := tea.GraphicIn(cmd())
			if !ok {
				t.Fatalf("edits %v: the command draws no picture", edits)
			}
			return g, true
		}
		frameDrawn := func(img *image.RGBA) (tea.Graphic, bool) {
			p.frame = img
			return drawn(p.draw())
		}
		// A resize draws the picture whole (the first frame did too).
		whole, ok := drawn(p.Update(tea.WindowSizeMsg{Width: h.Ctx().Width, Height: h.Ctx().Height}))
		if !ok || whole.Patch != "" || !strings.HasPrefix(whole.Seq(), "\x1b_Ga=T") {
			t.Fatalf("edits %v: the picture is not sent whole after a resize", edits)
		}
		p.frame = frame
		if _, ok := frameDrawn(frame); ok {
			t.Errorf("edits %v: the same frame again is sent again", edits)
		}
		changed := image.NewRGBA(frame.Rect)
		copy(changed.Pix, frame.Pix)
		changed.SetRGBA(10, 20, color.RGBA{255, 0, 255, 255})
		g, ok := frameDrawn(changed)
		switch {
		case !ok:
			t.Errorf("edits %v: a changed frame is not sent", edits)
		case !edits && g.Patch != "":
			t.Errorf("Ghostty: a changed frame is sent as an edit: %.60q", g.Patch)
		case edits:
			// The edit, painted over the picture sent, is the picture now.
			canvas, err := termimgtest.KittyCanvas(whole.Seq() + g.Patch)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(g.Patch, "\x1b_Ga=f,r=1,X=1,q=2,i="+strconv.Itoa(kittyID)+",") || len(g.Patch)*10 > len(whole.Seq()) {
				t.Errorf("kitty: a changed pixel is sent as %d bytes: %.60q", len(g.Patch), g.Patch)
			}
			if n := termimgtest.Differ(canvas, p.shown, 0); n != 0 {
				t.Errorf("kitty: the edited picture differs from the frame in %d pixels", n)
			}
		}
	}
}

// kitty before placeholders: the picture is placed at its cell above blank
// lines, and taken away while a dialog is over them.
func TestKittyDirectPlacement(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Ctx().Graphics = termimg.Graphics{Protocol: termimg.KittyImage, KittyEdits: true, KittyDirect: true, CellW: 8, CellH: 16}
	p := openScreen(t, h, "web-01")
	g, ok := tea.GraphicIn(p.Update(tea.WindowSizeMsg{Width: h.Ctx().Width, Height: h.Ctx().Height})())
	if !ok || !strings.HasPrefix(g.Seq(), "\x1b_Ga=T,C=1,q=2,i="+strconv.Itoa(kittyID)+",p=1,") {
		t.Fatalf("not placed directly: %v", ok)
	}
	if g.Hide != termimg.KittyHide(kittyID, false) || g.Rows == 0 || len(g.Under) != g.Rows {
		t.Errorf("the picture is not hidden under a dialog: hide %q, rows %d, %d lines under it", g.Hide, g.Rows, len(g.Under))
	}
	if v := p.View(); strings.ContainsRune(v, '\U0010EEEE') {
		t.Errorf("placeholder cells in the view of a direct placement")
	}
}
