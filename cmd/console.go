package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"kvmtui/console"
	"kvmtui/libvirtx"
)

// kvmtui console VM and kvmtui vv VM: the serial console in this terminal,
// and a virt-viewer file on standard output for a viewer elsewhere.

func (o *options) consoleCommand() *cobra.Command {
	var force bool
	var dev string
	c := &cobra.Command{
		Use:               "console [--force] VM",
		Short:             "the VM's serial console in this terminal; Ctrl+] leaves",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			return s.console(args[0], dev, force)
		}),
	}
	c.Flags().BoolVar(&force, "force", false, "take the console over from another client (virsh console, another kvmtui)")
	c.Flags().StringVar(&dev, "devname", "", "the console's alias (serial0, console1…); default: the first")
	return c
}

func (s *session) console(name, dev string, force bool) error {
	o := s.o
	d, err := s.find(name)
	if err != nil {
		return o.fail(err)
	}
	if !d.State.Active() {
		return o.fail(fmt.Errorf("%s is %s: start it first (kvmtui start %s)", d.Name, d.State, d.Name))
	}
	xml, err := s.mgr.DomainXML(d.Ref, false, false)
	if err != nil {
		return o.fail(err)
	}
	dv, err := console.ParseDevices(xml)
	if err != nil {
		return o.fail(err)
	}
	if err := dv.Serial.Check(d.Name); err != nil {
		return o.fail(err)
	}
	rw, err := s.mgr.OpenConsole(d.Ref, dev, force)
	var busy libvirtx.ConsoleBusyError
	if errors.As(err, &busy) {
		return o.fail(fmt.Errorf("%v: another client holds it; kvmtui console --force %s takes it over", err, d.Name))
	}
	if err != nil {
		return o.fail(err)
	}
	fmt.Fprintf(o.stdout, "Connected to %s (%s)\nEscape character is ^] (Ctrl + ])\n", d.Name, d.URI)
	ended, err := console.Attach(rw, os.Stdin, o.stdout)
	fmt.Fprintln(o.stdout)
	switch {
	case err != nil:
		return o.fail(err)
	case !ended.Escaped && !ended.InputEnded && ended.Err != nil && ended.Err != io.EOF:
		return o.fail(fmt.Errorf("the console of %s closed: %v (the VM stopped, or another client took it over)", d.Name, ended.Err))
	}
	return nil
}

func (o *options) vvCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "vv VM",
		Short: "print a virt-viewer file for the VM's display",
		Long: `Print a virt-viewer file for the VM's display, for a viewer on another
machine: ssh HOST kvmtui vv VM | remote-viewer -`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			return s.vv(args[0])
		}),
	}
}

func (s *session) vv(name string) error {
	o := s.o
	d, err := s.find(name)
	if err != nil {
		return o.fail(err)
	}
	if !d.State.Active() {
		return o.fail(fmt.Errorf("%s is %s: its display has no port until it runs (kvmtui start %s)", d.Name, d.State, d.Name))
	}
	xml, err := s.mgr.DomainXML(d.Ref, false, !s.mgr.ReadOnly())
	if err != nil {
		return o.fail(err)
	}
	dv, err := console.ParseDevices(xml)
	if err != nil {
		return o.fail(err)
	}
	disp, err := dv.Usable(d.Name)
	if err != nil {
		return o.fail(err)
	}
	user, host := console.Self()
	vv := console.PrintedVV(d.URI, disp, d.Name, host)
	data, err := vv.Bytes()
	if err != nil {
		return o.fail(err)
	}
	if vv.Host == "127.0.0.1" && os.Getenv("SSH_CONNECTION") != "" {
		// Over SSH the viewer runs elsewhere: it needs the matching tunnel.
		fmt.Fprintf(o.stderr, "kvmtui: %s's display listens on this host's loopback; on your workstation first run:\n  %s\n",
			d.Name, console.Workstation(d.URI, disp, d.Name, user, host)[0])
	}
	_, err = o.stdout.Write(data)
	return err
}
