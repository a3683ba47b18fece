// Package cmd is kvmtui's command line: the interactive UI (no command
// word) and the one-shot commands for scripts, defined once with cobra so
// that their help, shell completion and man page come from the same place.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kvmtui/config"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// options are the flags every command takes, as virsh spells them.
type options struct {
	uris           []string
	readOnly       bool
	demo           bool
	version        bool
	interval       time.Duration
	cfg            config.Config // the configuration file
	cfgErrs        []error       // what it had that could not be used
	startTemplates bool          // kvmtui start --template
	demoHost       []byte        // the bundled demo host's XML (embedded by main)
	stdout         io.Writer
	stderr         io.Writer
}

// exitCode ends a command with a status after it has said why.
type exitCode int

func (e exitCode) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// Main runs kvmtui with args and returns its exit status: 0, 1 when
// something failed, 2 for a usage error.
func Main(args []string, demoHost []byte, stdout, stderr io.Writer) int {
	root := NewRoot(demoHost, stdout, stderr)
	root.SetArgs(editSelector(args))
	err := root.Execute()
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	}
	// cobra's own refusals: an unknown command or flag, a missing argument.
	fmt.Fprintf(stderr, "kvmtui: %v (kvmtui -h lists the commands)\n", err)
	return 2
}

// NewRoot builds the command tree.
func NewRoot(demoHost []byte, stdout, stderr io.Writer) *cobra.Command {
	o := &options{demoHost: demoHost, stdout: stdout, stderr: stderr, interval: 2 * time.Second}
	root := &cobra.Command{
		Use:   "kvmtui",
		Short: "a terminal UI for KVM/QEMU virtual machines through libvirt",
		Long: `kvmtui: a terminal UI for KVM/QEMU virtual machines through libvirt.

Without a command it opens the interactive UI; with one it runs that and
exits, for scripts.

With no -c, kvmtui uses LIBVIRT_DEFAULT_URI, else the connections of its
configuration file (kvmtui config), else qemu:///system when it is
reachable, else (for a user other than root) the user's own daemon,
qemu:///session, else a demo host (libvirt's test driver; nothing in it
is real).`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(*cobra.Command, []string) error {
			if o.version {
				return o.printVersion()
			}
			return o.runUI("", false)
		},
	}
	root.Flags().BoolVar(&o.version, "version", false, "print the versions (as kvmtui version) and exit")
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringArrayVarP(&o.uris, "connect", "c", nil, "libvirt connection URI (repeatable)")
	pf.BoolVar(&o.readOnly, "readonly", false, "open connections read-only: nothing can be changed")
	pf.BoolVar(&o.demo, "demo", false, "use the bundled demo host (libvirt's test driver)")
	pf.Var(seconds{&o.interval}, "interval", "stats interval: seconds (2) or a duration (2s); at least 1s")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		o.cfg, o.cfgErrs = config.Load(filepath.Join(config.Dir(), config.FileName))
		if o.cfg.Interval > 0 && !c.Flags().Changed("interval") {
			o.interval = o.cfg.Interval
		}
		if o.interval < common.MinInterval {
			return o.usage("--interval %v is too short: at least %v", o.interval, common.MinInterval)
		}
		return nil
	}
	root.AddGroup(&cobra.Group{ID: "vm", Title: "VM commands:"}, &cobra.Group{ID: "other", Title: "Other commands:"})
	for _, c := range append(o.vmCommands(), o.consoleCommand(), o.vvCommand(), o.createCommand(), o.editCommand(), o.cloneCommand(), o.snapshotCommand(), o.backupCommand(), o.restoreCommand(), o.migrateCommand(), o.evacuateCommand(), o.screenshotCommand(), o.screenCommand()) {
		c.GroupID = "vm"
		root.AddCommand(c)
	}
	root.CompletionOptions.DisableDefaultCmd = true // ours works without bash-completion
	for _, c := range []*cobra.Command{o.hostCommand(), o.netCommand(), o.nwfilterCommand(), o.poolCommand(), o.volCommand(), o.agentCommand(), o.topCommand(), o.xmlCommand(), o.completionCommand(root), o.versionCommand(), o.configCommand()} {
		c.GroupID = "other"
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("other")
	return root
}

// fail says what went wrong, as kvmtui does everywhere, and ends with 1.
func (o *options) fail(err error) error {
	fmt.Fprintln(o.stderr, "kvmtui:", err)
	return exitCode(1)
}

// usage refuses a command line, ending with 2.
func (o *options) usage(format string, a ...any) error {
	fmt.Fprintf(o.stderr, "kvmtui: "+format+"\n", a...)
	return exitCode(2)
}

// chooseURIs applies virsh's rules (-c, then LIBVIRT_DEFAULT_URI), then
// the configuration's connections, then qemu:///system when reachable
// (else, for a normal user, qemu:///session), then the demo host.
func (o *options) chooseURIs() (uris []string, demoURI string, err error) {
	switch {
	case o.demo:
	case len(o.uris) > 0:
		return o.uris, "", nil
	case os.Getenv("LIBVIRT_DEFAULT_URI") != "":
		return []string{os.Getenv("LIBVIRT_DEFAULT_URI")}, "", nil
	case len(o.cfg.Connect) > 0:
		return o.cfg.Connect, "", nil
	default:
		if libvirtx.Probe("qemu:///system", o.readOnly) == nil {
			return []string{"qemu:///system"}, "", nil
		}
		// A user the system daemon does not let in has a daemon of their
		// own, which libvirt starts on first use.
		if os.Geteuid() != 0 && libvirtx.Probe("qemu:///session", o.readOnly) == nil {
			return []string{"qemu:///session"}, "", nil
		}
	}
	demoURI, err = o.writeDemoHost()
	if err != nil {
		return nil, "", err
	}
	return []string{demoURI}, demoURI, nil
}

// writeDemoHost puts the embedded demo host where libvirt's test driver can
// read it and returns its test:/// URI.
func (o *options) writeDemoHost() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "kvmtui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("demo host: %w", err)
	}
	p := filepath.Join(dir, "demo-host.xml")
	if err := os.WriteFile(p, o.demoHost, 0o644); err != nil {
		return "", fmt.Errorf("demo host: %w", err)
	}
	return "test://" + p, nil
}

// seconds is an interval flag that takes "2" (seconds) or "2s", "1m".
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		*s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q: expected seconds (2) or a duration (2s)", v)
	}
	*s.d = d
	return nil
}

func (s seconds) Type() string { return "seconds" }

// joinArgs is how a command's unexpected arguments are quoted back.
func joinArgs(args []string) string { return strings.Join(args, " ") }
