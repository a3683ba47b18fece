package main

// kvmtui console VM and kvmtui vv VM: the serial console in this terminal,
// and a virt-viewer file on standard output for a viewer elsewhere.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kvmtui/console"
	"kvmtui/libvirtx"
)

func consoleCommand(mgr *libvirtx.Manager, args []string, find func(string) (libvirtx.Domain, error), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "take the console over from another client (virsh console, another kvmtui)")
	dev := fs.String("devname", "", "the console's alias (serial0, console1…); default: the first")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: kvmtui console [--force] [--devname ALIAS] VM")
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "kvmtui:", err); return 1 }
	d, err := find(fs.Arg(0))
	if err != nil {
		return fail(err)
	}
	if !d.State.Active() {
		return fail(fmt.Errorf("%s is %s: start it first (kvmtui start %s)", d.Name, d.State, d.Name))
	}
	xml, err := mgr.DomainXML(d.Ref, false, false)
	if err != nil {
		return fail(err)
	}
	dv, err := console.ParseDevices(xml)
	if err != nil {
		return fail(err)
	}
	if err := dv.Serial.Check(d.Name); err != nil {
		return fail(err)
	}
	rw, err := mgr.OpenConsole(d.Ref, *dev, *force)
	var busy libvirtx.ConsoleBusyError
	if errors.As(err, &busy) {
		return fail(fmt.Errorf("%v: another client holds it; kvmtui console --force %s takes it over", err, d.Name))
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "Connected to %s (%s)\nEscape character is ^] (Ctrl + ])\n", d.Name, d.URI)
	ended, err := console.Attach(rw, os.Stdin, stdout)
	fmt.Fprintln(stdout)
	switch {
	case err != nil:
		return fail(err)
	case !ended.Escaped && !ended.InputEnded && ended.Err != nil && ended.Err != io.EOF:
		return fail(fmt.Errorf("the console of %s closed: %v (the VM stopped, or another client took it over)", d.Name, ended.Err))
	}
	return 0
}

func vvCommand(mgr *libvirtx.Manager, args []string, find func(string) (libvirtx.Domain, error), stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kvmtui vv VM      (then: ssh HOST kvmtui vv VM | remote-viewer -)")
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "kvmtui:", err); return 1 }
	d, err := find(args[0])
	if err != nil {
		return fail(err)
	}
	if !d.State.Active() {
		return fail(fmt.Errorf("%s is %s: its display has no port until it runs (kvmtui start %s)", d.Name, d.State, d.Name))
	}
	xml, err := mgr.DomainXML(d.Ref, false, !mgr.ReadOnly())
	if err != nil {
		return fail(err)
	}
	dv, err := console.ParseDevices(xml)
	if err != nil {
		return fail(err)
	}
	disp, err := dv.Usable(d.Name)
	if err != nil {
		return fail(err)
	}
	user, host := console.Self()
	vv := console.PrintedVV(d.URI, disp, d.Name, host)
	data, err := vv.Bytes()
	if err != nil {
		return fail(err)
	}
	if vv.Host == "127.0.0.1" && os.Getenv("SSH_CONNECTION") != "" {
		// Over SSH the viewer runs elsewhere: it needs the matching tunnel.
		fmt.Fprintf(stderr, "kvmtui: %s's display listens on this host's loopback; on your workstation first run:\n  %s\n",
			d.Name, console.Workstation(d.URI, disp, d.Name, user, host)[0])
	}
	stdout.Write(data)
	return 0
}
