package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"kvmtui/libvirtx"
	"kvmtui/tui/hostinfo"
	"kvmtui/tui/widget"
)

// hostCommand is the :host page's text for scripts: every connection's,
// or the one named.
func (o *options) hostCommand() *cobra.Command {
	format := "table"
	c := &cobra.Command{
		Use:   "host [--format table|json]",
		Short: "what each host has: KVM, CPU, NUMA, memory, huge pages, KSM, machine types",
		Args:  cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if err := o.checkFormat("host", format); err != nil {
				return err
			}
			var hosts []libvirtx.HostDetails
			for _, uri := range s.uris {
				h, err := s.mgr.HostDetails(uri)
				if err != nil {
					return o.fail(fmt.Errorf("%s: %w", uri, err))
				}
				hosts = append(hosts, h)
			}
			if format == "json" {
				return o.writeJSON(hosts)
			}
			th := widget.NewTheme()
			for i, h := range hosts {
				if i > 0 {
					fmt.Fprintln(o.stdout)
				}
				fmt.Fprintln(o.stdout, strings.Join(hostinfo.Lines(h, th, 100, ""), "\n"))
			}
			return nil
		}),
	}
	c.Flags().StringVar(&format, "format", format, "table (text) or json")
	return c
}
