package termimg

import (
	"image"
	"image/color"
	"image/draw"
	"kvmtui/termimg/termimgtest"
	"strings"
	"testing"
)

// vgaText is a picture like the guest's VGA text screen: 16 colours, text
// strokes on a background, a coloured status bar.
func vgaText(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := ansi16[0]
			switch {
			case y < 16:
				c = ansi16[4] // a blue bar
			case (x/3+y/5)%7 == 0:
				c = ansi16[7]
			case (x*y)%97 == 0:
				c = ansi16[10+x%6]
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// sixteen is a picture of the 16 ANSI colours in diagonal stripes.
func sixteen(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, ansi16[(x+y)%16])
		}
	}
	return img
}

// twoColours is a picture of black and white.
func twoColours(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, ansi16[15*((x*y+x)%3/2)])
		}
	}
	return img
}

// gradient has far more than 256 colours (a hundred at 10x10).
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 3), 255})
		}
	}
	return img
}

// worst is the largest channel difference between two images of a size,
// and how many pixels differ at all.
func worst(t *testing.T, a, b *image.RGBA) (int, int) {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes %v and %v", a.Bounds().Size(), b.Bounds().Size())
	}
	most, n := 0, 0
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		d := absDiff(a.Pix[i], b.Pix[i])
		most = max(most, d)
		if d > 0 {
			n++
		}
	}
	return most, n
}

// Sixel decodes back to the picture: a 16-colour one within the rounding
// of sixel's percent (3 of 255), every pixel set; a gradient within half
// a step of xterm's colour cube (at most 40 of 255 a channel).
func TestSixelDecodesToThePicture(t *testing.T) {
	for _, c := range []struct {
		name string
		img  *image.RGBA
		tol  int
	}{
		{"vga text 160x100", vgaText(160, 100), 3},
		{"vga text 7x5", vgaText(7, 5), 3}, // height not a multiple of six
		{"gradient 97x61", gradient(97, 61), 50},
	} {
		got, err := termimgtest.DecodeSixel(Sixel(c.img))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d, _ := worst(t, got, c.img); d > c.tol {
			t.Errorf("%s: a channel differs by %d (tolerance %d)", c.name, d, c.tol)
		}
		for i := 3; i < len(got.Pix); i += 4 {
			if got.Pix[i] == 0 {
				t.Fatalf("%s: pixel %d never set", c.name, i/4)
			}
		}
	}
	// A plain band is one run per colour, not one character per column.
	plain := image.NewRGBA(image.Rect(0, 0, 400, 6))
	for i := range plain.Pix {
		plain.Pix[i] = 200
	}
	if s := Sixel(plain); len(s) > 60 {
		t.Errorf("a plain 400x6 band takes %d bytes: %q", len(s), s)
	}
}

