package ova

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kvmtui/ova/ovatest"
)

// vboxOVF is shaped like VirtualBox's export: a SATA (AHCI) controller,
// an E1000, memory in MegaBytes, a CD drive without an image.
const vboxOVF = `<?xml version="1.0"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vbox="http://www.virtualbox.org/ovf/machine">
  <References><File ovf:id="file1" ovf:href="box-disk001.vmdk"/></References>
  <DiskSection><Disk ovf:capacity="1073741824" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/></DiskSection>
  <VirtualSystem ovf:id="box">
    <OperatingSystemSection ovf:id="80"><Description>RedHat_64</Description></OperatingSystemSection>
    <VirtualHardwareSection>
      <Item><rasd:Caption>1 virtual CPU</rasd:Caption><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>2048</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>sataController0</rasd:ElementName><rasd:InstanceID>5</rasd:InstanceID><rasd:ResourceSubType>AHCI</rasd:ResourceSubType><rasd:ResourceType>20</rasd:ResourceType></Item>
      <Item><rasd:Connection>NAT</rasd:Connection><rasd:ElementName>Ethernet adapter on 'NAT'</rasd:ElementName><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceSubType>E1000</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
      <Item><rasd:ElementName>disk1</rasd:ElementName><rasd:HostResource>/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>7</rasd:InstanceID><rasd:Parent>5</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:ElementName>cdrom1</rasd:ElementName><rasd:InstanceID>8</rasd:InstanceID><rasd:Parent>5</rasd:Parent><rasd:ResourceType>15</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`

