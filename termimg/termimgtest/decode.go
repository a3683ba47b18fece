// Package termimgtest reads back what termimg writes, as a terminal
// would: sixel and kitty graphics decoders for tests.
package termimgtest

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// DecodeSixel is a sixel decoder after DEC's description (the parts an
// image needs: raster attributes, colour definitions in RGB percent,
// colour selection, repeats, $ and -).
func DecodeSixel(s string) (*image.RGBA, error) {
	if !strings.HasPrefix(s, "\x1bP") || !strings.HasSuffix(s, "\x1b\\") {
		return nil, fmt.Errorf("not a DCS string: %q…", s[:min(len(s), 20)])
	}
	body := s[2 : len(s)-2]
	q := strings.IndexByte(body, 'q')
	if q < 0 {
		return nil, fmt.Errorf("no q introducer")
	}
	body = body[q+1:]
	num := regexp.MustCompile(`^[0-9;]*`)
	params := func() []int {
		m := num.FindString(body)
		body = body[len(m):]
		var out []int
		for _, f := range strings.Split(m, ";") {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
		return out
	}
	var img *image.RGBA
	pal := map[int]color.RGBA{}
	cur, x, y := 0, 0, 0
	for body != "" {
		c := body[0]
		body = body[1:]
		switch {
		case c == '"':
			p := params()
			if len(p) < 4 {
				return nil, fmt.Errorf("raster attributes %v", p)
			}
			img = image.NewRGBA(image.Rect(0, 0, p[2], p[3]))
		case c == '#':
			p := params()
			cur = p[0]
			if len(p) == 5 {
				if p[1] != 2 {
					return nil, fmt.Errorf("colour %d in space %d", p[0], p[1])
				}
				pal[p[0]] = color.RGBA{uint8(p[2] * 255 / 100), uint8(p[3] * 255 / 100), uint8(p[4] * 255 / 100), 255}
			}
		case c == '$':
			x = 0
		case c == '-':
			x, y = 0, y+6
		case c == '!' || (c >= '?' && c <= '~'):
			n := 1
			if c == '!' {
				n = params()[0]
				c, body = body[0], body[1:]
			}
			if img == nil {
				return nil, fmt.Errorf("pixels before the raster attributes")
			}
			col, ok := pal[cur]
			if !ok {
				return nil, fmt.Errorf("colour %d used undefined", cur)
			}
			for range n {
				for b := range 6 {
					if (c-'?')&(1<<b) != 0 {
						if !image.Pt(x, y+b).In(img.Rect) {
							return nil, fmt.Errorf("pixel %d,%d outside the image", x, y+b)
						}
						img.SetRGBA(x, y+b, col)
					}
				}
				x++
			}
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return img, nil
}

// DecodeKitty is what a terminal takes from kitty graphics escapes that
// send one picture (a PNG, or deflated RGB; in chunks): the keys of the first chunk
// and the pixels.
func DecodeKitty(s string) (map[string]string, *image.RGBA, error) {
	esc := regexp.MustCompile(`\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\`)
	m := esc.FindAllStringSubmatch(s, -1)
	if len(m) == 0 || strings.Join(esc.Split(s, -1), "") != "" {
		return nil, nil, fmt.Errorf("not only kitty graphics escapes: %q…", s[:min(len(s), 40)])
	}
	keys := map[string]string{}
	var payload strings.Builder
	for i, e := range m {
		if len(e[2]) > 4096 {
			return nil, nil, fmt.Errorf("chunk %d carries %d bytes", i, len(e[2]))
		}
		for _, kv := range strings.Split(e[1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			if i == 0 {
				keys[k] = v
			}
			if k == "m" && (v == "1") != (i < len(m)-1) {
				return nil, nil, fmt.Errorf("chunk %d of %d says m=%s", i, len(m), v)
			}
		}
		payload.WriteString(e[2])
	}
	z, err := base64.StdEncoding.DecodeString(payload.String())
	if err != nil {
		return nil, nil, err
	}
	if keys["f"] == "100" { // a PNG
		img, err := png.Decode(bytes.NewReader(z))
		if err != nil {
			return nil, nil, err
		}
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
		return keys, rgba, nil
	}
	if keys["f"] != "24" || keys["o"] != "z" {
		return nil, nil, fmt.Errorf("format f=%s o=%s", keys["f"], keys["o"])
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, nil, err
	}
	rgb, err := io.ReadAll(zr)
	if err != nil {
		return nil, nil, err
	}
	w, _ := strconv.Atoi(keys["s"])
	h, _ := strconv.Atoi(keys["v"])
	if len(rgb) != w*h*3 {
		return nil, nil, fmt.Errorf("%d bytes of RGB for %dx%d", len(rgb), w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		img.SetRGBA(i%w, i/w, color.RGBA{rgb[3*i], rgb[3*i+1], rgb[3*i+2], 255})
	}
	return keys, img, nil
}

// KittyCanvas is the picture a terminal shows after out (a program's
// output): its newest whole kitty picture (a=T), with the edits of its
// root frame sent after it (a=f, at x, y) painted over it in order; nil
// while out holds no complete picture.
func KittyCanvas(out string) (*image.RGBA, error) {
	var canvas *image.RGBA
	var group strings.Builder // the escapes of one picture or edit
	for _, e := range kittyEscape.FindAllString(out, -1) {
		group.WriteString(e)
		if strings.Contains(e, "m=1;") {
			continue // more chunks follow
		}
		g := group.String()
		group.Reset()
		action := kittyAction.FindStringSubmatch(g)
		if action == nil || action[1] != "T" && action[1] != "f" {
			continue // a delete, say
		}
		keys, img, err := DecodeKitty(g)
		switch {
		case err != nil:
			return nil, err
		case action[1] == "T":
			canvas = img
			continue
		case canvas == nil:
			continue
		case keys["r"] != "1" || keys["X"] != "1":
			return nil, fmt.Errorf("an edit of frame r=%s, X=%s", keys["r"], keys["X"])
		}
		x, _ := strconv.Atoi(keys["x"])
		y, _ := strconv.Atoi(keys["y"])
		draw.Draw(canvas, img.Rect.Add(image.Pt(x, y)), img, image.Point{}, draw.Src)
	}
	return canvas, nil
}

var (
	kittyEscape = regexp.MustCompile(`\x1b_G[^\x1b]*\x1b\\`)
	kittyAction = regexp.MustCompile(`^\x1b_G(?:[^;\x1b]*,)?a=(\w)`)
)

// Unwrap takes tmux's passthrough wrapping off the escapes in s.
func Unwrap(s string) string {
	return passthrough.ReplaceAllStringFunc(s, func(w string) string {
		return strings.ReplaceAll(w[len("\x1bPtmux;"):len(w)-2], "\x1b\x1b", "\x1b")
	})
}

var passthrough = regexp.MustCompile(`\x1bPtmux;((?:[^\x1b]|\x1b\x1b)*)\x1b\\`)

// Differ is how many pixels of two same-sized pictures differ by more
// than tol in a channel.
func Differ(a, b *image.RGBA, tol int) int {
	n := 0
	for i := 0; i+3 < len(a.Pix) && i+3 < len(b.Pix); i += 4 {
		for c := range 3 {
			if d := int(a.Pix[i+c]) - int(b.Pix[i+c]); d > tol || -d > tol {
				n++
				break
			}
		}
	}
	return n
}
