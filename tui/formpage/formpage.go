// Package formpage is a page holding one form over an object that is not
// a VM device (a new network, a DHCP host): ctrl+s checks and saves it
// through a command, a refusal stays on the form with the reason, and esc
// asks before dropping what was typed.
package formpage

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/widget"
)

// Saved is what a save command returns: Err keeps the form open with the
// reason; otherwise the page closes and Then (if any) is run, to tell the
// page below what changed.
type Saved struct {
	Text string
	Err  error
	Then tea.Cmd
}

// Page is a form with a title, a line saying what saving does, and the
// command that saves.
type Page struct {
	ctx     *common.Context
	title   string
	note    string
	Form    *form.Form
	save    func() tea.Cmd
	saving  bool
	err     string
	discard bool // esc was pressed with typed changes: asking
	keys    struct{ Save, Back key.Binding }
	// OnLeave, when set, runs as the cursor leaves a field (the form holds
	// its value by then): what a field typed lets the page look up, like
	// the exports of a server. Its command may answer with Suggest.
	OnLeave func(field string) tea.Cmd
}

// Suggest replaces the host objects a field offers, with a line for the
// message line saying what was found.
type Suggest struct {
	Field  string
	Values []string
	Text   string
	Err    bool
}

// New opens a form page; note says what ctrl+s will do ("defines the
// network and starts it").
func New(ctx *common.Context, title, note string, f *form.Form, save func() tea.Cmd) *Page {
	p := &Page{ctx: ctx, title: title, note: note, Form: f, save: save}
	p.keys.Save = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save"))
	p.keys.Back = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	f.Focus()
	return p
}

// Title is the page's crumb.
func (p *Page) Title() string { return p.title }

// Capturing: the fields take every key but ctrl+c, ? and : go to them too.
func (p *Page) Capturing() bool { return true }

// Update takes keys and the save's outcome.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case Saved:
		if !p.saving {
			return nil // another form's outcome
		}
		p.saving = false
		if msg.Err != nil {
			p.err = msg.Err.Error()
			p.ctx.SetMsg("not saved: "+p.err, true)
			return nil
		}
		p.ctx.SetMsg(msg.Text, false)
		return tea.Batch(common.Pop, msg.Then)
	case Suggest:
		s := map[string][]string{}
		for k, v := range p.Form.Suggest {
			s[k] = v
		}
		s[msg.Field] = msg.Values
		p.Form.SetSuggest(s)
		p.ctx.SetMsg(msg.Text, msg.Err)
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	if p.discard {
		p.discard = false
		if s := msg.String(); s == "y" || s == "Y" {
			return common.Pop
		}
		return nil
	}
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	switch {
	case p.saving:
		return nil
	case key.Matches(msg, p.keys.Back):
		if p.Form.Dirty() {
			p.discard = true
			return nil
		}
		return common.Pop
	case key.Matches(msg, p.keys.Save):
		if bad := p.Form.Invalid(); bad != nil {
			p.err = bad.Label + ": " + bad.Err
			return nil
		}
		p.saving, p.err = true, ""
		return p.save()
	}
	p.err = ""
	was := p.Form.Cursor
	cmd := p.Form.Update(msg)
	if p.OnLeave != nil && p.Form.Cursor != was && was < len(p.Form.Fields) {
		return tea.Batch(cmd, p.OnLeave(p.Form.Fields[was].Name))
	}
	return cmd
}

// View is the note, the fields, and the refusal of the last save.
func (p *Page) View() string {
	th, w, h := p.ctx.Theme, p.ctx.Width, p.ctx.BodyHeight()
	lines := []string{widget.Fit(th.Dim.Render(p.note), w), ""}
	lines = append(lines, p.Form.View(th, w, false)...)
	switch {
	case p.discard:
		lines = append(lines, "", th.Error.Render("Discard what you typed? y discards, any other key goes back to the form"))
	case p.saving:
		lines = append(lines, "", th.Dim.Render("saving…"))
	case p.err != "": // wrapped: a refusal's reason is read whole (the numbers come last)
		lines = append(lines, "")
		lines = append(lines, strings.Split(th.Error.Width(w).Render(p.err), "\n")...)
	}
	// Keep the field under the cursor in view on a short terminal.
	if len(lines) > h {
		from := min(max(p.Form.Cursor+2-h/2, 0), len(lines)-h)
		lines = lines[from : from+h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	return widget.Hints(p.ctx.Theme, p.ctx.Width, p.keys.Save, p.keys.Back,
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/↑↓", "field")), key.NewBinding(key.WithKeys(" "), key.WithHelp("space/←→", "choose")))
}
