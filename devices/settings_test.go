package devices

import (
	lt "kvmtui/libvirtx/libvirtxtest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"
)

// fullSettings are valid values for every domain-level field, set in
// order (order matters: the maximum before the current count).
var fullSettings = []struct{ field, value, want string }{
	{"title", "Web server", "Web server"},
	{"description", "front end\nsecond line", "front end\nsecond line"},
	{"autostart", "on", "yes"},
	{"metadata", `<app:info xmlns:app="http://example.org/app">x</app:info>`, `<app:info xmlns:app="http://example.org/app">x</app:info>`},
	{"vcpus_max", "8", "8"},
	{"vcpus", "2", "2"},
	{"cpu_mode", "custom", "custom"},
	{"cpu_model", "Skylake-Client", "Skylake-Client"},
	{"sockets", "2", "2"},
	{"cores", "2", "2"},
	{"threads", "2", "2"},
	{"cpuset", "0-3, 8", "0-3,8"},
	{"vcpu_pins", "1=1-2; 0=0", "0=0; 1=1-2"},
	{"memory_max", "4G", "4 GiB"},
	{"memory", "2048", "2 GiB"},
	{"hugepages", "yes", "yes"},
	{"hugepage_size", "2MiB", "2 MiB"},
	{"shared_memory", "yes", "yes"},
	{"boot_devices", "HD, cdrom", "hd,cdrom"},
	{"boot_menu", "yes", "yes"},
	{"firmware", "efi-secure", "efi-secure"},
	{"kernel", "/var/lib/libvirt/boot/vmlinuz", "/var/lib/libvirt/boot/vmlinuz"},
	{"initrd", "/var/lib/libvirt/boot/initrd.img", "/var/lib/libvirt/boot/initrd.img"},
	{"cmdline", "console=ttyS0 root=/dev/vda1", "console=ttyS0 root=/dev/vda1"},
	{"acpi", "yes", "yes"},
	{"apic", "yes", "yes"},
	{"pae", "yes", "yes"},
	{"smm", "on", "on"},
	{"vmport", "off", "off"},
	{"pmu", "off", "off"},
	{"hyperv", "yes", "yes"},
	{"kvm_hidden", "yes", "yes"},
	{"clock_offset", "localtime", "localtime"},
	{"rtc_tickpolicy", "catchup", "catchup"},
	{"pit_tickpolicy", "delay", "delay"},
	{"hpet", "no", "no"},
	{"numa_mode", "strict", "strict"},
	{"numa_placement", "static", "static"},
	{"numa_nodeset", "0", "0"},
}

