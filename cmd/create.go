package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/libvirtx"
)

const createLong = `A new VM, made as the wizard (n) makes it and as virt-install would for the
same choices. INSTALL is one of:
  --cdrom PATH            an installer ISO (a pool volume's path or a host path)
  --location URL          an http, https or ftp install tree (--extra-args for its kernel)
  --import PATH           boot an existing disk image
  --ova FILE              import a virtual appliance (.ova, or .ovf beside its
                          disks): its disks converted to raw volumes in --disk
                          pool=P (default: the default pool), its CPUs, memory,
                          firmware, disk buses and network card from its descriptor
  --pxe                   boot from the network
  --cloud-image PATH      a cloud image, with --cloud-init-* settings
  --manual                no media (with --kernel/--initrd: direct kernel boot)
  --template VM           a clone of a template (--linked: a qcow2 overlay on its
                          disks); --cloud-init-* flags give it a fresh seed

kvmtui create --os list [WORD] lists the operating systems.`

// createFlags are create's options; n takes those that map one to one.
type createFlags struct {
	n                               install.NewVM
	osID, memory, vcpus, disk, size string
	network, cdrom, imp, cloud, loc string
	appliance                       string
	pxe, manual, printXML, defOnly  bool
	template                        string
	linked                          bool
	ciUser, ciPass, ciHost, ciPkgs  string
	ciKeys                          []string
}

func (o *options) createCommand() *cobra.Command {
	var f createFlags
	c := &cobra.Command{
		Use:   "create --name NAME [--os ID] INSTALL [options]",
		Short: "a new VM, as the wizard makes it (--print-xml: the definitions only)",
		Long:  createLong,
		RunE:  func(c *cobra.Command, args []string) error { return o.create(c, &f, args) },
	}
	fs := c.Flags()
	n := &f.n
	fs.StringVar(&n.Name, "name", "", "the VM's name")
	fs.StringVar(&f.osID, "os", "", "operating system: a short id like debian12 or win11 (list: --os list); default: detected from the medium, else generic")
	fs.StringVar(&f.cdrom, "cdrom", "", "install from this ISO")
	fs.StringVar(&f.loc, "location", "", "install from this http, https or ftp tree")
	fs.StringVar(&n.ExtraArgs, "extra-args", "", "kernel arguments for a --location install")
	fs.StringVar(&f.imp, "import", "", "boot this existing disk image")
	fs.StringVar(&f.appliance, "ova", "", "import this virtual appliance (.ova or .ovf)")
	fs.BoolVar(&f.pxe, "pxe", false, "boot from the network")
	fs.BoolVar(&f.manual, "manual", false, "no install media")
	fs.StringVar(&f.cloud, "cloud-image", "", "a cloud image: the VM gets a qcow2 overlay of it and a cloud-init seed")
	fs.StringVar(&f.template, "template", "", "a clone of this VM (a template: see kvmtui template)")
	fs.BoolVar(&f.linked, "linked", false, "--template: qcow2 overlays on the template's disks instead of copies")
	fs.StringVar(&n.Kernel, "kernel", "", "direct kernel boot: the kernel's host path")
	fs.StringVar(&n.Initrd, "initrd", "", "direct kernel boot: the initrd's host path")
	fs.StringVar(&n.Cmdline, "kernel-args", "", "direct kernel boot: the kernel command line")
	fs.StringVar(&f.memory, "memory", "", "memory, like 2048 (MiB) or 4G; default: the OS's recommendation")
	fs.StringVar(&f.vcpus, "vcpus", "", "vCPUs; default: the OS's recommendation")
	fs.StringVar(&f.disk, "disk", "", "storage: size=20G[,pool=default][,format=qcow2|raw][,sparse=yes|no], path=PATH (an existing volume or file), or none")
	fs.StringVar(&f.size, "disk-size", "", "shorthand for --disk size=SIZE")
	fs.StringVar(&f.network, "network", "", "network=NAME, bridge=BRIDGE, macvtap=NIC, user (user-mode) or none; default: the network 'default' if there is one, else user on qemu:///session")
	fs.StringVar(&n.Firmware, "firmware", "", "bios, efi or efi-secure; default: efi where the OS needs it")
	fs.StringVar(&n.Chipset, "chipset", "", "q35 or i440fx; default: q35 for OSes that support it")
	fs.StringVar(&n.TPM, "tpm", "", "on or off; default: on with UEFI")
	fs.StringVar(&n.Graphics, "graphics", "", "spice, vnc or none; default: spice where QEMU has it")
	fs.StringVar(&n.VirtType, "virt-type", "", "kvm or qemu (TCG); default: kvm where the host has it")
	fs.StringVar(&f.ciUser, "cloud-init-user", "", "cloud-init: the user to create")
	fs.StringVar(&f.ciPass, "cloud-init-password", "", "cloud-init: that user's password")
	fs.StringArrayVar(&f.ciKeys, "cloud-init-ssh-key", nil, "cloud-init: an authorized_keys line, or @FILE (repeatable)")
	fs.StringVar(&f.ciHost, "cloud-init-hostname", "", "cloud-init: the guest's hostname")
	fs.StringVar(&f.ciPkgs, "cloud-init-packages", "", "cloud-init: packages to install, comma-separated")
	fs.BoolVar(&f.printXML, "print-xml", false, "print the install and final definitions; create nothing")
	fs.BoolVar(&f.defOnly, "define-only", false, "define the VM without starting the install (what the wizard's customize does)")
	return c
}

