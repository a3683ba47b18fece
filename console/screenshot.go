package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ToPNG converts what virDomainScreenshot returned (QEMU: PPM, sometimes
// PNG) to PNG. Without a MIME type (a file virsh wrote) PNG is known by
// its magic, anything else is read as PPM.
func ToPNG(data []byte, mime string) ([]byte, image.Image, error) {
	var img image.Image
	var err error
	if mime == "" && bytes.HasPrefix(data, []byte("\x89PNG")) { // a file of unknown type: its magic says
		mime = "image/png"
	}
	switch mime {
	case "image/png":
		img, err = png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, nil, fmt.Errorf("screenshot: %w", err)
		}
		return data, img, nil
	case "image/x-portable-pixmap", "image/x-portable-anymap", "":
		img, err = DecodePPM(bytes.NewReader(data))
	default:
		return nil, nil, fmt.Errorf("screenshot: the hypervisor sent %s, which kvmtui cannot convert to PNG", mime)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("screenshot: %w", err)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, nil, fmt.Errorf("screenshot: %w", err)
	}
	return out.Bytes(), img, nil
}

// DecodePPM reads a binary PPM (P6) with 8-bit samples, what QEMU writes.
func DecodePPM(r io.Reader) (image.Image, error) {
	br := bufio.NewReader(r)
	var vals [4]int
	magic, err := ppmToken(br)
	if err != nil || magic != "P6" {
		return nil, errors.New("not a binary PPM (P6) image")
	}
	for i := 1; i < 4; i++ {
		tok, err := ppmToken(br)
		if err != nil {
			return nil, fmt.Errorf("PPM header: %w", err)
		}
		if _, err := fmt.Sscan(tok, &vals[i]); err != nil || vals[i] <= 0 {
			return nil, fmt.Errorf("PPM header: bad number %q", tok)
		}
	}
	w, h, maxv := vals[1], vals[2], vals[3]
	if maxv > 255 || w > 16384 || h > 16384 {
		return nil, fmt.Errorf("PPM %dx%d max %d not supported", w, h, maxv)
	}
	pix := make([]byte, w*h*3)
	if _, err := io.ReadFull(br, pix); err != nil {
		return nil, fmt.Errorf("PPM pixels: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		copy(img.Pix[4*i:], []byte{scale(pix[3*i], maxv), scale(pix[3*i+1], maxv), scale(pix[3*i+2], maxv), 255})
	}
	return img, nil
}

func scale(v byte, maxv int) uint8 {
	if maxv == 255 {
		return v
	}
	return uint8(int(v) * 255 / maxv)
}

// ppmToken reads one whitespace-separated header token, skipping comments,
// and consumes the single whitespace byte after it.
func ppmToken(br *bufio.Reader) (string, error) {
	var tok []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		switch {
		case c == '#' && len(tok) == 0:
			if _, err := br.ReadString('\n'); err != nil {
				return "", err
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

// SaveScreenshot writes a PNG named after the VM and the time into dir
// (the working directory when empty, else the temporary directory if that
// is not writable) and returns its path.
func SaveScreenshot(dir, vm string, png []byte, now time.Time) (string, error) {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(vm) + "-" + now.Format("20060102-150405") + ".png"
	dirs := []string{dir}
	if dir == "" {
		wd, _ := os.Getwd()
		dirs = []string{wd, os.TempDir()}
	}
	var err error
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if err = os.WriteFile(p, png, 0o644); err == nil {
			abs, _ := filepath.Abs(p)
			return abs, nil
		}
	}
	return "", fmt.Errorf("saving the screenshot: %w", err)
}
