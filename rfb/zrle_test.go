package rfb

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"
	"testing"
)

// zrleTile encodes one tile of img in subencoding sub, as RFC 6143 §7.7.6
// describes it (an encoder written from the text, not from the decoder).
func zrleTile(img *image.RGBA, r image.Rectangle, sub byte) []byte {
	out := []byte{sub}
	cpixel := func(c color.RGBA) []byte { return []byte{c.R, c.G, c.B} }
	var px []color.RGBA
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			px = append(px, img.RGBAAt(x, y))
		}
	}
	var pal []color.RGBA
	index := map[color.RGBA]int{}
	for _, c := range px {
		if _, ok := index[c]; !ok {
			index[c] = len(pal)
			pal = append(pal, c)
		}
	}
	runLength := func(n int) []byte { // n-1 as 255s and a remainder
		var b []byte
		for n--; n >= 255; n -= 255 {
			b = append(b, 255)
		}
		return append(b, byte(n))
	}
	switch {
	case sub == 0:
		for _, c := range px {
			out = append(out, cpixel(c)...)
		}
	case sub == 1:
		out = append(out, cpixel(px[0])...)
	case sub <= 16:
		for _, c := range pal {
			out = append(out, cpixel(c)...)
		}
		bits := map[bool]int{true: 1, false: 4}[sub == 2]
		if sub == 3 || sub == 4 {
			bits = 2
		}
		w := r.Dx()
		for y := range r.Dy() {
			row := make([]byte, (w*bits+7)/8)
			for x := range w {
				bit := x * bits
				row[bit/8] |= byte(index[px[y*w+x]]) << (8 - bits - bit%8)
			}
			out = append(out, row...)
		}
	case sub == 128:
		for i := 0; i < len(px); {
			j := i
			for j < len(px) && px[j] == px[i] {
				j++
			}
			out = append(append(out, cpixel(px[i])...), runLength(j-i)...)
			i = j
		}
	default: // palette RLE
		for _, c := range pal {
			out = append(out, cpixel(c)...)
		}
		for i := 0; i < len(px); {
			j := i
			for j < len(px) && px[j] == px[i] {
				j++
			}
			if j-i == 1 {
				out = append(out, byte(index[px[i]]))
			} else {
				out = append(append(out, byte(index[px[i]])|128), runLength(j-i)...)
			}
			i = j
		}
	}
	return out
}

// Every subencoding, in tiles cut by the rectangle's edges, through one
// zlib stream over two rectangles, decodes to the picture encoded.
func TestZRLEDecodesEverySubencoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := image.NewRGBA(image.Rect(0, 0, 200, 150))
	colours := []color.RGBA{{0, 0, 0, 255}, {170, 170, 170, 255}, {0, 0, 170, 255}, {255, 85, 85, 255}, {85, 255, 85, 255}}
	for y := range 150 {
		for x := range 200 {
			switch tx := x / 64; {
			case tx == 0 && y >= 134: // one colour
				src.SetRGBA(x, y, colours[2])
			case tx == 0: // two, three, four colours
				src.SetRGBA(x, y, colours[rng.IntN(2+y/64)])
			case tx == 1: // five, in runs
				src.SetRGBA(x, y, colours[(x/7+y)%5])
			default: // noise
				src.SetRGBA(x, y, color.RGBA{uint8(rng.IntN(256)), uint8(x), uint8(y), 255})
			}
		}
	}
	rects := []image.Rectangle{image.Rect(0, 0, 200, 70), image.Rect(0, 70, 200, 150)}
	used := map[byte]bool{}
	for _, want := range []byte{0, 1, 16, 128, 255} {
		var z, wire bytes.Buffer
		zw := zlib.NewWriter(&z)
		for _, r := range rects {
			for y := r.Min.Y; y < r.Max.Y; y += 64 {
				for x := r.Min.X; x < r.Max.X; x += 64 {
					tile := image.Rect(x, y, min(x+64, r.Max.X), min(y+64, r.Max.Y))
					k := map[color.RGBA]bool{}
					for ty := tile.Min.Y; ty < tile.Max.Y; ty++ {
						for tx := tile.Min.X; tx < tile.Max.X; tx++ {
							k[src.RGBAAt(tx, ty)] = true
						}
					}
					sub := want // or the nearest the tile's colours allow
					switch n := len(k); {
					case want == 1 && n > 1:
						sub = 0
					case want == 16 && n >= 2 && n <= 16:
						sub = byte(n)
					case want == 255 && n >= 2 && n <= 127:
						sub = byte(n) + 128
					case want == 16 || want == 255:
						sub = 128
					}
					used[sub] = true
					zw.Write(zrleTile(src, tile, sub))
				}
			}
			zw.Flush() // Z_SYNC_FLUSH, as servers do at a rectangle's end
			binary.Write(&wire, binary.BigEndian, uint32(z.Len()))
			wire.Write(z.Bytes())
			z.Reset()
		}
		got := image.NewRGBA(src.Rect)
		var d zrle
		for _, r := range rects {
			if err := d.rect(&wire, got, r); err != nil {
				t.Fatalf("subencoding %d: %v", want, err)
			}
		}
		for y := range 150 {
			for x := range 200 {
				if g, w := got.RGBAAt(x, y), src.RGBAAt(x, y); g != w {
					t.Fatalf("subencoding %d: pixel %d,%d is %v, want %v", want, x, y, g, w)
				}
			}
		}
		if wire.Len() != 0 {
			t.Errorf("subencoding %d: %d bytes left unread", want, wire.Len())
		}
	}
	for _, sub := range []byte{0, 1, 2, 3, 4, 5, 128, 130, 133} { // raw, solid, 1, 2 and 4 bits, runs, palette runs
		if !used[sub] {
			t.Errorf("subencoding %d never tried (tried %v)", sub, used)
		}
	}
}