// createError ends create with its own prefix.
func (o *options) createError(code int, format string, a ...any) error {
	fmt.Fprintf(o.stderr, "kvmtui create: "+format+"\n", a...)
	return exitCode(code)
}

func (o *options) create(c *cobra.Command, f *createFlags, args []string) error {
	db, err := install.LoadSystemOSDB()
	if err != nil {
		return o.createError(1, "%v", err)
	}
	if f.osID == "list" {
		tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tRELEASED")
		for _, os := range db.Search(strings.Join(args, " "), 0) {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", os.ShortID, os.Name, os.Released)
		}
		return tw.Flush()
	}
	if len(args) > 0 {
		return o.createError(2, "unexpected argument %q (flags only; kvmtui create -h)", args[0])
	}
	n := &f.n
	if f.template != "" {
		return o.createFromTemplate(c, f)
	}
	if err := f.choices(c, db); err != nil {
		return o.createError(2, "%v", err)
	}
	uris, _, err := o.chooseURIs()
	if err != nil {
		return o.createError(1, "%v", err)
	}
	if len(uris) != 1 {
		return o.createError(2, "create on one connection: give one -c URI")
	}
	uri := uris[0]
	mgr, _, errs := libvirtx.OpenSync(uris, o.readOnly, 30*time.Second)
	defer mgr.Close()
	if e, ok := errs[uri]; ok {
		return o.createError(1, "%s: %s", uri, e)
	}
	h, err := mgr.NewVMHost(uri)
	if err != nil {
		return o.createError(1, "%v", err)
	}
	ctx := context.Background()
	detected, err := mgr.PrepareMedia(ctx, uri, n, db)
	if err != nil {
		return o.createError(1, "%v", err)
	}
	if n.OS == nil && detected != nil {
		n.OS = detected
		fmt.Fprintf(o.stderr, "kvmtui create: the medium is %s\n", detected.Label())
	}
	n.Defaults(h, false)
	plan, err := n.Build(h, time.Now())
	if err != nil {
		return o.createError(1, "%v", err)
	}
	for _, note := range plan.Notes {
		fmt.Fprintln(o.stderr, "kvmtui create: note:", note)
	}
	if f.printXML {
		first, final, err := plan.XML()
		if err != nil {
			return o.createError(1, "%v", err)
		}
		fmt.Fprint(o.stdout, first)
		if final != first {
			fmt.Fprint(o.stdout, "\n", final)
		}
		fmt.Fprintln(o.stdout)
		return nil
	}
	mode := libvirtx.CreateStart
	if f.defOnly {
		mode = libvirtx.CreateDefine
	}
	ref, err := mgr.CreateVM(ctx, uri, plan, mode)
	if err != nil {
		return o.createError(1, "%v", err)
	}
	if f.defOnly {
		fmt.Fprintf(o.stdout, "defined %s (not started)\n", ref.Name)
		return nil
	}
	fmt.Fprintf(o.stdout, "created %s and started its install\n", ref.Name)
	if plan.Install.OnReboot == "destroy" {
		fmt.Fprintf(o.stdout, "when the installer reboots, the VM stops; then start it with: kvmtui -c %s start %s\n", uri, ref.Name)
	}
	return nil
}

// choices turns the flags into the NewVM's choices, refusing what cannot
// be right whatever the host: two install methods, 0 MiB, a bad --disk.
func (f *createFlags) choices(c *cobra.Command, db *install.OSDB) error {
	n := &f.n
	methods := 0
	for _, set := range []bool{f.cdrom != "", f.loc != "", f.imp != "", f.pxe, f.manual, f.cloud != "", f.appliance != ""} {
		if set {
			methods++
		}
	}
	switch {
	case methods != 1:
		return fmt.Errorf("choose exactly one of --cdrom, --location, --import, --ova, --pxe, --manual, --cloud-image")
	case f.cdrom != "":
		n.Method, n.Media = install.MethodISO, f.cdrom
	case f.loc != "":
		n.Method, n.Location = install.MethodNetwork, f.loc
	case f.imp != "":
		n.Method, n.Media, n.Storage = install.MethodImport, f.imp, install.StorageExisting
	case f.appliance != "":
		n.Method, n.Media = install.MethodOVA, f.appliance // the rest from the appliance
	case f.pxe:
		n.Method = install.MethodPXE
	case f.manual:
		n.Method = install.MethodManual
	case f.cloud != "":
		n.Method, n.Media = install.MethodCloud, f.cloud
	}
	var err error
	if f.osID != "" {
		if n.OS, err = db.Lookup(f.osID); err != nil {
			return err
		}
	}
	// Given, a value is checked as the wizard checks it: 0 is not "default".
	if c.Flags().Changed("memory") {
		if n.MemoryMiB, err = install.ParseMemory(f.memory); err != nil {
			return fmt.Errorf("--memory %s: %v", f.memory, err)
		}
	}
	if c.Flags().Changed("vcpus") {
		if n.VCPUs, err = install.ParseVCPUs(f.vcpus); err != nil {
			return fmt.Errorf("--vcpus %s: %v", f.vcpus, err)
		}
	}
	disk := f.disk
	if f.size != "" && disk == "" {
		disk = "size=" + f.size
	}
	if err := parseDiskFlag(n, disk); err != nil {
		return fmt.Errorf("--disk: %v", err)
	}
	if err := parseNetworkFlag(n, f.network); err != nil {
		return fmt.Errorf("--network: %v", err)
	}
	if n.Method == install.MethodCloud {
		ci, err := f.cloudInit()
		if err != nil {
			return err
		}
		n.CloudInit = ci
	}
	return nil
}

