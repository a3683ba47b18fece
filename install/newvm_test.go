package install

import (
	lt "kvmtui/libvirtx/libvirtxtest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	lx "libvirt.org/go/libvirtxml"
)

// Every install method builds definitions libvirt's schema accepts, and
// each has what its method needs.
func TestNewVMEveryMethodValidates(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	db := systemOSDB(t)
	h := testHost(t)
	cloud := &CloudInit{User: "ada", Password: "s3cret", SSHKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx ada@host"}, Hostname: "web-01", Packages: []string{"qemu-guest-agent"}}
	cases := []struct {
		n     NewVM
		check func(t *testing.T, p *VMPlan)
	}{
		{NewVM{Method: MethodISO, OS: mustOS(t, db, "debian12"), Media: "/var/lib/libvirt/images/debian-12.iso"}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Install, `<source file="/var/lib/libvirt/images/debian-12.iso">`, `<boot dev="cdrom">`, `<on_reboot>destroy</on_reboot>`)
			lacksXML(t, p.Final, `debian-12.iso`, `<boot dev="cdrom">`, `on_reboot`)
			if len(p.Volumes) != 1 || p.Volumes[0].Role != "disk" || p.Volumes[0].Capacity != 20<<30 {
				t.Fatalf("volumes: %+v", p.Volumes)
			}
		}},
		{NewVM{Method: MethodNetwork, OS: mustOS(t, db, "debian12"), Location: "http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/", ExtraArgs: "console=ttyS0"}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Install, `<kernel>/var/lib/libvirt/images/kvmtui-test-m-kernel</kernel>`, `<initrd>/var/lib/libvirt/images/kvmtui-test-m-initrd</initrd>`, `<cmdline>console=ttyS0</cmdline>`)
			lacksXML(t, p.Final, `<kernel>`, `<initrd>`)
			var urls []string
			for _, v := range p.Volumes {
				if v.Transient {
					urls = append(urls, v.URL)
				}
			}
			want := "http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux"
			if len(urls) != 2 || urls[0] != want {
				t.Fatalf("kernel and initrd downloads: %v", urls)
			}
		}},
		{NewVM{Method: MethodNetwork, OS: mustOS(t, db, "fedora37"), Location: "https://example.org/fedora/37/Server/x86_64/os",
			Tree: TreeInfo{Family: "Fedora", Version: "37", Kernel: "images/pxeboot/vmlinuz", Initrd: "images/pxeboot/initrd.img"}}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Install, `<cmdline>inst.repo=https://example.org/fedora/37/Server/x86_64/os</cmdline>`)
			if p.Volumes[1].URL != "https://example.org/fedora/37/Server/x86_64/os/images/pxeboot/vmlinuz" {
				t.Fatalf("kernel URL %s", p.Volumes[1].URL)
			}
		}},
		{NewVM{Method: MethodImport, OS: mustOS(t, db, "debian11"), Media: "/var/lib/libvirt/images/cloud.qcow2", MediaFormat: "qcow2"}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Final, `<source file="/var/lib/libvirt/images/cloud.qcow2">`, `type="qcow2"`)
			if len(p.Volumes) != 0 || mustMarshal(t, p.Install) != mustMarshal(t, p.Final) {
				t.Fatal("an import creates nothing and boots its final definition")
			}
		}},
		{NewVM{Method: MethodPXE, OS: mustOS(t, db, "debian11")}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Install, `<boot dev="network">`, `<interface type="network">`, `<source network="default">`)
		}},
		{NewVM{Method: MethodManual, Storage: StorageNone, Kernel: "/boot/vmlinux", Initrd: "/boot/initrd.img", Cmdline: "console=ttyS0", Net: NetNone, VirtType: "qemu"}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Final, `<domain type="qemu">`, `<kernel>/boot/vmlinux</kernel>`, `<cmdline>console=ttyS0</cmdline>`, `machine="pc"`, `<target type="isa-serial" port="0">`)
			lacksXML(t, p.Final, `<disk`, `<interface`, `<cpu`)
		}},
		{NewVM{Method: MethodCloud, OS: mustOS(t, db, "debian12"), Media: "/var/lib/libvirt/images/cloud.qcow2", MediaFormat: "qcow2", CloudInit: cloud}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Install, `<source file="/var/lib/libvirt/images/kvmtui-test-m-cidata.iso">`, `<entry name="serial">ds=nocloud</entry>`)
			lacksXML(t, p.Final, `cidata`, `ds=nocloud`)
			disk, seed := p.Volumes[0], p.Volumes[1]
			if disk.BackingPath != "/var/lib/libvirt/images/cloud.qcow2" || disk.BackingFormat != "qcow2" || disk.Format != "qcow2" {
				t.Fatalf("the disk is not an overlay of the cloud image: %+v", disk)
			}
			if seed.Role != "seed" || !seed.Transient || len(seed.Content) == 0 {
				t.Fatalf("seed volume: %+v", seed)
			}
		}},
		{NewVM{Method: MethodISO, OS: mustOS(t, db, "win11"), Media: "/var/lib/libvirt/images/debian-12.iso", Firmware: "efi-secure"}, func(t *testing.T, p *VMPlan) {
			hasXML(t, p.Final, `<os firmware="efi">`, `name="secure-boot"`, `<smm state="on">`, `<tpm model="tpm-crb">`, `bus="sata"`, `<hyperv`, `debian-12.iso`)
		}},
	}
	for _, c := range cases {
		t.Run(c.n.Method+" "+c.n.osOrGeneric().ShortID, func(t *testing.T) {
			n := c.n
			n.Name = "kvmtui-test-m"
			p := build(t, h, &n)
			for _, d := range []*lx.Domain{p.Install, p.Final} {
				validateDoc(t, mustMarshal(t, d), n.Method)
			}
			c.check(t, p)
		})
	}
}

