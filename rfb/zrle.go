package rfb

import (
	"bytes"
	"compress/flate"
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
	z  io.Reader
	t  tileReader
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
		// The zlib header, then raw deflate: the stream never ends, so
		// its checksum is never checked, and zlib's reader would sum
		// every byte read.
		var hdr [2]byte
		if _, err := io.ReadFull(&d.in, hdr[:]); err != nil {
			return fmt.Errorf("ZRLE: %w", err)
		}
		if hdr[0]&0x0f != 8 || hdr[1]&0x20 != 0 || (uint(hdr[0])<<8|uint(hdr[1]))%31 != 0 {
			return fmt.Errorf("ZRLE: not a zlib stream (% x)", hdr)
		}
		d.z = flate.NewReader(&d.in)
		d.t.r = d.z
	}
	for y := r.Min.Y; y < r.Max.Y; y += 64 {
		for x := r.Min.X; x < r.Max.X; x += 64 {
			tile := image.Rect(x, y, min(x+64, r.Max.X), min(y+64, r.Max.Y))
			if err := d.t.tile(img, tile); err != nil {
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
	px  [64 * 64 * 4]byte // the tile's pixels, row by row
}

func (t *tileReader) byte() (byte, error) {
	for {
		// Read, not io.ReadFull: most of a tile is read a byte at a time.
		n, err := t.r.Read(t.buf[:1])
		if n == 1 {
			return t.buf[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// cpixel is a compressed pixel: with kvmtui's pixel format (32 bits, the
// colours in the low three bytes) its three bytes R, G, B, as the
// framebuffer's RGBA.
func (t *tileReader) cpixel() (uint32, error) {
	_, err := io.ReadFull(t.r, t.buf[:3])
	return uint32(t.buf[0]) | uint32(t.buf[1])<<8 | uint32(t.buf[2])<<16 | 0xff<<24, err
}

func (t *tileReader) palette(n int) ([]uint32, error) {
	pal := make([]uint32, n)
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

// tile reads one tile into img (clipped to it): its pixels first into
// t.px, in order (every subencoding gives them row by row), then its rows.
func (t *tileReader) tile(img *image.RGBA, r image.Rectangle) error {
	if err := t.pixels(r.Dx()*r.Dy(), r.Dx()); err != nil {
		return err
	}
	in := r.Intersect(img.Rect)
	w := 4 * r.Dx()
	for y := in.Min.Y; y < in.Max.Y; y++ {
		from := (y-r.Min.Y)*w + 4*(in.Min.X-r.Min.X)
		copy(img.Pix[img.PixOffset(in.Min.X, y):], t.px[from:from+4*in.Dx()])
	}
	return nil
}

// pixels reads the n pixels of a tile w wide into t.px.
func (t *tileReader) pixels(n, w int) error {
	sub, err := t.byte()
	if err != nil {
		return err
	}
	px := t.px[:4*n]
	fill := func(i, end int, c uint32) { // pixels i to end in colour c
		for ; i < end; i++ {
			binary.LittleEndian.PutUint32(px[4*i:], c)
		}
	}
	switch {
	case sub == 0: // raw
		for i := range n {
			c, err := t.cpixel()
			if err != nil {
				return err
			}
			fill(i, i+1, c)
		}
	case sub == 1: // one colour
		c, err := t.cpixel()
		if err != nil {
			return err
		}
		fill(0, n, c)
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
		for y := range n / w {
			if _, err := io.ReadFull(t.r, row); err != nil {
				return err
			}
			for col := range w {
				bit := col * bits
				idx := int(row[bit/8]>>(8-bits-bit%8)) & (1<<bits - 1)
				if idx >= len(pal) {
					return fmt.Errorf("palette index %d of %d", idx, len(pal))
				}
				fill(y*w+col, y*w+col+1, pal[idx])
			}
		}
	case sub == 128: // runs of a colour
		for i := 0; i < n; {
			c, err := t.cpixel()
			if err != nil {
				return err
			}
			run, err := t.runLength()
			if err != nil {
				return err
			}
			end := min(i+run, n)
			fill(i, end, c)
			i = end
		}
	case sub >= 130: // runs of palette colours; a single pixel without a length
		pal, err := t.palette(int(sub) - 128)
		if err != nil {
			return err
		}
		for i := 0; i < n; {
			b, err := t.byte()
			if err != nil {
				return err
			}
			idx, run := int(b&127), 1
			if b&128 != 0 {
				if run, err = t.runLength(); err != nil {
					return err
				}
			}
			if idx >= len(pal) {
				return fmt.Errorf("palette index %d of %d", idx, len(pal))
			}
			end := min(i+run, n)
			fill(i, end, pal[idx])
			i = end
		}
	default:
		return errors.New("unknown tile subencoding " + fmt.Sprint(sub))
	}
	return nil
}
