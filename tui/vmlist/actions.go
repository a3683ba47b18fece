package vmlist

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// actionDoneMsg reports the outcome of an action on one or more VMs.
type actionDoneMsg struct {
	text string
	err  error
}

// verb is how an action reads in messages and confirmations.
var verbs = map[libvirtx.Action][2]string{ // present, past
	libvirtx.Start:        {"start", "started"},
	libvirtx.Shutdown:     {"shut down", "asked to shut down"},
	libvirtx.Reboot:       {"reboot", "asked to reboot"},
	libvirtx.Reset:        {"reset", "reset"},
	libvirtx.ForceOff:     {"force off", "forced off"},
	libvirtx.Pause:        {"pause", "paused"},
	libvirtx.Resume:       {"resume", "resumed"},
	libvirtx.ManagedSave:  {"save (managed save)", "saved"},
	libvirtx.DiscardSave:  {"discard the saved state of", "discarded the saved state of"},
	libvirtx.AutostartOn:  {"enable autostart for", "autostart enabled for"},
	libvirtx.AutostartOff: {"disable autostart for", "autostart disabled for"},
}

// confirmFirst are the actions that lose guest state or interrupt a guest.
var confirmFirst = map[libvirtx.Action]bool{
	libvirtx.Shutdown: true, libvirtx.Reboot: true, libvirtx.Reset: true,
	libvirtx.ForceOff: true, libvirtx.ManagedSave: true, libvirtx.DiscardSave: true,
}

