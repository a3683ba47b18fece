package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

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

// commandHelp is the command line's reference, shown in the help overlay.
var commandHelp = [][2]string{
	{"start|shutdown|reboot|reset|destroy [VM…]", "lifecycle (marked VMs or the selected one)"},
	{"suspend|resume|managedsave [VM…]", "pause, resume, save to disk"},
	{"managedsave-remove [VM…]", "discard a saved state"},
	{"autostart on|off [VM…]", "start with the host"},
	{"rename NEWNAME", "rename the selected (shut off) VM"},
	{"delete [VM]", "delete a VM and choose its volumes"},
	{"connect URI / disconnect URI", "add or remove a connection"},
	{"sort COLUMN [asc|desc]", strings.Join(columnIDs(), " ")},
	{"filter TEXT", "same as /"},
	{"interval SECONDS", "stats interval (at least 1)"},
	{"quit", "leave kvmtui"},
}

func commandWords() []string {
	ws := []string{"autostart", "rename", "delete", "connect", "disconnect", "sort", "filter", "interval", "quit", "help"}
	for w := range commandActions {
		ws = append(ws, w)
	}
	ws = append(ws, perfCommandWords...)
	for _, e := range common.Entries() {
		ws = append(ws, e.Words...)
	}
	sort.Strings(ws)
	return ws
}

// suggestions completes the command word, then VM names, column names or URIs.
func (m *Model) suggestions(line string) []string {
	fields := strings.Fields(line)
	if len(fields) == 0 || (len(fields) == 1 && !strings.HasSuffix(line, " ")) {
		return commandWords()
	}
	prefix := strings.Join(fields[:len(fields)-1], " ") + " "
	if strings.HasSuffix(line, " ") {
		prefix = strings.Join(fields, " ") + " "
	}
	var opts []string
	switch fields[0] {
	case "threshold", "charts", "spark", "perf":
		opts = perfArgWords(fields[0])
	case "sort":
		opts = columnIDs()
	case "disconnect":
		opts = m.mgr.URIs()
	case "autostart":
		opts = []string{"on", "off"}
		fallthrough
	default:
		if e, ok := common.Lookup(fields[0]); ok {
			if e.Args != nil {
				opts = e.Args(m.ctx)
			}
			break
		}
		for _, r := range m.list.rows {
			opts = append(opts, r.dom.Name)
		}
	}
	sort.Strings(opts)
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = prefix + o
	}
	return out
}

// runCommand executes one command line.
func (m *Model) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	word, args := fields[0], fields[1:]
	fail := func(format string, a ...any) tea.Cmd {
		m.ctx.SetMsg(fmt.Sprintf(format, a...), true)
		return nil
	}
	if a, ok := commandActions[word]; ok {
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args)
		if err != nil {
			return fail("%s: %v", word, err)
		}
		return m.act(a, doms)
	}
	switch word {
	case "q", "quit", "exit":
		return tea.Quit
	case "help":
		m.mode = modeHelp
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
		return m.act(a, doms)
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
		return doRename(m.mgr, doms[0], args[0])
	case "delete", "undefine":
		if m.ctx.ReadOnly() {
			return fail("%s", libvirtx.ErrReadOnly)
		}
		doms, err := m.ctx.Resolve(args)
		if err != nil {
			return fail("delete: %v", err)
		}
		return m.beginDelete(doms)
	case "connect":
		if len(args) != 1 {
			return fail("usage: connect URI (e.g. qemu+ssh://root@host/system)")
		}
		if err := m.mgr.Add(args[0]); err != nil {
			return fail("connect: %v", err)
		}
		m.trackConn(args[0])
		m.ctx.SetMsg("connecting to "+args[0]+"…", false)
	case "disconnect":
		if len(args) != 1 {
			return fail("usage: disconnect URI")
		}
		if err := m.mgr.Remove(args[0]); err != nil {
			return fail("disconnect: %v", err)
		}
		m.list.dropConn(args[0])
		delete(m.ctx.Conns, args[0])
		m.ctx.SetMsg("disconnected from "+args[0], false)
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
	case "interval":
		if len(args) != 1 {
			return fail("usage: interval SECONDS")
		}
		secs, err := strconv.ParseFloat(args[0], 64)
		if err != nil || secs < common.MinInterval.Seconds() {
			return fail("interval %q: expected a number of seconds, at least %v", args[0], common.MinInterval.Seconds())
		}
		m.opts.Interval = time.Duration(secs * float64(time.Second))
		m.ctx.SetMsg(fmt.Sprintf("stats every %v", m.opts.Interval), false)
	default:
		if cmd, ok := m.perfCommand(word, args); ok {
			return cmd
		}
		if _, ok := common.Lookup(word); ok {
			return m.open(word, args)
		}
		return fail("unknown command %q: press ? for the list", word)
	}
	return nil
}
