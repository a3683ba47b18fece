package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// What kvmtui writes differently from `virt-install --print-xml --dry-run`
// for the same choices, and why each difference is harmless or deliberate.
// A difference not listed here fails the test, and so does an explanation
// that no case needs any more.
var virtinstExplained = []struct {
	side string // "ours" or "theirs": whose XML has the element
	re   string // matches the element's XML
	why  string
}{
	{"ours", `^<serial type="pty">\s*<target type="isa-serial" port="0"></target>\s*</serial>$`,
		"kvmtui writes the serial port that libvirt derives from virt-install's bare <console type=\"pty\"/> on define (the same ttyS0)"},
	{"ours", `^<console type="pty">\s*<target type="serial" port="0"></target>\s*</console>$`,
		"the console's target, which libvirt fills in the same way on define"},
	{"theirs", `^<console type="pty"></console>$`, "see the serial port above"},
	{"ours", `^<graphics type="(spice|vnc)" autoport="yes">`, "virt-install also writes port=-1 (tlsPort=-1), which autoport='yes' means anyway"},
	{"theirs", `^<graphics type="(spice|vnc)" port="-1"( tlsPort="-1")?( autoport="yes")?>`, "see graphics above"},
	{"ours", `^<tpm model="tpm-crb">\s*<backend type="emulator" version="2.0"></backend>`, "kvmtui names TPM version 2.0, libvirt's default that virt-install leaves implicit"},
	{"theirs", `^<tpm model="tpm-crb">\s*<backend type="emulator"></backend>`, "see the TPM above"},
	{"ours", `^<disk type="file" device="cdrom">\s*<driver name="qemu" type="raw"></driver>\s*<target dev="sd[a-z]" bus="sata"></target>\s*<readonly></readonly>\s*</disk>$`,
		"the final definition's empty CD-ROM keeps its raw driver element; virt-install drops the driver with the media (libvirt treats both as an empty drive)"},
	{"theirs", `^<disk type="file" device="cdrom">\s*<target dev="sd[a-z]" bus="sata"></target>\s*<readonly></readonly>\s*</disk>$`, "see the empty CD-ROM above"},
	{"ours", `^<os>\s*<type arch="x86_64" machine="pc">hvm</type>`, "kvmtui writes the machine alias pc; virt-install writes the alias's current target (pc-i440fx-7.2): libvirt expands pc to the same on define"},
	{"theirs", `^<os>\s*<type arch="x86_64" machine="pc-i440fx-[0-9.]+">hvm</type>`, "see the machine above"},
}

type virtinstCase struct {
	name string
	n    func(dir string, db *OSDB) *NewVM
	args func(dir string) []string
}

