package termimg

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"strconv"
	"strings"
	"sync"
)

// The kitty graphics protocol (kitty, Ghostty) with Unicode placeholders:
// the image is sent once per frame and placed "virtually"; the cells that
// show it are ordinary text — U+10EEEE coloured with the image's id — so
// the text renderer, tmux and a resize treat them like any other line.

// kittyChunk is the most base64 a single escape carries (the protocol's
// limit).
const kittyChunk = 4096

// Kitty is the escape sequences that send px as image id and place it
// virtually over cols×rows cells, the image scaled to fill them.
func Kitty(px *image.RGBA, id, cols, rows int, tmux bool) string {
	return kittySend(fmt.Sprintf("a=T,U=1,q=2,i=%d,c=%d,r=%d", id, cols, rows), px, tmux)
}

// KittyPlace is the escape sequences that send px as image id and show
// it at the cursor over cols×rows cells, above the text: a direct
// placement, for kitty before 0.28 (no placeholders). C=1: the cursor
// stays.
func KittyPlace(px *image.RGBA, id, cols, rows int, tmux bool) string {
	return kittySend(fmt.Sprintf("a=T,C=1,q=2,i=%d,p=1,c=%d,r=%d", id, cols, rows), px, tmux)
}

// KittyHide takes image id's placements away and keeps the image (text
// comes over a direct placement).
func KittyHide(id int, tmux bool) string {
	return kittyEscape("a=d,d=i,q=2,i="+strconv.Itoa(id), tmux)
}

// KittyEdit is the escape sequences that paint part over image id, its
// top left at the image's pixel at: an edit of the image's first (root)
// frame, X=1 replacing what was there. kitty draws it; Ghostty takes
// whole images only.
func KittyEdit(part *image.RGBA, at image.Point, id int, tmux bool) string {
	return kittySend(fmt.Sprintf("a=f,r=1,X=1,q=2,i=%d,x=%d,y=%d", id, at.X, at.Y), part, tmux)
}

// kittySend is px sent with keys and its size: a PNG of its palette when it has at most
// 256 colours (VGA text mode has 16: an eighth of the bytes), else
// zlib-compressed RGB; in chunks, each saying whether more follow. tmux
// wraps each in tmux's passthrough. q=2 in keys: the terminal answers
// nothing, which would otherwise arrive as typed keys.
func kittySend(keys string, px *image.RGBA, tmux bool) string {
	b := px.Bounds()
	w, h := b.Dx(), b.Dy()
	var data []byte
	format := "f=100"
	if pal, idx, exact := palette(px); exact {
		data = pngPaletted(w, h, pal, idx)
	} else {
		format = "f=24,o=z"
		rgb := make([]byte, w*3)
		data = deflateRows(h, func(y int) []byte {
			row := px.Pix[px.PixOffset(b.Min.X, b.Min.Y+y):px.PixOffset(b.Max.X, b.Min.Y+y)]
			for i := range w {
				copy(rgb[3*i:3*i+3], row[4*i:4*i+3])
			}
			return rgb
		})
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var sb strings.Builder
	keys += fmt.Sprintf(",s=%d,v=%d,%s,", w, h, format)
	for len(enc) > 0 {
		n := min(len(enc), kittyChunk)
		more := "0"
		if n < len(enc) {
			more = "1"
		}
		sb.WriteString(kittyEscape(keys+"m="+more+";"+enc[:n], tmux))
		keys, enc = "", enc[n:]
	}
	return sb.String()
}

// KittyDelete frees image id and its placements.
func KittyDelete(id int, tmux bool) string {
	return kittyEscape("a=d,d=I,q=2,i="+strconv.Itoa(id), tmux)
}

func kittyEscape(body string, tmux bool) string {
	s := "\x1b_G" + body + "\x1b\\"
	if tmux {
		return TmuxPassthrough(s)
	}
	return s
}

// TmuxPassthrough wraps an escape sequence for tmux to hand to the
// terminal outside it (tmux's allow-passthrough).
func TmuxPassthrough(s string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(s, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// KittyMaxRows is the most rows placeholders can number.
var KittyMaxRows = len(kittyDiacritics)

// KittyPlaceholders is the text that shows image id (1–255, a 256-colour
// index) over cols×rows cells: each line's first cell names its row and
// column 0 with combining marks, the rest follow on from the cell to
// their left.
func KittyPlaceholders(id, cols, rows int) []string {
	rows = min(rows, KittyMaxRows)
	lines := make([]string, rows)
	rest := strings.Repeat(string(kittyPlaceholder), max(cols-1, 0))
	for r := range rows {
		lines[r] = "\x1b[38;5;" + strconv.Itoa(id) + "m" + string(kittyPlaceholder) + string(kittyDiacritics[r]) + string(kittyDiacritics[0]) + rest + "\x1b[0m"
	}
	return lines
}

const kittyPlaceholder = '\U0010EEEE'

// kittyDiacritics number the rows and columns of placeholders (the first
// entries of kitty's rowcolumn-diacritics.txt).
var kittyDiacritics = []rune{
	0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A,
	0x034B, 0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365,
	0x0366, 0x0367, 0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F,
	0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597,
	0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9,
	0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
	0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A, 0x065B, 0x065D, 0x065E, 0x06D6,
	0x06D7, 0x06D8, 0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2,
	0x06E4, 0x06E7, 0x06E8, 0x06EB, 0x06EC, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736,
	0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749, 0x074A,
	0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3, 0x0816, 0x0817,
	0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822,
	0x0823, 0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D,
}

// pngPaletted is a PNG of a paletted picture (idx: w×h palette indexes),
// 1, 2, 4 or 8 bits a pixel by the palette's size: written here because
// Go's encoder packs small depths one interface call a pixel.
func pngPaletted(w, h int, pal []color.RGBA, idx []uint8) []byte {
	depth := 8
	switch n := len(pal); {
	case n <= 2:
		depth = 1
	case n <= 4:
		depth = 2
	case n <= 16:
		depth = 4
	}
	row := make([]byte, 1+(w*depth+7)/8) // filter 0 (none), then the packed indexes
	idat := deflateRows(h, func(y int) []byte {
		line := idx[y*w : (y+1)*w]
		switch depth {
		case 8:
			copy(row[1:], line)
		case 4: // VGA text's 16 colours: two a byte
			for x := 0; x+1 < w; x += 2 {
				row[1+x/2] = line[x]<<4 | line[x+1]
			}
			if w%2 == 1 {
				row[len(row)-1] = line[w-1] << 4
			}
		default:
			clear(row)
			for x, v := range line {
				bit := x * depth
				row[1+bit/8] |= v << (8 - depth - bit%8)
			}
		}
		return row
	})
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk("IHDR", append(ihdr, byte(depth), 3, 0, 0, 0)) // colour type 3: paletted
	plte := make([]byte, 0, 3*len(pal))
	for _, c := range pal {
		plte = append(plte, c.R, c.G, c.B)
	}
	chunk("PLTE", plte)
	chunk("IDAT", idat)
	chunk("IEND", nil)
	return out.Bytes()
}

// deflateRows is the zlib stream of h rows, row(y) giving each (its
// buffer may be reused).
func deflateRows(h int, row func(y int) []byte) []byte {
	var z bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&z)
	for y := range h {
		zw.Write(row(y))
	}
	zw.Close()
	return z.Bytes()
}

// zlibWriters keeps compressors for the next frame (each is ~1 MB to
// make).
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return zw
}}
