package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
)

// kvmtui agent …: the guest agent's information and actions for scripts.

func (o *options) agentCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "agent",
		Short: "the QEMU guest agent: what the guest says about itself, and actions inside it",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	format := "table"
	info := &cobra.Command{
		Use:               "info VM [--format table|json]",
		Short:             "OS, hostname, timezone, users, file systems and interfaces, from the guest agent",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, _ []string) error {
			if err := o.checkFormat("agent info", format); err != nil {
				return err
			}
			a, err := s.mgr.AgentInfo(d.Ref)
			if err != nil {
				return err
			}
			if format == "json" {
				return o.writeJSON(a)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "OS\t%s (%s)\nkernel\t%s %s\nhostname\t%s\ntimezone\t%s\nvCPUs online\t%d of %d\n", a.OS, a.OSID, a.Kernel, a.Machine, a.Hostname, a.Timezone, a.Online, a.VCPUs)
			for _, u := range a.Users {
				fmt.Fprintf(tw, "user\t%s since %s\n", u.Name, u.Since.Format("2006-01-02 15:04"))
			}
			for _, f := range a.FileSystems {
				fmt.Fprintf(tw, "file system\t%s %s %s of %s on %s\n", f.Mount, f.Type, devices.ApproxSize(f.Used), devices.ApproxSize(f.Total), strings.Join(f.Disks, " "))
			}
			for _, i := range a.Interfaces {
				fmt.Fprintf(tw, "interface\t%s %s %s\n", i.Name, i.MAC, strings.Join(i.Addrs, " "))
			}
			return tw.Flush()
		}),
	}
	info.Flags().StringVar(&format, "format", format, "table or json")
	c.AddCommand(info)
	for _, a := range libvirtx.AgentActions {
		c.AddCommand(&cobra.Command{
			Use:               string(a) + " VM",
			Short:             map[libvirtx.AgentAction]string{libvirtx.AgentFreeze: "freeze the guest's file systems (until fsthaw)", libvirtx.AgentThaw: "thaw them", libvirtx.AgentTrim: "discard the file systems' unused blocks", libvirtx.AgentSetTime: "set the guest's clock from the host's", libvirtx.AgentShutdown: "shut the guest down through its agent", libvirtx.AgentReboot: "reboot the guest through its agent"}[a],
			Args:              cobra.ExactArgs(1),
			ValidArgsFunction: o.vmNames,
			RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, _ []string) error {
				text, err := s.mgr.Agent(d.Ref, a)
				if err == nil {
					fmt.Fprintln(o.stdout, text)
				}
				return err
			}),
		})
	}
	c.AddCommand(&cobra.Command{
		Use:               "vcpus VM N",
		Short:             "bring the guest's first N vCPUs online and the others offline, inside the guest",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil {
				return fmt.Errorf("vcpus: %q is not a number", args[0])
			}
			if err := s.mgr.SetOnlineVCPUs(d.Ref, n); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "%s has %d vCPUs online\n", d.Name, n)
			return nil
		}),
	})
	var passFile string
	setPass := &cobra.Command{
		Use:               "set-password VM USER --password-file FILE|-",
		Short:             "set a guest user's password (its first line; - reads standard input)",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, args []string) error {
			in := io.Reader(os.Stdin)
			if passFile != "-" {
				f, err := os.Open(passFile)
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			line, _ := bufio.NewReader(in).ReadString('\n')
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				return errors.New("set-password: the password file's first line is empty")
			}
			if err := s.mgr.SetUserPassword(d.Ref, args[0], line); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "set the password of %s in %s\n", args[0], d.Name)
			return nil
		}),
	}
	setPass.Flags().StringVar(&passFile, "password-file", "-", "the file whose first line is the password (- : standard input)")
	c.AddCommand(setPass)
	return c
}