func TestParseVMwareExport(t *testing.T) {
	a, err := Parse([]byte(strings.Replace(ovatest.VMwareOVF, "@CAP@", "16", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "web appliance" || a.VCPUs != 2 || a.MemoryMiB != 512 || a.Firmware != "efi" || a.OS != "Debian GNU/Linux 10 (64-bit)" {
		t.Errorf("appliance: %+v", a)
	}
	if len(a.Disks) != 1 || a.Disks[0] != (Disk{File: "appliance-disk1.vmdk", Format: "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized", Capacity: 16 << 20, Bus: "scsi"}) {
		t.Errorf("disks: %+v", a.Disks)
	}
	if len(a.NICs) != 1 || a.NICs[0] != (NIC{Network: "VM Network", Model: "vmxnet3"}) {
		t.Errorf("NICs: %+v", a.NICs)
	}
	if got := strings.Join(a.Unmapped, "; "); got != "Floppy drive 1 — not added" { // the sound card: the VM gets one for its OS
		t.Errorf("unmapped: %s", got)
	}
}

func TestParseVirtualBoxExport(t *testing.T) {
	a, err := Parse([]byte(vboxOVF))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "box" || a.VCPUs != 1 || a.MemoryMiB != 2048 || a.Firmware != "bios" {
		t.Errorf("appliance: %+v", a)
	}
	if len(a.Disks) != 1 || a.Disks[0].Bus != "sata" || a.Disks[0].Capacity != 1<<30 {
		t.Errorf("disks: %+v", a.Disks)
	}
	if len(a.NICs) != 1 || a.NICs[0].Model != "e1000" || len(a.Unmapped) != 0 {
		t.Errorf("NICs %+v, unmapped %v", a.NICs, a.Unmapped)
	}
}

func TestParseRefusals(t *testing.T) {
	for want, doc := range map[string]string{
		"does not parse":                      "<Envelope>",
		"no disk image":                       strings.NewReplacer("<rasd:HostResource>/disk/vmdisk1</rasd:HostResource>", "", "<rasd:ElementName>disk1</rasd:ElementName>", "").Replace(vboxOVF),
		"no memory size":                      strings.Replace(vboxOVF, "<rasd:ResourceType>4</rasd:ResourceType>", "<rasd:ResourceType>99</rasd:ResourceType>", 1),
		"compressed or in chunks":             strings.Replace(vboxOVF, `ovf:href="box-disk001.vmdk"`, `ovf:href="box-disk001.vmdk" ovf:compression="gzip"`, 1),
		"collection of several VMs":           `<Envelope><VirtualSystemCollection/></Envelope>`,
		`which the DiskSection lacks`:         strings.Replace(vboxOVF, "/disk/vmdisk1</rasd", "/disk/other</rasd", 1),
		`memory: unknown unit "furlongs"`:     strings.Replace(vboxOVF, "MegaBytes", "furlongs", 1),
		"points outside the appliance":        strings.Replace(vboxOVF, `ovf:href="box-disk001.vmdk"`, `ovf:href="../../etc/shadow"`, 1),
		"points outside the appliance: ":      strings.Replace(vboxOVF, `ovf:href="box-disk001.vmdk"`, `ovf:href="/etc/shadow"`, 1),
		"points outside the appliance: r":     strings.Replace(vboxOVF, `ovf:href="box-disk001.vmdk"`, `ovf:href="http://example.org/disk.vmdk"`, 1),
		`the CPU count "two" is not a number`: strings.Replace(vboxOVF, "<rasd:VirtualQuantity>1</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>two</rasd:VirtualQuantity>", 1),
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}

// An OVA converts to the raw image it was made of; a damaged one is
// refused by its manifest.
func TestConvertOVA(t *testing.T) {
	raw := ovatest.MarkedDisk()
	a, err := Open(ovatest.Make(t, raw, false))
	if err != nil {
		t.Fatal(err)
	}
	file, err := a.Convert(context.Background(), 0, t.TempDir())
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	if _, err := a.Convert(context.Background(), 1, t.TempDir()); err == nil {
		t.Fatal("a disk the appliance lacks was converted")
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("the converted disk differs from the one packed (%d bytes, %v)", len(got), err)
	}

	a, err = Open(ovatest.Make(t, raw, true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Convert(context.Background(), 0, t.TempDir()); err == nil || !strings.Contains(err.Error(), "does not match the manifest's digest") {
		t.Fatalf("a tampered disk: %v", err)
	}
}

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	notTar := filepath.Join(dir, "x.ova")
	os.WriteFile(notTar, []byte("hello, not a tar archive at all, really not one"), 0o644)
	empty := filepath.Join(dir, "empty.ova")
	var buf bytes.Buffer
	tar.NewWriter(&buf).Close()
	os.WriteFile(empty, buf.Bytes(), 0o644)
	evil := filepath.Join(dir, "evil.ova")
	buf.Reset()
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "../../tmp/x.ovf", Mode: 0o644, Size: 4})
	tw.Write([]byte("<a/>"))
	tw.Close()
	os.WriteFile(evil, buf.Bytes(), 0o644)
	for file, want := range map[string]string{
		evil:                            `member "../../tmp/x.ovf" points outside the archive`,
		notTar:                          "not an OVA",
		empty:                           "holds no OVF descriptor",
		filepath.Join(dir, "x.vmdk"):    "an .ova or an .ovf file",
		filepath.Join(dir, "none.ovf"):  "no such file",
		filepath.Join(dir, "none2.ova"): "no such file",
	} {
		if _, err := Open(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
	}
}

// An .ovf beside its disk and manifest reads and converts as the .ova does.
func TestConvertOVFBesideItsDisk(t *testing.T) {
	raw := ovatest.MarkedDisk()
	dir := t.TempDir()
	f, err := os.Open(ovatest.Make(t, raw, false))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(tr)
		os.WriteFile(filepath.Join(dir, h.Name), b, 0o644)
	}
	a, err := Open(filepath.Join(dir, "appliance.ovf"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := a.Convert(context.Background(), 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, raw) {
		t.Fatal("the converted disk differs from the one beside the .ovf")
	}
	// the manifest guards the descriptor too
	desc, _ := os.ReadFile(filepath.Join(dir, "appliance.ovf"))
	os.WriteFile(filepath.Join(dir, "appliance.ovf"), append(desc, ' '), 0o644)
	if _, err := Open(filepath.Join(dir, "appliance.ovf")); err == nil || !strings.Contains(err.Error(), "does not match the manifest") {
		t.Fatalf("an altered descriptor: %v", err)
	}
}
