// Package rfb is the small VNC (RFB 3.8) client kvmtui's screen view
// needs: the handshake with no or VNC authentication, a 32-bit true-colour
// framebuffer kept current from ZRLE, Raw and CopyRect updates (resized by
// DesktopSize), incremental update requests so that a still screen costs
// nothing, and key and pointer events. It knows nothing of libvirt.
package rfb

import (
	"bufio"
	"crypto/des"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

const (
	encRaw         = 0
	encCopyRect    = 1
	encDesktopSize = -223
)

// encodings are those the client asks for, preferred first.
var encodings = []int32{encCopyRect, encZRLE, encRaw, encDesktopSize}

// Client is one connection to a VNC server.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex // writes come from the reader (requests) and the UI (keys)
	Name string

	mu   sync.Mutex
	img  *image.RGBA // the framebuffer, guarded by mu
	zrle zrle        // the ZRLE stream, read with mu held

	received atomic.Int64    // bytes read from the server
	rects    map[int32]int64 // rectangles by encoding, guarded by mu
}

// Connect does the RFB handshake on conn (shared session), authenticating
// with password when the server asks for VNC authentication.
func Connect(conn net.Conn, password string) (*Client, error) {
	c := &Client{conn: conn, rects: map[int32]int64{}}
	c.r = bufio.NewReaderSize(counter{conn, &c.received}, 1<<16)
	if err := c.handshake(password); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) handshake(password string) error {
	var ver [12]byte
	if _, err := io.ReadFull(c.r, ver[:]); err != nil {
		return fmt.Errorf("no RFB greeting: %w", err)
	}
	if string(ver[:4]) != "RFB " {
		return fmt.Errorf("not a VNC server (it said %q)", ver[:])
	}
	if _, err := c.conn.Write([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	var n uint8
	if err := binary.Read(c.r, binary.BigEndian, &n); err != nil {
		return err
	}
	if n == 0 {
		return c.failure()
	}
	types := make([]byte, n)
	if _, err := io.ReadFull(c.r, types); err != nil {
		return err
	}
	var chosen byte
	for _, t := range types {
		if t == 1 || (t == 2 && chosen != 1) {
			chosen = t
		}
	}
	switch chosen {
	case 0:
		return fmt.Errorf("the server offers no authentication kvmtui speaks (types %v)", types)
	case 2:
		if password == "" {
			return errors.New("the display asks for a password, and the definition has none kvmtui may read")
		}
	}
	if _, err := c.conn.Write([]byte{chosen}); err != nil {
		return err
	}
	if chosen == 2 {
		var challenge [16]byte
		if _, err := io.ReadFull(c.r, challenge[:]); err != nil {
			return err
		}
		if _, err := c.conn.Write(vncResponse(password, challenge)); err != nil {
			return err
		}
	}
	var result uint32
	if err := binary.Read(c.r, binary.BigEndian, &result); err != nil {
		return err
	}
	if result != 0 {
		return c.failure()
	}
	if _, err := c.conn.Write([]byte{1}); err != nil { // ClientInit: shared
		return err
	}
	var init struct {
		W, H   uint16
		Format [16]byte
		NameN  uint32
	}
	if err := binary.Read(c.r, binary.BigEndian, &init); err != nil {
		return err
	}
	name := make([]byte, init.NameN)
	if _, err := io.ReadFull(c.r, name); err != nil {
		return err
	}
	c.Name = string(name)
	c.img = image.NewRGBA(image.Rect(0, 0, int(init.W), int(init.H)))
	// 32 bits per pixel, depth 24, little endian, true colour, red at bit 0:
	// the bytes arrive as R, G, B, x, the order image.RGBA keeps.
	pf := []byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0}
	enc := []byte{2, 0, 0, byte(len(encodings))}
	for _, e := range encodings {
		enc = binary.BigEndian.AppendUint32(enc, uint32(e))
	}
	return c.write(append(pf, enc...))
}

// failure reads the server's reason string after a refusal.
func (c *Client) failure() error {
	var n uint32
	if err := binary.Read(c.r, binary.BigEndian, &n); err != nil || n > 1<<16 {
		return errors.New("the VNC server refused the connection")
	}
	reason := make([]byte, n)
	io.ReadFull(c.r, reason)
	return fmt.Errorf("the VNC server refused: %s", reason)
}

// vncResponse is the challenge encrypted with DES, keyed by the password's
// first 8 bytes with each byte's bits reversed (RFB's VNC authentication).
func vncResponse(password string, challenge [16]byte) []byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		var r byte
		for j := range 8 {
			r |= (b >> j & 1) << (7 - j)
		}
		key[i] = r
	}
	block, _ := des.NewCipher(key[:])
	out := make([]byte, 16)
	block.Encrypt(out[:8], challenge[:8])
	block.Encrypt(out[8:], challenge[8:])
	return out
}

func (c *Client) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.conn.Write(b)
	return err
}

// Size is the framebuffer's size.
func (c *Client) Size() (w, h int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.img.Rect.Dx(), c.img.Rect.Dy()
}

// Frame copies the framebuffer.
func (c *Client) Frame() *image.RGBA {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.copyLocked()
}