func virtinstCases(t *testing.T) []virtinstCase {
	return []virtinstCase{
		{"debian11 ISO, new qcow2, SPICE", func(dir string, db *OSDB) *NewVM {
			return &NewVM{OS: mustOS(t, db, "debian11"), Method: MethodISO, Media: dir + "/inst.iso", MemoryMiB: 1024, VCPUs: 2,
				Storage: StorageNew, Pool: "kvmtui-test-vi", DiskSize: 10 << 30, Net: NetNone}
		}, func(dir string) []string {
			return []string{"--os-variant", "debian11", "--cdrom", dir + "/inst.iso", "--memory", "1024", "--vcpus", "2",
				"--disk", "pool=kvmtui-test-vi,size=10", "--network", "none"}
		}},
		{"win11 ISO: UEFI, TPM, SATA, Hyper-V", func(dir string, db *OSDB) *NewVM {
			return &NewVM{OS: mustOS(t, db, "win11"), Method: MethodISO, Media: dir + "/inst.iso", MemoryMiB: 4096, VCPUs: 2,
				Storage: StorageNew, Pool: "kvmtui-test-vi", DiskSize: 64 << 30, Net: NetNone}
		}, func(dir string) []string {
			return []string{"--os-variant", "win11", "--cdrom", dir + "/inst.iso", "--memory", "4096", "--vcpus", "2",
				"--disk", "pool=kvmtui-test-vi,size=64", "--network", "none"}
		}},
		{"generic import on i440fx, VNC", func(dir string, db *OSDB) *NewVM {
			return &NewVM{Method: MethodImport, Media: dir + "/img.qcow2", MediaFormat: "qcow2", MemoryMiB: 512, VCPUs: 1,
				Storage: StorageExisting, Net: NetNone, Graphics: "vnc"}
		}, func(dir string) []string {
			return []string{"--os-variant", "generic", "--import", "--disk", "path=" + dir + "/img.qcow2,format=qcow2", "--memory", "512",
				"--vcpus", "1", "--network", "none", "--graphics", "vnc"}
		}},
		{"debian11 PXE on a bridge, no disk", func(dir string, db *OSDB) *NewVM {
			return &NewVM{OS: mustOS(t, db, "debian11"), Method: MethodPXE, MemoryMiB: 1024, VCPUs: 1, Storage: StorageNone,
				Net: NetBridge, NetSource: "br0", Graphics: "vnc"}
		}, func(dir string) []string {
			return []string{"--os-variant", "debian11", "--pxe", "--disk", "none", "--memory", "1024", "--vcpus", "1",
				"--network", "bridge=br0,model=virtio", "--graphics", "vnc"}
		}},
		{"direct kernel boot under TCG, no graphics", func(dir string, db *OSDB) *NewVM {
			return &NewVM{Method: MethodManual, VirtType: "qemu", Kernel: dir + "/vmlinux", Initrd: dir + "/initrd.img", Cmdline: "console=ttyS0",
				MemoryMiB: 256, VCPUs: 1, Storage: StorageNone, Net: NetNone, Graphics: "none"}
		}, func(dir string) []string {
			return []string{"--os-variant", "generic", "--virt-type", "qemu", "--install", "no_install=yes",
				"--boot", "kernel=" + dir + "/vmlinux,initrd=" + dir + "/initrd.img,kernel_args=console=ttyS0",
				"--memory", "256", "--vcpus", "1", "--disk", "none", "--network", "none", "--graphics", "none"}
		}},
		{"fedora37 UEFI, macvtap, raw fully allocated", func(dir string, db *OSDB) *NewVM {
			return &NewVM{OS: mustOS(t, db, "fedora37"), Method: MethodISO, Media: dir + "/inst.iso", MemoryMiB: 2048, VCPUs: 2,
				Storage: StorageNew, Pool: "kvmtui-test-vi", DiskSize: 2 << 30, DiskFormat: "raw", Preallocate: true, Net: NetMacvtap, NetSource: "eno1",
				Firmware: "efi", TPM: "on", Graphics: "vnc"}
		}, func(dir string) []string {
			return []string{"--os-variant", "fedora37", "--cdrom", dir + "/inst.iso", "--memory", "2048", "--vcpus", "2",
				"--disk", "pool=kvmtui-test-vi,size=2,format=raw,sparse=no", "--network", "type=direct,source=eno1,source_mode=bridge,model=virtio",
				"--boot", "uefi", "--graphics", "vnc"}
		}},
	}
}

