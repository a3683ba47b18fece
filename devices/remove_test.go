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
