package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/libvirtx"
)

// CreateUsage is the help of `kvmtui create`.
const CreateUsage = `usage: kvmtui [-c URI] create --name NAME [--os ID] INSTALL [options]

INSTALL is one of:
  --cdrom PATH            an installer ISO (a pool volume's path or a host path)
  --location URL          an http, https or ftp install tree (--extra-args for its kernel)
  --import PATH           boot an existing disk image
  --pxe                   boot from the network
  --cloud-image PATH      a cloud image, with --cloud-init-* settings
  --manual                no media (with --kernel/--initrd: direct kernel boot)

  kvmtui create --os list [WORD]     lists the operating systems
`

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// CreateCommand is `kvmtui create`: the wizard's choices as flags, so a VM
// can be scripted, and --print-xml to see the definitions without
// creating anything.
func CreateCommand(uris []string, readOnly bool, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, CreateUsage, "\noptions:\n"); fs.PrintDefaults() }
	var (
		n                                install.NewVM
		osID, memory, disk, network, cdr string
		imp, cloud, location, size       string
		pxe, manual, printXML, customize bool
		vcpus                            uint
		ciUser, ciPass, ciHost, ciPkgs   string
		ciKeys                           stringList
	)
	fs.StringVar(&n.Name, "name", "", "the VM's name")
	fs.StringVar(&osID, "os", "", "operating system: a short id like debian12 or win11 (list: --os list); default: detected from the medium, else generic")
	fs.StringVar(&cdr, "cdrom", "", "install from this ISO")
	fs.StringVar(&location, "location", "", "install from this http, https or ftp tree")
	fs.StringVar(&n.ExtraArgs, "extra-args", "", "kernel arguments for a --location install")
	fs.StringVar(&imp, "import", "", "boot this existing disk image")
	fs.BoolVar(&pxe, "pxe", false, "boot from the network")
	fs.BoolVar(&manual, "manual", false, "no install media")
	fs.StringVar(&cloud, "cloud-image", "", "a cloud image: the VM gets a qcow2 overlay of it and a cloud-init seed")
	fs.StringVar(&n.Kernel, "kernel", "", "direct kernel boot: the kernel's host path")
	fs.StringVar(&n.Initrd, "initrd", "", "direct kernel boot: the initrd's host path")
	fs.StringVar(&n.Cmdline, "kernel-args", "", "direct kernel boot: the kernel command line")
	fs.StringVar(&memory, "memory", "", "memory, like 2048 (MiB) or 4G; default: the OS's recommendation")
	fs.UintVar(&vcpus, "vcpus", 0, "vCPUs; default: the OS's recommendation")
	fs.StringVar(&disk, "disk", "", "storage: size=20G[,pool=default][,format=qcow2|raw][,sparse=yes|no], path=PATH (an existing volume or file), or none")
	fs.StringVar(&size, "disk-size", "", "shorthand for --disk size=SIZE")
	fs.StringVar(&network, "network", "", "network=NAME, bridge=BRIDGE, macvtap=NIC or none; default: the network 'default' if there is one")
	fs.StringVar(&n.Firmware, "firmware", "", "bios, efi or efi-secure; default: efi where the OS needs it")
	fs.StringVar(&n.Chipset, "chipset", "", "q35 or i440fx; default: q35 for OSes that support it")
	fs.StringVar(&n.TPM, "tpm", "", "on or off; default: on with UEFI")
	fs.StringVar(&n.Graphics, "graphics", "", "spice, vnc or none; default: spice where QEMU has it")
	fs.StringVar(&n.VirtType, "virt-type", "", "kvm or qemu (TCG); default: kvm where the host has it")
	fs.StringVar(&ciUser, "cloud-init-user", "", "cloud-init: the user to create")
	fs.StringVar(&ciPass, "cloud-init-password", "", "cloud-init: that user's password")
	fs.Var(&ciKeys, "cloud-init-ssh-key", "cloud-init: an authorized_keys line, or @FILE (repeatable)")
	fs.StringVar(&ciHost, "cloud-init-hostname", "", "cloud-init: the guest's hostname")
	fs.StringVar(&ciPkgs, "cloud-init-packages", "", "cloud-init: packages to install, comma-separated")
	fs.BoolVar(&printXML, "print-xml", false, "print the install and final definitions; create nothing")
	fs.BoolVar(&customize, "define-only", false, "define the VM without starting the install (what the wizard's customize does)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "kvmtui create: "+format+"\n", a...)
		return code
	}
	db, err := install.LoadSystemOSDB()
	if err != nil {
		return fail(1, "%v", err)
	}
	if osID == "list" {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tRELEASED")
		for _, o := range db.Search(strings.Join(fs.Args(), " "), 0) {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", o.ShortID, o.Name, o.Released)
		}
		tw.Flush()
		return 0
	}
	if fs.NArg() > 0 {
		return fail(2, "unexpected argument %q (flags only; kvmtui create -h)", fs.Arg(0))
	}
	methods := 0
	for _, set := range []bool{cdr != "", location != "", imp != "", pxe, manual, cloud != ""} {
		if set {
			methods++
		}
	}
	switch {
	case methods != 1:
		return fail(2, "choose exactly one of --cdrom, --location, --import, --pxe, --manual, --cloud-image")
	case cdr != "":
		n.Method, n.Media = install.MethodISO, cdr
	case location != "":
		n.Method, n.Location = install.MethodNetwork, location
	case imp != "":
		n.Method, n.Media, n.Storage = install.MethodImport, imp, install.StorageExisting
	case pxe:
		n.Method = install.MethodPXE
	case manual:
		n.Method = install.MethodManual
	case cloud != "":
		n.Method, n.Media = install.MethodCloud, cloud
	}
	if osID != "" {
		if n.OS, err = db.Lookup(osID); err != nil {
			return fail(2, "%v", err)
		}
	}
	if memory != "" {
		b, err := devices.ParseSize(memory, "MiB")
		if err != nil {
			return fail(2, "--memory: %v", err)
		}
		n.MemoryMiB = b >> 20
	}
	n.VCPUs = vcpus
	if size != "" && disk == "" {
		disk = "size=" + size
	}
	if err := parseDiskFlag(&n, disk); err != nil {
		return fail(2, "--disk: %v", err)
	}
	if err := parseNetworkFlag(&n, network); err != nil {
		return fail(2, "--network: %v", err)
	}
	if n.Method == install.MethodCloud {
		ci := &install.CloudInit{User: ciUser, Password: ciPass, Hostname: ciHost}
		for _, k := range ciKeys {
			if f, ok := strings.CutPrefix(k, "@"); ok {
				b, err := os.ReadFile(f)
				if err != nil {
					return fail(2, "--cloud-init-ssh-key: %v", err)
				}
				for _, line := range strings.Split(string(b), "\n") {
					if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
						ci.SSHKeys = append(ci.SSHKeys, line)
					}
				}
				continue
			}
			ci.SSHKeys = append(ci.SSHKeys, k)
		}
		for _, p := range strings.Split(ciPkgs, ",") {
			if p = strings.TrimSpace(p); p != "" {
				ci.Packages = append(ci.Packages, p)
			}
		}
		n.CloudInit = ci
	}
	if len(uris) != 1 {
		return fail(2, "create on one connection: give one -c URI")
	}
	uri := uris[0]
	mgr, _, errs := libvirtx.OpenSync(uris, readOnly, 30*time.Second)
	defer mgr.Close()
	if e, ok := errs[uri]; ok {
		return fail(1, "%s: %s", uri, e)
	}
	h, err := mgr.NewVMHost(uri)
	if err != nil {
		return fail(1, "%v", err)
	}
	ctx := context.Background()
	detected, err := mgr.PrepareMedia(ctx, uri, &n, db)
	if err != nil {
		return fail(1, "%v", err)
	}
	if n.OS == nil && detected != nil {
		n.OS = detected
		fmt.Fprintf(stderr, "kvmtui create: the medium is %s\n", detected.Label())
	}
	n.Defaults(h, false)
	plan, err := n.Build(h, time.Now())
	if err != nil {
		return fail(1, "%v", err)
	}
	for _, note := range plan.Notes {
		fmt.Fprintln(stderr, "kvmtui create: note:", note)
	}
	if printXML {
		install, final, err := plan.XML()
		if err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprint(stdout, install)
		if final != install {
			fmt.Fprint(stdout, "\n", final)
		}
		fmt.Fprintln(stdout)
		return 0
	}
	mode := libvirtx.CreateStart
	if customize {
		mode = libvirtx.CreateDefine
	}
	ref, err := mgr.CreateVM(ctx, uri, plan, mode)
	if err != nil {
		return fail(1, "%v", err)
	}
	if customize {
		fmt.Fprintf(stdout, "defined %s (not started)\n", ref.Name)
	} else {
		fmt.Fprintf(stdout, "created %s and started its install\n", ref.Name)
		if plan.Install.OnReboot == "destroy" {
			fmt.Fprintf(stdout, "when the installer reboots, the VM stops; then start it with: kvmtui -c %s start %s\n", uri, ref.Name)
		}
	}
	return 0
}

