package console

import (
	"bytes"
	"io"
	"os"

	"github.com/muesli/cancelreader"
	"golang.org/x/term"
)

// EscapeByte is Ctrl+], the key that leaves a console, as in virsh console.
const EscapeByte = 0x1d

// Ended says why Attach returned.
type Ended struct {
	Escaped    bool  // the user typed Ctrl+]
	InputEnded bool  // the input reached its end (a pipe, not a terminal)
	Err        error // else why the stream ended (nil or io.EOF: it closed)
}

// Attach connects the terminal to a console stream until the user types
// Ctrl+] or the stream ends (the VM stopped, another client took the
// console over). in is put in raw mode while attached when it is a
// terminal, so every key, Ctrl+C included, goes to the guest. Attach closes
// rw, and returns only when nothing reads in or writes out any more.
func Attach(rw io.ReadWriteCloser, in io.Reader, out io.Writer) (Ended, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			rw.Close()
			return Ended{}, err
		}
		defer term.Restore(int(f.Fd()), old)
	}
	cr, err := cancelreader.NewReader(in)
	if err != nil {
		rw.Close()
		return Ended{}, err
	}
	defer cr.Close()

	streamDone := make(chan error, 1)
	go func() {
		_, err := io.Copy(out, rw)
		streamDone <- err
	}()
	keysDone := make(chan bool, 1) // true: escaped
	go func() { keysDone <- copyKeys(rw, cr) }()

	select {
	case escaped := <-keysDone:
		rw.Close() // stops the output copy
		<-streamDone
		if escaped {
			return Ended{Escaped: true}, nil
		}
		return Ended{InputEnded: true}, nil
	case err := <-streamDone:
		// Cancel fails only for readers that are not files; then the key
		// reader is left to its blocked Read rather than hang here.
		if cr.Cancel() {
			<-keysDone
		}
		rw.Close()
		return Ended{Err: err}, nil
	}
}

// copyKeys sends typed bytes to the guest up to the escape byte; it reports
// whether it stopped there.
func copyKeys(w io.Writer, r io.Reader) bool {
	buf := make([]byte, 1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if i := bytes.IndexByte(chunk, EscapeByte); i >= 0 {
				if i > 0 {
					_, _ = w.Write(chunk[:i])
				}
				return true
			}
			if _, werr := w.Write(chunk); werr != nil {
				return false
			}
		}
		if err != nil {
			return false
		}
	}
}