// cloudInit is what the --cloud-init-* flags say.
func (f *createFlags) cloudInit() (*install.CloudInit, error) {
	ci := &install.CloudInit{User: f.ciUser, Password: f.ciPass, Hostname: f.ciHost}
	for _, k := range f.ciKeys {
		file, ok := strings.CutPrefix(k, "@")
		if !ok {
			ci.SSHKeys = append(ci.SSHKeys, k)
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--cloud-init-ssh-key: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				ci.SSHKeys = append(ci.SSHKeys, line)
			}
		}
	}
	for _, p := range strings.Split(f.ciPkgs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ci.Packages = append(ci.Packages, p)
		}
	}
	return ci, nil
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

// parseNetworkFlag reads --network network=NAME, bridge=BR, macvtap=NIC,
// user or none.
func parseNetworkFlag(n *install.NewVM, v string) error {
	switch v {
	case "":
		return nil
	case install.NetNone, install.NetUser:
		n.Net = v
		return nil
	}
	k, val, ok := strings.Cut(v, "=")
	if !ok || val == "" {
		return fmt.Errorf("%q: expected network=NAME, bridge=BRIDGE, macvtap=NIC, user or none", v)
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

// createFromTemplate clones a template as the new VM and starts it (a
// cloud-init template's clone with a fresh seed: its own hostname,
// instance-id and keys).
func (o *options) createFromTemplate(c *cobra.Command, f *createFlags) error {
	for _, other := range []string{"cdrom", "location", "import", "pxe", "manual", "cloud-image", "os", "memory", "vcpus", "disk", "disk-size", "network"} {
		if c.Flags().Changed(other) {
			return o.createError(2, "--template makes a clone: --%s does not apply (change the clone afterwards)", other)
		}
	}
	name := f.n.Name
	if name == "" {
		return o.createError(2, "--template: name the new VM with --name")
	}
	var seed []byte
	for _, ci := range []string{"cloud-init-user", "cloud-init-password", "cloud-init-ssh-key", "cloud-init-hostname", "cloud-init-packages"} {
		if !c.Flags().Changed(ci) {
			continue
		}
		init, err := f.cloudInit()
		if err != nil {
			return o.createError(2, "%v", err)
		}
		init.InstanceID = install.NewInstanceID(name)
		if seed, err = init.SeedISO(name, time.Now()); err != nil {
			return o.createError(2, "%v", err)
		}
		break
	}
	return onNamed(o, (*session).find, func(s *session, t libvirtx.Domain, _ []string) error {
		if !s.isTemplate(t) {
			fmt.Fprintf(o.stderr, "kvmtui create: note: %s is not marked as a template (kvmtui template on %s)\n", t.Name, t.Name)
		}
		plan, err := s.mgr.PlanClone(t.Ref)
		if err != nil {
			return err
		}
		for i, d := range plan.Disks {
			if d.Mode == libvirtx.CloneCopy && f.linked {
				plan.Disks[i].Mode = libvirtx.CloneLinked
			}
		}
		bar := o.progressBar("copying " + t.Name + "'s disks")
		ref, err := s.mgr.Clone(t.Ref, libvirtx.CloneSpec{Name: name, Disks: plan.Named(t.Name, name).Disks, Seed: seed}, func(_ string, done, total int64) {
			if bar != nil {
				bar(done, total)
			}
		})
		if bar != nil {
			fmt.Fprintln(o.stderr)
		}
		if err != nil {
			return err
		}
		if f.defOnly {
			fmt.Fprintf(o.stdout, "defined %s from template %s (not started)\n", name, t.Name)
			return nil
		}
		if err := s.mgr.Do(ref, libvirtx.Start); err != nil {
			return fmt.Errorf("%s is defined, but starting it: %w", name, err)
		}
		fmt.Fprintf(o.stdout, "created %s from template %s and started it\n", name, t.Name)
		return nil
	})(c, []string{f.template})
}
