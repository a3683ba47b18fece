package devices

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestItemRemove(t *testing.T) {
	def := &libvirtxml.Domain{}
	err := def.Unmarshal(`<domain type='kvm'><name>a</name><devices>
<disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><source file='/b'/><target dev='vdb' bus='virtio'/></disk>
<watchdog model='i6300esb' action='reset'/></devices></domain>`)
	if err != nil {
		t.Fatal(err)
	}
	var second Item
	for _, it := range List(def) {
		if x, _ := it.XML(); strings.Contains(x, "/b") {
			second = it
		}
	}
	if second.Kind == nil {
		t.Fatal("second disk not listed")
	}
	if err := second.Remove(); err != nil {
		t.Fatal(err)
	}
	out, _ := def.Marshal()
	if strings.Contains(out, "/b") || !strings.Contains(out, "/a") || !strings.Contains(out, "watchdog") {
		t.Fatalf("after removing the second disk:\n%s", out)
	}
	if err := second.Remove(); err == nil {
		t.Fatal("removing twice succeeded")
	}
}

// libvirtxml keeps the first IOMMU twice (Devices.IOMMU and IOMMUs): a
// removed IOMMU must leave the written XML, not come back from the copy.
func TestRemoveIOMMU(t *testing.T) {
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(`<domain type='kvm'><name>x</name><devices><iommu model='intel'/><memballoon model='virtio'/></devices></domain>`); err != nil {
		t.Fatal(err)
	}
	for _, it := range List(def) {
		if it.Kind.ID == "iommu" || it.Kind.ID == "memballoon" {
			if err := it.Remove(); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := def.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "iommu") || strings.Contains(out, "memballoon") {
		t.Fatalf("removed devices are still written:\n%s", out)
	}
}
