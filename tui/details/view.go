package details

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// View draws the tree and the selected node side by side; below 100
// columns the tree narrows to a third of the width.
func (d *Page) View() string {
	t := d.ctx.Theme
	h := d.ctx.BodyHeight()
	if d.loading && d.def == nil {
		return widget.Fit(t.Dim.Render("  reading the definition of "+d.dom.Name+"…"), d.ctx.Width) + strings.Repeat("\n", h-1)
	}
	if d.def == nil {
		return widget.Fit(t.Dim.Render("  no definition could be read (esc goes back)"), d.ctx.Width) + strings.Repeat("\n", h-1)
	}
	treeW := min(max(d.ctx.Width/3, 22), 80) // grows with the terminal: disk paths need room
	formW := d.ctx.Width - treeW - 3
	left := d.treeLines(treeW, h)
	var right []string
	switch {
	case d.confirm != nil:
		right = []string{t.Warn.Render(d.confirm.Prompt), "", t.Key.Render("y") + " yes   " + t.Key.Render("n/esc") + " no"}
	case d.leave != "":
		right = []string{t.Warn.Render(d.leave), "", t.Key.Render("y") + " yes, discard   " + t.Key.Render("n/esc") + " no, stay"}
	case d.picker != nil:
		right = d.pickerLines(formW, h)
	default:
		right = d.nodeLines(formW, h)
	}
	lines := make([]string, h)
	for i := range lines {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		lines[i] = widget.Fit(l, treeW) + " │ " + widget.Fit(r, formW)
	}
	return strings.Join(lines, "\n")
}

func (d *Page) treeLines(w, h int) []string {
	t := d.ctx.Theme
	title := d.dom.Name + " · " + widget.StateWord(d.dom)
	out := []string{t.Title.Render(widget.Fit(title, w))}
	start := max(0, d.cursor-(h-2))
	for i := start; i < len(d.nodes) && len(out) < h; i++ {
		n := d.nodes[i]
		var line string
		switch n.kind {
		case nodeGroup:
			line = t.Header.Render(n.label)
		default:
			line = "  " + n.label
			if n.kind == nodeDevice {
				line = "  " + n.label
			}
			if n.pending {
				line = "↻ " + n.label
			}
		}
		line = widget.Fit(line, w)
		if i == d.cursor {
			if d.inForm {
				line = t.Marked.Render(line)
			} else {
				line = t.Cursor.Render(line)
			}
		}
		out = append(out, line)
	}
	return out
}

func (d *Page) nodeLines(w, h int) []string {
	t := d.ctx.Theme
	n := d.nodes[d.cursor]
	running := d.dom.State.Active()
	var out []string
	if d.adding != nil {
		out = append(out, t.Title.Render("New "+strings.ToLower(d.adding.Kind.Title)), "")
		if why := d.adding.Hotplug(); running && why != "" {
			out = append(out, t.Warn.Render(widget.Fit(why, w)))
		}
		out = append(out, d.form.View(t, w, false)...)
		out = append(out, "", t.Dim.Render("ctrl+s add   esc discard"))
		return out
	}
	switch n.kind {
	case nodeOverview:
		out = append(out, d.overviewInfo(w)...)
		if d.form != nil {
			out = append(out, "")
			out = append(out, d.form.View(t, w, running)...)
		}
	case nodeSection:
		out = append(out, t.Title.Render(n.label))
		if d.form != nil {
			out = append(out, d.form.View(t, w, running)...)
		}
	case nodeDevice:
		it := d.items[n.item]
		out = append(out, t.Title.Render(it.Kind.Title))
		if n.pending {
			out = append(out, t.Warn.Render(widget.Fit("changed for the next boot: the running VM still has the old settings", w)))
		}
		if d.showXML {
			x, err := it.XML()
			if err != nil {
				x = err.Error()
			}
			out = append(out, t.Dim.Render("XML of this device (x: back to the form)"))
			out = append(out, strings.Split(widget.HideSecrets(x), "\n")...)
			return out
		}
		if d.form != nil {
			out = append(out, d.form.View(t, w, running)...)
		}
	case nodeXML:
		lines := strings.Split(widget.HideSecrets(d.liveXML), "\n")
		d.scroll = min(d.scroll, max(len(lines)-(h-1), 0))
		title := "XML (the definition, read-only here; e edits it)"
		if d.dom.State.Active() {
			title = "XML (running definition, read-only; e edits the persistent one)"
		}
		out = append(out, t.Title.Render(title))
		for _, l := range lines[d.scroll:min(len(lines), d.scroll+h-1)] {
			out = append(out, l)
		}
		return out
	}
	if d.capsNote != "" {
		out = append(out, "", t.Dim.Render(widget.Fit(d.capsNote, w)))
	}
	if d.form != nil {
		hint := "enter edit"
		if d.inForm {
			hint = "ctrl+s apply   ctrl+r revert   esc back to the tree"
			if d.form.Dirty() {
				hint = "* unapplied   " + hint
			}
		}
		out = append(out, "", t.Dim.Render(hint))
	}
	if n.kind == nodeOverview && d.shot != nil {
		out = append(out, "", infoRow("Screen", "V shows it whole", w))
		for _, l := range d.thumbLines(w-2, h-len(out)) {
			out = append(out, "  "+l)
		}
	}
	return out
}

