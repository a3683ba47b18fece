package vmlist

import (
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// commandActions maps the command line's words (virsh's where it has one) to
// lifecycle actions.
var commandActions = map[string]libvirtx.Action{
	"start": libvirtx.Start, "restore": libvirtx.Start,
	"shutdown": libvirtx.Shutdown, "reboot": libvirtx.Reboot, "reset": libvirtx.Reset,
	"destroy": libvirtx.ForceOff, "off": libvirtx.ForceOff,
	"suspend": libvirtx.Pause, "pause": libvirtx.Pause, "resume": libvirtx.Resume,
	"managedsave": libvirtx.ManagedSave, "save": libvirtx.ManagedSave,
	"managedsave-remove": libvirtx.DiscardSave,
}

// CommandHelp is the list's part of the command line's reference.
func (m *Page) CommandHelp() [][2]string {
	return [][2]string{
		{"start|shutdown|reboot|reset|destroy [VM…]", "lifecycle (marked VMs or the selected one)"},
		{"suspend|resume|managedsave [VM…]", "pause, resume, save to disk"},
		{"managedsave-remove [VM…]", "discard a saved state"},
		{"autostart on|off [VM…]", "start with the host"},
		{"template on|off [VM…]", "mark VMs as templates to clone (asked before they start)"},
		{"rename NEWNAME", "rename the selected (shut off) VM"},
		{"delete [VM]", "delete a VM and choose its volumes"},
		{"sort COLUMN [asc|desc]", strings.Join(columnIDs(), " ")},
		{"filter TEXT", "same as /"},
	}
}

// Complete offers the list's command words, then VM names or columns.
func (m *Page) Complete(word string, _ []string) []string {
	var opts []string
	switch word {
	case "":
		opts = []string{"autostart", "template", "rename", "delete", "sort", "filter"}
		for w := range commandActions {
			opts = append(opts, w)
		}
	case "sort":
		opts = columnIDs()
	case "autostart", "template":
		opts = append([]string{"on", "off"}, m.names()...)
	case "delete", "undefine":
		opts = m.names()
	default:
		if _, ok := commandActions[word]; ok {
			opts = m.names()
		}
	}
	sort.Strings(opts)
	return opts
}

// names are the VMs' names, for completion.
func (m *Page) names() []string {
	out := make([]string, 0, len(m.list.rows))
	for _, r := range m.list.rows {
		out = append(out, r.dom.Name)
	}
	return out
}

// Command runs the list's commands; ok is false for other words.
func (m *Page) Command(word string, args []string) (tea.Cmd, bool) {
	fail := func(format string, a ...any) (tea.Cmd, bool) {
		m.ctx.SetMsg(fmt.Sprintf(format, a...), true)
		return nil, true
	}
	if a, ok := commandActions[word]; ok {
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args)
		if err != nil {
			return fail("%s: %v", word, err)
		}
		return m.act(a, doms), true
	}
	switch word {
	case "autostart":
		if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
			return fail("usage: autostart on|off [VM…]")
		}
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args[1:])
		if err != nil {
			return fail("autostart: %v", err)
		}
		a := libvirtx.AutostartOn
		if args[0] == "off" {
			a = libvirtx.AutostartOff
		}
		return m.act(a, doms), true
	case "template":
		if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
			return fail("usage: template on|off [VM…]")
		}
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args[1:])
		if err != nil {
			return fail("template: %v", err)
		}
		return setTemplate(m.mgr, doms, args[0] == "on"), true
	case "rename":
		if len(args) != 1 {
			return fail("usage: rename NEWNAME (renames the selected VM)")
		}
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms := m.list.targets()
		if len(doms) != 1 {
			return fail("rename: select exactly one VM")
		}
		return doRename(m.mgr, doms[0], args[0]), true
	case "delete", "undefine":
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args)
		if err != nil {
			return fail("delete: %v", err)
		}
		return m.beginDelete(doms), true
	case "sort":
		if len(args) == 0 || len(args) > 2 {
			return fail("usage: sort COLUMN [asc|desc]; columns: %s", strings.Join(columnIDs(), " "))
		}
		col, ok := columnByID(args[0])
		if !ok {
			return fail("unknown column %q; columns: %s", args[0], strings.Join(columnIDs(), " "))
		}
		desc := false
		if len(args) == 2 {
			switch args[1] {
			case "asc":
			case "desc":
				desc = true
			default:
				return fail("sort direction %q: expected asc or desc", args[1])
			}
		}
		m.list.setSort(col, desc)
	case "filter":
		m.list.setFilter(strings.Join(args, " "))
	default:
		return nil, false
	}
	return nil, true
}

// setTemplate marks VMs as templates, or takes the mark off.
func setTemplate(mgr *libvirtx.Manager, doms []libvirtx.Domain, on bool) tea.Cmd {
	return func() tea.Msg {
		for _, d := range doms {
			if err := mgr.SetTemplate(d.Ref, on); err != nil {
				return common.StatusMsg{Text: d.Name + ": " + err.Error(), Err: true}
			}
		}
		one, many := " is a template now: cloned with L, asked before it starts", " are templates now: cloned with L, asked before they start"
		if !on {
			one, many = " is a VM again, not a template", " are VMs again, not templates"
		}
		what := one
		if len(doms) > 1 {
			what = many
		}
		return common.StatusMsg{Text: names(domNames(doms)) + what}
	}
}
