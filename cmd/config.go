package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func (o *options) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "the configuration file: where it is, what in it cannot be used, the settings and keys",
		Long: `Print where kvmtui's configuration file is, every line of it that cannot
be used (file:line: field: why; exit status 1), the settings, the themes and
every key binding (key.VIEW.ACTION = KEYS rebinds one). The file:

  connect  = qemu+ssh://root@db1/system   # repeatable: opened when no -c is given
  interval = 3s                           # the stats interval (--interval wins)
  theme    = auto                         # auto, dark, light, high-contrast, mono,
                                          # default, or NAME: themes/NAME.theme
  columns  = state,name,cpu,mem,disk,net  # the VM list's columns, in order
  key.list.start = x                      # rebind the list's start to x`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return o.printConfig() },
	}
}

func (o *options) printConfig() error {
	c := &o.cfg
	state := " (none: the defaults apply)"
	if _, err := os.Stat(c.Path); err == nil {
		state = ""
	}
	fmt.Fprintf(o.stdout, "file: %s%s\n", c.Path, state)
	_, errs := common.Configure(c)
	errs = append(append([]error(nil), o.cfgErrs...), errs...)
	for _, err := range errs {
		fmt.Fprintln(o.stdout, "ignored:", err)
	}
	fmt.Fprintf(o.stdout, "connect: %s\ninterval: %v\ntheme: %s (built in: %s)\ncolumns: %s\n",
		orNone(strings.Join(c.Connect, " ")), o.interval, orNone(c.Theme), strings.Join(widget.ThemeNames(), ", "), orNone(strings.Join(c.Columns, ",")))
	fmt.Fprintln(o.stdout, "keys:")
	for _, a := range common.Actions() {
		keys := a.Binding.Keys()
		if over, ok := c.Keys[a.View][a.Name]; ok {
			keys = over
		}
		fmt.Fprintf(o.stdout, "  key.%s.%s = %s    # %s\n", a.View, a.Name, strings.Join(keys, ","), a.Binding.Help().Desc)
	}
	if len(errs) > 0 {
		return exitCode(1)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}
