package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kvmtui/devices"
	"kvmtui/tui/widget"
)

// editable is what a form edits: a device of the catalog, or the VM's
// overview settings. Set validates and refuses bad input with a message
// that says what is expected.
type editable interface {
	Fields() []devices.Field
	Get(name string) string
	Set(name, value string) error
}

// formField is one row of a form: the field, what the user typed, the value
// it had when the form opened, and the validation message.
type formField struct {
	devices.Field
	input textinput.Model
	orig  string
	err   string
	typed bool // the user edited it: its value is theirs, never derived
}

// form edits an editable: every keystroke goes through Set, so a value is
// validated as it is typed and an invalid one never leaves the form.
//
// A form applies what it shows. Setters may adjust other fields (a lowered
// maximum lowers the current value), so a target that can snapshot itself
// is replayed on every edit: back to the values it opened with, then each
// field the user typed, in display order. Fields the user did not touch
// show what the target derives. Without a replay, typing "200M" into a
// maximum would first clamp the current value to the "2" typed so far.
type form struct {
	target  editable
	restore func() // puts the target back as it opened; nil: no replay
	fields  []*formField
	cursor  int
	orig    map[string]string
	suggest map[string][]string // host objects offered per field name
}

// snapshotter is a target that can put itself back (devices.Device,
// devices.Settings, the wizard's pages).
type snapshotter interface {
	Snapshot() (restore func(), err error)
}

func newForm(target editable, suggest map[string][]string) *form {
	f := &form{target: target, orig: map[string]string{}, suggest: suggest}
	if sn, ok := target.(snapshotter); ok {
		f.restore, _ = sn.Snapshot() // without one, edits apply one by one
	}
	f.rebuild() // records each field's value as shown when opened
	return f
}

// rebuild lays out the fields the target has now (switching a disk from a
// file to a block device changes its fields), keeping what was typed.
func (f *form) rebuild() {
	typed := map[string]*formField{}
	for _, ff := range f.fields {
		typed[ff.Name] = ff
	}
	var cur string
	if f.cursor < len(f.fields) {
		cur = f.fields[f.cursor].Name
	}
	f.fields = f.fields[:0]
	for _, fd := range f.target.Fields() {
		if old, ok := typed[fd.Name]; ok {
			old.Field = fd
			if !old.typed { // show what the target derives now
				if v := displayValue(fd, f.target.Get(fd.Name)); v != old.input.Value() {
					old.input.SetValue(v)
					old.input.CursorEnd()
					old.err = ""
				}
			}
			f.fields = append(f.fields, old)
			continue
		}
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 4096
		in.Cursor.SetMode(cursor.CursorStatic)
		if fd.Type == devices.TypePassword {
			in.EchoMode = textinput.EchoPassword
		}
		if opts := f.suggest[fd.Name]; len(opts) > 0 {
			in.ShowSuggestions = true
			in.SetSuggestions(opts)
		}
		v := displayValue(fd, f.target.Get(fd.Name))
		in.SetValue(v)
		orig, known := f.orig[fd.Name]
		if !known {
			orig = v
			f.orig[fd.Name] = v
		}
		f.fields = append(f.fields, &formField{Field: fd, input: in, orig: orig})
	}
	f.cursor = 0
	for i, ff := range f.fields {
		if ff.Name == cur {
			f.cursor = i
		}
	}
	f.focus()
}

// displayValue is a target's value as the one-line input shows it.
func displayValue(fd devices.Field, v string) string {
	if fd.Type == devices.TypeMultiline {
		return strings.ReplaceAll(v, "\n", `\n`) // one input line; \n stands for a line break
	}
	return v
}

// typedValue is what the user typed, as the target takes it.
func typedValue(ff *formField) string {
	if ff.Type == devices.TypeMultiline {
		return strings.ReplaceAll(ff.input.Value(), `\n`, "\n")
	}
	return ff.input.Value()
}

func (f *form) focus() {
	for i, ff := range f.fields {
		if i == f.cursor {
			ff.input.Focus()
		} else {
			ff.input.Blur()
		}
	}
}

func (f *form) current() *formField {
	if f.cursor < 0 || f.cursor >= len(f.fields) {
		return nil
	}
	return f.fields[f.cursor]
}

// dirty reports whether any field differs from its value when opened.
func (f *form) dirty() bool { return len(f.changed()) > 0 }

func (f *form) changed() []*formField {
	var out []*formField
	for _, ff := range f.fields {
		if ff.input.Value() != ff.orig {
			out = append(out, ff)
		}
	}
	return out
}

// invalid returns the first field whose typed value was refused.
func (f *form) invalid() *formField {
	for _, ff := range f.fields {
		if ff.err != "" {
			return ff
		}
	}
	return nil
}

// allLive reports whether every changed field can change on a running VM.
func (f *form) allLive() bool {
	for _, ff := range f.changed() {
		if !ff.Live {
			return false
		}
	}
	return true
}