// Request asks for an update of the whole screen: incremental, only what
// changed (nothing while the screen is still).
func (c *Client) Request(incremental bool) error {
	w, h := c.Size()
	b := []byte{3, 0, 0, 0, 0, 0, byte(w >> 8), byte(w), byte(h >> 8), byte(h)}
	if incremental {
		b[1] = 1
	}
	return c.write(b)
}

// Key presses or releases an X11 keysym.
func (c *Client) Key(keysym uint32, down bool) error {
	b := []byte{4, 0, 0, 0}
	if down {
		b[1] = 1
	}
	return c.write(binary.BigEndian.AppendUint32(b, keysym))
}

// Pointer moves the pointer to x, y with the buttons of mask pressed (bit 0
// left, 1 middle, 2 right, 3 and 4 the wheel up and down).
func (c *Client) Pointer(x, y int, mask uint8) error {
	return c.write([]byte{5, mask, byte(x >> 8), byte(x), byte(y >> 8), byte(y)})
}

// Received is how many bytes the server has sent: what the display costs
// the link (an SSH tunnel's, say).
func (c *Client) Received() int64 { return c.received.Load() }

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *atomic.Int64
}

func (c counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Close ends the connection; Run then returns.
func (c *Client) Close() error { return c.conn.Close() }

// Run reads the server's messages until the connection ends, applying
// updates to the framebuffer and calling updated after each (with the
// changed area), then asking for the next incremental update.
func (c *Client) Run(updated func(image.Rectangle)) error {
	if err := c.Request(false); err != nil {
		return err
	}
	for {
		t, err := c.r.ReadByte()
		if err != nil {
			return err
		}
		switch t {
		case 0: // FramebufferUpdate
			dirty, err := c.update()
			if err != nil {
				return err
			}
			if updated != nil {
				updated(dirty)
			}
			if err := c.Request(true); err != nil {
				return err
			}
		case 1: // SetColourMapEntries: not used with true colour, skip it
			var hdr struct {
				Pad          byte
				First, Count uint16
			}
			if err := binary.Read(c.r, binary.BigEndian, &hdr); err != nil {
				return err
			}
			if _, err := c.r.Discard(int(hdr.Count) * 6); err != nil {
				return err
			}
		case 2: // Bell
		case 3: // ServerCutText
			var hdr struct {
				Pad [3]byte
				N   uint32
			}
			if err := binary.Read(c.r, binary.BigEndian, &hdr); err != nil {
				return err
			}
			if _, err := c.r.Discard(int(hdr.N)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown RFB message %d", t)
		}
	}
}

func (c *Client) update() (image.Rectangle, error) {
	var hdr struct {
		Pad byte
		N   uint16
	}
	if err := binary.Read(c.r, binary.BigEndian, &hdr); err != nil {
		return image.Rectangle{}, err
	}
	var dirty image.Rectangle
	for range hdr.N {
		var rh struct {
			X, Y, W, H uint16
			Enc        int32
		}
		if err := binary.Read(c.r, binary.BigEndian, &rh); err != nil {
			return dirty, err
		}
		r := image.Rect(int(rh.X), int(rh.Y), int(rh.X)+int(rh.W), int(rh.Y)+int(rh.H))
		c.mu.Lock()
		c.rects[rh.Enc]++
		c.mu.Unlock()
		switch rh.Enc {
		case encRaw:
			buf := make([]byte, int(rh.W)*int(rh.H)*4)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				return dirty, err
			}
			c.mu.Lock()
			r = r.Intersect(c.img.Rect)
			for y := 0; y < r.Dy(); y++ {
				row := buf[y*int(rh.W)*4 : (y*int(rh.W)+r.Dx())*4]
				dst := c.img.Pix[c.img.PixOffset(r.Min.X, r.Min.Y+y):]
				for i := 0; i < len(row); i += 4 {
					dst[i], dst[i+1], dst[i+2], dst[i+3] = row[i], row[i+1], row[i+2], 255
				}
			}
			c.mu.Unlock()
		case encCopyRect:
			var src struct{ X, Y uint16 }
			if err := binary.Read(c.r, binary.BigEndian, &src); err != nil {
				return dirty, err
			}
			c.mu.Lock()
			from := c.copyLocked()
			for y := 0; y < r.Dy(); y++ {
				s := from.PixOffset(int(src.X), int(src.Y)+y)
				d := c.img.PixOffset(r.Min.X, r.Min.Y+y)
				copy(c.img.Pix[d:d+r.Dx()*4], from.Pix[s:s+r.Dx()*4])
			}
			c.mu.Unlock()
		case encZRLE:
			c.mu.Lock()
			err := c.zrle.rect(c.r, c.img, r)
			c.mu.Unlock()
			if err != nil {
				return dirty, err
			}
			r = r.Intersect(c.img.Rect)
		case encDesktopSize:
			c.mu.Lock()
			c.img = image.NewRGBA(image.Rect(0, 0, int(rh.W), int(rh.H)))
			r = c.img.Rect
			c.mu.Unlock()
		default:
			return dirty, fmt.Errorf("the server sent encoding %d, which kvmtui did not ask for", rh.Enc)
		}
		dirty = dirty.Union(r)
	}
	return dirty, nil
}

// copyLocked is a copy of the framebuffer for CopyRect (the source may
// overlap the destination); the caller holds mu.
func (c *Client) copyLocked() *image.RGBA {
	out := image.NewRGBA(c.img.Rect)
	copy(out.Pix, c.img.Pix)
	return out
}
