package pools

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

// volForm is the target of the volume forms: each shows the fields it
// names, in this order.
type volForm struct {
	show     []string
	formats  []string // the pool type's formats
	pools    []string // clone: the host's active pools
	Name     string
	Format   string
	Size     uint64
	Backing  string
	Prealloc bool
	Pool     string
	Pass     [2]string // a LUKS passphrase, typed twice; never shown
}

func (f *volForm) Fields() []devices.Field {
	all := map[string]devices.Field{
		"name":     {Name: "name", Label: "Name", Type: devices.TypeText, Help: "the volume's file (or device) name in the pool, like data.qcow2"},
		"format":   {Name: "format", Label: "Format", Type: devices.TypeEnum, Choices: f.formats, Help: "qcow2: snapshots, overlays, grows as written; raw: fastest, plain"},
		"size":     {Name: "size", Label: "Size", Type: devices.TypeText, Help: "like 20G, 512M, 1.5T"},
		"backing":  {Name: "backing", Label: "Backing volume", Type: devices.TypeText, Optional: true, Help: "a volume's path: the new one starts as its copy-on-write overlay"},
		"prealloc": {Name: "prealloc", Label: "Allocate now", Type: devices.TypeBool, Help: "take the whole size from the pool now (raw: slower to make, no surprises later)"},
		"pool":     {Name: "pool", Label: "Into pool", Type: devices.TypeEnum, Choices: f.pools, Help: "the pool the copy goes to"},
		"pass":     {Name: "pass", Label: "LUKS passphrase", Type: devices.TypePassword, Optional: true, Help: "empty: not encrypted; else libvirt keeps it in a private secret and opens the volume with it"},
		"pass2":    {Name: "pass2", Label: "Passphrase again", Type: devices.TypePassword, Optional: true, Help: "the same, to be sure"},
	}
	var out []devices.Field
	for _, n := range f.show {
		out = append(out, all[n])
	}
	return out
}

func (f *volForm) Get(name string) string {
	switch name {
	case "name":
		return f.Name
	case "format":
		return f.Format
	case "size":
		if f.Size == 0 {
			return ""
		}
		return devices.FormatSize(f.Size)
	case "backing":
		return f.Backing
	case "prealloc":
		return map[bool]string{true: "yes", false: "no"}[f.Prealloc]
	case "pool":
		return f.Pool
	case "pass":
		return f.Pass[0]
	case "pass2":
		return f.Pass[1]
	}
	return ""
}

func (f *volForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "name":
		if v == "" || strings.ContainsAny(v, "/") {
			return fmt.Errorf("invalid volume name %q: no '/'", v)
		}
		f.Name = v
	case "format", "pool":
		choices := map[string][]string{"format": f.formats, "pool": f.pools}[name]
		if !slices.Contains(choices, v) {
			return fmt.Errorf("one of %s", strings.Join(choices, ", "))
		}
		if name == "format" {
			f.Format = v
		} else {
			f.Pool = v
		}
	case "size":
		b, err := devices.ParseSize(v, "G")
		if err != nil {
			return err
		}
		if b == 0 {
			return fmt.Errorf("a size above 0, like 20G")
		}
		f.Size = b
	case "backing":
		if v != "" && !filepath.IsAbs(v) {
			return fmt.Errorf("a volume's full path, like /var/lib/libvirt/images/base.qcow2")
		}
		f.Backing = v
	case "pass", "pass2":
		f.Pass[map[string]int{"pass": 0, "pass2": 1}[name]] = v
	case "prealloc":
		b, err := parseYes(v)
		if err != nil {
			return err
		}
		f.Prealloc = b
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

func parseYes(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "y", "on", "true":
		return true, nil
	case "no", "n", "off", "false", "":
		return false, nil
	}
	return false, fmt.Errorf("yes or no")
}

// saved is a form's outcome: a refusal stays on the form; otherwise the
// pages of the pool read it again.
func saved(uri, text string, err error) tea.Msg {
	if err != nil {
		return formpage.Saved{Err: err}
	}
	done := objpage.Done{Kind: "pool", URI: uri, Text: text}
	return formpage.Saved{Text: text, Then: func() tea.Msg { return done }}
}

