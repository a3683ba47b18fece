package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/tui/widget"
)

// View draws the current page: a step line, the page, its refusals.
func (w *Page) View() string {
	t := w.ctx.Theme
	h := w.ctx.BodyHeight()
	if w.leaving {
		w.leaving = false // draw the page under the question
		page := w.View()
		w.leaving = true
		box := t.Box.Render("Throw away this new VM's settings?\n\n" + t.Key.Render("y") + " yes, cancel   " + t.Key.Render("n/esc") + " no, keep editing")
		return widget.Over(t, page, box, w.ctx.Width, h)
	}
	var lines []string
	if w.host == nil {
		lines = []string{t.Dim.Render("  " + w.busy)}
		return padLines(lines, h, w.ctx.Width)
	}
	// Step line: the pages that apply, the current one marked.
	var steps []string
	for k, p := range w.pages() {
		s := fmt.Sprintf("%d %s", k+1, wizTitles[wizPages[p]])
		if p == w.page {
			s = t.Key.Render("[" + s + "]")
		} else {
			s = t.Dim.Render(s)
		}
		steps = append(steps, s)
	}
	head := t.Title.Render("New VM on "+w.ctx.Label(w.uri)) + "  " + strings.Join(steps, " · ")
	if ansi.StringWidth(head) > w.ctx.Width { // narrow: only the current step
		for k, p := range w.pages() {
			if p == w.page {
				head = t.Title.Render("New VM on "+w.ctx.Label(w.uri)) + "  " +
					t.Key.Render(fmt.Sprintf("step %d of %d: %s", k+1, len(w.pages()), wizTitles[wizPages[p]]))
			}
		}
	}
	lines = append(lines, widget.Fit(head, w.ctx.Width), "")
	var body []string
	switch w.pageID() {
	case "os":
		body = w.wizardOSLines(h - 6)
	case "review":
		body = w.wizardReviewLines()
	default:
		body = w.form.View(t, w.ctx.Width-2, false)
		if note := w.vm.EmulationNote(w.host); note != "" && w.pageID() == "platform" {
			body = append(body, "")
			for _, l := range strings.Split(ansi.Wordwrap(note, w.ctx.Width-4, " "), "\n") {
				body = append(body, t.Warn.Render(l))
			}
		}
	}
	for _, l := range body {
		lines = append(lines, " "+l)
	}
	// Refusals and the busy line stay visible: the page body yields.
	var tail []string
	for _, e := range w.errs {
		for _, l := range strings.Split(ansi.Wordwrap(e, w.ctx.Width-4, " "), "\n") {
			tail = append(tail, t.Error.Render("  "+l))
		}
	}
	if w.busy != "" {
		tail = append(tail, t.Dim.Render("  "+w.busy))
	}
	if w.pageID() == "review" {
		start := min(w.scroll, max(len(lines)-2-(h-2-len(tail)), 0))
		w.scroll = start
		lines = append(lines[:2], lines[2+start:]...)
	}
	if room := h - len(tail); len(lines) > room {
		lines = lines[:max(room, 0)]
	}
	return padLines(append(lines, tail...), h, w.ctx.Width)
}

func padLines(lines []string, h, w int) string {
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i := range lines {
		lines[i] = widget.Fit(lines[i], w)
	}
	return strings.Join(lines[:h], "\n")
}

func (w *Page) wizardOSLines(room int) []string {
	t := w.ctx.Theme
	out := []string{w.osIn.View()}
	if w.detect != "" {
		out = append(out, t.Dim.Render(w.detect))
	}
	out = append(out, t.Dim.Render(fmt.Sprintf("%d shown of %d known (%s); generic fits any OS", w.osShown(), w.db.Len(), w.db.Source)))
	room = max(room-len(out), 3)
	start := max(0, w.osCur-room+1)
	for i := start; i < len(w.osList) && i < start+room; i++ {
		o := w.osList[i]
		line := fmt.Sprintf("%-16s %s", o.ShortID, o.Name)
		if o.Overlay {
			line += t.Dim.Render("  (kvmtui overlay)")
		}
		if o != install.Generic && o.EndOfLife(time.Now()) {
			line += t.Dim.Render("  (end of life)")
		}
		if i == w.osCur {
			line = t.Key.Render("> " + line)
		} else {
			line = "  " + line
		}
		out = append(out, line)
	}
	if len(w.osList) == 0 {
		out = append(out, t.Dim.Render("  no match; generic works for any OS"))
	}
	return out
}