// infoRow is one of the Overview's facts: a name, then its value.
func infoRow(k, v string, w int) string { return widget.Fit(fmt.Sprintf("%-13s %s", k, v), w) }

// overviewInfo is what virt-manager's Overview shows besides the editable
// title and description.
func (d *Page) overviewInfo(w int) []string {
	def := d.def
	row := func(k, v string) string { return infoRow(k, v, w) }
	var arch, machine, firmware string
	if def.OS != nil {
		if def.OS.Type != nil {
			arch, machine = def.OS.Type.Arch, def.OS.Type.Machine
		}
		firmware = "BIOS"
		if def.OS.Firmware == "efi" || (def.OS.Loader != nil && def.OS.Loader.Type == "pflash") {
			firmware = "UEFI"
			if def.OS.Loader != nil && def.OS.Loader.Secure == "yes" {
				firmware += " with Secure Boot"
			}
		}
		if def.OS.Kernel != "" {
			firmware = "direct kernel boot (" + def.OS.Kernel + ")"
		}
	}
	emulator := ""
	if def.Devices != nil {
		emulator = def.Devices.Emulator
	}
	out := []string{
		row("Name", d.dom.Name),
		row("UUID", d.dom.UUID),
		row("State", widget.StateWord(d.dom)),
		row("Hypervisor", def.Type),
		row("Architecture", arch),
		row("Machine", machine),
		row("Emulator", emulator),
		row("Firmware", firmware),
		row("OS", orDash(d.dom.OS)),
		row("IP addresses", orDash(strings.Join(d.dom.IPs, ", "))),
	}
	if d.dom.State == libvirtx.StateRunning {
		out = append(out, row("vCPUs", fmt.Sprintf("%d", d.dom.VCPUs)), row("Memory", widget.HumanBytes(float64(d.dom.MemoryKiB)*1024)))
	}
	return append(out, d.agentInfo(row)...)
}

// agentInfo is what the guest agent says, in short (i opens its page).
func (d *Page) agentInfo(row func(k, v string) string) []string {
	switch d.dom.Agent {
	case "":
		return []string{row("Guest agent", "no channel (i, then a, adds one)")}
	case libvirtx.AgentConfigured:
		return []string{row("Guest agent", "a channel; asked once the VM runs")}
	case libvirtx.AgentDisconnected:
		return []string{row("Guest agent", "not answering: is qemu-guest-agent running in the guest?")}
	}
	a := d.agent
	if a == nil {
		return []string{row("Guest agent", widget.Choose(d.agentErr != "", "connected, but: "+d.agentErr, "connected, asking…"))}
	}
	out := []string{
		row("Guest agent", "connected"+widget.Choose(a.VCPUs > 0, fmt.Sprintf(" · %d of %d vCPUs online", a.Online, a.VCPUs), "")+
			" · "+widget.Plural(len(a.Users), "1 user", fmt.Sprint(len(a.Users))+" users")+" logged in"),
		row("Guest OS", a.OS),
		row("Kernel", a.Kernel+" "+a.Machine),
		row("Hostname", a.Hostname+widget.Choose(a.Timezone != "", " · timezone "+a.Timezone, "")),
	}
	for i, f := range a.FileSystems {
		if i == 3 {
			out = append(out, row("", fmt.Sprintf("… %d more file systems (i)", len(a.FileSystems)-3)))
			break
		}
		out = append(out, row(widget.Choose(i == 0, "File systems", ""), fmt.Sprintf("%-10s %-6s %s %s of %s", f.Mount, f.Type,
			widget.UsageBar(f.Used, f.Total), devices.ApproxSize(f.Used), devices.ApproxSize(f.Total))))
	}
	label := "Guest IPs"
	for _, ifc := range a.Interfaces {
		if len(ifc.Addrs) > 0 && ifc.Name != "lo" {
			out = append(out, row(label, ifc.Name+" "+strings.Join(ifc.Addrs, " ")))
			label = ""
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (d *Page) pickerLines(w, h int) []string {
	p, t := d.picker, d.ctx.Theme
	out := []string{t.Title.Render("Add hardware"), ""}
	start := max(0, p.cursor-(h-4))
	for i := start; i < len(p.kinds) && len(out) < h-1; i++ {
		line := p.kinds[i].Title
		if p.why[i] != "" {
			line = t.Dim.Render(widget.Fit(line+"  ("+p.why[i]+")", w))
		}
		if i == p.cursor {
			line = t.Cursor.Render(widget.Fit(line, w))
		}
		out = append(out, line)
	}
	out = append(out, t.Dim.Render("type to jump ("+p.query+")   enter choose   esc cancel"))
	return out
}

// Hints are the keys of the current focus, or the volume size being typed.
func (d *Page) Hints() string {
	if d.needVol != nil {
		return widget.Fit(d.volIn.View(), d.ctx.Width)
	}
	k := d.keys
	bs := []key.Binding{k.Open, k.Add, k.Remove, k.DeviceXML, k.EditXML, k.Snapshots, k.Back, d.ctx.Keys.Help}
	if d != nil && d.inForm {
		bs = []key.Binding{k.NextField, k.Choose, k.Apply, k.Revert, k.Back}
	}
	return widget.Hints(d.ctx.Theme, d.ctx.Width, bs...)
}
