package tui_test

// The graphical console end to end: kvmtui vv against what libvirt reports,
// and remote-viewer started by the TUI under Xvfb, its window compared with
// libvirt's own screenshot of the display.

import (
	"bytes"
	be "encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kvmtui/console"
	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestE2EVVMatchesLibvirtAndViewerShowsTheScreen(t *testing.T) {
	uri := lt.URI(t)
	for _, p := range []string{"Xvfb", "remote-viewer"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is not installed (make test installs xvfb and virt-viewer)", p)
		}
	}
	name := lt.FixtureGuest(t, uri, unique("vv"))
	lt.MustVirsh(t, uri, "start", name)

	// kvmtui vv against virsh domdisplay (vnc://127.0.0.1:N, N = port-5900).
	out, err := exec.Command(binary(t), "-c", uri, "vv", name).Output()
	if err != nil {
		t.Fatalf("kvmtui vv: %v", err)
	}
	vv, err := console.ParseVV(string(out))
	if err != nil {
		t.Fatal(err)
	}
	disp := lt.MustVirsh(t, uri, "domdisplay", name)
	hostPort, ok := strings.CutPrefix(disp, "vnc://")
	if !ok {
		t.Fatalf("virsh domdisplay: %q", disp)
	}
	host, num, _ := strings.Cut(hostPort, ":")
	n, _ := strconv.Atoi(num)
	if vv.Type != "vnc" || vv.Host != host || vv.Port != 5900+n || vv.Title != name || !strings.Contains(string(out), "delete-this-file=1\n") {
		t.Fatalf("kvmtui vv printed\n%s\nbut libvirt says %s", out, disp)
	}

	// remote-viewer under Xvfb, started by the TUI's v.
	fbdir := t.TempDir()
	display := startXvfb(t, fbdir)
	t.Setenv("DISPLAY", display)
	guest := waitGuestScreen(t, uri, name, fbdir)
	s := startTUI(t, 100, 30, "-c", uri)
	s.waitFor("the VM", 15*time.Second, func(scr string) bool { return rowOf(scr, name) != "" })
	s.keys("/", "lit:"+name, "Enter")
	s.waitRow(name, "running")
	s.keys("v")
	s.waitFor("the viewer", 15*time.Second, func(scr string) bool {
		return strings.Contains(scr, fmt.Sprintf("remote-viewer shows %s (vnc 127.0.0.1:%d)", name, vv.Port))
	})
	var score float64
	deadline := time.Now().Add(30 * time.Second)
	for {
		frame, err := readXWD(filepath.Join(fbdir, "Xvfb_screen0"))
		if err != nil {
			t.Fatal(err)
		}
		var at image.Point
		if score, at = findScreen(frame, guest); score >= 0.9 {
			t.Logf("guest screen found in the viewer window at %v (%.0f%% of pixels agree)", at, score*100)
			break
		}
		if time.Now().After(deadline) {
			saveForDebug(t, frame, guest)
			t.Fatalf("the viewer does not show the guest's screen (best match %.0f%%)", score*100)
		}
		time.Sleep(time.Second)
	}
	// Quitting kvmtui closes the viewer it started.
	if exec.Command("pgrep", "-f", "remote-viewer .*kvmtui-.*\\.vv").Run() != nil {
		t.Fatal("no remote-viewer process found while it shows the screen")
	}
	s.keys("q")
	for i := 0; ; i++ {
		if exec.Command("pgrep", "-f", "remote-viewer .*kvmtui-.*\\.vv").Run() != nil {
			break
		}
		if i > 50 {
			t.Fatal("remote-viewer still runs after kvmtui quit")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startXvfb runs a virtual X server that mirrors its screen into fbdir as
// an XWD file, on the first free display number.
func startXvfb(t *testing.T, fbdir string) string {
	t.Helper()
	for n := 90; n < 110; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		cmd := exec.Command("Xvfb", fmt.Sprintf(":%d", n), "-screen", "0", "1024x768x24", "-fbdir", fbdir, "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		for i := 0; i < 50; i++ {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				return fmt.Sprintf(":%d", n)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("Xvfb :%d did not come up", n)
	}
	t.Fatal("no free X display number")
	return ""
}

// waitGuestScreen returns libvirt's screenshot of the display once the
// guest's banner is on it (bright text on the top rows).
func waitGuestScreen(t *testing.T, uri, name, dir string) image.Image {
	t.Helper()
	f := filepath.Join(dir, "guest.img")
	for i := 0; i < 60; i++ {
		lt.MustVirsh(t, uri, "screenshot", name, f)
		data, _ := os.ReadFile(f)
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			if img, err = console.DecodePPM(bytes.NewReader(data)); err != nil {
				t.Fatalf("libvirt's screenshot: %v", err)
			}
		}
		if bright(img, image.Rect(0, 0, img.Bounds().Dx(), 40)) > 200 {
			return img
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatal("the guest never wrote its banner on the screen")
	return nil
}

func luma(img image.Image, x, y int) int {
	r, g, b, _ := img.At(x, y).RGBA()
	return int((r>>8)*3+(g>>8)*6+(b>>8)) / 10
}

func bright(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if luma(img, x, y) > 128 {
				n++
			}
		}
	}
	return n
}

// findScreen looks for the guest's screen in the X frame at scale 1 and
// returns the best share of agreeing pixels: over the guest's text, bright
// where the guest is bright and dark where it is dark, so a blank window
// scores low.
func findScreen(frame, guest image.Image) (float64, image.Point) {
	var lit, dark []image.Point
	gb := guest.Bounds()
	for y := 0; y < min(gb.Dy(), 40); y++ {
		for x := 0; x < gb.Dx(); x += 2 {
			if luma(guest, x, y) > 128 {
				lit = append(lit, image.Pt(x, y))
			} else if (x+y)%7 == 0 {
				dark = append(dark, image.Pt(x, y))
			}
		}
	}
	if len(lit) == 0 {
		return 0, image.Point{}
	}
	best, at := 0.0, image.Point{}
	fb := frame.Bounds()
	for oy := 0; oy <= 150; oy++ {
		for ox := 0; ox <= 40; ox++ {
			if ox+gb.Dx() > fb.Dx() || oy+gb.Dy() > fb.Dy() {
				continue
			}
			ok := 0
			for _, p := range lit {
				if luma(frame, ox+p.X, oy+p.Y) > 128 {
					ok++
				}
			}
			if float64(ok)/float64(len(lit)) < best {
				continue
			}
			for _, p := range dark {
				if luma(frame, ox+p.X, oy+p.Y) <= 128 {
					ok++
				}
			}
			if s := float64(ok) / float64(len(lit)+len(dark)); s > best {
				best, at = s, image.Pt(ox, oy)
			}
		}
	}
	return best, at
}

// readXWD decodes the 24/32-bit TrueColor XWD file Xvfb -fbdir keeps.
func readXWD(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 100 {
		return nil, fmt.Errorf("reading Xvfb's frame buffer: %v", err)
	}
	h := make([]uint32, 25)
	for i := range h {
		h[i] = be.BigEndian.Uint32(b[4*i:])
	}
	hdr, w, ht, byteOrder, bpp, bpl, ncolors := int(h[0]), int(h[4]), int(h[5]), h[7], h[11], int(h[12]), int(h[19])
	if bpp != 32 {
		return nil, errors.New("XWD: only 32 bits per pixel is read here")
	}
	off := hdr + ncolors*12
	if len(b) < off+ht*bpl {
		return nil, errors.New("XWD: short file")
	}
	img := image.NewRGBA(image.Rect(0, 0, w, ht))
	for y := 0; y < ht; y++ {
		for x := 0; x < w; x++ {
			p := b[off+y*bpl+4*x:]
			var v uint32
			if byteOrder == 0 {
				v = be.LittleEndian.Uint32(p)
			} else {
				v = be.BigEndian.Uint32(p)
			}
			i := 4 * (y*w + x)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(v>>16), uint8(v>>8), uint8(v), 255
		}
	}
	return img, nil
}

func saveForDebug(t *testing.T, frame, guest image.Image) {
	dir := t.TempDir()
	for n, img := range map[string]image.Image{"viewer.png": frame, "guest.png": guest} {
		if f, err := os.Create(filepath.Join(dir, n)); err == nil {
			png.Encode(f, img)
			f.Close()
		}
	}
	t.Logf("images kept in %s", dir)
}