func TestSettingsApplyAndValidate(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	s := &Settings{Def: testDomain(nil)}
	for _, c := range fullSettings {
		if err := s.Set(c.field, c.value); err != nil {
			t.Fatalf("Set(%s, %q): %v", c.field, c.value, err)
		}
	}
	for _, c := range fullSettings {
		if got := s.Get(c.field); got != c.want {
			t.Errorf("Get(%s) = %q, want %q", c.field, got, c.want)
		}
	}
	if !s.Autostart {
		t.Error("autostart not set")
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	doc, err := s.XML()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<vcpu placement="static" cpuset="0-3,8" current="2">8</vcpu>`, `<topology sockets="2" cores="2" threads="2">`,
		`<vcpupin vcpu="1" cpuset="1-2">`, `<memory unit="KiB">4194304</memory>`, `<currentMemory unit="KiB">2097152</currentMemory>`,
		`<page size="2048" unit="KiB">`, `<access mode="shared">`, `firmware="efi"`, `name="secure-boot"`, `<smm state="on">`,
		`<boot dev="cdrom">`, `<timer name="hpet" present="no">`, `<memory mode="strict" nodeset="0" placement="static">`} {
		if !strings.Contains(doc, w) {
			t.Errorf("definition lacks %s", w)
		}
	}
	validate(t, s.Def)

	// Every field reads back what it accepts.
	for _, sec := range Sections() {
		for _, f := range s.Fields(sec.ID) {
			v := s.Get(f.Name)
			if v == "" && !f.Optional {
				t.Errorf("%s: required %s is empty", sec.ID, f.Name)
				continue
			}
			if err := s.Set(f.Name, v); err != nil {
				t.Errorf("Set(%s, Get() = %q): %v", f.Name, v, err)
			} else if got := s.Get(f.Name); got != v {
				t.Errorf("%s: %q -> %q", f.Name, v, got)
			}
		}
	}
}

func TestSettingsClearAndDefaults(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	s := &Settings{Def: testDomain(nil)}
	if got := s.Get("vcpus_max") + "/" + s.Get("vcpus") + "/" + s.Get("memory") + "/" + s.Get("firmware") + "/" + s.Get("clock_offset"); got != "1/1/256 MiB/bios/utc" {
		t.Errorf("defaults of a bare domain: %s", got)
	}
	for _, c := range fullSettings {
		if err := s.Set(c.field, c.value); err != nil {
			t.Fatal(err)
		}
	}
	// Clearing optional settings removes them; lowering the maximum lowers the rest.
	for _, f := range []string{"title", "metadata", "cpu_mode", "sockets", "cpuset", "vcpu_pins", "hugepage_size", "boot_devices", "kernel", "initrd", "cmdline", "numa_mode", "hpet", "smm"} {
		if err := s.Set(f, ""); err != nil {
			t.Errorf("clear %s: %v", f, err)
		}
	}
	for _, kv := range [][2]string{{"vcpus_max", "1"}, {"memory_max", "1GiB"}, {"hugepages", "no"}, {"shared_memory", "no"}, {"firmware", "bios"}, {"hyperv", "no"}, {"kvm_hidden", "no"}} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Errorf("Set(%s, %s): %v", kv[0], kv[1], err)
		}
	}
	d := s.Def
	if d.Title != "" || d.Metadata != nil || d.CPU.Model != nil || d.CPU.Topology != nil || d.CPUTune != nil || d.MemoryBacking != nil ||
		d.OS.Kernel != "" || d.OS.Firmware != "" || d.OS.FirmwareInfo != nil || d.NUMATune != nil || d.Features.HyperV != nil || d.Features.KVM != nil {
		s, _ := d.Marshal()
		t.Errorf("cleared settings left traces:\n%s", s)
	}
	if s.Get("vcpus") != "1" || s.Get("memory") != "1 GiB" {
		t.Errorf("current vCPUs %s memory %s did not follow the lowered maximum", s.Get("vcpus"), s.Get("memory"))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	validate(t, s.Def)
}

func TestSettingsReject(t *testing.T) {
	q35 := loadCaps(t, "domcaps-q35.xml")
	cases := []struct {
		caps         *Caps
		setup        []string
		field, value string
		want         string
	}{
		{nil, []string{"vcpus_max", "8"}, "vcpus", "9", "expected at most the maximum, 8"},
		{q35, nil, "vcpus_max", "300", "takes at most 288"},
		{nil, nil, "vcpus_max", "0", "expected a whole number from 1 to 16384"},
		{nil, nil, "memory", "8GiB", "expected at most the maximum, 256 MiB"},
		{nil, nil, "memory_max", "100KiB", "expected at least 1 MiB"},
		{nil, nil, "memory_max", "lots", "no number"},
		{q35, []string{"cpu_mode", "custom"}, "cpu_model", "Haswell", "this QEMU cannot run it here"},
		{nil, []string{"cpu_mode", "custom"}, "cpu_model", "Sky lake", "expected a model name"},
		{q35, nil, "cpu_mode", "host-passthrough", "expected one of host-model, maximum, custom"},
		{nil, nil, "cpu_model", "qemu64", "CPU model does not apply"},
		{q35, nil, "firmware", "efi", "expected one of bios"},
		{nil, []string{"vcpus_max", "8"}, "vcpu_pins", "0=0-3; 0=1", "vCPU 0 is pinned twice"},
		{nil, []string{"vcpus_max", "8"}, "vcpu_pins", "9=0", "vCPU 9 does not exist"},
		{nil, nil, "vcpu_pins", "0:1", "has no '='"},
		{nil, nil, "vcpu_pins", "0=1-", "invalid CPU list"},
		{nil, nil, "cpuset", "3-1", "runs backwards"},
		{nil, nil, "metadata", "<info/>", "<info> has no namespace URI"},
		{nil, nil, "metadata", "plain text", "text outside an element"},
		{nil, nil, "metadata", `<a:x xmlns:a="http://e.org/">`, "unexpected EOF"},
		{nil, nil, "title", "two\nlines", "control character"},
		{nil, nil, "boot_devices", "hd,usb", `"usb" is not one of hd, cdrom, network, fd`},
		{nil, nil, "boot_devices", "hd,hd", "hd is listed twice"},
		{nil, nil, "kernel", "vmlinuz", "not an absolute path"},
		{nil, []string{"hugepages", "yes"}, "hugepage_size", "3MiB", "expected a power of two"},
		{nil, nil, "hugepage_size", "2MiB", "does not apply"},
		{nil, []string{"numa_mode", "strict", "numa_placement", "static"}, "numa_nodeset", "x", "not a CPU number"},
		{nil, nil, "clock_offset", "mars", "expected one of utc, localtime"},
		{nil, nil, "no_such", "1", `no setting named "no_such"`},
	}
	for _, c := range cases {
		s := &Settings{Def: testDomain(c.caps), Caps: c.caps}
		for i := 0; i+1 < len(c.setup); i += 2 {
			if err := s.Set(c.setup[i], c.setup[i+1]); err != nil {
				t.Fatalf("setup %s: %v", c.setup[i], err)
			}
		}
		before, _ := s.Def.Marshal()
		err := s.Set(c.field, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Set(%s, %q) = %v, want an error with %q", c.field, c.value, err, c.want)
		}
		if after, _ := s.Def.Marshal(); after != before {
			t.Errorf("a refused Set(%s) changed the definition", c.field)
		}
	}
}

func TestSettingsCheck(t *testing.T) {
	cases := []struct {
		setup []string
		edit  func(*lx.Domain)
		want  string
	}{
		{[]string{"kernel", "/k", "initrd", "/i", "kernel", ""}, nil, "an initrd, command line or device tree needs a kernel"},
		{[]string{"vcpus_max", "4", "sockets", "2"}, nil, "makes 8 vCPUs, but the maximum is 4"},
		{[]string{"firmware", "efi-secure", "smm", "off"}, nil, "secure boot needs SMM"},
		{[]string{"numa_mode", "strict", "numa_placement", "static"}, nil, "needs host nodes"},
		{[]string{"boot_devices", "hd"}, func(d *lx.Domain) {
			d.Devices.Disks = append(d.Devices.Disks, lx.DomainDisk{Boot: &lx.DomainDeviceBoot{Order: 1}})
		}, "while devices have their own boot order"},
		{nil, func(d *lx.Domain) {
			d.Devices.Filesystems = append(d.Devices.Filesystems, lx.DomainFilesystem{Driver: &lx.DomainFilesystemDriver{Type: "virtiofs"}})
		}, "needs shared memory"},
		{nil, func(d *lx.Domain) { d.CurrentMemory = &lx.DomainCurrentMemory{Value: 1, Unit: "GiB"} }, "exceeds the maximum"},
	}
	for _, c := range cases {
		s := &Settings{Def: testDomain(nil)}
		for i := 0; i+1 < len(c.setup); i += 2 {
			if err := s.Set(c.setup[i], c.setup[i+1]); err != nil {
				t.Fatalf("setup %s: %v", c.setup[i], err)
			}
		}
		if c.edit != nil {
			c.edit(s.Def)
		}
		if err := s.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: Check = %v, want %q", c.setup, err, c.want)
		}
		if _, err := s.XML(); err == nil {
			t.Errorf("%v: XML of an invalid definition succeeded", c.setup)
		}
	}
}

func TestSettingCall(t *testing.T) {
	want := map[string]string{
		"vcpus": "SetVcpusFlags", "memory": "SetMemoryFlags", "title": "SetMetadata", "description": "SetMetadata",
		"autostart": "SetAutostart", "vcpu_pins": "PinVcpuFlags",
		"vcpus_max": "", "memory_max": "", "firmware": "", "cpu_mode": "", "no_such": "",
	}
	for f, w := range want {
		if got := SettingCall(f); got != w {
			t.Errorf("SettingCall(%s) = %q, want %q", f, got, w)
		}
	}
	// Device fields carry theirs in Field.Call.
	for kind, field := range map[string]string{"nic": "inbound_average", "disk": "total_iops_sec"} {
		f := fieldNamed(t, KindByID(kind).Fields(nil), field)
		if f.Call == "" || !f.Live {
			t.Errorf("%s.%s: Call %q Live %v", kind, field, f.Call, f.Live)
		}
	}
	// Names are unique across sections, so one name finds one field.
	seen := map[string]string{}
	for _, sec := range Sections() {
		if SectionByID(sec.ID) != sec {
			t.Errorf("SectionByID(%s) does not find it", sec.ID)
		}
		for _, f := range sec.Fields(nil) {
			if other, dup := seen[f.Name]; dup {
				t.Errorf("setting %s is in %s and %s", f.Name, other, sec.ID)
			}
			seen[f.Name] = sec.ID
			if f.Help == "" || f.Label == "" {
				t.Errorf("setting %s lacks help or label", f.Name)
			}
		}
	}
}

// TestSettingsCorpus reads every setting of libvirt's sample domains:
// reading changes nothing, and a value the form shows (and offers) is
// accepted back as it is.
func TestSettingsCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir(t), "domain", "*.xml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus domains: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		def := &lx.Domain{}
		if err := def.Unmarshal(string(b)); err != nil {
			t.Fatal(err)
		}
		s := &Settings{Def: def}
		before, _ := def.Marshal()
		for _, sec := range Sections() {
			for _, f := range s.Fields(sec.ID) {
				_ = s.Get(f.Name)
			}
		}
		if after, _ := def.Marshal(); after != before {
			t.Errorf("%s: reading settings changed the definition", filepath.Base(p))
		}
		for _, sec := range Sections() {
			for _, f := range s.Fields(sec.ID) {
				v := s.Get(f.Name)
				if v == "" || f.Type == TypeEnum && !slices.Contains(f.Choices, v) {
					continue
				}
				if err := s.Set(f.Name, v); err != nil {
					t.Errorf("%s: Set(%s, %q) of its own value: %v", filepath.Base(p), f.Name, v, err)
				} else if got := s.Get(f.Name); got != v {
					t.Errorf("%s: %s reads %q after Set(%q)", filepath.Base(p), f.Name, got, v)
				}
			}
		}
	}
}
