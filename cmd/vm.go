package cmd

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"kvmtui/libvirtx"
)

// lifecycle are the one-shot actions, by virsh's words.
var lifecycle = []struct {
	word  string
	act   libvirtx.Action
	short string
}{
	{"start", libvirtx.Start, "start VMs (a saved VM is restored)"},
	{"shutdown", libvirtx.Shutdown, "ask VMs to shut down (ACPI)"},
	{"reboot", libvirtx.Reboot, "ask VMs to reboot"},
	{"reset", libvirtx.Reset, "reset VMs at once, like the reset button"},
	{"destroy", libvirtx.ForceOff, "force VMs off"},
	{"suspend", libvirtx.Pause, "pause VMs"},
	{"resume", libvirtx.Resume, "resume paused VMs"},
	{"managedsave", libvirtx.ManagedSave, "save VMs' memory to disk and stop them"},
	{"managedsave-remove", libvirtx.DiscardSave, "discard VMs' saved state"},
}

// session is what a one-shot command works with: the connections, opened
// and listed once.
type session struct {
	o    *options
	mgr  *libvirtx.Manager
	doms []libvirtx.Domain
	uris []string
}

// inSession is a command's RunE that runs f with the connections open.
func (o *options) inSession(f func(s *session, args []string) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		s, err := o.open()
		if err != nil {
			return err
		}
		defer s.close()
		return f(s, args)
	}
}

// onNamed is a command's RunE that finds what its first argument names
// (a VM, a pool) and runs f on it with the other arguments; a failure
// says why and ends with 1.
func onNamed[T any](o *options, find func(*session, string) (T, error), f func(s *session, x T, args []string) error) func(*cobra.Command, []string) error {
	return o.inSession(func(s *session, args []string) error {
		x, err := find(s, args[0])
		if err != nil {
			return o.fail(err)
		}
		if err := f(s, x, args[1:]); err != nil {
			if _, ok := err.(exitCode); ok {
				return err
			}
			return o.fail(err)
		}
		return nil
	})
}

// open connects to every chosen URI and waits for each one's inventory.
func (o *options) open() (*session, error) {
	uris, _, err := o.chooseURIs()
	if err != nil {
		return nil, o.fail(err)
	}
	mgr, doms, errs := libvirtx.OpenSync(uris, o.readOnly, 30*time.Second)
	for u, e := range errs {
		fmt.Fprintf(o.stderr, "kvmtui: %s: %s\n", u, e)
	}
	if len(errs) == len(uris) {
		mgr.Close()
		return nil, exitCode(1)
	}
	return &session{o: o, mgr: mgr, doms: doms, uris: uris}, nil
}

func (s *session) close() { s.mgr.Close() }

// isTemplate reads a VM's template mark: a command lists the VMs without
// their definitions, which hold it.
func (s *session) isTemplate(d libvirtx.Domain) bool {
	t, err := s.mgr.IsTemplate(d.Ref)
	return err == nil && t
}

