package top

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"top"},
		Usage: "top",
		Desc:  "the dashboard of kvmtui top: host load, the busiest VMs, the latest alert",
		Open:  openPage,
	})
}

// Page is kvmtui top's dashboard inside the UI, drawn from the root's
// stats history rather than sweeps of its own.
type Page struct {
	t            *Top
	back, charts key.Binding
}

func openPage(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, errors.New("usage: top")
	}
	t := &Top{mgr: ctx.Mgr, opts: Options{Interval: ctx.Interval, Perf: ctx.Perf.Cfg},
		tr: ctx.Perf.Tr, sp: ctx.Perf.Sparks, theme: ctx.Theme, ctx: ctx, sweeps: 2}
	p := &Page{t: t,
		back:   key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		charts: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "blocks / ascii"))}
	p.render()
	return p, nil, nil
}

// render draws the dashboard in the body's size with the current settings.
func (p *Page) render() {
	ctx := p.t.ctx
	p.t.width, p.t.height, p.t.opts.Perf = ctx.Width, ctx.BodyHeight(), ctx.Perf.Cfg
	p.t.render()
}

// StatGroups are those of the dashboard at its size.
func (p *Page) StatGroups() libvirtx.Groups { return p.t.statGroups() }

// Title is the page's crumb.
func (p *Page) Title() string { return "Top" }

// Update redraws on a sweep, a resize or a settings change.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, p.back):
			return common.Pop
		case key.Matches(msg, p.charts):
			cfg := &p.t.ctx.Perf.Cfg
			cfg.Charts = nextOneRow(cfg.Charts)
			return func() tea.Msg { return common.PerfChangedMsg{} }
		}
	case common.SweepMsg, tea.WindowSizeMsg, common.PerfChangedMsg, common.EventsMsg:
		p.render()
	}
	return nil
}

// View is the dashboard rendered by the last update.
func (p *Page) View() string { return p.t.screen }

// Hints is the bottom line.
func (p *Page) Hints() string { return widget.Hints(p.t.theme, p.t.ctx.Width, p.back, p.charts) }
