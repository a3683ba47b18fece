package tui_test

import (
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"kvmtui/console"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/termimg"
	"kvmtui/termimg/termimgtest"
)

// TestE2EScreenGraphics: kvmtui screen VM in a terminal that draws kitty
// graphics or sixel (KVMTUI_GRAPHICS, the answer a real one would give to
// the query): the picture kvmtui writes, decoded as the terminal would,
// is the guest's screen — libvirt's screenshot of it scaled to the same
// size, once the guest shows text (½ % of pixels lit), with at most a
// tenth as many pixels off as are lit (the text cursor blinks between the
// two takes); kitty's cells are its placeholders; ctrl+] deletes kitty's
// picture and ends kvmtui. A line typed then comes as patches of the
// picture (sixel's, and kitty's edits where TERM says kitty), not the
// whole picture again. The terminal is a pty of the test's own whose
// cells are 8x16 pixels (its window size says so).
func TestE2EScreenGraphics(t *testing.T) {
	uri := lt.URI(t)
	// The kernel that writes its console, and a shell, on the VGA screen.
	vm := lt.FixtureGuestWith(t, uri, unique("scrgfx"), "@KERNEL@", lt.GuestDir+"/vmlinuz")
	lt.MustVirsh(t, uri, "start", vm)
	serial := lt.SerialLog(vm)
	if !lt.FileHas(serial, "kvmtui-guest: booted", 90*time.Second) {
		t.Fatalf("%s did not boot (its serial log, %s)", vm, serial)
	}
	for _, c := range []struct{ name, proto, term string }{
		{"kitty", "kitty", "screen-256color"}, // whole pictures, as Ghostty takes them
		{"kitty edits", "kitty", "xterm-kitty"},
		{"sixel", "sixel", "screen-256color"},
	} {
		proto := c.proto
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(binary(t), "-c", uri, "screen", vm)
			cmd.Env = append(os.Environ(), "TERM="+c.term, "TMUX=", termimg.EnvVar+"="+proto)
			tty, out := inPty(t, cmd, 120, 40)
			if err := pty.Setsize(tty, &pty.Winsize{Cols: 120, Rows: 40, X: 120 * cellW, Y: 40 * cellH}); err != nil {
				t.Fatal(err)
			}
			var diff, total, lit int
			var size image.Point
			for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(500 * time.Millisecond) {
				pic, err := lastPicture(proto, out())
				if err == nil && pic != nil {
					shot := screenshot(t, uri, vm)
					size, total = pic.Bounds().Size(), pic.Bounds().Dx()*pic.Bounds().Dy()
					scaled := termimg.Resize(shot, size.X, size.Y)
					diff = termimgtest.Differ(pic, scaled, 48)
					lit = termimgtest.Differ(scaled, image.NewRGBA(scaled.Rect), 64) // not black: text
					if diff*10 <= lit && lit*200 >= total {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no %s picture of the guest's screen: last %v, %d of %d pixels off, %d lit (%v); output ends %q", proto, size, diff, total, lit, err, tail(out(), 300))
				}
			}
			if size != image.Pt(720, 400) {
				t.Errorf("the picture is %v, want the guest's 720x400 (no scaling up)", size)
			}
			whole := map[string]string{"sixel": "\x1bP0;1;0q\"1;1;720;400", "kitty": "\x1b_Ga=T"}[proto]
			if c.name != "kitty" {
				// A line typed on the guest's screen: patches of what
				// changed, not the whole picture again.
				wholes := strings.Count(out(), whole)
				before := termimg.Resize(screenshot(t, uri, vm), 720, 400)
				// tty1's shell starts a moment after the banner on the
				// serial console: a line typed before it reads is lost, so
				// it is typed again (ctrl+u clears what arrived of it).
				for try := 1; ; try++ {
					tty.Write([]byte("\x15echo patched-$((6*7)) | tee /dev/ttyS0\r"))
					if lt.FileHas(serial, "patched-42", 10*time.Second) {
						break
					}
					if try == 3 {
						t.Fatal("the line typed in the view never ran on the guest")
					}
				}
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
					shot := termimg.Resize(screenshot(t, uri, vm), 720, 400)
					pic, err := lastPicture(proto, out())
					if err != nil {
						t.Fatal(err)
					}
					typed := termimgtest.Differ(shot, before, 48) // the line on the guest's screen
					if typed > 200 && termimgtest.Differ(pic, shot, 48)*10 <= lit {
						if n := strings.Count(out(), whole); n != wholes {
							t.Errorf("the whole picture was sent %d times more for a line of text", n-wholes)
						}
						if proto == "kitty" && !strings.Contains(out(), "\x1b_Ga=f,") {
							t.Errorf("no kitty edits were sent")
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("the patched picture never showed the guest's screen (%d pixels typed)", typed)
					}
				}
			}
			if proto == "kitty" && !strings.Contains(out(), "\U0010EEEE\u0305\u0305\U0010EEEE") {
				t.Errorf("no placeholder cells in the output")
			}
			tty.Write([]byte{0x1d}) // ctrl+]
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("kvmtui screen: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("ctrl+] did not end kvmtui screen")
			}
			if proto == "kitty" && !strings.Contains(out(), "\x1b_Ga=d,d=I") {
				t.Errorf("leaving did not delete the picture")
			}
		})
	}
}

// lastPicture is the picture a terminal shows after the output: kitty's
// newest complete one and the edits after it, or the sixel pictures and
// patches drawn one over the other where the cursor put them.
func lastPicture(proto, out string) (*image.RGBA, error) {
	if proto == "sixel" {
		return sixelCanvas(out)
	}
	return termimgtest.KittyCanvas(out)
}

// sixelCanvas draws the sixel pictures in out where the cursor put them,
// cells of cellW×cellH: the first (the whole picture) sets the canvas.
func sixelCanvas(out string) (*image.RGBA, error) {
	var canvas *image.RGBA
	var origin image.Point // the whole picture's cell
	for _, m := range sixelAt.FindAllStringSubmatchIndex(out, -1) {
		row, _ := strconv.Atoi(out[m[2]:m[3]])
		col, _ := strconv.Atoi(out[m[4]:m[5]])
		pic, err := termimgtest.DecodeSixel(out[m[6]:m[1]])
		if err != nil {
			return nil, err
		}
		if canvas == nil || pic.Rect.Size() == canvas.Rect.Size() && image.Pt(col, row) == origin {
			canvas, origin = pic, image.Pt(col, row)
			continue
		}
		at := image.Pt((col-origin.X)*cellW, (row-origin.Y)*cellH)
		draw.Draw(canvas, pic.Rect.Add(at), pic, image.Point{}, draw.Src)
	}
	return canvas, nil
}

var sixelAt = regexp.MustCompile(`\x1b\[(\d+);(\d+)H(\x1bP0;1;0q[^\x1b]*\x1b\\)`)

// The test terminal's cell, in pixels.
const cellW, cellH = 8, 16

// screenshot is libvirt's picture of the VM's screen now.
func screenshot(t *testing.T, uri, vm string) image.Image {
	t.Helper()
	f := filepath.Join(t.TempDir(), "shot")
	lt.MustVirsh(t, uri, "screenshot", vm, f)
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	_, img, err := console.ToPNG(b, "")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func tail(s string, n int) string { return s[max(len(s)-n, 0):] }
