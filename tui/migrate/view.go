package migrate

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// View is the form, the pre-flights, or the migrations.
func (p *Page) View() string {
	th, w, h := p.ctx.Theme, p.ctx.Width, p.ctx.BodyHeight()
	var lines []string
	focus := 0 // the line to keep in view
	switch p.phase {
	case editing:
		lines = append(lines, strings.Split(th.Dim.Width(w).Render(p.note()), "\n")...)
		lines = append(lines, "")
		lines = append(lines, p.form.View(th, w, false)...)
		focus = p.form.Cursor + 2
		if p.err != "" {
			lines = append(lines, "")
			lines = append(lines, strings.Split(th.Error.Width(w).Render(p.err), "\n")...)
		}
	default:
		lines = append(lines, widget.Fit(p.headline(), w), "")
		for i, r := range p.rows {
			if i == p.sel {
				focus = len(lines)
			}
			lines = append(lines, p.rowLines(r, i == p.sel, w)...)
		}
	}
	if len(lines) > h { // keep the field or row under the cursor in view
		from := min(max(focus-h/3, 0), len(lines)-h)
		lines = lines[from : from+h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (p *Page) note() string {
	if p.src != "" {
		return "Every running VM of " + p.ctx.Label(p.src) + " goes to the destinations, the largest first. ctrl+s runs the pre-flights; nothing moves before enter."
	}
	where := p.ctx.Label(p.vms[0].URI)
	if len(p.vms) == 1 {
		return fmt.Sprintf("%s is %s on %s. ctrl+s runs the pre-flight; nothing moves before enter.", p.vms[0].Name, widget.StateWord(p.vms[0]), where)
	}
	return fmt.Sprintf("%d VMs. ctrl+s runs their pre-flights; nothing moves before enter.", len(p.vms))
}

// headline counts the rows by state and says what the keys do now.
func (p *Page) headline() string {
	th := p.ctx.Theme
	n := map[rowState]int{}
	for _, r := range p.rows {
		n[r.state]++
	}
	switch p.phase {
	case checking:
		return th.Dim.Render(fmt.Sprintf("pre-flight: %d of %d checked…", len(p.rows)-n[rowChecking], len(p.rows)))
	case checked:
		text := fmt.Sprintf("%d ready, %d blocked", n[rowReady], n[rowBlocked])
		if n[rowReady] > 0 {
			text += ": enter starts " + widget.Plural(n[rowReady], "it", "them")
		}
		if p.override {
			text += " (warnings overridden)"
		}
		return th.Header.Render(text)
	}
	text := fmt.Sprintf("%d running, %d queued, %d moved, %d stayed", n[rowRunning], n[rowQueued], n[rowMoved], n[rowFailed]+n[rowBlocked])
	return th.Header.Render(text)
}

func (p *Page) rowLines(r *row, sel bool, w int) []string {
	th := p.ctx.Theme
	cur := widget.Choose(sel, "▸ ", "  ")
	head := cur + r.vm.Name + " → " + p.ctx.Label(r.spec.Dest)
	var status string
	switch r.state {
	case rowChecking:
		status = th.Dim.Render("checking…")
	case rowBlocked:
		status = th.Error.Render("✗ blocked")
	case rowReady:
		status = th.OK.Render(widget.Choose(r.checks.Worst() == libvirtx.CheckPass, "✓ ready", "! ready despite warnings"))
	case rowQueued:
		status = th.Dim.Render("queued")
	case rowRunning:
		status = p.runningStatus(r)
	case rowMoved:
		status = th.OK.Render("✓ " + movedText(r.res))
	case rowFailed:
		status = th.Error.Render("✗ stayed")
	}
	out := []string{widget.Fit(head+"  "+status, w)}
	switch r.state {
	case rowChecking, rowBlocked, rowReady:
		out = append(out, p.checkLines(r.checks, sel, w)...)
	case rowRunning:
		out = append(out, p.progressLines(r, w)...)
	case rowFailed:
		out = append(out, indent(th.Error.Width(w-4).Render(r.err), "    ")...)
	}
	return out
}

// checkLines lists a pre-flight item by item: every item of the selected
// row, only what did not pass of the others.
func (p *Page) checkLines(cs libvirtx.Checks, all bool, w int) []string {
	th := p.ctx.Theme
	width := 0
	for _, c := range cs {
		width = max(width, lipgloss.Width(c.Name))
	}
	style := map[libvirtx.CheckStatus]lipgloss.Style{libvirtx.CheckPass: th.OK, libvirtx.CheckWarn: th.Warn, libvirtx.CheckFail: th.Error}
	var out []string
	passed := 0
	for _, c := range cs {
		if c.Status == libvirtx.CheckPass && !all {
			passed++
			continue
		}
		pad := width - lipgloss.Width(c.Name)
		lead := "    " + style[c.Status].Render(c.Status.Mark()) + " " + c.Name + strings.Repeat(" ", pad) + "  "
		text := indent(lipgloss.NewStyle().Width(max(w-lipgloss.Width(lead), 20)).Render(c.Text), strings.Repeat(" ", lipgloss.Width(lead)))
		text[0] = lead + strings.TrimLeft(text[0], " ")
		out = append(out, text...)
		if c.Hint != "" && c.Status != libvirtx.CheckPass {
			hint := indent(th.Dim.Width(max(w-lipgloss.Width(lead)-2, 20)).Render("→ "+c.Hint), strings.Repeat(" ", lipgloss.Width(lead)))
			out = append(out, hint...)
		}
	}
	if passed > 0 {
		out = append(out, th.Dim.Render(fmt.Sprintf("    ✓ %s (↑↓ shows them)", widget.Plural(passed, "1 more item passed", fmt.Sprint(passed)+" more items passed"))))
	}
	return out
}

func (p *Page) runningStatus(r *row) string {
	pr := r.prog
	if pr.Total == 0 {
		return p.ctx.Theme.Dim.Render("starting…")
	}
	text := fmt.Sprintf("%3.0f%%  %s", 100*float64(pr.Total-pr.Remaining)/float64(pr.Total), pr.Elapsed.Round(time.Second))
	if eta := pr.ETA(); eta > 0 {
		text += ", ETA " + eta.Round(time.Second).String()
	}
	if pr.Postcopy {
		text += "  post-copy: it runs there now"
	}
	return text
}

// progressLines: a bar with the data sent and the rate's sparkline, then
// libvirt's figures of the job.
func (p *Page) progressLines(r *row, w int) []string {
	pr := r.prog
	if pr.Total == 0 {
		return nil
	}
	done := pr.Total - pr.Remaining
	sizes := fmt.Sprintf(" %s of %s  %s/s ", widget.HumanBytes(float64(done)), widget.HumanBytes(float64(pr.Total)), widget.HumanBytes(float64(pr.Rate)))
	spark := min(20, max(w/6, 6))
	bar := max(w-4-lipgloss.Width(sizes)-spark, 10)
	filled := min(int(float64(bar)*float64(done)/float64(pr.Total)), bar)
	line := "    " + strings.Repeat("█", filled) + strings.Repeat("░", bar-filled) + sizes +
		p.ctx.Perf.Sparks.Render(r.rates, spark, 1, 0, p.ctx.Perf.Cfg.Charts)[0]
	figures := fmt.Sprintf("    pass %d · dirtying %d pages/s · expected downtime %v", pr.Iteration, pr.DirtyRate, pr.Downtime)
	return []string{widget.Fit(line, w), widget.Fit(p.ctx.Theme.Dim.Render(figures), w)}
}

func movedText(res libvirtx.MigrateResult) string {
	text := fmt.Sprintf("moved in %v · downtime %v · %s sent", res.Elapsed.Round(100*time.Millisecond), res.Downtime, widget.HumanBytes(float64(res.Data)))
	if res.PostcopyRequests > 0 {
		text += fmt.Sprintf(" · post-copy, %d pages on demand", res.PostcopyRequests)
	}
	if res.Note != "" {
		text += " · " + res.Note
	}
	return text
}

func indent(block, pad string) []string {
	lines := strings.Split(block, "\n")
	for i := range lines {
		lines[i] = pad + strings.TrimRight(lines[i], " ")
	}
	return lines
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k, th, w := p.keys, p.ctx.Theme, p.ctx.Width
	help := widget.Hint{Key: p.ctx.Keys.Help, Word: "help"}
	var hs []widget.Hint
	switch {
	case p.phase == editing:
		hs = []widget.Hint{{Key: k.Check, Word: "pre-flight"}, {Key: k.Back, Word: "cancel"},
			{Key: key.NewBinding(key.WithHelp("tab/↑↓", "")), Word: "field"}, {Key: key.NewBinding(key.WithHelp("←→", "")), Word: "choose"}}
	case p.phase == checked:
		hs = []widget.Hint{{Key: k.Start, Word: "start"}, {Key: k.Override, Word: widget.Choose(p.override, "heed warnings", "override warnings")},
			{Key: k.Up, Word: "select"}, {Key: k.Back, Word: "form"}, help}
	case p.busy():
		hs = []widget.Hint{{Key: k.Cancel, Word: "cancel"}, {Key: k.Postcopy, Word: "post-copy"}, {Key: k.Up, Word: "select"}, help}
	default:
		hs = []widget.Hint{{Key: k.Up, Word: "select"}, {Key: k.Back, Word: "back"}, help}
	}
	return widget.WordHints(th, w, hs...)
}
