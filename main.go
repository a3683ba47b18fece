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
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/console"
	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/perf"
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

// kvmtui console VM and kvmtui vv VM: the serial console in this terminal,
// and a virt-viewer file on standard output for a viewer elsewhere.

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

const topUsage = `usage: kvmtui [flags] top [top flags]

A dense, read-only dashboard for a small pane (40x10 and up): host load, the
busiest VMs with a CPU sparkline each, the latest alert. q quits, b switches
the sparklines between Unicode and ASCII.

With --batch it writes samples to standard output instead, for scripts:
CSV (a header, then one row per host and per VM each interval) or JSON
Lines (one object per interval). Unknown values are empty / null.

top flags:
`

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

func topCommand(cfg config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("top", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, topUsage); fs.PrintDefaults() }
	batch := fs.Bool("batch", false, "write samples to standard output instead of the dashboard")
	format := fs.String("format", "csv", "batch output: csv or json")
	count := fs.Int("count", 0, "batch: stop after this many samples (0: never)")
	charts := fs.String("charts", "", "sparklines: braille, block or ascii (default: the config file's)")
	interval := cfg.interval
	fs.Var(seconds{&interval}, "interval", "seconds between samples (at least 1)")
	fs.Var(&cfg.uris, "c", "libvirt connection URI (repeatable)")
	fs.Var(&cfg.uris, "connect", "libvirt connection URI (repeatable)")
	fs.BoolVar(&cfg.readOnly, "readonly", cfg.readOnly, "open connections read-only")
	fs.BoolVar(&cfg.demo, "demo", cfg.demo, "use the bundled demo host")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kvmtui top: unexpected %q\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if interval < tui.MinInterval {
		fmt.Fprintf(stderr, "kvmtui top: --interval %v is too short: at least %v\n", interval, tui.MinInterval)
		return 2
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "kvmtui top: --format %q: expected csv or json\n", *format)
		return 2
	}
	if *count < 0 {
		fmt.Fprintln(stderr, "kvmtui top: --count must be 0 or more")
		return 2
	}
	pc, err := perf.LoadConfig(perf.ConfigPath())
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui: config:", err)
	}
	if *charts != "" {
		cs, err := perf.ParseChartStyle(*charts)
		if err != nil {
			fmt.Fprintln(stderr, "kvmtui top: --charts", err)
			return 2
		}
		pc.Charts = cs
	}
	uris, demoURI, err := chooseURIs(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	if *batch {
		return topBatch(cfg.readOnly, uris, pc, *format, interval, *count, stdout, stderr)
	}
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
	m := tui.NewTop(mgr, tui.TopOptions{DemoURI: demoURI, Interval: interval, Perf: pc})
	// The screen changes once per interval: a low frame rate costs fewer
	// wake-ups and changes nothing a reader sees.
	if _, err := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(topFPS)).Run(); err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	return 0
}

// topFPS is the dashboard's frame rate cap.
const topFPS = 5

// topBatch samples every interval and writes count records (0: until
// killed). The first sweep only sets the baseline: rates need two.
func topBatch(readOnly bool, uris []string, pc perf.Config, format string, interval time.Duration, count int, stdout, stderr io.Writer) int {
	exp, err := perf.NewExport(format, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui top:", err)
		return 2
	}
	mgr := libvirtx.NewManager(readOnly)
	defer mgr.Close()
	inv := newInventory()
	pending := map[string]bool{}
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			fmt.Fprintln(stderr, "kvmtui:", err)
			return 2
		}
		pending[u] = true
	}
	ready := make(chan libvirtx.ConnEvent, 16)
	go inv.follow(mgr, ready)
	deadline := time.After(30 * time.Second)
	up := 0
	for len(pending) > 0 {
		select {
		case e := <-ready:
			if !pending[e.URI] {
				continue
			}
			delete(pending, e.URI)
			if e.Status == libvirtx.Connected {
				up++
			} else {
				fmt.Fprintf(stderr, "kvmtui: %s: %s (retrying in the background)\n", e.URI, e.Err)
			}
		case <-deadline:
			for u := range pending {
				fmt.Fprintf(stderr, "kvmtui: no answer from %s within 30s\n", u)
			}
			pending = nil
		}
	}
	if up == 0 {
		return 1
	}
	tr := perf.NewTracker(pc.Thresholds)
	// Like the UI: the running domains each time, every domain every 30 s.
	ticks := 0
	sweepOnce := func() time.Time {
		lk := perf.Lookup{Host: inv.host, VCPUs: inv.vcpus, ActiveOnly: true}
		sweep := mgr.SweepActive
		if ticks++; time.Duration(ticks)*interval >= 30*time.Second || ticks == 1 {
			ticks, sweep, lk.ActiveOnly = 1, mgr.Sweep, false
		}
		s, errs := sweep()
		var hosts []libvirtx.HostSample
		for _, u := range mgr.URIs() {
			if errs[u] != nil {
				fmt.Fprintf(stderr, "kvmtui: %s: %v\n", u, errs[u])
				continue
			}
			if h, err := mgr.HostStats(u); err == nil {
				hosts = append(hosts, h)
			}
		}
		tr.Add(s, hosts, lk)
		return time.Now()
	}
	sweepOnce()
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for i := 0; count == 0 || i < count; i++ {
		<-tk.C
		at := sweepOnce()
		if err := exp.Write(at, tr); err != nil {
			fmt.Fprintln(stderr, "kvmtui top:", err)
			return 1
		}
	}
	return 0
}

// inventory follows libvirt's events for what samples lack: vCPU counts
// and host facts. It reports each connection's first inventory or failure.
type inventory struct {
	mu    sync.Mutex
	vcpu  map[string]int
	hosts map[string]libvirtx.HostInfo
}

func newInventory() *inventory {
	return &inventory{vcpu: map[string]int{}, hosts: map[string]libvirtx.HostInfo{}}
}

func (iv *inventory) follow(mgr *libvirtx.Manager, ready chan<- libvirtx.ConnEvent) {
	told := map[string]bool{}
	tell := func(e libvirtx.ConnEvent) {
		if !told[e.URI] {
			told[e.URI] = true
			ready <- e
		}
	}
	for {
		for _, e := range mgr.Next() {
			iv.mu.Lock()
			switch e := e.(type) {
			case libvirtx.ConnEvent:
				if e.Status == libvirtx.Connected {
					iv.hosts[e.URI] = e.Host
				}
				if e.Status == libvirtx.Disconnected {
					iv.mu.Unlock()
					tell(e)
					continue
				}
			case libvirtx.InventoryEvent:
				for _, d := range e.Domains {
					iv.vcpu[perf.Key(d.URI, d.UUID)] = d.VCPUs
				}
				iv.mu.Unlock()
				tell(libvirtx.ConnEvent{URI: e.URI, Status: libvirtx.Connected})
				continue
			case libvirtx.DomainEvent:
				if !e.Gone {
					iv.vcpu[perf.Key(e.URI, e.UUID)] = e.Domain.VCPUs
				}
			}
			iv.mu.Unlock()
		}
	}
}

func (iv *inventory) host(uri string) libvirtx.HostInfo {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return iv.hosts[uri]
}

func (iv *inventory) vcpus(uri, uuid string) int {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return iv.vcpu[perf.Key(uri, uuid)]
}