// newForm creates a volume in the pool; on a selected qcow2 volume it
// proposes an overlay's backing only when asked (the field stays empty).
func (p *volPage) newForm(pl libvirtx.Pool, _ *libvirtx.Volume) common.Page {
	f := &volForm{formats: libvirtx.VolFormats(pl.Type), show: []string{"name", "format", "size", "backing", "prealloc", "pass", "pass2"}, Size: 20 << 30}
	if len(f.formats) == 0 {
		f.formats = []string{"raw"}
	}
	f.Format = f.formats[0]
	if f.Format == "" { // the type's only kind: nothing to choose, no overlays
		f.show = []string{"name", "size"}
	}
	var backs []string
	for _, v := range p.list.Rows() {
		backs = append(backs, v.Path)
	}
	mgr, uri, pool := p.ctx.Mgr, p.uri, p.pool
	note := fmt.Sprintf("A new volume in %s (%s, %s free). ctrl+s creates it.", pool, pl.Type, widget.HumanBytes(float64(pl.Available)))
	return formpage.New(p.ctx, "New volume", note, form.New(f, map[string][]string{"backing": backs}), func() tea.Cmd {
		s := libvirtx.VolSpec{Name: f.Name, Format: f.Format, Capacity: f.Size, Backing: f.Backing, Prealloc: f.Prealloc, Passphrase: f.Pass[0]}
		return func() tea.Msg {
			if f.Pass[0] != f.Pass[1] {
				return saved(uri, "", fmt.Errorf("the two passphrases differ"))
			}
			return saved(uri, "created volume "+s.Name+" in "+pool, mgr.CreateVolume(uri, pool, s))
		}
	})
}

// resizeForm asks the new size; a smaller one is asked about again, as
// it loses the data past the new end.
func (p *volPage) resizeForm(v libvirtx.Volume) common.Page {
	f := &volForm{show: []string{"size"}, Size: v.Capacity}
	mgr := p.ctx.Mgr
	note := fmt.Sprintf("%s is %s. ctrl+s resizes it (a running VM's disk grows live; the guest may need to grow its partition).", v.Name, devices.ApproxSize(v.Capacity))
	return formpage.New(p.ctx, "Resize "+v.Name, note, form.New(f, nil), func() tea.Cmd {
		size := f.Size
		resize := func(shrink bool) tea.Msg {
			live, err := mgr.ResizeVolume(v.URI, v.Pool, v.Name, size, shrink)
			text := "resized " + v.Name + " to " + devices.ApproxSize(size)
			if live != "" {
				text += " (" + live + " sees it now)"
			}
			return objpage.Done{Kind: "pool", URI: v.URI, Text: widget.Choose(err == nil, text, "resizing "+v.Name), Err: err}
		}
		if size >= v.Capacity {
			return func() tea.Msg {
				done := resize(false).(objpage.Done)
				if done.Err != nil {
					return formpage.Saved{Err: done.Err}
				}
				return formpage.Saved{Text: done.Text, Then: func() tea.Msg { return done }}
			}
		}
		prompt := fmt.Sprintf("Shrink %s from %s to %s?\nEverything past the new end is lost; shrink the guest's filesystem first.", v.Name, devices.ApproxSize(v.Capacity), devices.ApproxSize(size))
		return func() tea.Msg {
			return formpage.Saved{Then: common.Ask(prompt, func() tea.Msg { return resize(true) })}
		}
	})
}

// cloneForm copies a volume under a new name, into any active pool of the
// host.
func (p *volPage) cloneForm(v libvirtx.Volume, all []libvirtx.Pool) common.Page {
	ext := filepath.Ext(v.Name)
	f := &volForm{show: []string{"name", "pool"}, Name: strings.TrimSuffix(v.Name, ext) + "-clone" + ext, Pool: v.Pool}
	for _, pl := range all {
		if pl.Active {
			f.pools = append(f.pools, pl.Name)
		}
	}
	mgr := p.ctx.Mgr
	note := fmt.Sprintf("A full copy of %s (%s). ctrl+s clones it.", v.Name, devices.ApproxSize(v.Capacity))
	return formpage.New(p.ctx, "Clone "+v.Name, note, form.New(f, nil), func() tea.Cmd {
		name, to := f.Name, f.Pool
		return func() tea.Msg {
			return saved(v.URI, "cloned "+v.Name+" to "+name+" in "+to, mgr.CloneVolume(v.URI, v.Pool, v.Name, name, to))
		}
	})
}
