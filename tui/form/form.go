// Package form is the editor form of kvmtui: a list of labelled fields over
// a Target (a device of the catalog, the VM's settings, a wizard page),
// validated as typed; it applies what it shows.
package form

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kvmtui/devices"
	"kvmtui/tui/widget"
)

// Target is what a form edits: a device of the catalog, or the VM's
// overview settings. Set validates and refuses bad input with a message
// that says what is expected.
type Target interface {
	Fields() []devices.Field
	Get(name string) string
	Set(name, value string) error
}

// Field is one row of a form: the field, what the user typed, the value
// it had when the form opened, and the validation message.
type Field struct {
	devices.Field
	Input textinput.Model
	orig  string
	Err   string
	typed bool // the user edited it: its value is theirs, never derived
}

// Form edits a Target: every keystroke goes through Set, so a value is
// validated as it is typed and an invalid one never leaves the form.
//
// A form applies what it shows. Setters may adjust other fields (a lowered
// maximum lowers the current value), so a target that can snapshot itself
// is replayed on every edit: back to the values it opened with, then each
// field the user typed, in display order. Fields the user did not touch
// show what the target derives. Without a replay, typing "200M" into a
// maximum would first clamp the current value to the "2" typed so far.
type Form struct {
	Target  Target
	restore func() // puts the target back as it opened; nil: no replay
	Fields  []*Field
	Cursor  int
	orig    map[string]string
	Suggest map[string][]string // host objects offered per field name
	// Check, when set, refuses a value the target took but the page knows
	// is wrong from outside it (a MAC another VM has): checked as typed.
	Check func(name, value string) error
}

// snapshotter is a target that can put itself back (devices.Device,
// devices.Settings, the wizard's pages).
type snapshotter interface {
	Snapshot() (restore func(), err error)
}

// New opens a form on target; suggest offers host objects per field name.
func New(target Target, suggest map[string][]string) *Form {
	f := &Form{Target: target, orig: map[string]string{}, Suggest: suggest}
	if sn, ok := target.(snapshotter); ok {
		f.restore, _ = sn.Snapshot() // without one, edits apply one by one
	}
	f.Rebuild() // records each field's value as shown when opened
	return f
}

// SetSuggest replaces the host objects offered, in the fields' inputs too
// (tab completes the first that extends what was typed).
func (f *Form) SetSuggest(s map[string][]string) {
	f.Suggest = s
	for _, ff := range f.Fields {
		ff.Input.ShowSuggestions = len(s[ff.Name]) > 0
		ff.Input.SetSuggestions(s[ff.Name])
	}
}

// Rebuild lays out the fields the target has now (switching a disk from a
// file to a block device changes its fields), keeping what was typed.
func (f *Form) Rebuild() {
	typed := map[string]*Field{}
	for _, ff := range f.Fields {
		typed[ff.Name] = ff
	}
	var cur string
	if f.Cursor < len(f.Fields) {
		cur = f.Fields[f.Cursor].Name
	}
	f.Fields = f.Fields[:0]
	for _, fd := range f.Target.Fields() {
		if old, ok := typed[fd.Name]; ok {
			old.Field = fd
			if !old.typed { // show what the target derives now
				if v := displayValue(fd, f.Target.Get(fd.Name)); v != old.Input.Value() {
					old.Input.SetValue(v)
					old.Input.CursorEnd()
					old.Err = ""
				}
			}
			f.Fields = append(f.Fields, old)
			continue
		}
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 4096
		in.Cursor.SetMode(cursor.CursorStatic)
		if fd.Type == devices.TypePassword {
			in.EchoMode = textinput.EchoPassword
		}
		if opts := f.Suggest[fd.Name]; len(opts) > 0 {
			in.ShowSuggestions = true
			in.SetSuggestions(opts)
		}
		v := displayValue(fd, f.Target.Get(fd.Name))
		in.SetValue(v)
		orig, known := f.orig[fd.Name]
		if !known {
			orig = v
			f.orig[fd.Name] = v
		}
		f.Fields = append(f.Fields, &Field{Field: fd, Input: in, orig: orig})
	}
	f.Cursor = 0
	for i, ff := range f.Fields {
		if ff.Name == cur {
			f.Cursor = i
		}
	}
	f.Focus()
}

// displayValue is a target's value as the one-line input shows it.
func displayValue(fd devices.Field, v string) string {
	if fd.Type == devices.TypeMultiline {
		return strings.ReplaceAll(v, "\n", `\n`) // one input line; \n stands for a line break
	}
	return v
}

// typedValue is what the user typed, as the target takes it.
func typedValue(ff *Field) string {
	if ff.Type == devices.TypeMultiline {
		return strings.ReplaceAll(ff.Input.Value(), `\n`, "\n")
	}
	return ff.Input.Value()
}

// Focus gives the cursor field the text cursor.
func (f *Form) Focus() {
	for i, ff := range f.Fields {
		if i == f.Cursor {
			ff.Input.Focus()
		} else {
			ff.Input.Blur()
		}
	}
}

// Current is the field under the cursor, nil in an empty form.
func (f *Form) Current() *Field {
	if f.Cursor < 0 || f.Cursor >= len(f.Fields) {
		return nil
	}
	return f.Fields[f.Cursor]
}

// Dirty reports whether any field differs from its value when opened.
func (f *Form) Dirty() bool { return len(f.Changed()) > 0 }

// Changed lists the fields whose value differs from when the form opened.
func (f *Form) Changed() []*Field {
	var out []*Field
	for _, ff := range f.Fields {
		if ff.Input.Value() != ff.orig {
			out = append(out, ff)
		}
	}
	return out
}

// Invalid returns the first field whose typed value was refused.
func (f *Form) Invalid() *Field {
	for _, ff := range f.Fields {
		if ff.Err != "" {
			return ff
		}
	}
	return nil
}

