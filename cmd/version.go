package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"kvmtui/libvirtx"
)

// version is set at build time for releases (-ldflags "-X kvmtui/cmd.version=…");
// otherwise the module's version from the build info.
var version = ""

func (o *options) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "kvmtui's version and commit, the libvirt library's, and each connection's daemon",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.printVersion() },
	}
}

// printVersion writes what a bug report needs: kvmtui's version and
// commit, Go's, the libvirt library's, and the daemon and hypervisor of
// the connections chosen with -c (a daemon that cannot be reached says so).
func (o *options) printVersion() error {
	v, commit := version, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					commit += " (modified)"
				}
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	fmt.Fprintf(o.stdout, "kvmtui %s\n", v)
	if commit != "" {
		fmt.Fprintf(o.stdout, "commit %s\n", commit)
	}
	fmt.Fprintf(o.stdout, "%s, libvirt library %s\n", runtime.Version(), libvirtx.LibraryVersion())
	for _, uri := range o.uris {
		daemon, hv, err := libvirtx.DaemonVersions(uri)
		if err != nil {
			fmt.Fprintf(o.stdout, "%s: not reachable: %v\n", uri, err)
			continue
		}
		fmt.Fprintf(o.stdout, "%s: libvirt daemon %s, %s\n", uri, daemon, hv)
	}
	return nil
}