// find is the VM of that name (or UUID) on the connections.
func (s *session) find(name string) (libvirtx.Domain, error) {
	var found []libvirtx.Domain
	for _, d := range s.doms {
		if d.Name == name || d.UUID == name {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return libvirtx.Domain{}, fmt.Errorf("no VM named %q on %s", name, strings.Join(s.uris, ", "))
	case 1:
		return found[0], nil
	}
	return libvirtx.Domain{}, fmt.Errorf("%q exists on several connections: name one with -c", name)
}

// vmNames completes VM names from the chosen connections.
func (o *options) vmNames(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	uris, _, err := o.chooseURIs()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	mgr, doms, _ := libvirtx.OpenSync(uris, true, 5*time.Second)
	defer mgr.Close()
	var out []string
	for _, d := range doms {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, d.Name)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (o *options) vmCommands() []*cobra.Command {
	cmds := []*cobra.Command{{
		Use:   "list",
		Short: "list VMs: name, state, vCPUs, memory, autostart, connection",
		Args:  cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			sort.Slice(s.doms, func(i, j int) bool { return s.doms[i].Name < s.doms[j].Name })
			templates := map[string]map[string]bool{} // by URI, then UUID
			for _, u := range s.uris {
				templates[u], _ = s.mgr.Templates(u) // unreadable: no marks shown
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSTATE\tVCPUS\tMEMORY\tAUTOSTART\tURI")
			for _, d := range s.doms {
				state := d.State.String()
				if d.State == libvirtx.StateShutoff && templates[d.URI][d.UUID] {
					state = "template"
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d MiB\t%v\t%s\n", d.Name, state, d.VCPUs, d.MemoryKiB/1024, d.Autostart, d.URI)
			}
			return tw.Flush()
		}),
	}}
	for _, l := range lifecycle {
		c := &cobra.Command{
			Use:               l.word + " VM...",
			Short:             l.short,
			Args:              cobra.MinimumNArgs(1),
			ValidArgsFunction: o.vmNames,
			RunE:              func(_ *cobra.Command, names []string) error { return o.act(l.word, l.act, names) },
		}
		if l.act == libvirtx.Start {
			c.Flags().BoolVar(&o.startTemplates, "template", false, "start templates too (their linked clones read their disks)")
		}
		cmds = append(cmds, c)
	}
	cmds = append(cmds, &cobra.Command{
		Use:   "template on|off VM...",
		Short: "mark VMs as templates to clone (kvmtui create --template), or not",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 || (args[0] != "on" && args[0] != "off") {
				return o.usage("usage: kvmtui template on|off VM...")
			}
			return nil
		},
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			for _, n := range args[1:] {
				d, err := s.find(n)
				if err == nil {
					err = s.mgr.SetTemplate(d.Ref, args[0] == "on")
				}
				if err != nil {
					return o.fail(fmt.Errorf("template %s %s: %w", args[0], n, err))
				}
			}
			return nil
		}),
	})
	cmds = append(cmds, &cobra.Command{
		Use:   "autostart on|off VM...",
		Short: "start VMs with the host, or not",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 || (args[0] != "on" && args[0] != "off") {
				return o.usage("usage: kvmtui autostart on|off VM...")
			}
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []string{"on", "off"}, cobra.ShellCompDirectiveNoFileComp
			}
			return o.vmNames(c, args, prefix)
		},
		RunE: func(_ *cobra.Command, args []string) error {
			a := libvirtx.AutostartOn
			if args[0] == "off" {
				a = libvirtx.AutostartOff
			}
			return o.act("autostart", a, args[1:])
		},
	}, &cobra.Command{
		Use:               "rename VM NEWNAME",
		Short:             "rename a shut-off VM",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			d, err := s.find(args[0])
			if err != nil {
				return o.fail(err)
			}
			if err := s.mgr.Rename(d.Ref, args[1]); err != nil {
				return o.fail(err)
			}
			return nil
		}),
	}, o.deleteCommand())
	return cmds
}

// act runs an action on each named VM; one failure does not stop the rest.
func (o *options) act(word string, a libvirtx.Action, names []string) error {
	s, err := o.open()
	if err != nil {
		return err
	}
	defer s.close()
	failed := false
	for _, n := range names {
		d, err := s.find(n)
		switch {
		case err != nil:
		case a == libvirtx.Start && !o.startTemplates && s.isTemplate(d):
			err = fmt.Errorf("%s is a template: its linked clones read its disks (start --template starts it anyway)", n)
		default:
			err = s.mgr.Do(d.Ref, a)
		}
		if err != nil {
			fmt.Fprintf(o.stderr, "kvmtui: %s %s: %v\n", word, n, err)
			failed = true
		}
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

func (o *options) deleteCommand() *cobra.Command {
	var storage, yes bool
	c := &cobra.Command{
		Use:   "delete [--storage] [--yes] VM",
		Short: "undefine a VM with its managed save, snapshot metadata and NVRAM",
		Long: `Undefine a VM with its managed save, snapshot metadata and NVRAM (a
running VM is forced off first). --storage also deletes its unshared,
writable pool volumes. It lists what goes and asks first, unless --yes.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			return s.delete(args[0], storage, yes)
		}),
	}
	c.Flags().BoolVar(&storage, "storage", false, "also delete the VM's unshared writable pool volumes")
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

func (s *session) delete(name string, storage, yes bool) error {
	o := s.o
	d, err := s.find(name)
	if err != nil {
		return o.fail(err)
	}
	plan, err := s.mgr.PlanDelete(d.Ref)
	if err != nil {
		return o.fail(err)
	}
	var vols []string
	fmt.Fprintf(o.stdout, "delete %s (%s)%s\n", d.Name, d.URI, map[bool]string{true: ", forcing it off first", false: ""}[plan.Active])
	for _, dk := range plan.Disks {
		verdict := "keep"
		if storage && dk.Delete {
			verdict = "DELETE"
			vols = append(vols, dk.Path)
		}
		fmt.Fprintf(o.stdout, "  %-6s %-4s %s  %s", verdict, dk.Target, dk.Device, dk.Path)
		if dk.Why != "" {
			fmt.Fprintf(o.stdout, "  (%s)", dk.Why)
		}
		fmt.Fprintln(o.stdout)
	}
	if !yes && !o.confirm("proceed?") {
		fmt.Fprintln(o.stdout, "cancelled")
		return exitCode(1)
	}
	res, err := s.mgr.Delete(d.Ref, vols)
	if err != nil {
		return o.fail(err)
	}
	for _, p := range res.Deleted {
		fmt.Fprintln(o.stdout, "deleted volume", p)
	}
	for p, e := range res.Failed {
		fmt.Fprintf(o.stderr, "kvmtui: could not delete %s: %s\n", p, e)
	}
	if len(res.Failed) > 0 {
		return exitCode(1)
	}
	return nil
}