func hasXML(t *testing.T, d *lx.Domain, subs ...string) {
	t.Helper()
	x := mustMarshal(t, d)
	for _, s := range subs {
		if !strings.Contains(x, s) {
			t.Fatalf("definition lacks %s:\n%s", s, x)
		}
	}
}

func lacksXML(t *testing.T, d *lx.Domain, subs ...string) {
	t.Helper()
	x := mustMarshal(t, d)
	for _, s := range subs {
		if strings.Contains(x, s) {
			t.Fatalf("definition has %s:\n%s", s, x)
		}
	}
}

// Defaults follow the OS: its recommended memory, vCPUs and disk, q35 and
// virtio where it has drivers, UEFI and a TPM where it needs them.
func TestNewVMDefaultsFollowTheOS(t *testing.T) {
	db := systemOSDB(t)
	h := testHost(t)
	deb := &NewVM{OS: mustOS(t, db, "debian12"), Method: MethodISO}
	deb.Defaults(h, false)
	if deb.Chipset != "q35" || deb.Firmware != "bios" || deb.TPM != "off" || deb.MemoryMiB != 2048 || deb.VCPUs != 2 || deb.DiskSize != 20<<30 || deb.Net != NetNetwork || deb.Graphics != "spice" {
		t.Fatalf("debian12 defaults: %+v", deb)
	}
	win := &NewVM{OS: mustOS(t, db, "win11"), Method: MethodISO}
	win.Defaults(h, false)
	if win.Chipset != "q35" || win.Firmware != "efi" || win.TPM != "on" || win.MemoryMiB != 8192 || win.DiskSize != 128<<30 {
		t.Fatalf("win11 defaults: %+v", win)
	}
	// Bounded by the host: half its memory, all its CPUs at most.
	small := testHost(t)
	small.MemBytes, small.CPUs = 2<<30, 1
	win2 := &NewVM{OS: mustOS(t, db, "win11"), Method: MethodISO}
	win2.Defaults(small, false)
	if win2.MemoryMiB != 1024 || win2.VCPUs != 1 {
		t.Fatalf("defaults over the host: %d MiB, %d vCPUs", win2.MemoryMiB, win2.VCPUs)
	}
	gen := &NewVM{Method: MethodManual}
	gen.Defaults(h, false)
	if gen.Chipset != "i440fx" || gen.MemoryMiB != 1024 || gen.VCPUs != 1 {
		t.Fatalf("generic defaults: %+v", gen)
	}
	// Picking another OS re-derives them.
	gen.OS = mustOS(t, db, "win11")
	gen.Defaults(h, true)
	if gen.Chipset != "q35" || gen.Firmware != "efi" {
		t.Fatalf("after choosing win11: %+v", gen)
	}
}

