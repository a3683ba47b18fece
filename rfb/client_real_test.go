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
	vm := lt.FixtureGuest(t, uri, "rfb")
	lt.MustVirsh(t, uri, "start", vm)
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
		if _, ref, err = console.ToPNG(b, ""); err == nil && lit(ref) > 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no text on the guest's screen (decode: %v)", err)
		}
	}
	time.Sleep(time.Second) // the client's next update carries the banner too
	frame := c.Frame()
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
	t.Logf("%s: %v, %d lit pixels", c.Name, frame.Rect, lit(frame))
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
