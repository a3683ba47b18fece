package devices

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCapsQ35(t *testing.T) {
	c := loadCaps(t, "domcaps-q35.xml")
	if c.Machine != "pc-q35-7.2" || c.Arch != "x86_64" || c.VirtType != "qemu" || c.MaxVCPUs != 288 {
		t.Errorf("machine %q arch %q type %q max vCPUs %d", c.Machine, c.Arch, c.VirtType, c.MaxVCPUs)
	}
	if c.Emulator != "/usr/bin/qemu-system-x86_64" || !c.IOThreads {
		t.Errorf("emulator %q iothreads %v", c.Emulator, c.IOThreads)
	}
	// This host has no OVMF: the firmware enum is reported, and empty.
	if c.Firmware == nil || len(c.Firmware) != 0 {
		t.Errorf("Firmware = %#v, want reported and empty", c.Firmware)
	}
	if !slices.Equal(c.SecureBoot, []string{"no"}) || !slices.Equal(c.LoaderTypes, []string{"rom", "pflash"}) {
		t.Errorf("secure %v loader types %v", c.SecureBoot, c.LoaderTypes)
	}
	if slices.Contains(c.DiskBuses, "ide") || !slices.Contains(c.DiskBuses, "virtio") {
		t.Errorf("q35 disk buses %v: want virtio and no ide", c.DiskBuses)
	}
	if !slices.Equal(c.TPMBackends, []string{"passthrough"}) || !slices.Equal(c.TPMModels, []string{"tpm-tis", "tpm-crb"}) {
		t.Errorf("TPM models %v backends %v", c.TPMModels, c.TPMBackends)
	}
	if c.TPMVersions != nil {
		t.Errorf("TPM versions %v, want nil (not reported)", c.TPMVersions)
	}
	if slices.Contains(c.HostdevSubsys, "mdev") || !slices.Contains(c.HostdevSubsys, "pci") {
		t.Errorf("hostdev subsystems %v", c.HostdevSubsys)
	}
	if !slices.Contains(c.CPUModes, "host-model") || slices.Contains(c.CPUModes, "host-passthrough") {
		t.Errorf("CPU modes %v: TCG has host-model but no host-passthrough", c.CPUModes)
	}
	if !slices.Contains(c.CPUModels, "qemu64") || slices.Contains(c.CPUModels, "Haswell") {
		t.Errorf("CPU models must keep usable ones and drop usable='no' ones: %v", c.CPUModels)
	}
	if c.HostModel != "EPYC" {
		t.Errorf("host model %q", c.HostModel)
	}
	if !slices.Contains(c.VideoModels, "virtio") || !slices.Contains(c.GraphicsTypes, "spice") || !slices.Contains(c.FilesystemDrivers, "virtiofs") {
		t.Errorf("video %v graphics %v fs %v", c.VideoModels, c.GraphicsTypes, c.FilesystemDrivers)
	}
	if ok, known := c.Offers("tpm"); !ok || !known {
		t.Errorf("Offers(tpm) = %v, %v", ok, known)
	}
	if _, known := c.Offers("crypto"); known {
		t.Error("crypto is not in these caps but Offers says it is known")
	}
}

func TestParseCapsPC(t *testing.T) {
	c := loadCaps(t, "domcaps-pc.xml")
	if c.Machine != "pc-i440fx-7.2" || c.MaxVCPUs != 255 || !slices.Contains(c.DiskBuses, "ide") {
		t.Errorf("machine %q max %d buses %v", c.Machine, c.MaxVCPUs, c.DiskBuses)
	}
}

func TestParseCapsUnsupportedAndBad(t *testing.T) {
	c, err := ParseCaps(`<domainCapabilities><arch>x86_64</arch><devices><tpm supported='no'/></devices></domainCapabilities>`)
	if err != nil {
		t.Fatal(err)
	}
	if c.TPMModels == nil || len(c.TPMModels) != 0 {
		t.Errorf("unsupported TPM: models %#v, want reported and empty", c.TPMModels)
	}
	if ok, known := c.Offers("tpm"); ok || !known {
		t.Errorf("Offers(tpm) = %v, %v; want false, true", ok, known)
	}
	if c.DiskBuses != nil {
		t.Errorf("disk buses %v, want nil: the caps say nothing of disks", c.DiskBuses)
	}
	for _, bad := range []string{"", "<domainCapabilities>", "<domain/>", "<domainCapabilities></domainCapabilities>"} {
		if _, err := ParseCaps(bad); err == nil || !strings.Contains(err.Error(), "domain capabilities") {
			t.Errorf("ParseCaps(%q) = %v, want an error naming domain capabilities", bad, err)
		}
	}
	var nilCaps *Caps
	if ok, known := nilCaps.Offers("disk"); ok || known {
		t.Error("nil caps claim to know something")
	}
}

func TestFieldChoicesFollowCaps(t *testing.T) {
	q35 := loadCaps(t, "domcaps-q35.xml")
	choices := func(kind, field string, caps *Caps) []string {
		for _, f := range KindByID(kind).Fields(caps) {
			if f.Name == field {
				return f.Choices
			}
		}
		t.Fatalf("%s has no field %s", kind, field)
		return nil
	}
	if got := choices("tpm", "backend", q35); !slices.Equal(got, []string{"passthrough"}) {
		t.Errorf("TPM backends with q35 caps: %v", got)
	}
	if got := choices("tpm", "backend", nil); !slices.Equal(got, []string{"emulator", "passthrough"}) {
		t.Errorf("TPM backends without caps: %v", got)
	}
	if got := choices("disk", "bus", q35); slices.Contains(got, "ide") {
		t.Errorf("q35 disk buses offer ide: %v", got)
	}
	if got := choices("disk", "bus", loadCaps(t, "domcaps-pc.xml")); !slices.Contains(got, "ide") {
		t.Errorf("pc disk buses lack ide: %v", got)
	}
	if got := fieldNamed(t, SectionByID("boot").Fields(q35), "firmware").Choices; !slices.Equal(got, []string{"bios"}) {
		t.Errorf("firmware choices without OVMF: %v", got)
	}
	if got := fieldNamed(t, SectionByID("boot").Fields(nil), "firmware").Choices; !slices.Equal(got, []string{"bios", "efi", "efi-secure"}) {
		t.Errorf("firmware choices without caps: %v", got)
	}
	if got := fieldNamed(t, SectionByID("cpus").Fields(q35), "cpu_mode").Choices; !slices.Contains(got, "host-model") || slices.Contains(got, "host-passthrough") {
		t.Errorf("CPU mode choices on TCG: %v", got)
	}
}

func fieldNamed(t *testing.T, fs []Field, name string) Field {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %s", name)
	return Field{}
}
