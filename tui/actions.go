package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
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
