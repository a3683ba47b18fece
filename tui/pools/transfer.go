package pools

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
)

// Uploads and downloads are jobs of the volume list (objpage): their
// progress shows on the message line, and x cancels them.

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
		start := p.list.StartJob("uploading "+filepath.Base(file)+" → "+name, uri, func(ctx context.Context, prog func(done, total int64)) (string, error) {
			return "uploaded " + file + " into " + name, mgr.Upload(ctx, uri, pool, name, file, prog)
		})
		return func() tea.Msg { return formpage.Saved{Then: func() tea.Msg { return start }} }
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
		start := p.list.StartJob("downloading "+v.Name+" → "+filepath.Base(file), v.URI, func(ctx context.Context, prog func(done, total int64)) (string, error) {
			return "downloaded " + v.Name + " to " + file, mgr.Download(ctx, v.URI, v.Pool, v.Name, file, prog)
		})
		return func() tea.Msg { return formpage.Saved{Then: func() tea.Msg { return start }} }
	})
}

// Snapshot lets the form replay typed fields over the opened values, so
// an untyped volume name follows the file chosen.
func (f *fileForm) Snapshot() (func(), error) {
	saved := *f
	return func() { *f = saved }, nil
}
