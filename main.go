// Command kvmtui is a keyboard-driven terminal UI for KVM/QEMU virtual
// machines through libvirt. With a command word it runs one action and exits.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui"
)

//go:embed testdata/demo/host.xml
var demoHostXML []byte

const usage = `kvmtui: a terminal UI for KVM/QEMU virtual machines through libvirt.

usage:
  kvmtui [flags]                       the interactive UI
  kvmtui [flags] list                  list VMs (name, state, connection)
  kvmtui [flags] ACTION VM...          start shutdown reboot reset destroy suspend
                                       resume managedsave managedsave-remove
  kvmtui [flags] autostart on|off VM...
  kvmtui [flags] rename VM NEWNAME
  kvmtui [flags] delete [--storage] [--yes] VM
                                       undefine VM (with managed save, snapshot
                                       metadata and NVRAM); --storage also deletes
                                       its unshared writable pool volumes
  kvmtui [flags] console [--force] VM  the serial console here; Ctrl+] leaves
  kvmtui [flags] vv VM                 print a virt-viewer file for VM's display:
                                       ssh HOST kvmtui vv VM | remote-viewer -
  kvmtui [flags] create --name NAME --cdrom ISO|--location URL|--import IMG|
                       --pxe|--manual|--cloud-image IMG [--os ID] [--print-xml] ...
                                       a new VM, as the wizard (n) makes it;
                                       kvmtui create -h lists every option
  kvmtui xml check PATH...             report libvirt XML that kvmtui could not
                                       edit without losing configuration
  kvmtui [flags] top [--interval N]    a compact read-only dashboard (tmux pane)
  kvmtui [flags] top --batch [--format csv|json] [--interval N] [--count M]
                                       write samples to standard output

With no -c, kvmtui uses LIBVIRT_DEFAULT_URI, else qemu:///system when it is
reachable, else a demo host (libvirt's test driver; nothing in it is real).

flags:
`

type uriList []string

func (u *uriList) String() string     { return strings.Join(*u, ",") }
func (u *uriList) Set(v string) error { *u = append(*u, v); return nil }

type config struct {
	uris     uriList
	readOnly bool
	demo     bool
	interval time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("kvmtui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.Var(&cfg.uris, "c", "libvirt connection URI (repeatable)")
	fs.Var(&cfg.uris, "connect", "libvirt connection URI (repeatable)")
	fs.BoolVar(&cfg.readOnly, "readonly", false, "open connections read-only: nothing can be changed")
	fs.BoolVar(&cfg.demo, "demo", false, "use the bundled demo host (libvirt's test driver)")
	fs.DurationVar(&cfg.interval, "interval", 2*time.Second, "stats interval (at least 1s)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.interval < tui.MinInterval {
		fmt.Fprintf(stderr, "kvmtui: --interval %v is too short: at least %v\n", cfg.interval, tui.MinInterval)
		return 2
	}
	rest := fs.Args()
	if len(rest) >= 1 && rest[0] == "xml" {
		return xmlCommand(rest[1:], stdout, stderr)
	}
	if len(rest) >= 1 && rest[0] == "top" {
		return topCommand(cfg, rest[1:], stdout, stderr)
	}

	uris, demoURI, err := chooseURIs(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	if len(rest) >= 1 && rest[0] == "create" {
		return tui.CreateCommand(uris, cfg.readOnly, rest[1:], stdout, stderr)
	}
	if len(rest) > 0 {
		return oneShot(cfg, uris, rest, stdout, stderr)
	}
	return runUI(cfg, uris, demoURI, stderr)
}

// chooseURIs applies virsh's rules (-c, then LIBVIRT_DEFAULT_URI), then
// qemu:///system when reachable, then the demo host.
func chooseURIs(cfg config) (uris []string, demoURI string, err error) {
	switch {
	case cfg.demo:
	case len(cfg.uris) > 0:
		return cfg.uris, "", nil
	case os.Getenv("LIBVIRT_DEFAULT_URI") != "":
		return []string{os.Getenv("LIBVIRT_DEFAULT_URI")}, "", nil
	default:
		if libvirtx.Probe("qemu:///system", cfg.readOnly) == nil {
			return []string{"qemu:///system"}, "", nil
		}
	}
	demoURI, err = writeDemoHost()
	if err != nil {
		return nil, "", err
	}
	return []string{demoURI}, demoURI, nil
}

// writeDemoHost puts the embedded demo host where libvirt's test driver can
// read it and returns its test:/// URI.
func writeDemoHost() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "kvmtui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("demo host: %w", err)
	}
	p := filepath.Join(dir, "demo-host.xml")
	if err := os.WriteFile(p, demoHostXML, 0o644); err != nil {
		return "", fmt.Errorf("demo host: %w", err)
	}
	return "test://" + p, nil
}

func runUI(cfg config, uris []string, demoURI string, stderr io.Writer) int {
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	mgr := libvirtx.NewManager(cfg.readOnly)
	defer mgr.Close()
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			fmt.Fprintln(stderr, "kvmtui:", err)
			return 2
		}
	}
	m := tui.New(mgr, tui.Options{DemoURI: demoURI, Interval: cfg.interval})
	defer m.CloseConsoles() // viewers and their SSH tunnels end with kvmtui
	if _, err := tea.NewProgram(m, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	return 0
}