// A host without KVM gets TCG guests with QEMU's default CPU (host
// passthrough cannot run emulated), and the plan says they will be slow;
// where KVM cannot pass the host CPU through, the host model is used.
func TestNewVMFollowsAHostWithoutKVM(t *testing.T) {
	withKVM := testHost(t)
	kvm := build(t, withKVM, &NewVM{Name: "a", Method: MethodManual, Storage: StorageNone, Net: NetNone})
	if kvm.Final.Type != "kvm" || kvm.Final.CPU == nil || kvm.Final.CPU.Mode != "host-passthrough" || len(kvm.Notes) != 0 {
		t.Fatalf("with KVM: type %s, cpu %+v, notes %v", kvm.Final.Type, kvm.Final.CPU, kvm.Notes)
	}
	noKVM := testHost(t)
	delete(noKVM.Caps, "kvm/q35")
	delete(noKVM.Caps, "kvm/i440fx")
	tcg := build(t, noKVM, &NewVM{Name: "a", Method: MethodManual, Storage: StorageNone, Net: NetNone})
	if tcg.Final.Type != "qemu" || tcg.Final.CPU != nil {
		t.Fatalf("without KVM: type %s, cpu %+v", tcg.Final.Type, tcg.Final.CPU)
	}
	if len(tcg.Notes) != 1 || !strings.Contains(tcg.Notes[0], "no KVM") || !strings.Contains(tcg.Notes[0], "slower") {
		t.Fatalf("without KVM, notes: %v", tcg.Notes)
	}
	chosen := build(t, withKVM, &NewVM{Name: "a", Method: MethodManual, Storage: StorageNone, Net: NetNone, VirtType: "qemu"})
	if len(chosen.Notes) != 1 || !strings.Contains(chosen.Notes[0], "emulated") {
		t.Fatalf("TCG chosen, notes: %v", chosen.Notes)
	}
	for _, key := range []string{"kvm/q35", "kvm/i440fx"} {
		withKVM.Caps[key].CPUModes = []string{"host-model", "custom"}
	}
	hm := build(t, withKVM, &NewVM{Name: "a", Method: MethodManual, Storage: StorageNone, Net: NetNone})
	if hm.Final.CPU == nil || hm.Final.CPU.Mode != "host-model" {
		t.Fatalf("without host-passthrough: cpu %+v", hm.Final.CPU)
	}
}

