package hostdev

import (
	"fmt"
	"kvmtui/tui/widget"
	"strings"

	"github.com/charmbracelet/bubbles/key"
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
	cells := []string{widget.Fit(addr, l.addr)}
	if l.ids > 0 {
		cells = append(cells, widget.Fit(ids, l.ids))
	}
	cells = append(cells, widget.Fit(name, l.name), widget.Fit(driver, l.driver), widget.Fit(group, l.group), widget.Fit(verdict, l.verdict), used)
	return strings.Join(cells, " ")
}

// hostdevView draws the view's body: the list, the selected device's
// details underneath, and the picker or a question over them.
func (hd *Page) View() string {
	switch {
	case hd.ask != nil:
		return widget.Over(hd.ctx.Theme, hd.list(), hd.hostdevBox(hd.ask.Body(hd.ctx.Theme)), hd.ctx.Width, hd.ctx.BodyHeight())
	case hd.pick != nil:
		return widget.Over(hd.ctx.Theme, hd.list(), hd.vmPickView(), hd.ctx.Width, hd.ctx.BodyHeight())
	}
	return hd.list()
}

// list is the devices with the selected one's details underneath.
func (hd *Page) list() string {
	h := hd.ctx.BodyHeight()
	lay := hdLayoutFor(hd.ctx.Width)
	label, uri := hd.uri, ""
	if c := hd.ctx.Conns[hd.uri]; c != nil {
		label, uri = c.Label, "  ("+hd.uri+")"
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
	title := hd.ctx.Theme.Title.Render("Host devices on "+label) + hd.ctx.Theme.Dim.Render(fmt.Sprintf("  %d USB, %d PCI", usb, pci))
	if hd.loading {
		title += hd.ctx.Theme.Dim.Render("  reading…")
	}
	title += hd.ctx.Theme.Dim.Render(uri)
	lines := []string{widget.Fit(title, hd.ctx.Width), widget.Fit(hd.ctx.Theme.Header.Render(lay.join("ADDRESS", "IDS", "NAME", "DRIVER", "GROUP", "PASSTHROUGH", "USED BY")), hd.ctx.Width)}

	footer := hd.hostdevFooter()
	listH := max(h-len(lines)-len(footer), 1)
	switch {
	case hd.err != "":
		lines = append(lines, widget.Fit(hd.ctx.Theme.Error.Render("  "+hd.err), hd.ctx.Width))
	case len(hd.rows) == 0 && hd.loading:
		lines = append(lines, hd.ctx.Theme.Dim.Render("  reading the host's devices…"))
	case len(hd.rows) == 0:
		lines = append(lines, hd.ctx.Theme.Dim.Render("  libvirt lists no PCI or USB device on this host"))
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
		lines = append(lines, hd.hostdevLine(lay, i))
	}
	for len(lines) < h-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines[:h-len(footer)], footer...)
	return strings.Join(lines[:h], "\n")
}

func (hd *Page) hostdevLine(lay hdLayout, i int) string {
	r := hd.rows[i]
	if r.header != "" {
		name := "PCI devices"
		if r.header == "usb" {
			name = "USB devices"
		}
		return widget.Fit(hd.ctx.Theme.Title.Render(name), hd.ctx.Width)
	}
	d := hd.devs[r.dev]
	addr := "  " + d.Address
	if r.vf {
		addr = "  └ " + d.Address
	}
	// The product says most in a narrow column; the footer has the vendor.
	name := d.Product
	if name == "" || hd.ctx.Width >= 150 {
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
		return hd.ctx.Theme.Cursor.Render(widget.Fit(lay.join(addr, d.IDs(), name, driver, group, verdict, strings.Join(used, ",")), hd.ctx.Width))
	}
	if d.Bus == "pci" && !d.Safe {
		verdict = hd.ctx.Theme.Warn.Render(widget.Fit(verdict, lay.verdict))
	} else if d.Bus == "pci" {
		verdict = hd.ctx.Theme.OK.Render(verdict)
	}
	return widget.Fit(lay.join(addr, d.IDs(), name, driver, group, verdict, strings.Join(used, ",")), hd.ctx.Width)
}