// AllLive reports whether every changed field can change on a running VM.
func (f *Form) AllLive() bool {
	for _, ff := range f.Changed() {
		if !ff.Live {
			return false
		}
	}
	return true
}

// Update handles a key while the form has focus.
func (f *Form) Update(msg tea.KeyMsg) tea.Cmd {
	ff := f.Current()
	switch msg.String() {
	case "up", "shift+tab":
		f.Cursor = max(f.Cursor-1, 0)
		f.Focus()
		return nil
	case "down", "tab":
		// tab first completes a suggested host object, as a shell does.
		if ff := f.Current(); msg.String() == "tab" && ff != nil {
			if s := ff.Input.CurrentSuggestion(); s != "" && s != ff.Input.Value() {
				ff.Input.SetValue(s)
				ff.Input.CursorEnd()
				f.apply(ff)
				return nil
			}
		}
		f.Cursor = min(f.Cursor+1, len(f.Fields)-1)
		f.Focus()
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
		if IsYes(ff.Input.Value()) {
			ff.Input.SetValue("no")
		} else {
			ff.Input.SetValue("yes")
		}
		f.apply(ff)
		return nil
	}
	var cmd tea.Cmd
	before := ff.Input.Value()
	ff.Input, cmd = ff.Input.Update(msg)
	if ff.Input.Value() != before { // cursor moves change nothing
		f.apply(ff)
	}
	return cmd
}

// IsYes reads a yes/no field.
func IsYes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "true", "1":
		return true
	}
	return false
}

// cycle moves an enum field to the next (or previous) allowed value.
func (f *Form) cycle(ff *Field, back bool) {
	choices := ff.Choices
	if ff.Optional {
		choices = append([]string{""}, choices...)
	}
	if len(choices) == 0 {
		return
	}
	i := slices.Index(choices, ff.Input.Value())
	if back {
		i = (i - 1 + len(choices)) % len(choices)
	} else {
		i = (i + 1) % len(choices)
	}
	ff.Input.SetValue(choices[i])
	f.apply(ff)
}

// apply takes what the user typed into ff: replayed with every other typed
// field where the target can snapshot itself, else set alone.
func (f *Form) apply(ff *Field) {
	ff.typed = true
	if f.restore == nil {
		ff.Err = ""
		if err := f.set(ff); err != nil {
			ff.Err = refusal(ff, err)
			return
		}
		if ff.Type == devices.TypeEnum || ff.Type == devices.TypeBool {
			f.Rebuild() // the set of fields may depend on this one
		}
		return
	}
	f.restore()
	for _, x := range f.Fields {
		if !x.typed {
			continue
		}
		x.Err = ""
		if err := f.set(x); err != nil {
			x.Err = refusal(x, err)
		}
	}
	f.Rebuild() // fields may come and go; untouched ones show derived values
}

// set gives the target what was typed into ff, then the page's Check.
func (f *Form) set(ff *Field) error {
	v := typedValue(ff)
	if err := f.Target.Set(ff.Name, v); err != nil {
		return err
	}
	if f.Check != nil {
		return f.Check(ff.Name, v)
	}
	return nil
}

// refusal is a setter's error as shown under its field, which names the
// field already: without the label some setters put first.
func refusal(ff *Field, err error) string {
	return strings.TrimPrefix(err.Error(), ff.Label+": ")
}

// View renders the form in width cells. running says whether the VM runs,
// to mark the fields whose change waits for the next boot.
func (f *Form) View(th *widget.Theme, width int, running bool) []string {
	labelW := 0
	for _, ff := range f.Fields {
		labelW = max(labelW, len(ff.Label))
	}
	labelW = min(labelW, width/3)
	var out []string
	for i, ff := range f.Fields {
		mark := "  "
		if ff.Input.Value() != ff.orig {
			mark = "* " // unapplied
		}
		val := ff.Input.View()
		switch ff.Type {
		case devices.TypeEnum:
			val = "‹ " + val + " ›"
		case devices.TypeBool:
			val = "[" + map[bool]string{true: "x", false: " "}[IsYes(ff.Input.Value())] + "] " + val
		}
		line := mark + widget.Fit(ff.Label, labelW) + "  " + val
		if running && !ff.Live {
			line += th.Dim.Render("  (next boot)")
		}
		if i == f.Cursor {
			line = th.Key.Render(widget.Fit(line, width))
		}
		out = append(out, widget.Fit(line, width))
		// Messages wrap: what is expected must be readable at 80 columns.
		if ff.Err != "" {
			for _, l := range strings.Split(ansi.Wordwrap(ff.Err, width-4, " "), "\n") {
				out = append(out, widget.Fit(th.Error.Render("    "+l), width))
			}
		} else if i == f.Cursor && (ff.Help != "" || len(f.Suggest[ff.Name]) > 0) {
			help := ff.Help
			if opts := f.Suggest[ff.Name]; len(opts) > 0 {
				help = strings.TrimSpace(help + "; on this host: " + strings.Join(opts[:min(len(opts), 8)], ", "))
			}
			for _, l := range strings.Split(ansi.Wordwrap(help, width-4, " "), "\n") {
				out = append(out, widget.Fit(th.Dim.Render("    "+l), width))
			}
		}
	}
	return out
}

// Fill puts value into the named field as if typed there, and says what
// the field makes of it (its validation message, or nil).
func (f *Form) Fill(name, value string) error {
	for i, ff := range f.Fields {
		if ff.Name == name {
			f.Cursor = i
			f.Focus()
			ff.Input.SetValue(value)
			f.apply(ff)
			if ff.Err != "" {
				return errors.New(ff.Err)
			}
			return nil
		}
	}
	return fmt.Errorf("no field %q in the form", name)
}
