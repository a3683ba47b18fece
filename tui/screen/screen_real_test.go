package screen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/tuitest"
)

// pointerLog records the RFB pointer events the client sends (QEMU gets
// them all the same): [mask, x, y] each.
type pointerLog struct {
	net.Conn
	mu     sync.Mutex
	events [][3]int
}

func (r *pointerLog) Write(b []byte) (int, error) {
	if len(b) == 6 && b[0] == 5 { // the client writes each message whole
		r.mu.Lock()
		r.events = append(r.events, [3]int{int(b[1]), int(binary.BigEndian.Uint16(b[2:])), int(binary.BigEndian.Uint16(b[4:]))})
		r.mu.Unlock()
	}
	return r.Conn.Write(b)
}

// take returns the events since the last take.
func (r *pointerLog) take() [][3]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// recordPointer makes the page's dial record what it sends.
func recordPointer(t *testing.T) *pointerLog {
	rec := &pointerLog{}
	dial = func(network, addr string, d time.Duration) (net.Conn, error) {
		c, err := net.DialTimeout(network, addr, d)
		rec.Conn = c
		return rec, err
	}
	t.Cleanup(func() { dial = net.DialTimeout })
	return rec
}

// run runs a command's message back into the page, as the runtime would
// (the frame stream's wait is not run: it blocks until the next frame).
func run(p *Page, cmd tea.Cmd) {
	if cmd != nil {
		p.Update(cmd())
	}
}

// The fixture guest's VGA display over VNC: a click, a drag, a release and
// a wheel notch in the terminal reach QEMU as pointer events at the guest
// pixels under the cells; a click beside the picture sends nothing.
func TestScreenMouseOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	vm := lt.FixtureGuest(t, uri, "screenmouse")
	lt.MustVirsh(t, uri, "start", vm)
	rec := recordPointer(t)
	h := tuitest.New(t, false, uri)
	h.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	p := openScreen(t, h, vm)
	if p.client == nil {
		t.Fatalf("not on VNC: %s", p.source)
	}
	b := p.frame.Bounds()
	rows, pad := len(p.lines), (100-p.cols)/2
	cellW, cellH := float64(b.Dx())/float64(p.cols), float64(b.Dy())/float64(rows)
	// The cell's middle, computed here from the picture's geometry.
	want := func(col, row int) (int, int) {
		return int((float64(col) + 0.5) * cellW), int((float64(row) + 0.5) * cellH)
	}
	near := func(got [3]int, mask, col, row int) bool {
		x, y := want(col, row)
		return got[0] == mask && abs(got[1]-x) <= 1 && abs(got[2]-y) <= 1
	}
	mouse := func(col, row int, a tea.MouseAction, btn tea.MouseButton) [][3]int {
		run(p, p.Update(tea.MouseMsg{X: pad + col, Y: imageTop + row, Action: a, Button: btn}))
		return rec.take()
	}
	if ev := mouse(0, 0, tea.MouseActionPress, tea.MouseButtonLeft); len(ev) != 1 || !near(ev[0], 1, 0, 0) {
		t.Fatalf("a left click on the top left cell sent %v, want mask 1 at %v", ev, fmt.Sprint(want(0, 0)))
	}
	last := p.cols - 1
	if ev := mouse(last, rows-1, tea.MouseActionMotion, tea.MouseButtonLeft); len(ev) != 1 || !near(ev[0], 1, last, rows-1) {
		t.Fatalf("a drag to the bottom right cell sent %v, want mask 1 at %v", ev, fmt.Sprint(want(last, rows-1)))
	}
	if ev := mouse(last, rows-1, tea.MouseActionRelease, tea.MouseButtonLeft); len(ev) != 1 || !near(ev[0], 0, last, rows-1) {
		t.Fatalf("the release sent %v", ev)
	}
	if ev := mouse(3, 5, tea.MouseActionPress, tea.MouseButtonWheelDown); len(ev) != 2 || !near(ev[0], 16, 3, 5) || !near(ev[1], 0, 3, 5) {
		t.Fatalf("a wheel notch sent %v", ev)
	}
	if pad > 0 {
		if ev := mouse(-1, 0, tea.MouseActionPress, tea.MouseButtonRight); len(ev) != 0 {
			t.Fatalf("a click beside the picture sent %v", ev)
		}
	}
	if ev := mouse(0, -1, tea.MouseActionPress, tea.MouseButtonRight); len(ev) != 0 {
		t.Fatalf("a click on the line above the picture sent %v", ev)
	}
	// QEMU took them: the display is still there.
	if err := p.client.Request(false); err != nil {
		t.Fatal(err)
	}
	nextFrame(t, p)
	if p.err != "" {
		t.Fatal(p.err)
	}
}

// nextFrame waits for the page's next frame.
func nextFrame(t *testing.T, p *Page) {
	t.Helper()
	select {
	case m := <-p.ch:
		p.Update(m)
	case <-time.After(20 * time.Second):
		t.Fatal("no frame in 20 s")
	}
}

func abs(n int) int { return max(n, -n) }

