package details

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/form"
)

// sectionForm edits one section of the domain-level settings (CPUs,
// Memory, Boot & firmware…) on a copy of the persistent definition.
type sectionForm struct {
	id string
	s  *devices.Settings
}

func (f *sectionForm) Fields() []devices.Field { return f.s.Fields(f.id) }
func (f *sectionForm) Get(name string) string  { return f.s.Get(name) }
func (f *sectionForm) Set(name, v string) error {
	return f.s.Set(name, v)
}
func (f *sectionForm) Snapshot() (func(), error) { return f.s.Snapshot() }

// newSectionForm opens a section over a copy of the definition, so typing
// never touches the one the tree shows.
func (d *Page) newSectionForm(id string) (*sectionForm, error) {
	raw, err := d.def.Marshal()
	if err != nil {
		return nil, err
	}
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(raw); err != nil {
		return nil, err
	}
	return &sectionForm{id: id, s: &devices.Settings{Def: def, Autostart: d.dom.Autostart, Caps: d.caps}}, nil
}

// applySettings applies a section's changes: fields with a libvirt call of
// their own go through it (live when the VM runs); the rest through one
// guarded redefine, first, so a raised maximum is in place before a current
// value that needs it.
func (d *Page) applySettings(sf *sectionForm, changed []*form.Field) tea.Cmd {
	ref, mgr := d.dom.Ref, d.ctx.Mgr
	hostCPUs := 0
	if c := d.ctx.Conns[ref.URI]; c != nil {
		hostCPUs = c.Host.CPUs
	}
	var redefine, calls []devices.Field
	values := map[string]string{}
	for _, ff := range changed {
		values[ff.Name] = sf.s.Get(ff.Name)
		if devices.SettingCall(ff.Name) == "" {
			redefine = append(redefine, ff.Field)
		} else {
			calls = append(calls, ff.Field)
		}
	}
	if err := sf.s.Check(); err != nil {
		d.ctx.SetMsg(err.Error(), true)
		return nil
	}
	return func() tea.Msg {
		var applied libvirtx.Applied
		merge := func(a libvirtx.Applied) {
			applied.Live = applied.Live || a.Live
			applied.Config = applied.Config || a.Config
			applied.Running = applied.Running || a.Running
		}
		if len(redefine) > 0 {
			a, err := mgr.Redefine(ref, func(def *libvirtxml.Domain) error {
				s := &devices.Settings{Def: def}
				for _, f := range redefine {
					if err := s.Set(f.Name, values[f.Name]); err != nil {
						return err
					}
				}
				return s.Check()
			})
			if err != nil {
				return detailsAppliedMsg{what: "settings", err: err}
			}
			merge(a)
		}
		for _, f := range calls {
			a, err := settingCall(mgr, ref, f.Name, values[f.Name], hostCPUs)
			if err != nil {
				return detailsAppliedMsg{what: strings.ToLower(f.Label), err: err}
			}
			merge(a)
		}
		return detailsAppliedMsg{what: "settings", applied: applied}
	}
}

// settingCall makes a change through the libvirt call that field has.
func settingCall(mgr *libvirtx.Manager, ref libvirtx.Ref, name, value string, hostCPUs int) (libvirtx.Applied, error) {
	switch name {
	case "title":
		return mgr.SetTitle(ref, value)
	case "description":
		return mgr.SetDescription(ref, value)
	case "autostart":
		a := libvirtx.AutostartOff
		if form.IsYes(value) {
			a = libvirtx.AutostartOn
		}
		return libvirtx.Applied{Live: true, Config: true}, mgr.Do(ref, a)
	case "vcpus":
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return libvirtx.Applied{}, err
		}
		return mgr.SetVCPUs(ref, uint(n), false)
	case "memory":
		b, err := devices.ParseSize(value, "MiB")
		if err != nil {
			return libvirtx.Applied{}, err
		}
		return mgr.SetMemory(ref, b/1024, false)
	case "vcpu_pins":
		var a libvirtx.Applied
		for _, pin := range strings.Split(value, ";") {
			vcpu, cpus, ok := strings.Cut(strings.TrimSpace(pin), "=")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(strings.TrimSpace(vcpu), 10, 32)
			if err != nil {
				return a, fmt.Errorf("vCPU %q: %w", vcpu, err)
			}
			list, err := devices.ParseCPUList(strings.TrimSpace(cpus), max(hostCPUs, 1))
			if err != nil {
				return a, err
			}
			if a, err = mgr.PinVCPU(ref, uint(n), list, max(hostCPUs, 1)); err != nil {
				return a, err
			}
		}
		return a, nil
	}
	return libvirtx.Applied{}, errors.New("no libvirt call for " + name)
}
