package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"kvmtui/libvirtx"
)

// hdLayout holds the host devices list's column widths for one terminal
// width. Below 110 columns the IDs column goes (the footer has them).
type hdLayout struct {
	addr, ids, name, driver, group, verdict, used int
}

func hdLayoutFor(w int) hdLayout {
	l := hdLayout{addr: 16, ids: 9, driver: 13, group: 5, used: 20}
	gaps := 6
	if w < 110 {
		l.ids, l.driver, l.used = 0, 10, 13
		gaps = 5
	}
	flex := w - l.addr - l.ids - l.driver - l.group - l.used - gaps
	l.name = max(flex*3/5, 8)
	l.verdict = max(flex-l.name, 6)
	return l
}

func (l hdLayout) join(addr, ids, name, driver, group, verdict, used string) string {
	cells := []string{fit(addr, l.addr)}
	if l.ids > 0 {
		cells = append(cells, fit(ids, l.ids))
	}
	cells = append(cells, fit(name, l.name), fit(driver, l.driver), fit(group, l.group), fit(verdict, l.verdict), used)
	return strings.Join(cells, " ")
}

// hostdevView draws the view's body: the list, the selected device's
// details underneath, and the picker or a question over them.
func (m *Model) hostdevView() string {
	hd := m.hd
	h := m.bodyHeight()
	if hd.ask != nil {
		return m.overlay(m.hostdevBox(hd.ask.prompt + "\n\n" + m.theme.Key.Render("y") + " yes   " + m.theme.Key.Render("n/esc") + " no"))
	}
	if hd.pick != nil {
		return m.overlay(m.vmPickView())
	}
	lay := hdLayoutFor(m.width)
	label, uri := hd.uri, ""
	if c := m.conns[hd.uri]; c != nil {
		label, uri = c.label, "  ("+hd.uri+")"
	}
	var pci, usb int
	for _, d := range hd.devs {
		if d.Bus == "pci" {
			pci++
		} else {
			usb++
		}
	}
	// Counts before the URI: a long URI may be cut at the right edge.
	title := m.theme.Title.Render("Host devices on "+label) + m.theme.Dim.Render(fmt.Sprintf("  %d USB, %d PCI", usb, pci))
	if hd.loading {
		title += m.theme.Dim.Render("  reading…")
	}
	title += m.theme.Dim.Render(uri)
	lines := []string{fit(title, m.width), fit(m.theme.Header.Render(lay.join("ADDRESS", "IDS", "NAME", "DRIVER", "GROUP", "PASSTHROUGH", "USED BY")), m.width)}

	footer := m.hostdevFooter()
	listH := max(h-len(lines)-len(footer), 1)
	switch {
	case hd.err != "":
		lines = append(lines, fit(m.theme.Error.Render("  "+hd.err), m.width))
	case len(hd.rows) == 0 && hd.loading:
		lines = append(lines, m.theme.Dim.Render("  reading the host's devices…"))
	case len(hd.rows) == 0:
		lines = append(lines, m.theme.Dim.Render("  libvirt lists no PCI or USB device on this host"))
	}
	if hd.cursor < hd.offset {
		hd.offset = hd.cursor
	}
	if hd.cursor >= hd.offset+listH {
		hd.offset = hd.cursor - listH + 1
	}
	if hd.offset > 0 && hd.offset == hd.cursor-1 && hd.rows[hd.offset].header != "" {
		hd.offset-- // keep a section header in sight above its first device
	}
	end := min(hd.offset+listH, len(hd.rows))
	for i := hd.offset; i < end; i++ {
		lines = append(lines, m.hostdevLine(lay, i))
	}
	for len(lines) < h-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines[:h-len(footer)], footer...)
	return strings.Join(lines[:h], "\n")
}

func (m *Model) hostdevLine(lay hdLayout, i int) string {
	hd := m.hd
	r := hd.rows[i]
	if r.header != "" {
		name := "PCI devices"
		if r.header == "usb" {
			name = "USB devices"
		}
		return fit(m.theme.Title.Render(name), m.width)
	}
	d := hd.devs[r.dev]
	addr := "  " + d.Address
	if r.vf {
		addr = "  └ " + d.Address
	}
	// The product says most in a narrow column; the footer has the vendor.
	name := d.Product
	if name == "" || m.width >= 150 {
		name = d.Title()
	}
	driver, group, verdict := d.Driver, "", ""
	if driver == "" {
		driver = "—"
	}
	if d.Bus == "pci" {
		group = "—"
		if d.IOMMUGroup >= 0 {
			group = fmt.Sprint(d.IOMMUGroup)
		}
		verdict = d.Why
		switch {
		case d.Safe:
			verdict = "safe"
		case len(verdict) <= lay.verdict:
		case d.Bridge:
			verdict = "bridge"
		case d.IOMMUGroup < 0:
			verdict = "no IOMMU"
		default:
			verdict = "group shared"
		}
	}
	var used []string
	for _, u := range d.UsedBy {
		s := u.Name
		if u.Running {
			s += "*"
		}
		used = append(used, s)
	}
	if i == hd.cursor {
		return m.theme.Cursor.Render(fit(lay.join(addr, d.IDs(), name, driver, group, verdict, strings.Join(used, ",")), m.width))
	}
	if d.Bus == "pci" && !d.Safe {
		verdict = m.theme.Warn.Render(fit(verdict, lay.verdict))
	} else if d.Bus == "pci" {
		verdict = m.theme.OK.Render(verdict)
	}
	return fit(lay.join(addr, d.IDs(), name, driver, group, verdict, strings.Join(used, ",")), m.width)
}

