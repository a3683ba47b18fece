package termimg

import (
	"encoding/binary"
	"image"
	"image/color"
)

// palette is px's colours and each pixel's index, row by row from its top
// left: exact when px has at most 256 colours, else xterm's 240 nearest.
func palette(px *image.RGBA) ([]color.RGBA, []uint8, bool) {
	b := px.Bounds()
	w := b.Dx()
	idx := make([]uint8, w*b.Dy())
	seen := map[color.RGBA]uint8{}
	var pal []color.RGBA
	// pass indexes every pixel, looking up a colour only where a run of
	// one ends (most pixels continue one); lookup false gives up.
	pass := func(lookup func(color.RGBA) (uint8, bool)) bool {
		var cache [256]struct { // before the map: a few colours hit it always
			c   color.RGBA
			n   uint8
			set bool
		}
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := px.Pix[px.PixOffset(b.Min.X, y):px.PixOffset(b.Max.X, y)]
			var last uint32
			var n uint8
			for x := 0; x < len(row); x += 4 {
				// A pixel as one word, its alpha ignored.
				v := binary.LittleEndian.Uint32(row[x:]) | 0xff<<24
				if x == 0 || v != last {
					c := color.RGBA{row[x], row[x+1], row[x+2], 255}
					e := &cache[(int(c.R)*31+int(c.G)*7+int(c.B))&255]
					if e.set && e.c == c {
						n = e.n
					} else {
						var ok bool
						if n, ok = lookup(c); !ok {
							return false
						}
						e.c, e.n, e.set = c, n, true
					}
					last = v
				}
				idx[i] = n
				i++
			}
		}
		return true
	}
	exact := pass(func(c color.RGBA) (uint8, bool) {
		n, ok := seen[c]
		if !ok {
			if len(pal) == 256 {
				return 0, false
			}
			n = uint8(len(pal))
			seen[c], pal = n, append(pal, c)
		}
		return n, true
	})
	if exact {
		return pal, idx, true
	}
	pal = pal[:0]
	for i := 16; i < 256; i++ {
		pal = append(pal, xterm256(i))
	}
	clear(seen)
	pass(func(c color.RGBA) (uint8, bool) {
		n, ok := seen[c]
		if !ok {
			n = uint8(index256(c) - 16)
			seen[c] = n
		}
		return n, true
	})
	return pal, idx, false
}

// xterm256 is the colour of xterm's index i, 16 to 255.
func xterm256(i int) color.RGBA {
	if i >= 232 {
		v := uint8(8 + 10*(i-232))
		return color.RGBA{v, v, v, 255}
	}
	i -= 16
	return color.RGBA{cubeLevels[i/36], cubeLevels[i/6%6], cubeLevels[i%6], 255}
}