// parseDiskFlag reads --disk like virt-install's: size=20G,pool=P,
// format=qcow2,sparse=no; path=PATH; none.
func parseDiskFlag(n *install.NewVM, v string) error {
	if v == "" {
		return nil
	}
	if v == "none" {
		n.Storage = install.StorageNone
		return nil
	}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("%q: expected key=value (size=, pool=, format=, sparse=, path=)", kv)
		}
		switch k {
		case "size":
			b, err := devices.ParseSize(val, "GiB")
			if err != nil {
				return err
			}
			n.Storage, n.DiskSize = install.StorageNew, b
		case "pool":
			n.Pool = val
		case "format":
			n.DiskFormat = val
		case "sparse":
			n.Preallocate = val == "no" || val == "off" || val == "false"
		case "path":
			n.Storage, n.DiskPath = install.StorageExisting, val
		default:
			return fmt.Errorf("unknown key %q (size=, pool=, format=, sparse=, path=)", k)
		}
	}
	if n.Storage == "" {
		n.Storage = install.StorageNew
	}
	return nil
}

// parseNetworkFlag reads --network network=NAME, bridge=BR, macvtap=NIC
// or none.
func parseNetworkFlag(n *install.NewVM, v string) error {
	if v == "" {
		return nil
	}
	if v == "none" {
		n.Net = install.NetNone
		return nil
	}
	k, val, ok := strings.Cut(v, "=")
	if !ok || val == "" {
		return fmt.Errorf("%q: expected network=NAME, bridge=BRIDGE, macvtap=NIC or none", v)
	}
	switch k {
	case "network":
		n.Net = install.NetNetwork
	case "bridge":
		n.Net = install.NetBridge
	case "macvtap", "direct":
		n.Net = install.NetMacvtap
	default:
		return fmt.Errorf("%q: expected network=, bridge= or macvtap=", v)
	}
	n.NetSource = val
	return nil
}