// Bad choices are refused before anything is created, each on its page,
// with the reason.
func TestNewVMRefusesBadChoices(t *testing.T) {
	db := systemOSDB(t)
	h := testHost(t)
	noEFI := testHost(t)
	for k, c := range noEFI.Caps {
		c2 := *c
		c2.Firmware = []string{}
		noEFI.Caps[k] = &c2
	}
	full := testHost(t)
	full.Pools[0].Available = 1 << 30
	cases := []struct {
		name string
		h    *NewVMHost
		n    NewVM
		page string
		msg  string
	}{
		{"existing name", h, NewVM{Name: "web-01", Method: MethodManual}, "name", `a VM named "web-01" already exists`},
		{"name with slash", h, NewVM{Name: "a/b", Method: MethodManual}, "name", `contains '/'`},
		{"no ISO", h, NewVM{Name: "x", Method: MethodISO}, "method", "needs an ISO"},
		{"relative ISO", h, NewVM{Name: "x", Method: MethodISO, Media: "debian.iso"}, "method", "not an absolute path"},
		{"bad tree URL", h, NewVM{Name: "x", Method: MethodNetwork, Location: "file:///srv/tree"}, "method", "http://, https:// or ftp://"},
		{"memory above the host", h, NewVM{Name: "x", Method: MethodManual, MemoryMiB: 64 << 10}, "resources", "more than the host has"},
		{"vCPUs above the host", h, NewVM{Name: "x", Method: MethodManual, VCPUs: 8}, "resources", "more than the host's 2 CPUs"},
		{"pool without room", full, NewVM{Name: "x", Method: MethodManual, DiskSize: 10 << 30, Preallocate: true}, "storage", "not enough for a fully allocated"},
		{"unknown pool", h, NewVM{Name: "x", Method: MethodManual, Pool: "nope"}, "storage", `no storage pool named "nope"`},
		{"OS the host cannot run", noEFI, NewVM{Name: "x", Method: MethodManual, OS: mustOS(t, db, "win11")}, "os", "boots only with UEFI"},
		{"PXE without a network", h, NewVM{Name: "x", Method: MethodPXE, Net: NetNone}, "network", "PXE boot needs a network"},
		{"unknown network", h, NewVM{Name: "x", Method: MethodManual, Net: NetNetwork, NetSource: "lab"}, "network", `no virtual network named "lab"`},
		{"cloud without users", h, NewVM{Name: "x", Method: MethodCloud, Media: "/i.qcow2", CloudInit: &CloudInit{}}, "cloud-init", "nobody can log in"},
		{"bad SSH key", h, NewVM{Name: "x", Method: MethodCloud, Media: "/i.qcow2", CloudInit: &CloudInit{User: "ada", SSHKeys: []string{"hello"}}}, "cloud-init", "authorized_keys line"},
		{"secure boot on i440fx", h, NewVM{Name: "x", Method: MethodManual, Chipset: "i440fx", Firmware: "efi-secure"}, "platform", "secure boot needs the q35"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.n
			n.Defaults(c.h, false)
			ps := n.Check(c.h)
			found := false
			for _, p := range ps {
				found = found || p.Page == c.page && strings.Contains(p.Msg, c.msg)
			}
			if !found {
				t.Fatalf("want %q on page %s, got %v", c.msg, c.page, ps)
			}
			if _, err := n.Build(c.h, testTime); err == nil {
				t.Fatal("Build accepted it")
			}
		})
	}
}

