package vmlist

import (
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// deleteDialog lists a VM's storage with a checkbox each; only managed,
// writable, unshared volumes can be chosen, and they are chosen by default.
type deleteDialog struct {
	plan   *libvirtx.DeletePlan
	choose []bool
	cursor int
}

func newDeleteDialog(p *libvirtx.DeletePlan) *deleteDialog {
	d := &deleteDialog{plan: p, choose: make([]bool, len(p.Disks))}
	for i, dk := range p.Disks {
		d.choose[i] = dk.Delete
	}
	return d
}

func (d *deleteDialog) chosen() []string {
	var out []string
	for i, dk := range d.plan.Disks {
		if d.choose[i] {
			out = append(out, dk.Path)
		}
	}
	return out
}

func (m *Page) handleDelete(msg tea.KeyMsg) tea.Cmd {
	d := m.del
	switch msg.String() {
	case "up", "k":
		d.cursor = max(d.cursor-1, 0)
	case "down", "j":
		d.cursor = min(d.cursor+1, len(d.plan.Disks)-1)
	case " ", "x":
		if len(d.plan.Disks) > 0 {
			dk := d.plan.Disks[d.cursor]
			if dk.Managed && dk.Path != "" {
				d.choose[d.cursor] = !d.choose[d.cursor]
			} else {
				m.ctx.SetMsg(dk.Target+": "+dk.Why, true)
			}
		}
	case "y", "Y":
		m.del, m.mode = nil, modeList
		m.ctx.SetMsg("deleting "+d.plan.Name+"…", false)
		return doDelete(m.mgr, d.plan.Ref, d.chosen())
	case "n", "N", "esc", "q":
		m.del, m.mode = nil, modeList
		m.ctx.SetMsg("cancelled", false)
	}
	return nil
}

func (m *Page) deleteView() string {
	d, t := m.del, m.ctx.Theme
	var b strings.Builder
	fmt.Fprintf(&b, "Delete %s from %s?\n", t.Title.Render(d.plan.Name), m.ctx.Label(d.plan.URI))
	if d.plan.Active {
		b.WriteString(t.Warn.Render("It is running and will be forced off first.") + "\n")
	}
	b.WriteString("Its managed save, snapshot metadata and NVRAM go with it.\n\n")
	if len(d.plan.Disks) == 0 {
		b.WriteString("It has no storage.\n")
	} else {
		b.WriteString("Also delete these volumes:\n")
	}
	for i, dk := range d.plan.Disks {
		box := "[ ]"
		if d.choose[i] {
			box = "[x]"
		}
		if !dk.Managed || dk.Path == "" {
			box = "[-]"
		}
		line := fmt.Sprintf("%s %-4s %-6s %s", box, dk.Target, dk.Device, dk.Path)
		if dk.Why != "" {
			line += t.Dim.Render("  (" + dk.Why + ")")
		}
		if i == d.cursor {
			line = t.Cursor.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + t.Key.Render("space") + " toggle   " + t.Key.Render("y") + " delete   " + t.Key.Render("n/esc") + " cancel")
	return t.Box.Render(b.String())
}

func deleteSummary(msg deleteDoneMsg) string {
	if msg.err != nil {
		return fmt.Sprintf("delete %s: %v", msg.name, msg.err)
	}
	s := "deleted " + msg.name
	if n := len(msg.res.Deleted); n > 0 {
		s += fmt.Sprintf(" and %d %s", n, widget.Plural(n, "volume", "volumes"))
	}
	if len(msg.res.Failed) > 0 {
		paths := make([]string, 0, len(msg.res.Failed))
		for p := range msg.res.Failed {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			s += fmt.Sprintf("; could not delete %s: %s", p, msg.res.Failed[p])
		}
	}
	return s
}