// Kitty's sequences carry the picture exactly, in chunks, placed over the
// cells asked for; in tmux each is wrapped for passthrough.
func TestKittyDecodesToThePicture(t *testing.T) {
	for _, c := range []struct {
		name   string
		img    *image.RGBA
		format map[string]string
	}{
		{"gradient", gradient(300, 200), map[string]string{"f": "24", "o": "z"}}, // many colours: deflated RGB
		{"vga text", vgaText(720, 400), map[string]string{"f": "100"}},           // 16: a PNG of its palette, 4 bits
		{"16 colours, odd width", sixteen(75, 9), map[string]string{"f": "100"}}, // 4 bits, the last byte half used
		{"two colours", twoColours(33, 7), map[string]string{"f": "100"}},        // 1 bit, rows not whole bytes
		{"a hundred colours", gradient(10, 10), map[string]string{"f": "100"}},   // 8 bits
	} {
		s := Kitty(c.img, 42, 60, 20, false)
		keys, got, err := termimgtest.DecodeKitty(s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d, n := worst(t, got, c.img); d != 0 {
			t.Fatalf("%s: %d pixels differ, by up to %d", c.name, n, d)
		}
		c.format["a"], c.format["U"], c.format["q"], c.format["i"], c.format["c"], c.format["r"] = "T", "1", "2", "42", "60", "20"
		for k, v := range c.format {
			if keys[k] != v {
				t.Errorf("%s: key %s=%q, want %q", c.name, k, keys[k], v)
			}
		}
		if len(s) > 2*kittyChunk && strings.Count(s, "\x1b_G") < 2 {
			t.Errorf("%s: one escape for %d bytes", c.name, len(s))
		}
	}
	img := gradient(300, 200)
	s := Kitty(img, 42, 60, 20, false)
	if termimgtest.Unwrap(Kitty(img, 42, 60, 20, true)) != s {
		t.Errorf("tmux passthrough does not unwrap to the sequences")
	}
	if d := KittyDelete(42, false); d != "\x1b_Ga=d,d=I,q=2,i=42\x1b\\" {
		t.Errorf("delete = %q", d)
	}
	// A direct placement (kitty before placeholders): at the cursor,
	// which stays; hidden by deleting its placements, not the image.
	keys, got, err := termimgtest.DecodeKitty(KittyPlace(img, 42, 60, 20, false))
	if err != nil {
		t.Fatal(err)
	}
	if keys["a"] != "T" || keys["U"] != "" || keys["p"] != "1" || keys["C"] != "1" || keys["c"] != "60" || keys["r"] != "20" {
		t.Errorf("a direct placement's keys: %v", keys)
	}
	if d, n := worst(t, got, img); d != 0 {
		t.Errorf("the placed picture: %d pixels differ, by up to %d", n, d)
	}
	if h := KittyHide(42, false); h != "\x1b_Ga=d,d=i,q=2,i=42\x1b\\" {
		t.Errorf("hide = %q", h)
	}
}

// The placeholders: one line per row, each of cols cells in the image's
// colour, the first naming its row and column 0.
func TestKittyPlaceholders(t *testing.T) {
	lines := KittyPlaceholders(7, 12, 5)
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for r, l := range lines {
		body, ok := strings.CutPrefix(l, "\x1b[38;5;7m")
		body, ok2 := strings.CutSuffix(body, "\x1b[0m")
		if !ok || !ok2 {
			t.Fatalf("line %d: %q", r, l)
		}
		runes := []rune(body)
		if runes[0] != kittyPlaceholder || runes[1] != kittyDiacritics[r] || runes[2] != kittyDiacritics[0] {
			t.Errorf("line %d starts %U", r, runes[:3])
		}
		if n := strings.Count(body, string(kittyPlaceholder)); n != 12 {
			t.Errorf("line %d has %d cells", r, n)
		}
	}
	if n := len(KittyPlaceholders(1, 2, 1000)); n != KittyMaxRows {
		t.Errorf("%d rows, want at most %d", n, KittyMaxRows)
	}
}

// ChangedCells is the changed pixels widened to whole cells; a patch drawn
// there over the old picture gives the new one; Sixel draws a part of a
// picture as well as a whole one.
func TestChangedCellsPatchTheOldPicture(t *testing.T) {
	old := vgaText(100, 50)
	new := image.NewRGBA(old.Rect)
	copy(new.Pix, old.Pix)
	if r := ChangedCells(old, new, 8, 16); !r.Empty() {
		t.Fatalf("nothing changed, and %v did", r)
	}
	new.SetRGBA(21, 17, color.RGBA{255, 0, 0, 255})
	new.SetRGBA(30, 20, color.RGBA{0, 255, 0, 255})
	new.SetRGBA(99, 49, color.RGBA{0, 0, 255, 255}) // the last cell is cut by the picture's edge
	r := ChangedCells(old, new, 8, 16)
	if want := image.Rect(16, 16, 100, 50); r != want {
		t.Fatalf("changed %v, want %v", r, want)
	}
	patch, err := termimgtest.DecodeSixel(Sixel(new.SubImage(r).(*image.RGBA)))
	if err != nil {
		t.Fatal(err)
	}
	draw.Draw(old, r, patch, image.Point{}, draw.Src)
	if d, n := worst(t, old, new); d > 3 {
		t.Errorf("the patched picture differs from the new one in %d pixels, by up to %d", n, d)
	}
}

// A kitty edit of the part that changed, painted over the picture sent
// before it as kitty paints an edit of a root frame, gives the new
// picture, for a fraction of the bytes.
func TestKittyEditPatchesThePictureSent(t *testing.T) {
	old := vgaText(720, 400)
	new := image.NewRGBA(old.Rect)
	copy(new.Pix, old.Pix)
	draw.Draw(new, image.Rect(100, 48, 180, 64), image.NewUniform(ansi16[14]), image.Point{}, draw.Src) // a word typed
	new.SetRGBA(719, 399, ansi16[9])                                                                    // the far corner
	r := ChangedCells(old, new, 1, 1)
	if want := image.Rect(100, 48, 720, 400); r != want {
		t.Fatalf("changed %v, want %v", r, want)
	}
	whole := Kitty(old, 7, 90, 25, false)
	edit := KittyEdit(new.SubImage(r).(*image.RGBA), r.Min, 7, false)
	keys, _, err := termimgtest.DecodeKitty(edit)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"a": "f", "r": "1", "X": "1", "i": "7", "x": "100", "y": "48", "s": "620", "v": "352", "q": "2"} {
		if keys[k] != v {
			t.Errorf("the edit's key %s=%q, want %q", k, keys[k], v)
		}
	}
	got, err := termimgtest.KittyCanvas("text" + whole + "\x1b[Hmore text" + edit + KittyDelete(8, false))
	if err != nil {
		t.Fatal(err)
	}
	if d, n := worst(t, got, new); d != 0 {
		t.Errorf("the edited picture differs from the new one in %d pixels, by up to %d", n, d)
	}
	small := KittyEdit(new.SubImage(image.Rect(100, 48, 180, 64)).(*image.RGBA), image.Pt(100, 48), 7, false)
	if len(small)*20 > len(whole) {
		t.Errorf("an edit of a word is %d bytes, the whole picture %d", len(small), len(whole))
	}
}