func TestNewVMMatchesVirtInstall(t *testing.T) {
	uri := lt.URI(t)
	if _, err := exec.LookPath("virt-install"); err != nil {
		t.Fatal("virt-install is not installed (package virtinst; make test installs it)")
	}
	db := systemOSDB(t)
	dir := t.TempDir()
	for _, f := range []string{"inst.iso", "vmlinux", "initrd.img"} {
		if err := os.WriteFile(filepath.Join(dir, f), make([]byte, 1<<20), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A real qcow2: virt-install takes an existing volume's format from libvirt.
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", filepath.Join(dir, "img.qcow2"), "1G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	// virt-install defines a pool for every directory it is given a path
	// in, even with --dry-run: give it ours, and remove what it adds.
	pools := func() []string {
		out, _ := lt.Virsh(t, uri, "pool-list", "--all", "--name")
		return strings.Fields(out)
	}
	before := pools()
	lt.MustVirsh(t, uri, "pool-create-as", "kvmtui-test-vi", "dir", "--target", dir)
	t.Cleanup(func() {
		for _, p := range pools() {
			if !slices.Contains(before, p) {
				lt.Virsh(t, uri, "pool-destroy", p)
				lt.Virsh(t, uri, "pool-undefine", p)
			}
		}
	})
	h := testHost(t)
	useDaemonCaps(t, uri, h)
	h.Pools = append(h.Pools, PoolInfo{Name: "kvmtui-test-vi", Type: "dir", Path: dir, Active: true, Available: 1 << 40})

	used := map[int]bool{}
	for _, c := range virtinstCases(t) {
		t.Run(c.name, func(t *testing.T) {
			n := c.n(dir, db)
			n.Name = lt.Prefix + "vi"
			plan := build(t, h, n)
			args := append([]string{"--connect", uri, "--print-xml", "--dry-run", "--name", n.Name}, c.args(dir)...)
			out, err := exec.Command("virt-install", args...).Output()
			if err != nil {
				t.Fatalf("virt-install %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			theirs := splitDomains(t, string(out))
			ours := []*lx.Domain{plan.Install, plan.Final}
			if len(theirs) == 1 {
				ours = ours[1:] // virt-install prints one document when both would be equal
				if x, _ := plan.Install.Marshal(); x != mustMarshal(t, plan.Final) {
					t.Fatal("virt-install has one definition for this install, kvmtui two")
				}
			}
			for i := range ours {
				for _, d := range diffSections(t, ours[i], theirs[i]) {
					k := slices.IndexFunc(virtinstExplained, func(e struct{ side, re, why string }) bool {
						return e.side == d.side && regexp.MustCompile(e.re).MatchString(d.xml)
					})
					if k < 0 {
						t.Errorf("unexplained difference: only %s (%s definition):\n%s", d.side, []string{"install", "final"}[i+2-len(ours)], d.xml)
						continue
					}
					used[k] = true
				}
			}
		})
	}
	for i, e := range virtinstExplained {
		if !used[i] {
			t.Errorf("explanation no longer needed by any case: %s %s", e.side, e.re)
		}
	}
}

// useDaemonCaps gives h the daemon's own domain capabilities, which
// virt-install reads too: on a host without /dev/kvm both choose TCG.
func useDaemonCaps(t *testing.T, uri string, h *NewVMHost) {
	t.Helper()
	h.Caps, h.Types = map[string]*devices.Caps{}, nil
	for _, vt := range []string{"kvm", "qemu"} {
		for machine, chipset := range map[string]string{"q35": "q35", "pc": "i440fx"} {
			out, err := lt.Virsh(t, uri, "domcapabilities", "--virttype", vt, "--arch", "x86_64", "--machine", machine)
			if err != nil {
				continue // no KVM here
			}
			c, err := devices.ParseCaps(out)
			if err != nil {
				t.Fatal(err)
			}
			h.Caps[vt+"/"+chipset] = c
		}
	}
	if len(h.Caps) == 0 {
		t.Fatal("the daemon reports no domain capabilities for x86_64")
	}
	t.Logf("virt types of this host: %v", h.VirtTypes())
}

func mustMarshal(t *testing.T, d *lx.Domain) string {
	x, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func splitDomains(t *testing.T, out string) []*lx.Domain {
	var ds []*lx.Domain
	for _, part := range strings.SplitAfter(out, "</domain>") {
		if !strings.Contains(part, "<domain") {
			continue
		}
		d := &lx.Domain{}
		if err := d.Unmarshal(part[strings.Index(part, "<domain"):]); err != nil {
			t.Fatalf("virt-install's XML: %v\n%s", err, part)
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 || len(ds) > 2 {
		t.Fatalf("virt-install printed %d definitions:\n%s", len(ds), out)
	}
	return ds
}

type sectionDiff struct{ side, xml string }

// diffSections compares the os, features, cpu, memory, vcpu, clock, pm
// and on_* sections and the devices
// (as a multiset, order aside) of two definitions.
func diffSections(t *testing.T, ours, theirs *lx.Domain) []sectionDiff {
	t.Helper()
	var out []sectionDiff
	norm := func(d *lx.Domain) map[string]int {
		m := map[string]int{}
		if d.Devices != nil {
			for i := range d.Devices.Controllers {
				d.Devices.Controllers[i].Index = nil // libvirt numbers them; virt-install leaves it to libvirt
			}
			for i := range d.Devices.Interfaces {
				d.Devices.Interfaces[i].MAC = nil // random on both sides
			}
		}
		for _, x := range []any{d.OS, d.Features, d.CPU, d.Memory, d.CurrentMemory, d.VCPU, d.Clock, d.PM} {
			if x == nil || x == (*lx.DomainCPU)(nil) || x == (*lx.DomainMemory)(nil) || x == (*lx.DomainCurrentMemory)(nil) ||
				x == (*lx.DomainVCPU)(nil) || x == (*lx.DomainClock)(nil) || x == (*lx.DomainPM)(nil) {
				continue
			}
			m[marshalAny(t, x)]++
		}
		m["<on_poweroff>"+d.OnPoweroff+"</on_poweroff><on_reboot>"+d.OnReboot+"</on_reboot><on_crash>"+d.OnCrash+"</on_crash>"]++
		for _, it := range devices.List(d) {
			s, err := it.XML()
			if err != nil {
				t.Fatal(err)
			}
			m[s]++
		}
		return m
	}
	a, b := norm(ours), norm(theirs)
	for k, v := range a {
		for range v - b[k] {
			out = append(out, sectionDiff{"ours", k})
		}
	}
	for k, v := range b {
		for range v - a[k] {
			out = append(out, sectionDiff{"theirs", k})
		}
	}
	return out
}

func marshalAny(t *testing.T, v any) string {
	var name string
	switch v.(type) {
	case *lx.DomainOS:
		name = "os"
	case *lx.DomainFeatureList:
		name = "features"
	case *lx.DomainCPU:
		name = "cpu"
	}
	d := &lx.Domain{}
	switch x := v.(type) {
	case *lx.DomainOS:
		d.OS = x
	case *lx.DomainFeatureList:
		d.Features = x
	case *lx.DomainCPU:
		d.CPU = x
	}
	s, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(s, "<"+name)
	j := strings.LastIndex(s, "</"+name+">")
	if j < 0 {
		j = strings.LastIndex(s, "</domain>") - len("</"+name+">")
	}
	return strings.TrimSpace(s[i : j+len("</"+name+">")])
}
