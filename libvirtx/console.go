package libvirtx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"libvirt.org/go/libvirt"
)

// consoleStream is a domain's character device as an io.ReadWriteCloser,
// over a libvirt stream (which also works on remote connections).
type consoleStream struct {
	st   *libvirt.Stream
	once sync.Once
}

func (c *consoleStream) Read(p []byte) (int, error) {
	n, err := c.st.Recv(p)
	if err != nil {
		return 0, errors.New(ErrText(err))
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (c *consoleStream) Write(p []byte) (int, error) {
	n, err := c.st.Send(p)
	if err != nil {
		return n, errors.New(ErrText(err))
	}
	return n, nil
}

// Close ends the stream; a blocked Read then returns.
func (c *consoleStream) Close() error {
	c.once.Do(func() {
		_ = c.st.Abort()
		_ = c.st.Free()
	})
	return nil
}

// OpenConsole attaches to the domain's console (dev "" is the first one,
// else an alias such as "serial0"). Without force, a console another client
// holds is refused with libvirt's message; with force, that client is cut off.
func (m *Manager) OpenConsole(ref Ref, dev string, force bool) (io.ReadWriteCloser, error) {
	var out io.ReadWriteCloser
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		st, err := lc.NewStream(0)
		if err != nil {
			return err
		}
		flags := libvirt.DOMAIN_CONSOLE_SAFE
		if force {
			flags |= libvirt.DOMAIN_CONSOLE_FORCE
		}
		if err := d.OpenConsole(dev, st, flags); err != nil {
			st.Free()
			return err
		}
		out = &consoleStream{st: st}
		return nil
	})
	return out, err
}

// linuxKeys are the Linux input key codes send-key takes (codeset "linux").
var linuxKeys = map[string]uint{
	"KEY_ESC": 1, "KEY_BACKSPACE": 14, "KEY_TAB": 15, "KEY_ENTER": 28, "KEY_LEFTCTRL": 29,
	"KEY_LEFTSHIFT": 42, "KEY_LEFTALT": 56, "KEY_SPACE": 57,
	"KEY_F1": 59, "KEY_F2": 60, "KEY_F3": 61, "KEY_F4": 62, "KEY_F5": 63, "KEY_F6": 64,
	"KEY_F7": 65, "KEY_F8": 66, "KEY_F9": 67, "KEY_F10": 68, "KEY_F11": 87, "KEY_F12": 88,
	"KEY_SYSRQ": 99, "KEY_RIGHTCTRL": 97, "KEY_RIGHTALT": 100, "KEY_HOME": 102, "KEY_UP": 103,
	"KEY_PAGEUP": 104, "KEY_LEFT": 105, "KEY_RIGHT": 106, "KEY_END": 107, "KEY_DOWN": 108,
	"KEY_PAGEDOWN": 109, "KEY_INSERT": 110, "KEY_DELETE": 111, "KEY_LEFTMETA": 125,
}

// SendKey presses the keys together, like virsh send-key with Linux key
// names (KEY_LEFTCTRL KEY_LEFTALT KEY_DELETE).
func (m *Manager) SendKey(ref Ref, keys ...string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	codes := make([]uint, 0, len(keys))
	for _, k := range keys {
		c, ok := linuxKeys[k]
		if !ok {
			return fmt.Errorf("unknown key %q: expected a Linux key name such as KEY_LEFTCTRL", k)
		}
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return errors.New("no key to send")
	}
	return m.withDomain(ref, func(d *libvirt.Domain) error {
		return d.SendKey(uint(libvirt.KEYCODE_SET_LINUX), 0, codes, 0)
	})
}

// Screenshot returns an image of the domain's display (screen 0 is the
// first head) and its MIME type, as the hypervisor produced it (QEMU: PPM or
// PNG).
func (m *Manager) Screenshot(ref Ref, screen uint) ([]byte, string, error) {
	var (
		buf  bytes.Buffer
		mime string
	)
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		st, err := lc.NewStream(0)
		if err != nil {
			return err
		}
		defer st.Free()
		if mime, err = d.Screenshot(st, uint32(screen), 0); err != nil {
			return err
		}
		if err := st.RecvAll(func(_ *libvirt.Stream, b []byte) (int, error) { return buf.Write(b) }); err != nil {
			st.Abort()
			return err
		}
		return st.Finish()
	})
	return buf.Bytes(), mime, err
}

// DomainXML returns the domain's definition: the running one or, with
// inactive, the one the next boot uses. secure includes passwords (graphics),
// which read-only connections may not see.
func (m *Manager) DomainXML(ref Ref, inactive, secure bool) (string, error) {
	var flags libvirt.DomainXMLFlags
	if inactive {
		flags |= libvirt.DOMAIN_XML_INACTIVE
	}
	if secure {
		flags |= libvirt.DOMAIN_XML_SECURE
	}
	var out string
	err := m.withDomain(ref, func(d *libvirt.Domain) error {
		var err error
		out, err = d.GetXMLDesc(flags)
		return err
	})
	return out, err
}

// withConnDomain is withDomain for calls that also need the connection.
func (m *Manager) withConnDomain(ref Ref, f func(*libvirt.Connect, *libvirt.Domain) error) error {
	c, err := m.conn(ref.URI)
	if err != nil {
		return err
	}
	lc, err := c.get()
	if err != nil {
		return err
	}
	return m.withDomain(ref, func(d *libvirt.Domain) error { return f(lc, d) })
}
