package libvirtx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"libvirt.org/go/libvirt"
)

// consoleStream is a domain's character device as an io.ReadWriteCloser,
// over a libvirt stream (which also works on remote connections).
type consoleStream struct {
	st *libvirt.Stream

	mu       sync.Mutex
	inflight int  // Recv/Send calls running
	closed   bool // Abort was called
	freed    bool
}

// enter counts a call in; it fails once the stream is closed.
func (c *consoleStream) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.inflight++
	return true
}

// leave counts a call out and frees the stream when it was the last one
// after Close: freeing under a running Recv would be a use after free.
func (c *consoleStream) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
	c.freeIfIdle()
}

func (c *consoleStream) freeIfIdle() {
	if c.closed && c.inflight == 0 && !c.freed {
		c.freed = true
		_ = c.st.Free()
	}
}

func (c *consoleStream) Read(p []byte) (int, error) {
	if !c.enter() {
		return 0, io.EOF
	}
	defer c.leave()
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
	if !c.enter() {
		return 0, io.ErrClosedPipe
	}
	defer c.leave()
	n, err := c.st.Send(p)
	if err != nil {
		return n, errors.New(ErrText(err))
	}
	return n, nil
}

// Close ends the stream; a blocked Read then returns ("stream is closed").
func (c *consoleStream) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		_ = c.st.Abort()
	}
	c.freeIfIdle()
	return nil
}

// OpenConsole attaches to the domain's console (dev "" is the first one,
// else an alias such as "serial0"). Without force, a console another client
// holds is refused with libvirt's message; with force, that client is cut off.
func (m *Manager) OpenConsole(ref Ref, dev string, force bool) (io.ReadWriteCloser, error) {
	var out io.ReadWriteCloser
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		var err error
		out, err = openConsole(lc, d, dev, force)
		return err
	})
	if err != nil && strings.Contains(err.Error(), consoleBusyText) {
		return nil, ConsoleBusyError{Msg: err.Error()}
	}
	return out, err
}

// consoleBusyText is how libvirt (virChrdevOpen) refuses a console that
// another client holds. Its error code (operation failed) is too generic.
const consoleBusyText = "Active console session exists"

// ConsoleBusyError means another client (virsh console, another kvmtui)
// holds the console; opening it with force takes it over.
type ConsoleBusyError struct{ Msg string }

func (e ConsoleBusyError) Error() string { return e.Msg }

func openConsole(lc *libvirt.Connect, d *libvirt.Domain, dev string, force bool) (io.ReadWriteCloser, error) {
	st, err := lc.NewStream(0)
	if err != nil {
		return nil, err
	}
	flags := libvirt.DOMAIN_CONSOLE_SAFE
	if force {
		flags |= libvirt.DOMAIN_CONSOLE_FORCE
	}
	if err := d.OpenConsole(dev, st, flags); err != nil {
		st.Free()
		return nil, err
	}
	return &consoleStream{st: st}, nil
}

// StartWithConsole starts a shut-off domain paused, attaches to its console
// and only then lets it run, so the console sees the boot from its first
// byte (QEMU drops serial output while nobody is attached). A console that
// cannot be opened is reported after the domain was resumed anyway.
func (m *Manager) StartWithConsole(ref Ref, dev string) (io.ReadWriteCloser, error) {
	if m.readOnly {
		return nil, ErrReadOnly
	}
	defer m.refreshLater(ref, string(Start))
	var out io.ReadWriteCloser
	var conErr error
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		if err := d.CreateWithFlags(libvirt.DOMAIN_START_PAUSED); err != nil {
			var le libvirt.Error
			if !errors.As(err, &le) || le.Code != libvirt.ERR_INVALID_ARG {
				return err
			}
			// A driver without paused starts (the test driver): start, then
			// attach; the first lines may be lost.
			if err := d.Create(); err != nil {
				return err
			}
			out, conErr = openConsole(lc, d, dev, false)
			return nil
		}
		out, conErr = openConsole(lc, d, dev, false)
		return d.Resume()
	})
	if err != nil {
		if out != nil {
			out.Close()
		}
		return nil, err
	}
	if conErr != nil {
		return nil, fmt.Errorf("%w: %s", ErrStartedNoConsole, ErrText(conErr))
	}
	return out, nil
}

// ErrStartedNoConsole is StartWithConsole's error when the domain did start
// but its console could not be opened.
var ErrStartedNoConsole = errors.New("started, but its console could not be opened")

// linuxKeys are the Linux input key codes send-key takes (codeset "linux").
var linuxKeys = map[string]uint{
	"KEY_ESC": 1, "KEY_BACKSPACE": 14, "KEY_TAB": 15, "KEY_ENTER": 28, "KEY_LEFTCTRL": 29,
	"KEY_LEFTSHIFT": 42, "KEY_LEFTALT": 56, "KEY_SPACE": 57,
	"KEY_F1": 59, "KEY_F2": 60, "KEY_F3": 61, "KEY_F4": 62, "KEY_F5": 63, "KEY_F6": 64,
	"KEY_F7": 65, "KEY_F8": 66, "KEY_F9": 67, "KEY_F10": 68, "KEY_F11": 87, "KEY_F12": 88,
	"KEY_SYSRQ": 99, "KEY_RIGHTCTRL": 97, "KEY_RIGHTALT": 100, "KEY_HOME": 102, "KEY_UP": 103,
	"KEY_PAGEUP": 104, "KEY_LEFT": 105, "KEY_RIGHT": 106, "KEY_END": 107, "KEY_DOWN": 108,
	"KEY_PAGEDOWN": 109, "KEY_INSERT": 110, "KEY_DELETE": 111, "KEY_LEFTMETA": 125,
	// Letters and digits, for Alt+SysRq+letter.
	"KEY_1": 2, "KEY_2": 3, "KEY_3": 4, "KEY_4": 5, "KEY_5": 6, "KEY_6": 7, "KEY_7": 8,
	"KEY_8": 9, "KEY_9": 10, "KEY_0": 11,
	"KEY_Q": 16, "KEY_W": 17, "KEY_E": 18, "KEY_R": 19, "KEY_T": 20, "KEY_Y": 21, "KEY_U": 22,
	"KEY_I": 23, "KEY_O": 24, "KEY_P": 25, "KEY_A": 30, "KEY_S": 31, "KEY_D": 32, "KEY_F": 33,
	"KEY_G": 34, "KEY_H": 35, "KEY_J": 36, "KEY_K": 37, "KEY_L": 38, "KEY_Z": 44, "KEY_X": 45,
	"KEY_C": 46, "KEY_V": 47, "KEY_B": 48, "KEY_N": 49, "KEY_M": 50,
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