// A VGA text screen (720x400, 16 colours, text strokes) changed whole,
// in palette runs as QEMU sends it: the CPU decoding a frame costs.
func BenchmarkZRLE(b *testing.B) {
	src := image.NewRGBA(image.Rect(0, 0, 720, 400))
	for y := range 400 {
		for x := range 720 {
			c := color.RGBA{0, 0, 0, 255}
			switch {
			case y < 16:
				c = color.RGBA{0, 0, 170, 255}
			case (x/3+y/5)%7 == 0:
				c = color.RGBA{170, 170, 170, 255}
			case (x*y)%97 == 0:
				c = color.RGBA{85, 255, uint8(x % 6 * 40), 255}
			}
			src.SetRGBA(x, y, c)
		}
	}
	var z, wire bytes.Buffer
	zw := zlib.NewWriter(&z)
	for y := 0; y < 400; y += 64 {
		for x := 0; x < 720; x += 64 {
			tile := image.Rect(x, y, min(x+64, 720), min(y+64, 400))
			k := map[color.RGBA]bool{}
			for ty := tile.Min.Y; ty < tile.Max.Y; ty++ {
				for tx := tile.Min.X; tx < tile.Max.X; tx++ {
					k[src.RGBAAt(tx, ty)] = true
				}
			}
			sub := byte(128)
			if n := len(k); n == 1 {
				sub = 1
			} else if n <= 127 {
				sub = byte(n) + 128
			}
			zw.Write(zrleTile(src, tile, sub))
		}
	}
	zw.Flush()
	binary.Write(&wire, binary.BigEndian, uint32(z.Len()))
	wire.Write(z.Bytes())
	got := image.NewRGBA(src.Rect)
	for b.Loop() {
		var d zrle
		if err := d.rect(bytes.NewReader(wire.Bytes()), got, src.Rect); err != nil {
			b.Fatal(err)
		}
	}
	if !bytes.Equal(got.Pix, src.Pix) {
		b.Fatal("the decoded frame is not the one encoded")
	}
	b.ReportMetric(float64(wire.Len()), "bytes/frame")
}

// A rectangle reaching past the framebuffer (a server racing a resize)
// paints what falls inside and nothing else.
func TestZRLEClipsToTheFramebuffer(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 100, 70))
	for y := range 70 {
		for x := range 100 {
			src.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 7, 255})
		}
	}
	var z, wire bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(zrleTile(src, image.Rect(0, 0, 64, 64), 0))
	zw.Write(zrleTile(src, image.Rect(64, 0, 100, 64), 0))
	zw.Write(zrleTile(src, image.Rect(0, 64, 64, 70), 0))
	zw.Write(zrleTile(src, image.Rect(64, 64, 100, 70), 0))
	zw.Flush()
	binary.Write(&wire, binary.BigEndian, uint32(z.Len()))
	wire.Write(z.Bytes())
	got := image.NewRGBA(image.Rect(0, 0, 80, 50))
	var d zrle
	if err := d.rect(&wire, got, src.Rect); err != nil {
		t.Fatal(err)
	}
	for y := range 50 {
		for x := range 80 {
			if g, w := got.RGBAAt(x, y), src.RGBAAt(x, y); g != w {
				t.Fatalf("pixel %d,%d is %v, want %v", x, y, g, w)
			}
		}
	}
	// A stream that does not start as zlib's is refused, not inflated.
	bad := append([]byte{0, 0, 0, 2}, 0x12, 0x34)
	var d2 zrle
	if err := d2.rect(bytes.NewReader(bad), got, src.Rect); err == nil || !strings.Contains(err.Error(), "not a zlib stream") {
		t.Fatalf("a broken header gave %v", err)
	}
}
