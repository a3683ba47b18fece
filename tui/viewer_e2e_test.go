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
	"syscall"
	"testing"
	"time"

	"kvmtui/console"
	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestE2EVVMatchesLibvirtAndViewerShowsTheScreen(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("vv"))
	lt.MustVirsh(t, uri, "start", name)

	// kvmtui vv against virsh domdisplay (vnc://127.0.0.1:N, N = port-5900).
	vv, out := kvmtuiVV(t, uri, name)
	disp := lt.MustVirsh(t, uri, "domdisplay", name)
	hostPort, ok := strings.CutPrefix(disp, "vnc://")
	if !ok {
		t.Fatalf("virsh domdisplay: %q", disp)
	}
	host, num, _ := strings.Cut(hostPort, ":")
	n, _ := strconv.Atoi(num)
	if vv.Type != "vnc" || vv.Host != host || vv.Port != 5900+n || vv.Title != name || !strings.Contains(out, "delete-this-file=1\n") {
		t.Fatalf("kvmtui vv printed\n%s\nbut libvirt says %s", out, disp)
	}

	viewerShowsGuest(t, uri, name, "vnc", vv.Port)
}

// A SPICE display: kvmtui vv says spice and libvirt's port, and
// remote-viewer shows the guest's screen through it.
func TestE2ESpiceViewerShowsTheScreen(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("spice"))
	def := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name)
	spice := strings.Replace(def, "<graphics type='vnc'", "<graphics type='spice'", 1)
	if spice == def {
		t.Fatalf("the fixture has no VNC display to turn into SPICE:\n%s", def)
	}
	lt.DefineXML(t, uri, name, spice)
	lt.MustVirsh(t, uri, "start", name)
	vv, out := kvmtuiVV(t, uri, name)
	disp := lt.MustVirsh(t, uri, "domdisplay", name)
	if want := fmt.Sprintf("spice://%s:%d", vv.Host, vv.Port); vv.Type != "spice" || disp != want {
		t.Fatalf("kvmtui vv printed\n%s\nbut libvirt says %s", out, disp)
	}
	viewerShowsGuest(t, uri, name, "spice", vv.Port)
}

// kvmtuiVV runs `kvmtui vv` and returns the file it printed, parsed and raw.
func kvmtuiVV(t *testing.T, uri, name string) (console.VV, string) {
	t.Helper()
	out, err := exec.Command(binary(t), "-c", uri, "vv", name).Output()
	if err != nil {
		t.Fatalf("kvmtui vv: %v", err)
	}
	vv, err := console.ParseVV(string(out))
	if err != nil {
		t.Fatal(err)
	}
	return vv, string(out)
}

