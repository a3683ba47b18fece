package formpage

import (
	"strings"

	"kvmtui/devices"
)

// Value is the target of a form of one field (a new VM's name, a count):
// what is typed, trimmed, goes through Check before it is kept.
type Value struct {
	Field devices.Field
	Text  string
	Check func(string) error
}

func (v *Value) Fields() []devices.Field { return []devices.Field{v.Field} }

func (v *Value) Get(string) string { return v.Text }

func (v *Value) Set(_, s string) error {
	s = strings.TrimSpace(s)
	if err := v.Check(s); err != nil {
		return err
	}
	v.Text = s
	return nil
}