// hostdevFooter describes the selected device in full, below a rule: five
// lines whatever the device.
func (hd *Page) hostdevFooter() []string {
	const n = 5
	out := []string{hd.ctx.Theme.Dim.Render(strings.Repeat("─", hd.ctx.Width))}
	d := hd.selected()
	if d != nil {
		out = append(out, hd.ctx.Theme.Title.Render(d.Address)+" ["+d.IDs()+"] "+d.Title())
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
				out = append(out, hd.ctx.Theme.OK.Render("safe to pass: "+d.Why))
			} else {
				out = append(out, hd.ctx.Theme.Warn.Render("not safe to pass: "+d.Why))
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
		out[i+1] = widget.Fit(out[i+1], hd.ctx.Width)
	}
	return out
}

// hostdevBox is a question or picker box, wrapped to the terminal.
func (hd *Page) hostdevBox(body string) string {
	return hd.ctx.Theme.Box.Width(min(hd.ctx.Width-4, 84)).Render(body)
}

func (hd *Page) vmPickView() string {
	p := hd.pick
	lines := []string{"Attach " + devLabel(p.dev) + " to which VM?"}
	if p.warn != "" {
		lines = append(lines, hd.ctx.Theme.Warn.Render(p.warn))
	}
	lines = append(lines, "")
	room := max(hd.ctx.BodyHeight()-len(lines)-8, 3)
	start := max(0, min(p.cursor-room/2, len(p.vms)-room))
	end := min(start+room, len(p.vms))
	if start > 0 {
		lines = append(lines, hd.ctx.Theme.Dim.Render(fmt.Sprintf("  ↑ %d more", start)))
	}
	for i := start; i < end; i++ {
		vm := p.vms[i]
		line := fmt.Sprintf("%-24s %-9s", vm.Name, widget.StateWord(vm))
		if p.why[i] != "" {
			line = hd.ctx.Theme.Dim.Render(line + " " + p.why[i])
		}
		if i == p.cursor {
			line = hd.ctx.Theme.Cursor.Render("> " + line)
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if end < len(p.vms) {
		lines = append(lines, hd.ctx.Theme.Dim.Render(fmt.Sprintf("  ↓ %d more", len(p.vms)-end)))
	}
	lines = append(lines, "", hd.ctx.Theme.Key.Render("↑/↓")+" choose   "+hd.ctx.Theme.Key.Render("enter")+" attach   "+hd.ctx.Theme.Key.Render("esc")+" cancel")
	return hd.hostdevBox(strings.Join(lines, "\n"))
}

// hostdevHints is the bottom line while the view is open.
func (hd *Page) Hints() string {
	k := hd.keys
	var bs []key.Binding
	switch {
	case hd.ask != nil:
		bs = []key.Binding{k.ConfirmYes, k.ConfirmNo}
	case hd.pick != nil:
		bs = []key.Binding{k.Up, k.Down, k.PickAttach, k.PickCancel}
	default:
		connected := len(hd.ctx.Connected())
		for _, b := range k.hints(hd.ctx.ReadOnly()) {
			if connected > 1 || b.Help().Key != k.NextHost.Help().Key {
				bs = append(bs, b)
			}
		}
		bs = append(bs, hd.ctx.Keys.Help)
	}
	// The bottom line has room for a word each; the help has the rest.
	short := map[string]string{"d": "detach", "r": "reattach", "a": "attach to VM", "tab": "next host", "ctrl+r": "reload", "esc": "back"}
	parts := make([]string, len(bs))
	for i, b := range bs {
		desc := b.Help().Desc
		if s, ok := short[b.Help().Key]; ok && hd.ask == nil && hd.pick == nil {
			desc = s
		}
		parts[i] = hd.ctx.Theme.Key.Render(b.Help().Key) + " " + desc
	}
	return widget.Fit(strings.Join(parts, "  "), hd.ctx.Width)
}