// Keys typed in the view reach a shell on the guest's first virtual
// terminal (the fixture runs one on tty1, booted here through the bzImage
// so that Linux draws tty1 on the VGA screen): a command with shifted
// characters runs — its output, which only the shell's arithmetic can
// give, arrives on the serial console — and the screen changes with it.
func TestScreenKeysReachTheGuestOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	vm, serial := bootOnVGA(t, uri, "screenkeys")
	h := tuitest.New(t, false, uri)
	p := openScreen(t, h, vm)
	if p.client == nil {
		t.Fatalf("not on VNC: %s", p.source)
	}
	before := snapshot(p.frame)
	typeLine(t, p, serial, "echo typed-$((6*7)) >/dev/ttyS0", "typed-42")
	// More than a blinking cursor (9x2 pixels): the strokes of the line and
	// its output, some 25 lit pixels a character in VGA text mode, of which
	// 400 (16 characters' worth) are asked.
	if err := p.client.Request(false); err != nil { // the whole screen, now
		t.Fatal(err)
	}
	for try := 0; ; try++ {
		nextFrame(t, p)
		changed := differing(before, p.frame)
		if changed >= 400 {
			break
		}
		if try == 50 {
			t.Fatalf("only %d pixels of the screen changed as the command was typed", changed)
		}
	}
}

// bootOnVGA starts the fixture guest through its bzImage, so that Linux
// draws tty1 (a shell) on the VGA screen, and waits for its boot; it
// returns the VM's name and its serial log.
func bootOnVGA(t *testing.T, uri, name string) (vm, serial string) {
	t.Helper()
	vm = lt.FixtureGuestWith(t, uri, name, "@KERNEL@", lt.GuestDir+"/vmlinuz")
	lt.MustVirsh(t, uri, "start", vm)
	serial = lt.SerialLog(vm)
	waitFile(t, serial, "kvmtui-guest: booted", 90*time.Second)
	return vm, serial
}

// typeLine types line into the view and waits until want shows in the
// guest's serial log. tty1's shell starts a moment after the banner on
// ttyS0: a line typed before it reads is lost, so it is typed again (ctrl+u
// clears what arrived of it), at most three times.
func typeLine(t *testing.T, p *Page, serial, line, want string) {
	t.Helper()
	for try := 1; ; try++ {
		for _, k := range append([]tea.KeyMsg{{Type: tea.KeyCtrlU}}, typed(line)...) {
			run(p, p.Update(k))
		}
		run(p, p.Update(tea.KeyMsg{Type: tea.KeyEnter}))
		if try == 3 {
			waitFile(t, serial, want, 30*time.Second)
			return
		}
		if lt.FileHas(serial, want, 10*time.Second) {
			return
		}
		t.Logf("try %d: the typed line did not run", try)
	}
}

// A remote host's display on its loopback, reached through the SSH tunnel
// (this host through an sshd on 127.0.0.1, over qemu+ssh): keys typed in
// the view run a command on the guest's tty1, and a click reaches QEMU at
// the pixel under the cell, as on a local display.
func TestScreenInputThroughSSHTunnel(t *testing.T) {
	uri := lt.URI(t)
	vm, serial := bootOnVGA(t, uri, "screentun")
	rec := recordPointer(t)
	h := tuitest.New(t, false, lt.SSHD(t).URI())
	p := openScreen(t, h, vm)
	if p.client == nil || p.tunnel == nil || !strings.Contains(p.source, "through an SSH tunnel") {
		t.Fatalf("not VNC through an SSH tunnel: %s", p.source)
	}
	typeLine(t, p, serial, "echo tunnel-$((6*7)) >/dev/ttyS0", "tunnel-42")

	b := p.frame.Bounds()
	col, row := 4, 3
	x := int((float64(col) + 0.5) * float64(b.Dx()) / float64(p.cols))
	y := int((float64(row) + 0.5) * float64(b.Dy()) / float64(len(p.lines)))
	pad := (h.Ctx().Width - p.cols) / 2
	rec.take()
	run(p, p.Update(tea.MouseMsg{X: pad + col, Y: imageTop + row, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}))
	if ev := rec.take(); len(ev) != 1 || ev[0][0] != 1 || abs(ev[0][1]-x) > 1 || abs(ev[0][2]-y) > 1 {
		t.Fatalf("a click on cell %d,%d sent %v through the tunnel, want mask 1 at %d,%d", col, row, ev, x, y)
	}
	// QEMU took it: the display still answers.
	if err := p.client.Request(false); err != nil {
		t.Fatal(err)
	}
	nextFrame(t, p)
	if p.err != "" {
		t.Fatal(p.err)
	}
}

// snapshot is a frame's pixels, copied.
func snapshot(img image.Image) *image.RGBA {
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// differing counts the pixels that differ between two frames.
func differing(a *image.RGBA, img image.Image) int {
	b := snapshot(img)
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for i := 0; i+3 < len(a.Pix); i += 4 {
		if !bytes.Equal(a.Pix[i:i+3], b.Pix[i:i+3]) {
			n++
		}
	}
	return n
}

// typed is s as key presses.
func typed(s string) []tea.KeyMsg {
	var ks []tea.KeyMsg
	for _, r := range s {
		ks = append(ks, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return ks
}

// waitFile waits until path holds s.
func waitFile(t *testing.T, path, s string, d time.Duration) {
	t.Helper()
	if !lt.FileHas(path, s, d) {
		b, _ := os.ReadFile(path)
		t.Fatalf("no %q in %s after %s:\n%s", s, path, d, b)
	}
}
