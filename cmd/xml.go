package cmd

import (
	"github.com/spf13/cobra"

	"kvmtui/devices"
)

func (o *options) xmlCommand() *cobra.Command {
	xml := &cobra.Command{
		Use:   "xml",
		Short: "libvirt XML tools",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.usage("usage: kvmtui xml check PATH...") },
	}
	xml.AddCommand(&cobra.Command{
		Use:   "check PATH...",
		Short: "report libvirt XML that kvmtui could not edit without losing configuration",
		Long: `Report libvirt XML (files, or directories of them such as /etc/libvirt/qemu)
that kvmtui's forms could not edit without losing configuration: a line per
lossy file, then "N files, L lossless, X lossy, E errors". The exit status
is 0 only when every file is lossless.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, paths []string) error {
			sum, err := devices.CheckPaths(paths, o.stdout)
			if err != nil {
				return o.fail(err)
			}
			if !sum.OK() {
				return exitCode(1)
			}
			return nil
		},
	})
	return xml
}