var oneShotActions = map[string]libvirtx.Action{
	"start": libvirtx.Start, "shutdown": libvirtx.Shutdown, "reboot": libvirtx.Reboot,
	"reset": libvirtx.Reset, "destroy": libvirtx.ForceOff, "suspend": libvirtx.Pause,
	"resume": libvirtx.Resume, "managedsave": libvirtx.ManagedSave,
	"managedsave-remove": libvirtx.DiscardSave,
}

// oneShot runs a command word against the connections and exits.
func oneShot(cfg config, uris []string, args []string, stdout, stderr io.Writer) int {
	word := args[0]
	known := word == "list" || word == "autostart" || word == "rename" || word == "delete"
	known = known || word == "console" || word == "vv"
	if _, ok := oneShotActions[word]; !ok && !known {
		fmt.Fprintf(stderr, "kvmtui: unknown command %q (kvmtui -h lists them)\n", word)
		return 2
	}
	mgr, doms, errs := libvirtx.OpenSync(uris, cfg.readOnly, 30*time.Second)
	defer mgr.Close()
	for u, e := range errs {
		fmt.Fprintf(stderr, "kvmtui: %s: %s\n", u, e)
	}
	if len(errs) == len(uris) {
		return 1
	}
	find := func(name string) (libvirtx.Domain, error) {
		var found []libvirtx.Domain
		for _, d := range doms {
			if d.Name == name || d.UUID == name {
				found = append(found, d)
			}
		}
		switch len(found) {
		case 0:
			return libvirtx.Domain{}, fmt.Errorf("no VM named %q on %s", name, strings.Join(uris, ", "))
		case 1:
			return found[0], nil
		}
		return libvirtx.Domain{}, fmt.Errorf("%q exists on several connections: name one with -c", name)
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "kvmtui:", err); return 1 }

	switch word {
	case "list":
		sort.Slice(doms, func(i, j int) bool { return doms[i].Name < doms[j].Name })
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATE\tVCPUS\tMEMORY\tAUTOSTART\tURI")
		for _, d := range doms {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d MiB\t%v\t%s\n", d.Name, d.State, d.VCPUs, d.MemoryKiB/1024, d.Autostart, d.URI)
		}
		tw.Flush()
		return 0
	case "rename":
		if len(args) != 3 {
			return fail(errors.New("usage: kvmtui rename VM NEWNAME"))
		}
		d, err := find(args[1])
		if err != nil {
			return fail(err)
		}
		if err := mgr.Rename(d.Ref, args[2]); err != nil {
			return fail(err)
		}
		return 0
	case "delete":
		return deleteCommand(mgr, args[1:], find, stdout, stderr)
	case "console":
		return consoleCommand(mgr, args[1:], find, stdout, stderr)
	case "vv":
		return vvCommand(mgr, args[1:], find, stdout, stderr)
	}

	names := args[1:]
	a, ok := oneShotActions[word]
	if word == "autostart" {
		if len(args) < 2 || (args[1] != "on" && args[1] != "off") {
			return fail(errors.New("usage: kvmtui autostart on|off VM..."))
		}
		a, ok = libvirtx.AutostartOn, true
		if args[1] == "off" {
			a = libvirtx.AutostartOff
		}
		names = args[2:]
	}
	if !ok || len(names) == 0 {
		return fail(fmt.Errorf("usage: kvmtui %s VM...", word))
	}
	code := 0
	for _, n := range names {
		d, err := find(n)
		if err == nil {
			err = mgr.Do(d.Ref, a)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kvmtui: %s %s: %v\n", word, n, err)
			code = 1
		}
	}
	return code
}

func deleteCommand(mgr *libvirtx.Manager, args []string, find func(string) (libvirtx.Domain, error), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storage := fs.Bool("storage", false, "also delete the VM's unshared writable pool volumes")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: kvmtui delete [--storage] [--yes] VM")
		return 2
	}
	d, err := find(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	plan, err := mgr.PlanDelete(d.Ref)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	var vols []string
	fmt.Fprintf(stdout, "delete %s (%s)%s\n", d.Name, d.URI, map[bool]string{true: ", forcing it off first", false: ""}[plan.Active])
	for _, dk := range plan.Disks {
		verdict := "keep"
		if *storage && dk.Delete {
			verdict = "DELETE"
			vols = append(vols, dk.Path)
		}
		fmt.Fprintf(stdout, "  %-6s %-4s %s  %s", verdict, dk.Target, dk.Device, dk.Path)
		if dk.Why != "" {
			fmt.Fprintf(stdout, "  (%s)", dk.Why)
		}
		fmt.Fprintln(stdout)
	}
	if !*yes {
		fmt.Fprint(stdout, "proceed? [y/N] ")
		var answer string
		fmt.Fscanln(os.Stdin, &answer)
		if answer != "y" && answer != "yes" {
			fmt.Fprintln(stdout, "cancelled")
			return 1
		}
	}
	res, err := mgr.Delete(d.Ref, vols)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	for _, p := range res.Deleted {
		fmt.Fprintln(stdout, "deleted volume", p)
	}
	for p, e := range res.Failed {
		fmt.Fprintf(stderr, "kvmtui: could not delete %s: %s\n", p, e)
	}
	if len(res.Failed) > 0 {
		return 1
	}
	return 0
}

func xmlCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: kvmtui xml check PATH...")
		return 2
	}
	sum, err := devices.CheckPaths(args[1:], stdout)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	if !sum.OK() {
		return 1
	}
	return 0
}