// hostdevFooter describes the selected device in full, below a rule: five
// lines whatever the device.
func (m *Model) hostdevFooter() []string {
	const n = 5
	out := []string{m.theme.Dim.Render(strings.Repeat("─", m.width))}
	d := m.hd.selected()
	if d != nil {
		out = append(out, m.theme.Title.Render(d.Address)+" ["+d.IDs()+"] "+d.Title())
		driver := "driver: " + d.Driver
		switch d.Driver {
		case "":
			driver = "driver: none (unbound)"
		case "vfio-pci":
			driver = "driver: vfio-pci (detached from the host)"
		}
		if d.Bus == "usb" {
			bus, dev, _ := strings.Cut(d.Address, ":")
			out = append(out,
				"USB device, bus "+strings.TrimLeft(bus, "0")+" device "+strings.TrimLeft(dev, "0")+" · "+driver+" · "+d.Name,
				"USB needs no IOMMU group: libvirt hands the device to the VM when the VM starts")
		} else {
			cls := d.ClassName
			if cls == "" {
				cls = "class " + d.Class
			}
			out = append(out, cls+" · "+driver+" · "+d.Name)
			group := "no IOMMU group"
			if d.IOMMUGroup >= 0 {
				group = fmt.Sprintf("IOMMU group %d: %s", d.IOMMUGroup, strings.Join(d.Group, " "))
			}
			switch {
			case len(d.VFs) > 0 && d.MaxVFs > 0:
				group += fmt.Sprintf(" · SR-IOV physical function with %d of %d VFs", len(d.VFs), d.MaxVFs)
			case len(d.VFs) > 0:
				group += fmt.Sprintf(" · SR-IOV physical function with %d VFs", len(d.VFs))
			case d.PF != "":
				group += " · SR-IOV virtual function of " + d.PF
			}
			out = append(out, group)
			if d.Safe {
				out = append(out, m.theme.OK.Render("safe to pass: "+d.Why))
			} else {
				out = append(out, m.theme.Warn.Render("not safe to pass: "+d.Why))
			}
		}
		if len(d.UsedBy) > 0 {
			out = append(out, "used by "+usersText(d.UsedBy))
		} else {
			out = append(out, "used by no VM")
		}
	}
	for len(out) < n+1 {
		out = append(out, "")
	}
	for i := range out[1:] {
		out[i+1] = fit(out[i+1], m.width)
	}
	return out
}

// hostdevBox is a question or picker box, wrapped to the terminal.
func (m *Model) hostdevBox(body string) string {
	return m.theme.Box.Width(min(m.width-4, 84)).Render(body)
}

func (m *Model) vmPickView() string {
	p := m.hd.pick
	lines := []string{"Attach " + devLabel(p.dev) + " to which VM?"}
	if p.warn != "" {
		lines = append(lines, m.theme.Warn.Render(p.warn))
	}
	lines = append(lines, "")
	room := max(m.bodyHeight()-len(lines)-8, 3)
	start := max(0, min(p.cursor-room/2, len(p.vms)-room))
	end := min(start+room, len(p.vms))
	if start > 0 {
		lines = append(lines, m.theme.Dim.Render(fmt.Sprintf("  ↑ %d more", start)))
	}
	for i := start; i < end; i++ {
		vm := p.vms[i]
		line := fmt.Sprintf("%-24s %-9s", vm.Name, stateWord(vm))
		if p.why[i] != "" {
			line = m.theme.Dim.Render(line + " " + p.why[i])
		}
		if i == p.cursor {
			line = m.theme.Cursor.Render("> " + line)
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if end < len(p.vms) {
		lines = append(lines, m.theme.Dim.Render(fmt.Sprintf("  ↓ %d more", len(p.vms)-end)))
	}
	lines = append(lines, "", m.theme.Key.Render("↑/↓")+" choose   "+m.theme.Key.Render("enter")+" attach   "+m.theme.Key.Render("esc")+" cancel")
	return m.hostdevBox(strings.Join(lines, "\n"))
}

// hostdevHints is the bottom line while the view is open.
func (m *Model) hostdevHints() string {
	hd, k := m.hd, m.hk
	var bs []key.Binding
	switch {
	case hd.ask != nil:
		bs = []key.Binding{k.ConfirmYes, k.ConfirmNo}
	case hd.pick != nil:
		bs = []key.Binding{k.Up, k.Down, k.PickAttach, k.PickCancel}
	default:
		connected := 0
		for _, c := range m.conns {
			if c.status == libvirtx.Connected {
				connected++
			}
		}
		for _, b := range k.hints(m.readOnly()) {
			if connected > 1 || b.Help().Key != k.NextHost.Help().Key {
				bs = append(bs, b)
			}
		}
		bs = append(bs, m.gk.Help)
	}
	// The bottom line has room for a word each; the help has the rest.
	short := map[string]string{"d": "detach", "r": "reattach", "a": "attach to VM", "tab": "next host", "ctrl+r": "reload", "esc": "back"}
	parts := make([]string, len(bs))
	for i, b := range bs {
		desc := b.Help().Desc
		if s, ok := short[b.Help().Key]; ok && hd.ask == nil && hd.pick == nil {
			desc = s
		}
		parts[i] = m.theme.Key.Render(b.Help().Key) + " " + desc
	}
	return fit(strings.Join(parts, "  "), m.width)
}
