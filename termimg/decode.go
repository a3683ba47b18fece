package termimg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"strconv"
)

// Decode reads a screenshot as QEMU makes them through libvirt: binary PPM
// (P6, 8 bits a sample) or PNG, by its MIME type or, failing that, its magic.
func Decode(b []byte, mime string) (image.Image, error) {
	switch {
	case mime == "image/png" || bytes.HasPrefix(b, []byte("\x89PNG")):
		return png.Decode(bytes.NewReader(b))
	case bytes.HasPrefix(b, []byte("P6")):
		return decodePPM(b)
	}
	return nil, fmt.Errorf("a screenshot of type %q kvmtui cannot read", mime)
}

func decodePPM(b []byte) (image.Image, error) {
	r := bufio.NewReader(bytes.NewReader(b[2:]))
	var nums [3]int
	for i := range nums {
		tok, err := ppmToken(r)
		if err != nil {
			return nil, err
		}
		if nums[i], err = strconv.Atoi(tok); err != nil || nums[i] <= 0 {
			return nil, fmt.Errorf("PPM header: %q", tok)
		}
	}
	w, h, maxv := nums[0], nums[1], nums[2]
	if maxv != 255 || w > 1<<14 || h > 1<<14 {
		return nil, fmt.Errorf("PPM of %dx%d, max %d: kvmtui reads 8-bit samples", w, h, maxv)
	}
	px := make([]byte, w*h*3)
	if _, err := io.ReadFull(r, px); err != nil {
		return nil, fmt.Errorf("PPM pixels: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		copy(img.Pix[i*4:], px[i*3:i*3+3])
		img.Pix[i*4+3] = 255
	}
	return img, nil
}

// ppmToken reads the next header number, skipping whitespace and comments;
// it consumes the one whitespace byte after it.
func ppmToken(r *bufio.Reader) (string, error) {
	var tok []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", errors.New("PPM header cut short")
		}
		switch {
		case c == '#':
			if _, err := r.ReadString('\n'); err != nil {
				return "", errors.New("PPM header cut short")
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if len(tok) > 0 {
				return string(tok), nil
			}
		default:
			tok = append(tok, c)
		}
	}
}
