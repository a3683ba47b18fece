package pools

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
)

// An upload or download runs off the UI: its progress comes back as
// messages through a channel, one read at a time, and x cancels it.

type transfer struct {
	what        string // "uploading disk.img → data.raw"
	uri         string
	done, total int64
	start       time.Time
	cancel      context.CancelFunc
	ch          chan tea.Msg
}

type xferProgress struct {
	t           *transfer
	done, total int64
}

type xferDone struct {
	t    *transfer
	text string
	err  error
}

// wait reads the transfer's next message.
func (t *transfer) wait() tea.Cmd { return func() tea.Msg { return <-t.ch } }

// startTransfer is the message a transfer form's save sends the page.
type startTransfer struct {
	what, uri string
	run       func(ctx context.Context, progress libvirtx.Progress) error
	doneText  string
}

// begin starts a transfer; the page shows it until it ends.
func (p *volPage) begin(s startTransfer) tea.Cmd {
	if p.xfer != nil {
		p.ctx.SetMsg("a transfer is running: x cancels it", true)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &transfer{what: s.what, uri: s.uri, start: time.Now(), cancel: cancel, ch: make(chan tea.Msg, 1)}
	p.xfer = t
	p.ctx.SetMsg(t.what+"…", false)
	go func() {
		err := s.run(ctx, func(done, total int64) {
			select { // the newest is enough: never wait for the UI
			case t.ch <- xferProgress{t, done, total}:
			default:
			}
		})
		t.ch <- xferDone{t, s.doneText, err}
	}()
	return t.wait()
}

// transferMsg takes a transfer's progress and its end.
func (p *volPage) transferMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case startTransfer:
		return p.begin(msg), true
	case xferProgress:
		if msg.t != p.xfer {
			return nil, true
		}
		p.xfer.done, p.xfer.total = msg.done, msg.total
		p.ctx.SetMsg(p.xfer.progressLine(), false) // on the message line: seen whatever is selected
		return p.xfer.wait(), true
	case xferDone:
		if msg.t != p.xfer {
			return nil, true
		}
		p.xfer = nil
		done := objpage.Done{Kind: "pool", URI: msg.t.uri, Text: msg.text}
		if msg.err != nil {
			done.Text, done.Err = strings.Replace(msg.t.what, "ing ", " ", 1), msg.err
		}
		cmd, _ := p.list.Update(done)
		return cmd, true
	}
	return nil, false
}

// progressLine is the running transfer: a bar, bytes, rate, time left.
func (t *transfer) progressLine() string {
	frac := float64(t.done) / float64(max(t.total, 1))
	rate := float64(t.done) / max(time.Since(t.start).Seconds(), 0.001)
	left := ""
	if rate > 0 && t.total > t.done {
		left = ", " + (time.Duration(float64(t.total-t.done)/rate) * time.Second).Round(time.Second).String() + " left"
	}
	bar := 10
	filled := int(frac * float64(bar))
	return fmt.Sprintf("%s %3.0f%% %s%s %s of %s, %s/s%s", t.what, 100*frac, strings.Repeat("█", filled), strings.Repeat("░", bar-filled),
		devices.ApproxSize(uint64(t.done)), devices.ApproxSize(uint64(t.total)), devices.ApproxSize(uint64(rate)), left)
}

// fileForm asks a local path (and, uploading, the volume's name).
type fileForm struct {
	upload     bool
	File, Name string
}

func (f *fileForm) Fields() []devices.Field {
	fs := []devices.Field{{Name: "file", Label: "Local file", Type: devices.TypeText,
		Help: "a path on this machine (kvmtui's side of the connection)"}}
	if f.upload {
		fs = append(fs, devices.Field{Name: "name", Label: "Volume", Type: devices.TypeText, Help: "an existing volume is overwritten; a new one is made raw, the file's size"})
	}
	return fs
}

func (f *fileForm) Get(name string) string {
	if name == "name" {
		return f.Name
	}
	return f.File
}

func (f *fileForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "file":
		if v == "" {
			return fmt.Errorf("a file's path")
		}
		if f.upload {
			st, err := os.Stat(v)
			if err != nil || !st.Mode().IsRegular() {
				return fmt.Errorf("%s is not a file here", v)
			}
			if f.Name == "" {
				f.Name = filepath.Base(v)
			}
		} else if st, err := os.Stat(filepath.Dir(v)); err != nil || !st.IsDir() {
			return fmt.Errorf("no directory %s here", filepath.Dir(v))
		}
		f.File = v
	case "name":
		if v == "" || strings.Contains(v, "/") {
			return fmt.Errorf("invalid volume name %q", v)
		}
		f.Name = v
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// uploadForm asks what to upload, then starts it on the volume page. The
// volume is named after the file unless typed: an existing volume is
// overwritten only when named on purpose.
func (p *volPage) uploadForm() common.Page {
	f := &fileForm{upload: true}
	mgr, uri, pool := p.ctx.Mgr, p.uri, p.pool
	note := "Upload a file of this machine into " + pool + " through libvirt (sparse; works over SSH). ctrl+s starts it."
	return formpage.New(p.ctx, "Upload", note, form.New(f, nil), func() tea.Cmd {
		file, name := f.File, f.Name
		s := startTransfer{what: "uploading " + filepath.Base(file) + " → " + name, uri: uri, doneText: "uploaded " + file + " into " + name,
			run: func(ctx context.Context, prog libvirtx.Progress) error {
				return mgr.Upload(ctx, uri, pool, name, file, prog)
			}}
		return func() tea.Msg { return formpage.Saved{Then: func() tea.Msg { return s }} }
	})
}

// downloadForm asks where to put the volume, then starts it.
func (p *volPage) downloadForm(v libvirtx.Volume) common.Page {
	cwd, _ := os.Getwd()
	f := &fileForm{File: filepath.Join(cwd, v.Name)}
	mgr := p.ctx.Mgr
	note := fmt.Sprintf("Download %s (%s) to this machine through libvirt (sparse; works over SSH). ctrl+s starts it.", v.Name, devices.ApproxSize(v.Capacity))
	return formpage.New(p.ctx, "Download", note, form.New(f, nil), func() tea.Cmd {
		file := f.File
		s := startTransfer{what: "downloading " + v.Name + " → " + filepath.Base(file), uri: v.URI, doneText: "downloaded " + v.Name + " to " + file,
			run: func(ctx context.Context, prog libvirtx.Progress) error {
				return mgr.Download(ctx, v.URI, v.Pool, v.Name, file, prog)
			}}
		return func() tea.Msg { return formpage.Saved{Then: func() tea.Msg { return s }} }
	})
}

// Snapshot lets the form replay typed fields over the opened values, so
// an untyped volume name follows the file chosen.
func (f *fileForm) Snapshot() (func(), error) {
	saved := *f
	return func() { *f = saved }, nil
}