// The NoCloud seed is an ISO labelled cidata whose user-data and meta-data
// read back (through xorriso, an independent ISO reader) as written.
func TestCloudInitSeedISO(t *testing.T) {
	if _, err := exec.LookPath("xorriso"); err != nil {
		t.Fatal("xorriso is not installed (make test installs it)")
	}
	c := &CloudInit{User: "ada", Password: "pa ss\"word", SSHKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx ada@host"},
		Hostname: "web-01", Packages: []string{"qemu-guest-agent", "htop"}, InstanceID: "iid-web-01-1"}
	iso, err := c.SeedISO("web-01", testTime)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "seed.iso")
	if err := os.WriteFile(f, iso, 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := ReadMediaInfo(iso)
	if err != nil || mi.VolumeID != "cidata" {
		t.Fatalf("volume label %q, %v", mi.VolumeID, err)
	}
	out := filepath.Join(dir, "out")
	if b, err := exec.Command("xorriso", "-abort_on", "FAILURE", "-joliet", "on", "-indev", f, "-osirrox", "on", "-extract", "/", out).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, b)
	}
	pvd, _ := exec.Command("xorriso", "-indev", f, "-pvd_info").CombinedOutput()
	if !strings.Contains(string(pvd), "Volume Id    : cidata") {
		t.Fatalf("xorriso sees another label:\n%s", pvd)
	}
	ud, err := os.ReadFile(filepath.Join(out, "user-data"))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "meta-data"))
	if err != nil {
		t.Fatal(err)
	}
	// Read as cloud-init reads it: YAML, by meaning (a quoting mistake
	// would change a value, not just bytes).
	if !strings.HasPrefix(string(ud), "#cloud-config\n") {
		t.Fatalf("user-data does not start with #cloud-config:\n%s", ud)
	}
	var cfg struct {
		Hostname         string   `yaml:"hostname"`
		PreserveHostname *bool    `yaml:"preserve_hostname"`
		Users            []any    `yaml:"users"`
		SSHPwauth        bool     `yaml:"ssh_pwauth"`
		Packages         []string `yaml:"packages"`
		PackageUpdate    bool     `yaml:"package_update"`
		Chpasswd         struct {
			Expire *bool `yaml:"expire"`
		} `yaml:"chpasswd"`
	}
	if err := yaml.Unmarshal(ud, &cfg); err != nil {
		t.Fatalf("user-data is not YAML: %v\n%s", err, ud)
	}
	if cfg.Hostname != "web-01" || cfg.PreserveHostname == nil || *cfg.PreserveHostname || !cfg.SSHPwauth || !cfg.PackageUpdate ||
		!slices.Equal(cfg.Packages, []string{"qemu-guest-agent", "htop"}) || cfg.Chpasswd.Expire == nil || *cfg.Chpasswd.Expire {
		t.Fatalf("user-data means %+v:\n%s", cfg, ud)
	}
	if len(cfg.Users) != 2 || cfg.Users[0] != "default" {
		t.Fatalf("users: %v", cfg.Users)
	}
	u, _ := cfg.Users[1].(map[string]any)
	keys, _ := u["ssh_authorized_keys"].([]any)
	if u["name"] != "ada" || u["plain_text_passwd"] != `pa ss"word` || u["lock_passwd"] != false || u["sudo"] != "ALL=(ALL) NOPASSWD:ALL" ||
		len(keys) != 1 || keys[0] != "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx ada@host" {
		t.Fatalf("the user: %v", u)
	}
	var meta map[string]string
	if err := yaml.Unmarshal(md, &meta); err != nil || meta["instance-id"] != "iid-web-01-1" || meta["local-hostname"] != "web-01" || len(meta) != 2 {
		t.Fatalf("meta-data means %v (%v):\n%s", meta, err, md)
	}
}

// A user's session daemon has no virtual networks or bridges to plug
// into: a new VM gets user-mode networking, and a bare session's first
// pool goes in the user's home, as libvirt's session default is.
func TestNewVMOnASessionDaemon(t *testing.T) {
	h := testHost(t)
	h.Networks, h.Pools, h.Session = nil, nil, true
	h.PlanDefaultPool(1 << 40)
	home, _ := os.UserHomeDir()
	if p := h.Pool("default"); p == nil || p.Path != filepath.Join(home, ".local/share/libvirt/images") || !p.Planned {
		t.Fatalf("a session's planned pool: %+v", p)
	}
	p := build(t, h, &NewVM{Name: "a", Method: MethodManual, Storage: StorageNone})
	if len(p.Final.Devices.Interfaces) != 1 || p.Final.Devices.Interfaces[0].Source == nil || p.Final.Devices.Interfaces[0].Source.User == nil {
		t.Fatalf("a session VM's network: %+v", p.Final.Devices.Interfaces)
	}
	system := testHost(t)
	system.Networks = nil
	if p := build(t, system, &NewVM{Name: "b", Method: MethodManual, Storage: StorageNone}); len(p.Final.Devices.Interfaces) != 0 {
		t.Fatalf("a system host without networks still gets none: %+v", p.Final.Devices.Interfaces)
	}
}