// update handles a key while the form has focus.
func (f *form) update(msg tea.KeyMsg) tea.Cmd {
	ff := f.current()
	switch msg.String() {
	case "up", "shift+tab":
		f.cursor = max(f.cursor-1, 0)
		f.focus()
		return nil
	case "down", "tab":
		// tab first completes a suggested host object, as a shell does.
		if ff := f.current(); msg.String() == "tab" && ff != nil {
			if s := ff.input.CurrentSuggestion(); s != "" && s != ff.input.Value() {
				ff.input.SetValue(s)
				ff.input.CursorEnd()
				f.apply(ff)
				return nil
			}
		}
		f.cursor = min(f.cursor+1, len(f.fields)-1)
		f.focus()
		return nil
	}
	if ff == nil {
		return nil
	}
	switch {
	case ff.Type == devices.TypeEnum && (msg.String() == "left" || msg.String() == "right" || msg.String() == " "):
		f.cycle(ff, msg.String() == "left")
		return nil
	case ff.Type == devices.TypeBool && (msg.String() == " " || msg.String() == "left" || msg.String() == "right"):
		if isYes(ff.input.Value()) {
			ff.input.SetValue("no")
		} else {
			ff.input.SetValue("yes")
		}
		f.apply(ff)
		return nil
	}
	var cmd tea.Cmd
	before := ff.input.Value()
	ff.input, cmd = ff.input.Update(msg)
	if ff.input.Value() != before { // cursor moves change nothing
		f.apply(ff)
	}
	return cmd
}

func isYes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "true", "1":
		return true
	}
	return false
}

// cycle moves an enum field to the next (or previous) allowed value.
func (f *form) cycle(ff *formField, back bool) {
	choices := ff.Choices
	if ff.Optional {
		choices = append([]string{""}, choices...)
	}
	if len(choices) == 0 {
		return
	}
	i := slices.Index(choices, ff.input.Value())
	if back {
		i = (i - 1 + len(choices)) % len(choices)
	} else {
		i = (i + 1) % len(choices)
	}
	ff.input.SetValue(choices[i])
	f.apply(ff)
}

// apply takes what the user typed into ff: replayed with every other typed
// field where the target can snapshot itself, else set alone.
func (f *form) apply(ff *formField) {
	ff.typed = true
	if f.restore == nil {
		ff.err = ""
		if err := f.target.Set(ff.Name, typedValue(ff)); err != nil {
			ff.err = err.Error()
			return
		}
		if ff.Type == devices.TypeEnum || ff.Type == devices.TypeBool {
			f.rebuild() // the set of fields may depend on this one
		}
		return
	}
	f.restore()
	for _, x := range f.fields {
		if !x.typed {
			continue
		}
		x.err = ""
		if err := f.target.Set(x.Name, typedValue(x)); err != nil {
			x.err = err.Error()
		}
	}
	f.rebuild() // fields may come and go; untouched ones show derived values
}

// view renders the form in width cells. running says whether the VM runs,
// to mark the fields whose change waits for the next boot.
func (f *form) view(th *widget.Theme, width int, running bool) []string {
	labelW := 0
	for _, ff := range f.fields {
		labelW = max(labelW, len(ff.Label))
	}
	labelW = min(labelW, width/3)
	var out []string
	for i, ff := range f.fields {
		mark := "  "
		if ff.input.Value() != ff.orig {
			mark = "* " // unapplied
		}
		val := ff.input.View()
		switch ff.Type {
		case devices.TypeEnum:
			val = "‹ " + val + " ›"
		case devices.TypeBool:
			val = "[" + map[bool]string{true: "x", false: " "}[isYes(ff.input.Value())] + "] " + val
		}
		line := mark + widget.Fit(ff.Label, labelW) + "  " + val
		if running && !ff.Live {
			line += th.Dim.Render("  (next boot)")
		}
		if i == f.cursor {
			line = th.Key.Render(widget.Fit(line, width))
		}
		out = append(out, widget.Fit(line, width))
		// Messages wrap: what is expected must be readable at 80 columns.
		if ff.err != "" {
			for _, l := range strings.Split(ansi.Wordwrap(ff.err, width-4, " "), "\n") {
				out = append(out, widget.Fit(th.Error.Render("    "+l), width))
			}
		} else if i == f.cursor && (ff.Help != "" || len(f.suggest[ff.Name]) > 0) {
			help := ff.Help
			if opts := f.suggest[ff.Name]; len(opts) > 0 {
				help = strings.TrimSpace(help + "; on this host: " + strings.Join(opts[:min(len(opts), 8)], ", "))
			}
			for _, l := range strings.Split(ansi.Wordwrap(help, width-4, " "), "\n") {
				out = append(out, widget.Fit(th.Dim.Render("    "+l), width))
			}
		}
	}
	return out
}