// viewerShowsGuest starts kvmtui under an Xvfb, presses v, and finds the
// guest's screen (virDomainScreenshot) in the viewer's window; quitting
// kvmtui closes the viewer.
func viewerShowsGuest(t *testing.T, uri, name, proto string, port int) {
	t.Helper()
	for _, p := range []string{"Xvfb", "remote-viewer"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is not installed (make test installs xvfb and virt-viewer)", p)
		}
	}
	// remote-viewer under Xvfb, started by the TUI's v.
	fbdir := t.TempDir()
	display := startXvfb(t, fbdir)
	t.Setenv("DISPLAY", display)
	waitGuestScreen(t, uri, name, fbdir)
	s := startTUI(t, 100, 30, "-c", uri)
	s.showOnly(name)
	s.waitRow(name, "running")
	s.keys("v")
	s.waitFor("the viewer", 15*time.Second, func(scr string) bool {
		return strings.Contains(scr, fmt.Sprintf("remote-viewer shows %s (%s 127.0.0.1:%d)", name, proto, port))
	})
	var score float64
	deadline := time.Now().Add(60 * time.Second) // remote-viewer is slow on a loaded host
	for {
		frame, err := readXWD(filepath.Join(fbdir, "Xvfb_screen0"))
		if err != nil {
			t.Fatal(err)
		}
		var at image.Point
		// The guest may still be booting: compare with its screen now.
		guest := waitGuestScreen(t, uri, name, fbdir)
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
	viewers := s.viewers()
	if len(viewers) != 1 {
		t.Fatalf("kvmtui's remote-viewer processes: %v", viewers)
	}
	s.keys("q")
	for i := 0; ; i++ {
		if exec.Command("kill", "-0", viewers[0]).Run() != nil {
			break
		}
		if i > 50 {
			t.Fatal("remote-viewer still runs after kvmtui quit")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startXvfb runs a virtual X server that mirrors its screen into fbdir as
// an XWD file; Xvfb picks a free display number itself (-displayfd).
func startXvfb(t *testing.T, fbdir string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The read end stays open while Xvfb runs: a write to a closed pipe
	// is fatal to it ("Cannot write display number to fd 3").
	t.Cleanup(func() { r.Close() })
	// -noreset: a server reset (after its last client, whoever that was)
	// recreates the frame buffer file under the test's feet.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-noreset", "-screen", "0", "1024x768x24", "-fbdir", fbdir, "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// SIGTERM, not a kill: Xvfb then removes its socket and lock file.
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 16)
		n, _ := r.Read(b)
		got <- strings.TrimSpace(string(b[:n]))
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		// The frame buffer file comes a moment after the display.
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(filepath.Join(fbdir, "Xvfb_screen0")); err == nil {
				return ":" + n
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("Xvfb wrote no frame buffer file")
	case <-time.After(10 * time.Second):
		t.Fatal("Xvfb did not report its display")
	}
	return ""
}

// waitGuestScreen returns libvirt's screenshot of the display once there
// is text on it (bright pixels on the top rows: SeaBIOS, then the banner).
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
	dir, err := os.MkdirTemp("", "kvmtui-viewer-test-")
	if err != nil {
		return
	}
	for n, img := range map[string]image.Image{"viewer.png": frame, "guest.png": guest} {
		if f, err := os.Create(filepath.Join(dir, n)); err == nil {
			png.Encode(f, img)
			f.Close()
		}
	}
	t.Logf("images kept in %s", dir)
}

// A remote connection whose display listens on the remote host's loopback:
// kvmtui tunnels it through ssh and closes the tunnel with the viewer. The
// "remote host" is this one, reached through an sshd on 127.0.0.1.
func TestE2EViewerThroughSSHTunnel(t *testing.T) {
	uri := lt.URI(t)
	if _, err := exec.LookPath("/usr/sbin/sshd"); err != nil {
		lt.NotRun(t, "TUNNEL", "no /usr/sbin/sshd (make test installs openssh-server)")
	}
	name := lt.FixtureGuest(t, uri, unique("tun"))
	lt.MustVirsh(t, uri, "start", name)
	remote := lt.SSHD(t)
	sshURI := remote.URI()

	fbdir := t.TempDir()
	t.Setenv("DISPLAY", startXvfb(t, fbdir))
	waitGuestScreen(t, uri, name, fbdir)
	s := startTUI(t, 200, 30, "-c", sshURI)
	s.showOnly(name)
	s.waitRow(name, "running")
	s.keys("v")
	s.waitFor("the viewer through the tunnel", 20*time.Second, func(scr string) bool {
		return strings.Contains(scr, "remote-viewer shows "+name) && strings.Contains(scr, "through an SSH tunnel")
	})
	tunnel := fmt.Sprintf("ssh -N .*-p %d", remote.Port)
	if exec.Command("pgrep", "-f", tunnel).Run() != nil {
		t.Fatal("no ssh -N tunnel process")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		frame, err := readXWD(filepath.Join(fbdir, "Xvfb_screen0"))
		if err != nil {
			t.Fatal(err)
		}
		guest := waitGuestScreen(t, uri, name, fbdir)
		score, _ := findScreen(frame, guest)
		if score >= 0.9 {
			break
		}
		if time.Now().After(deadline) {
			saveForDebug(t, frame, guest)
			t.Fatalf("the viewer does not show the guest's screen through the tunnel (best match %.0f%%)", score*100)
		}
		time.Sleep(time.Second)
	}
	// The viewer's window is closed: the tunnel goes with it.
	pids := s.viewers()
	if len(pids) != 1 {
		t.Fatalf("kvmtui's remote-viewer processes: %q", pids)
	}
	if err := exec.Command("kill", pids[0]).Run(); err != nil {
		t.Fatal(err)
	}
	s.waitFor("the viewer's end", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "viewer of "+name) })
	for i := 0; exec.Command("pgrep", "-f", tunnel).Run() == nil; i++ {
		if i > 50 {
			t.Fatal("the SSH tunnel outlived its viewer")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// viewers are the remote-viewer processes under this test's kvmtui (the
// tmux pane's process tree), not any other viewer on the machine.
func (s *tmuxTUI) viewers() []string {
	out, err := exec.Command("tmux", "-L", s.sock, "display", "-p", "#{pane_pid}").Output()
	if err != nil {
		return nil
	}
	var found []string
	queue := strings.Fields(string(out))
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if comm, _ := os.ReadFile("/proc/" + pid + "/comm"); strings.TrimSpace(string(comm)) == "remote-viewer" {
			found = append(found, pid)
		}
		kids, _ := exec.Command("pgrep", "-P", pid).Output()
		queue = append(queue, strings.Fields(string(kids))...)
	}
	return found
}
