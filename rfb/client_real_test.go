package rfb

import (
	"image"
	"image/color"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kvmtui/console"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// The fixture guest's VNC display, read through this client, is the frame
// libvirt's screenshot (virsh, an independent reader) shows; a key event
// and a pointer event are accepted.
func TestClientReadsTheGuestsScreen(t *testing.T) {
	uri := lt.URI(t)
	// The kernel that writes its console on the VGA screen: a screenful
	// of text in ZRLE's palette tiles and runs.
	vm := lt.FixtureGuestWith(t, uri, "rfb", "@KERNEL@", lt.GuestDir+"/vmlinuz")
	lt.MustVirsh(t, uri, "start", vm)
	for _, c := range []struct {
		name string
		enc  []int32
	}{
		{"ZRLE", []int32{encZRLE, encDesktopSize}},
		{"Raw and CopyRect", []int32{encRaw, encCopyRect, encDesktopSize}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func(was []int32) { encodings = was }(encodings)
			encodings = c.enc
			readScreen(t, uri, vm, c.enc[0]) // the whole screen comes in the first
		})
	}
}

// readScreen reads the VM's display with the client and compares it with
// the screenshot once the guest's boot text shows; the rectangles came in
// enc.
func readScreen(t *testing.T, uri, vm string, enc int32) {
	out := lt.MustVirsh(t, uri, "vncdisplay", vm) // 127.0.0.1:N
	host, disp, ok := strings.Cut(out, ":")
	n, err := strconv.Atoi(disp)
	if !ok || err != nil {
		t.Fatalf("vncdisplay: %q", out)
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(5900+n)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Connect(conn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	updates := make(chan image.Rectangle, 64)
	go c.Run(func(r image.Rectangle) {
		select {
		case updates <- r:
		default:
		}
	})
	// Wait for the banner /init paints on the VGA text screen.
	shot := filepath.Join(t.TempDir(), "s.ppm")
	deadline := time.Now().Add(60 * time.Second)
	var ref image.Image
	for {
		<-time.After(500 * time.Millisecond)
		lt.MustVirsh(t, uri, "screenshot", vm, shot)
		b, _ := os.ReadFile(shot)
		if _, ref, err = console.ToPNG(b, ""); err == nil && lit(ref) > 2000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no text on the guest's screen (decode: %v)", err)
		}
	}
	time.Sleep(time.Second) // the client's next update carries the banner too
	frame := c.Frame()
	if c.Received() == 0 {
		t.Error("no bytes counted")
	}
	c.mu.Lock()
	rects := c.rects[enc]
	c.mu.Unlock()
	if rects == 0 {
		t.Errorf("no rectangle in encoding %d", enc)
	}
	if frame.Rect != ref.Bounds() {
		t.Fatalf("frame %v, screenshot %v", frame.Rect, ref.Bounds())
	}
	same := 0
	for y := range frame.Rect.Dy() {
		for x := range frame.Rect.Dx() {
			if frame.RGBAAt(x, y) == color.RGBAModel.Convert(ref.At(x, y)).(color.RGBA) {
				same++
			}
		}
	}
	// The text cursor blinks: a few cells may differ between two readers.
	if total := frame.Rect.Dx() * frame.Rect.Dy(); same < total*995/1000 {
		t.Fatalf("%d of %d pixels agree with the screenshot", same, total)
	}
	if err := c.Key(0x0061, true); err != nil { // "a"
		t.Fatal(err)
	}
	if err := c.Key(0x0061, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Pointer(10, 10, 0); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %v, %d lit pixels, %d bytes", c.Name, frame.Rect, lit(frame), c.Received())
}

// lit counts the pixels that are not black.
func lit(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r|g|bl != 0 {
				n++
			}
		}
	}
	return n
}
