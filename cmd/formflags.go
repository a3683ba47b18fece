package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"kvmtui/devices"
)

// formFlags turns a form's fields into a command's flags: the fields of
// every variant (a network's mode, a pool's type), each once, in the form's
// order. A form target is set from them as the form sets it: the variant
// first, then every given flag in that order, so what one field proposes
// (a DHCP range for an address) a later flag can override.
type formFlags struct {
	variant string // the field that decides the others: "mode", "type"
	order   []string
	vals    map[string]*string
}

// newFormFlags adds the flags; fieldsOf gives the fields of one variant.
func newFormFlags(c *cobra.Command, variant string, variants []string, fieldsOf func(v string) []devices.Field) *formFlags {
	ff := &formFlags{variant: variant, vals: map[string]*string{}}
	helps := map[string][]string{} // a field some variants label differently ("dev")
	for _, v := range variants {
		for _, f := range fieldsOf(v) {
			if f.Type == devices.TypePassword {
				continue // never on a command line (ps shows it): the command reads a file
			}
			if _, ok := ff.vals[f.Name]; !ok {
				ff.vals[f.Name] = new(string)
				ff.order = append(ff.order, f.Name)
			}
			h := f.Label + ": " + f.Help
			if f.Type == devices.TypeBool {
				h = f.Label + ": yes or no"
			}
			if !slices.Contains(helps[f.Name], h) {
				helps[f.Name] = append(helps[f.Name], h)
			}
		}
	}
	for _, name := range ff.order {
		c.Flags().StringVar(ff.vals[name], name, "", strings.Join(helps[name], "; "))
	}
	return ff
}

// apply sets the target from the given flags; the error names the flag.
func (ff *formFlags) apply(t interface {
	Get(string) string
	Set(string, string) error
}, rewrite func(name, v string) string) error {
	for _, name := range append([]string{ff.variant}, ff.order...) {
		v := *ff.vals[name]
		if v == "" || name == ff.variant && t.Get(name) == v {
			continue
		}
		if rewrite != nil {
			v = rewrite(name, v)
		}
		if err := t.Set(name, v); err != nil {
			return fmt.Errorf("--%s %q: %v", name, *ff.vals[name], err)
		}
	}
	return nil
}
