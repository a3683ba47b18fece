// Package ova reads a virtual appliance — an .ova (a tar holding an OVF
// descriptor, its disks and a manifest) or an .ovf beside its disks — into
// what a new VM needs: name, CPUs, memory, firmware, disks on their buses,
// NICs with their models, the guest OS's name; and it lists what it cannot
// map rather than dropping it silently. Disks are converted with qemu-img
// (argv, the ecosystem's tool for VMDK) into raw images, checked against
// the manifest's digests on the way. It never calls libvirt.
package ova

import (
	"archive/tar"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Appliance is what the descriptor says, mapped to kvmtui's terms.
type Appliance struct {
	Name      string
	OS        string // the descriptor's description of the guest OS
	VCPUs     uint
	MemoryMiB uint64
	Firmware  string // bios or efi
	Disks     []Disk
	NICs      []NIC
	// Unmapped names what the descriptor asks for that kvmtui does not
	// make: a floppy, a sound card, compressed files, …
	Unmapped []string

	source string            // the .ova or .ovf path
	files  map[string]string // the descriptor's file ids -> hrefs
	digest map[string]string // href -> "SHA256:hex" from the manifest
}

// Disk is one virtual disk of the appliance.
type Disk struct {
	File     string // its file in the package (href)
	Format   string // the descriptor's format, e.g. …vmdk.html#streamOptimized
	Capacity uint64 // bytes, as the guest sees it
	Bus      string // virtio, sata, scsi, ide
}

// NIC is one network card.
type NIC struct {
	Network string // the appliance's network name (the host's is chosen)
	Model   string // e1000, e1000e, vmxnet3, rtl8139, virtio
}

// Open reads the descriptor of an .ova or .ovf file (and the manifest
// beside it, if any).
func Open(file string) (*Appliance, error) {
	var desc, manifest []byte
	descName := filepath.Base(file)
	switch strings.ToLower(filepath.Ext(file)) {
	case ".ova":
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		tr := tar.NewReader(f)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s is not an OVA (a tar archive): %w", file, err)
			}
			if !inside(h.Name) {
				return nil, fmt.Errorf("%s: member %q points outside the archive: refused", file, h.Name)
			}
			switch strings.ToLower(path.Ext(h.Name)) {
			case ".ovf":
				if desc != nil {
					return nil, fmt.Errorf("%s holds two OVF descriptors", file)
				}
				if desc, err = io.ReadAll(io.LimitReader(tr, 16<<20)); err != nil {
					return nil, err
				}
				descName = path.Clean(h.Name)
			case ".mf":
				if manifest, err = io.ReadAll(io.LimitReader(tr, 1<<20)); err != nil {
					return nil, err
				}
			}
		}
		if desc == nil {
			return nil, fmt.Errorf("%s holds no OVF descriptor (*.ovf)", file)
		}
	case ".ovf":
		var err error
		if desc, err = os.ReadFile(file); err != nil {
			return nil, err
		}
		manifest, _ = os.ReadFile(strings.TrimSuffix(file, filepath.Ext(file)) + ".mf")
	default:
		return nil, fmt.Errorf("%s: an appliance is an .ova or an .ovf file", file)
	}
	a, err := Parse(desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	a.source = file
	if a.digest, err = parseManifest(manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	h, sum := a.hasher(descName)
	if h != nil {
		h.Write(desc)
	}
	if err := verify(descName, h, sum); err != nil {
		return nil, err
	}
	return a, nil
}

// The descriptor, by local names (OVF 1.x and 2.x, VMware's and
// VirtualBox's exports alike).
type envelope struct {
	References []struct {
		ID          string `xml:"id,attr"`
		Href        string `xml:"href,attr"`
		Compression string `xml:"compression,attr"`
		ChunkSize   string `xml:"chunkSize,attr"`
	} `xml:"References>File"`
	Disks []struct {
		ID        string `xml:"diskId,attr"`
		FileRef   string `xml:"fileRef,attr"`
		Capacity  string `xml:"capacity,attr"`
		Units     string `xml:"capacityAllocationUnits,attr"`
		Format    string `xml:"format,attr"`
		Populated string `xml:"populatedSize,attr"`
	} `xml:"DiskSection>Disk"`
	System struct {
		ID   string `xml:"id,attr"`
		Name string `xml:"Name"`
		OS   struct {
			Description string `xml:"Description"`
			OSType      string `xml:"osType,attr"`
		} `xml:"OperatingSystemSection"`
		Items   []item   `xml:"VirtualHardwareSection>Item"`
		Storage []item   `xml:"VirtualHardwareSection>StorageItem"`
		Eth     []item   `xml:"VirtualHardwareSection>EthernetPortItem"`
		Config  []config `xml:"VirtualHardwareSection>Config"`
	} `xml:"VirtualSystem"`
	Collection *struct{} `xml:"VirtualSystemCollection"`
}

type item struct {
	InstanceID      string   `xml:"InstanceID"`
	ResourceType    int      `xml:"ResourceType"`
	ResourceSubType string   `xml:"ResourceSubType"`
	ElementName     string   `xml:"ElementName"`
	Quantity        string   `xml:"VirtualQuantity"`
	Units           string   `xml:"AllocationUnits"`
	Parent          string   `xml:"Parent"`
	HostResource    []string `xml:"HostResource"`
	Connection      []string `xml:"Connection"`
	AddressOnParent string   `xml:"AddressOnParent"`
}

type config struct {
	Key   string `xml:"key,attr"`
	Value string `xml:"value,attr"`
}

// CIM resource types (DMTF DSP1041).
const (
	rtOther      = 1
	rtCPU        = 3
	rtMemory     = 4
	rtIDE        = 5
	rtSCSI       = 6
	rtEthernet   = 10
	rtFloppy     = 14
	rtCDDrive    = 15
	rtDVDDrive   = 16
	rtDisk       = 17
	rtSerial     = 21
	rtParallel   = 22
	rtUSB        = 23
	rtGraphics   = 24
	rtStorage    = 20 // "other storage device": SATA (AHCI)
	rtSound      = 35
	rtVirtualHBA = 33
)

// Parse maps an OVF descriptor.
func Parse(desc []byte) (*Appliance, error) {
	var e envelope
	if err := xml.Unmarshal(desc, &e); err != nil {
		return nil, fmt.Errorf("the OVF descriptor does not parse: %w", err)
	}
	if e.Collection != nil {
		return nil, errors.New("the appliance is a collection of several VMs: import each one's OVF")
	}
	a := &Appliance{Name: strings.TrimSpace(e.System.Name), OS: strings.TrimSpace(e.System.OS.Description),
		Firmware: "bios", files: map[string]string{}}
	if a.Name == "" {
		a.Name = e.System.ID
	}
	for _, r := range e.References {
		if !inside(r.Href) {
			return nil, fmt.Errorf("file %q points outside the appliance: refused", r.Href)
		}
		a.files[r.ID] = r.Href
		if r.Compression != "" || r.ChunkSize != "" {
			return nil, fmt.Errorf("file %s is stored compressed or in chunks, which kvmtui does not read", r.Href)
		}
	}
	disks := map[string]int{} // diskId -> index in e.Disks
	for i, d := range e.Disks {
		disks[d.ID] = i
	}
	items := append(append(append([]item(nil), e.System.Items...), e.System.Storage...), e.System.Eth...)
	buses := map[string]string{} // controller InstanceID -> bus
	for _, it := range items {
		switch it.ResourceType {
		case rtIDE:
			buses[it.InstanceID] = "ide"
		case rtSCSI, rtVirtualHBA:
			buses[it.InstanceID] = "scsi"
		case rtStorage:
			buses[it.InstanceID] = "sata"
			if strings.Contains(strings.ToLower(it.ResourceSubType), "nvme") {
				buses[it.InstanceID] = "nvme"
			}
		case rtOther:
			if strings.Contains(strings.ToLower(it.ResourceSubType), "nvme") {
				buses[it.InstanceID] = "nvme"
			}
		}
	}
	for _, it := range items {
		name := it.ElementName
		if name == "" {
			name = fmt.Sprintf("resource type %d", it.ResourceType)
		}
		switch it.ResourceType {
		case rtCPU:
			n, err := strconv.ParseUint(strings.TrimSpace(it.Quantity), 10, 32)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("the CPU count %q is not a number", it.Quantity)
			}
			a.VCPUs = uint(n)
		case rtMemory:
			mib, err := toMiB(it.Quantity, it.Units)
			if err != nil {
				return nil, fmt.Errorf("memory: %w", err)
			}
			a.MemoryMiB = mib
		case rtDisk:
			if len(it.HostResource) == 0 {
				a.Unmapped = append(a.Unmapped, name+": a disk without an image")
				continue
			}
			id := strings.TrimPrefix(strings.TrimPrefix(it.HostResource[0], "ovf:"), "/disk/")
			i, ok := disks[id]
			if !ok {
				return nil, fmt.Errorf("disk %q names %q, which the DiskSection lacks", name, it.HostResource[0])
			}
			d := e.Disks[i]
			capacity, err := toBytes(d.Capacity, d.Units)
			if err != nil {
				return nil, fmt.Errorf("disk %s: %w", d.ID, err)
			}
			href, ok := a.files[d.FileRef]
			if !ok {
				a.Unmapped = append(a.Unmapped, name+": an empty disk (no file) — not created")
				continue
			}
			bus := buses[it.Parent]
			if bus == "" {
				bus = "sata"
			}
			a.Disks = append(a.Disks, Disk{File: href, Format: d.Format, Capacity: capacity, Bus: bus})
		case rtEthernet:
			nic := NIC{Model: nicModel(it.ResourceSubType)}
			if len(it.Connection) > 0 {
				nic.Network = it.Connection[0]
			}
			if nic.Model == "" {
				nic.Model = "e1000"
				a.Unmapped = append(a.Unmapped, fmt.Sprintf("%s: card %q is not one QEMU has: e1000 instead", name, it.ResourceSubType))
			}
			a.NICs = append(a.NICs, nic)
		case rtIDE, rtSCSI, rtStorage, rtVirtualHBA:
			// the disks' buses
		case rtCDDrive, rtDVDDrive:
			if len(it.HostResource) > 0 && it.HostResource[0] != "" {
				a.Unmapped = append(a.Unmapped, name+": a CD-ROM with an image — not added (add one in the details)")
			}
		case rtUSB, rtGraphics, rtSound:
			// every new VM gets its own, as its OS wants
		case rtFloppy, rtSerial, rtParallel:
			a.Unmapped = append(a.Unmapped, name+" — not added")
		case rtOther:
			if sub := strings.ToLower(it.ResourceSubType); !strings.Contains(sub, "nvme") && !strings.Contains(sub, "sound") {
				a.Unmapped = append(a.Unmapped, fmt.Sprintf("%s (%s) — not added", name, it.ResourceSubType))
			}
		default:
			a.Unmapped = append(a.Unmapped, name+" — not added")
		}
	}
	for _, c := range e.System.Config {
		if c.Key == "firmware" && strings.EqualFold(c.Value, "efi") {
			a.Firmware = "efi"
		}
	}
	switch {
	case a.VCPUs == 0:
		a.VCPUs = 1
		a.Unmapped = append(a.Unmapped, "no CPU count: 1 vCPU")
	case a.MemoryMiB == 0:
		return nil, errors.New("the descriptor gives no memory size")
	case len(a.Disks) == 0:
		return nil, errors.New("the appliance has no disk image to import")
	}
	return a, nil
}