// doAction runs a on every domain in doms, in order, inside a tea.Cmd.
func doAction(mgr *libvirtx.Manager, a libvirtx.Action, doms []libvirtx.Domain) tea.Cmd {
	return func() tea.Msg {
		var ok []string
		var errs []string
		for _, d := range doms {
			if err := mgr.Do(d.Ref, a); err != nil {
				errs = append(errs, fmt.Sprintf("%s %s: %v", verbs[a][0], d.Name, err))
				continue
			}
			ok = append(ok, d.Name)
		}
		msg := actionDoneMsg{}
		if len(ok) > 0 {
			msg.text = fmt.Sprintf("%s %s", verbs[a][1], names(ok))
		}
		if len(errs) > 0 {
			msg.err = fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return msg
	}
}

// names lists a few names and counts the rest.
func names(ns []string) string {
	if len(ns) <= 3 {
		return strings.Join(ns, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ns[:3], ", "), len(ns)-3)
}

func domNames(doms []libvirtx.Domain) []string {
	out := make([]string, len(doms))
	for i, d := range doms {
		out[i] = d.Name
	}
	return out
}

// pauseOrResume resumes paused VMs and pauses the others.
func pauseOrResume(doms []libvirtx.Domain) libvirtx.Action {
	for _, d := range doms {
		if d.State != libvirtx.StatePaused {
			return libvirtx.Pause
		}
	}
	return libvirtx.Resume
}

// autostartToggle turns autostart on unless every VM has it already.
func autostartToggle(doms []libvirtx.Domain) libvirtx.Action {
	for _, d := range doms {
		if !d.Autostart {
			return libvirtx.AutostartOn
		}
	}
	return libvirtx.AutostartOff
}

type renameDoneMsg struct {
	from, to string
	err      error
}

func doRename(mgr *libvirtx.Manager, d libvirtx.Domain, to string) tea.Cmd {
	return func() tea.Msg {
		return renameDoneMsg{from: d.Name, to: to, err: mgr.Rename(d.Ref, to)}
	}
}

type planMsg struct {
	plan *libvirtx.DeletePlan
	err  error
}

func planDelete(mgr *libvirtx.Manager, d libvirtx.Domain) tea.Cmd {
	return func() tea.Msg {
		p, err := mgr.PlanDelete(d.Ref)
		return planMsg{plan: p, err: err}
	}
}

type deleteDoneMsg struct {
	name string
	res  libvirtx.DeleteResult
	err  error
}

func doDelete(mgr *libvirtx.Manager, ref libvirtx.Ref, vols []string) tea.Cmd {
	return func() tea.Msg {
		res, err := mgr.Delete(ref, vols)
		return deleteDoneMsg{name: ref.Name, res: res, err: err}
	}
}

// handleActionKey maps lifecycle keys to actions on the targeted VMs.
func (m *Page) handleActionKey(msg tea.KeyMsg) tea.Cmd {
	k := m.lk
	isAction := false
	for _, b := range k.mutating() {
		isAction = isAction || key.Matches(msg, b)
	}
	if !isAction {
		return nil
	}
	if m.ctx.ReadOnly() {
		m.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		return nil
	}
	doms := m.list.targets()
	if len(doms) == 0 {
		m.ctx.SetMsg("no VM selected", true)
		return nil
	}
	switch {
	case key.Matches(msg, k.Start):
		if len(templates(doms)) > 0 {
			return m.act(libvirtx.Start, doms) // asks first
		}
		if cmd := m.paneStart(doms); cmd != nil { // boot shown in the console pane
			return cmd
		}
		return m.act(libvirtx.Start, doms)
	case key.Matches(msg, k.Shutdown):
		return m.act(libvirtx.Shutdown, doms)
	case key.Matches(msg, k.Reboot):
		return m.act(libvirtx.Reboot, doms)
	case key.Matches(msg, k.Reset):
		return m.act(libvirtx.Reset, doms)
	case key.Matches(msg, k.ForceOff):
		return m.act(libvirtx.ForceOff, doms)
	case key.Matches(msg, k.Pause):
		return m.act(pauseOrResume(doms), doms)
	case key.Matches(msg, k.Save):
		return m.act(libvirtx.ManagedSave, doms)
	case key.Matches(msg, k.Autostart):
		return m.act(autostartToggle(doms), doms)
	case key.Matches(msg, k.Rename):
		return m.beginRename(doms)
	case key.Matches(msg, k.Delete):
		return m.beginDelete(doms)
	case key.Matches(msg, k.EditXML):
		if len(doms) != 1 {
			m.ctx.SetMsg("edit one VM at a time: clear the marks (esc) first", true)
			return nil
		}
		return common.Open("edit")
	}
	return nil
}

// templates names the templates among doms.
func templates(doms []libvirtx.Domain) []string {
	var out []string
	for _, d := range doms {
		if d.Template {
			out = append(out, d.Name)
		}
	}
	return out
}

// act runs an action now, or after a confirmation for the disruptive ones.
func (m *Page) act(a libvirtx.Action, doms []libvirtx.Domain) tea.Cmd {
	run := doAction(m.mgr, a, doms)
	if t := templates(doms); a == libvirtx.Start && len(t) > 0 {
		if len(doms) == 1 {
			return common.Ask("Start template "+t[0]+"? Its linked clones read its disks.", run)
		}
		return common.Ask(fmt.Sprintf("Start %d VMs? Templates (their linked clones read their disks): %s", len(doms), names(t)), run)
	}
	if !confirmFirst[a] {
		m.ctx.SetMsg(fmt.Sprintf("%s %s…", verbs[a][0], names(domNames(doms))), false)
		return run
	}
	return common.Ask(fmt.Sprintf("%s %s?", capitalize(verbs[a][0]), names(domNames(doms))), run)
}

func (m *Page) beginRename(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.ctx.SetMsg("rename one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	if d := doms[0]; d.State != libvirtx.StateShutoff {
		m.ctx.SetMsg(fmt.Sprintf("%s is %s: libvirt renames only a shut-off VM (S shuts it down)", d.Name, widget.StateWord(d)), true)
		return nil
	}
	m.renaming = doms[0]
	m.startInput(modeRename, "rename "+doms[0].Name+" to: ", doms[0].Name)
	return nil
}

func (m *Page) beginDelete(doms []libvirtx.Domain) tea.Cmd {
	if len(doms) != 1 {
		m.ctx.SetMsg("delete one VM at a time: clear the marks (esc) first", true)
		return nil
	}
	m.ctx.SetMsg("reading the storage of "+doms[0].Name+"…", false)
	return planDelete(m.mgr, doms[0])
}
