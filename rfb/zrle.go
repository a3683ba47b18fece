package rfb

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
)

// encZRLE is RFB's ZRLE encoding: 64x64 tiles, each raw, one colour, a
// palette of up to 16 packed, or run-length coded, all through one zlib
// stream for the whole connection. A VGA text screen that changes whole
// takes a few KB instead of Raw's 1.1 MB: what a display reached through
// an SSH tunnel needs.
const encZRLE = 16

// zrle holds the connection's zlib stream: each rectangle's compressed
// bytes are appended to in and read on from where the last one ended.
type zrle struct {
	in bytes.Buffer
	z  io.ReadCloser
}

// rect reads one ZRLE rectangle r (of the server's data in src) into img;
// the caller holds the framebuffer's lock.
func (d *zrle) rect(src io.Reader, img *image.RGBA, r image.Rectangle) error {
	var n uint32
	if err := binary.Read(src, binary.BigEndian, &n); err != nil {
		return err
	}
	if _, err := io.CopyN(&d.in, src, int64(n)); err != nil {
		return err
	}
	if d.z == nil {
		z, err := zlib.NewReader(&d.in)
		if err != nil {
			return fmt.Errorf("ZRLE: %w", err)
		}
		d.z = z
	}
	t := tileReader{r: d.z}
	for y := r.Min.Y; y < r.Max.Y; y += 64 {
		for x := r.Min.X; x < r.Max.X; x += 64 {
			tile := image.Rect(x, y, min(x+64, r.Max.X), min(y+64, r.Max.Y))
			if err := t.tile(img, tile); err != nil {
				return fmt.Errorf("ZRLE: %w", err)
			}
		}
	}
	return nil
}

// tileReader reads tiles' bytes out of the inflated stream.
type tileReader struct {
	r   io.Reader
	buf [3]byte
}

func (t *tileReader) byte() (byte, error) {
	_, err := io.ReadFull(t.r, t.buf[:1])
	return t.buf[0], err
}

// cpixel is a compressed pixel: with kvmtui's pixel format (32 bits, the
// colours in the low three bytes) its three bytes R, G, B.
func (t *tileReader) cpixel() ([4]byte, error) {
	_, err := io.ReadFull(t.r, t.buf[:3])
	return [4]byte{t.buf[0], t.buf[1], t.buf[2], 255}, err
}

func (t *tileReader) palette(n int) ([][4]byte, error) {
	pal := make([][4]byte, n)
	for i := range pal {
		var err error
		if pal[i], err = t.cpixel(); err != nil {
			return nil, err
		}
	}
	return pal, nil
}

// runLength is a run's length: bytes summed until one under 255, plus one.
func (t *tileReader) runLength() (int, error) {
	n := 1
	for {
		b, err := t.byte()
		if err != nil {
			return 0, err
		}
		n += int(b)
		if b != 255 {
			return n, nil
		}
	}
}

func (t *tileReader) tile(img *image.RGBA, r image.Rectangle) error {
	sub, err := t.byte()
	if err != nil {
		return err
	}
	w, h := r.Dx(), r.Dy()
	// set paints the tile's pixels in order, row by row (every
	// subencoding gives them so), clipped to the picture.
	inside := r.In(img.Rect)
	x, y := 0, 0
	set := func(c [4]byte) {
		if inside || image.Pt(r.Min.X+x, r.Min.Y+y).In(img.Rect) {
			o := img.PixOffset(r.Min.X+x, r.Min.Y+y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c[0], c[1], c[2], c[3]
		}
		if x++; x == w {
			x, y = 0, y+1
		}
	}
	switch {
	case sub == 0: // raw
		for range w * h {
			c, err := t.cpixel()
			if err != nil {
				return err
			}
			set(c)
		}
	case sub == 1: // one colour
		c, err := t.cpixel()
		if err != nil {
			return err
		}
		for range w * h {
			set(c)
		}
	case sub <= 16: // packed palette: 1, 2 or 4 bits an index, rows to whole bytes
		pal, err := t.palette(int(sub))
		if err != nil {
			return err
		}
		bits := 4
		switch {
		case sub == 2:
			bits = 1
		case sub <= 4:
			bits = 2
		}
		row := make([]byte, (w*bits+7)/8)
		for range h {
			if _, err := io.ReadFull(t.r, row); err != nil {
				return err
			}
			for col := range w {
				bit := col * bits
				idx := int(row[bit/8]>>(8-bits-bit%8)) & (1<<bits - 1)
				if idx >= len(pal) {
					return fmt.Errorf("palette index %d of %d", idx, len(pal))
				}
				set(pal[idx])
			}
		}
	case sub == 128: // runs of a colour
		for i := 0; i < w*h; {
			c, err := t.cpixel()
			if err != nil {
				return err
			}
			n, err := t.runLength()
			if err != nil {
				return err
			}
			for end := min(i+n, w*h); i < end; i++ {
				set(c)
			}
		}
	case sub >= 130: // runs of palette colours; a single pixel without a length
		pal, err := t.palette(int(sub) - 128)
		if err != nil {
			return err
		}
		for i := 0; i < w*h; {
			b, err := t.byte()
			if err != nil {
				return err
			}
			idx, n := int(b&127), 1
			if b&128 != 0 {
				if n, err = t.runLength(); err != nil {
					return err
				}
			}
			if idx >= len(pal) {
				return fmt.Errorf("palette index %d of %d", idx, len(pal))
			}
			for end := min(i+n, w*h); i < end; i++ {
				set(pal[idx])
			}
		}
	default:
		return errors.New("unknown tile subencoding " + fmt.Sprint(sub))
	}
	return nil
}