// inside: a name within the package — relative, no "..", not a URL.
func inside(name string) bool {
	c := path.Clean(strings.ReplaceAll(name, "\\", "/"))
	return name != "" && !path.IsAbs(c) && c != ".." && !strings.HasPrefix(c, "../") && !strings.Contains(name, "://")
}

// nicModel maps a CIM/VMware/VirtualBox card name to QEMU's; "" for none.
func nicModel(sub string) string {
	switch strings.ToLower(strings.ReplaceAll(sub, " ", "")) {
	case "", "e1000":
		return "e1000"
	case "e1000e":
		return "e1000e"
	case "pcnet", "pcnet32":
		return "pcnet"
	case "vmxnet3":
		return "vmxnet3"
	case "virtio", "virtio-net", "virtionet":
		return "virtio"
	case "rtl8139":
		return "rtl8139"
	}
	return ""
}

// toBytes reads an OVF quantity with its allocation units ("byte * 2^30",
// "GigaBytes", none: bytes).
func toBytes(q, units string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(q), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", q)
	}
	mult, err := unitBytes(units)
	if err != nil {
		return 0, err
	}
	return n * mult, nil
}

func toMiB(q, units string) (uint64, error) {
	b, err := toBytes(q, units)
	return b >> 20, err
}

// unitBytes reads DSP0004's programmatic units: "byte", "byte * 2^20",
// "byte * 1024", and the older spellings (KiloBytes, MegaBytes, GigaBytes).
func unitBytes(u string) (uint64, error) {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(u), " ", ""))
	switch s {
	case "", "byte", "bytes":
		return 1, nil
	case "kilobytes", "kb":
		return 1 << 10, nil
	case "megabytes", "mb":
		return 1 << 20, nil
	case "gigabytes", "gb":
		return 1 << 30, nil
	}
	rest, ok := strings.CutPrefix(s, "byte*")
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", u)
	}
	if b, e, ok := strings.Cut(rest, "^"); ok {
		base, err1 := strconv.ParseUint(b, 10, 64)
		exp, err2 := strconv.ParseUint(e, 10, 64)
		if err1 != nil || err2 != nil || exp > 62 {
			return 0, fmt.Errorf("unknown unit %q", u)
		}
		v := uint64(1)
		for range exp {
			v *= base
		}
		return v, nil
	}
	v, err := strconv.ParseUint(rest, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("unknown unit %q", u)
	}
	return v, nil
}

// parseManifest reads "SHA256(file)= hex" lines (SHA1 and SHA512 too).
func parseManifest(b []byte) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		algo, rest, ok1 := strings.Cut(line, "(")
		file, sum, ok2 := strings.Cut(rest, ")=")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("manifest line %q is not ALGO(file)= digest", line)
		}
		out[file] = strings.ToUpper(algo) + ":" + strings.ToLower(strings.TrimSpace(sum))
	}
	return out, nil
}