func (w *Page) wizardReviewLines() []string {
	t := w.ctx.Theme
	n := w.vm
	if w.planErr != "" {
		out := []string{t.Error.Render("This VM cannot be created as chosen:")}
		for _, l := range strings.Split(w.planErr, "\n") {
			out = append(out, t.Error.Render("  "+l))
		}
		return append(out, "", t.Dim.Render("esc goes back to change it"))
	}
	if w.showXML {
		install, final, err := w.plan.XML()
		if err != nil {
			return []string{t.Error.Render(err.Error())}
		}
		out := []string{t.Header.Render("Install definition (first boot)")}
		out = append(out, strings.Split(install, "\n")...)
		if final != install {
			out = append(out, "", t.Header.Render("Final definition (after the install)"))
			out = append(out, strings.Split(final, "\n")...)
		}
		return out
	}
	osName := "generic"
	if n.OS != nil {
		osName = n.OS.Label()
	}
	media := ""
	switch n.Method {
	case install.MethodNetwork:
		media = n.Location
	case install.MethodISO, install.MethodImport, install.MethodCloud, install.MethodOVA:
		media = n.Media
	}
	kv := [][2]string{
		{"Name", n.Name},
		{"Install", strings.TrimSpace(install.MethodTitle(n.Method) + "  " + media)},
		{"OS", osName},
		{"Memory", devices.FormatSize(n.MemoryMiB << 20)},
		{"vCPUs", fmt.Sprint(n.VCPUs)},
		{"Storage", storageSummary(n)},
		{"Network", netSummary(n)},
		{"Platform", fmt.Sprintf("%s, %s, %s, TPM %s, %s display", n.VirtType, n.Chipset, n.Firmware, n.TPM, n.Graphics)},
	}
	if n.Kernel != "" {
		kv = append(kv, [2]string{"Kernel", strings.TrimSpace(n.Kernel + " " + n.Initrd + " " + n.Cmdline)})
	}
	if n.CloudInit != nil {
		kv = append(kv, [2]string{"Cloud-init", fmt.Sprintf("user %s, %d SSH keys, %d packages", n.CloudInit.User, len(n.CloudInit.SSHKeys), len(n.CloudInit.Packages))})
	}
	var out []string
	for _, p := range kv {
		out = append(out, fmt.Sprintf("%-10s %s", p[0], p[1]))
	}
	// notes first: what to know before creating, not below the devices
	for _, note := range w.plan.Notes {
		out = append(out, t.Warn.Render("note: "+note))
	}
	if len(w.plan.Volumes) > 0 {
		out = append(out, "", t.Header.Render("Volumes to create"))
		for _, v := range w.plan.Volumes {
			what := v.Role
			if v.Transient {
				what += ", removed after the start"
			}
			out = append(out, fmt.Sprintf("  %s/%s  %s (%s)", v.Pool, v.Name, approxSize(max(v.Capacity, uint64(len(v.Content)))), what))
		}
	}
	out = append(out, "", t.Header.Render(fmt.Sprintf("Devices (%d)", len(devices.List(w.plan.Final)))))
	for _, it := range devices.List(w.plan.Final) {
		if it.Kind.ID == "pcie-root-port" || it.Kind.ID == "controller" {
			continue
		}
		out = append(out, "  "+it.Summary)
	}
	return out
}

func storageSummary(n install.NewVM) string {
	if n.Method == install.MethodOVA {
		return fmt.Sprintf("the appliance's %d disk(s), converted into raw volumes in pool %s", len(n.ApplianceDisks), n.Pool)
	}
	switch n.Storage {
	case install.StorageNew:
		alloc := "sparse"
		if n.Preallocate {
			alloc = "preallocated"
		}
		return fmt.Sprintf("new %s %s volume in pool %s, %s", devices.FormatSize(n.DiskSize), n.DiskFormat, n.Pool, alloc)
	case install.StorageExisting:
		p := n.DiskPath
		if p == "" {
			p = n.Media
		}
		return "existing " + p
	}
	return "none"
}

func netSummary(n install.NewVM) string {
	if n.Net == install.NetNone {
		return "none"
	}
	return strings.TrimSpace(n.Net + " " + n.NetSource)
}

// Hints is the bottom line in the wizard.
func (w *Page) Hints() string {
	t := w.ctx.Theme
	k := func(key, desc string) string { return t.Key.Render(key) + " " + desc }
	parts := []string{k("enter", "next"), k("esc", "back")}
	switch {
	case w.leaving:
		parts = []string{k("y", "cancel the new VM"), k("n/esc", "keep editing")}
	case w.host == nil:
		parts = []string{k("esc", "cancel")}
	case w.pageID() == "review":
		parts = []string{k("enter", "create & install"), k("c", "customize first"), k("x", "XML / summary"), k("j/k", "scroll"), k("esc", "back")}
	case w.pageID() == "os":
		parts = append([]string{k("type", "search"), k("↑/↓", "choose")}, parts...)
	default:
		parts = append([]string{k("↑/↓/tab", "field"), k("←/→", "choice")}, parts...)
	}
	if w.page == 0 {
		parts[len(parts)-1] = k("esc", "cancel")
	}
	return widget.Fit(strings.Join(parts, "  "), w.ctx.Width)
}
