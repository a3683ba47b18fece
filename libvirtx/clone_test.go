package libvirtx

import (
	"strings"
	"testing"
)

// On the demo host (test driver): a running VM is refused, a paused one
// is cloned with a new name, UUID, MAC and disk, the names virt-clone
// would choose; bad input changes nothing.
func TestCloneOnTheDemoHost(t *testing.T) {
	m, uri := connectDemo(t, false)
	src := domainByName(t, m, uri, "web-01")
	plan, err := m.PlanClone(src.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Disks) != 2 || plan.Disks[0].Target != "vda" || plan.Disks[0].Pool != "default" || plan.Disks[0].Volume != "web-01.qcow2" ||
		plan.Disks[0].Mode != CloneCopy || plan.Disks[1].Device != "cdrom" || plan.Disks[1].Mode != CloneShare {
		t.Fatalf("plan disks %+v", plan.Disks)
	}
	name := plan.FreeName("web-01")
	named := plan.Named("web-01", name)
	if name != "web-01-clone" || named.Disks[0].NewName != "web-01-clone.qcow2" {
		t.Fatalf("proposed %s with %s", name, named.Disks[0].NewName)
	}
	spec := CloneSpec{Name: name, Disks: named.Disks}
	if _, err := m.Clone(src.Ref, spec, func(string, int64, int64) {}); err == nil || !strings.Contains(err.Error(), "pause it first") {
		t.Fatalf("clone of a running VM: %v", err)
	}
	if err := m.Do(src.Ref, Pause); err != nil {
		t.Fatal(err)
	}
	// A paused source would write its image again once resumed.
	link := CloneSpec{Name: "web-01-linked", Disks: append([]CloneDisk{}, named.Disks...)}
	link.Disks[0].Mode = CloneLinked
	if _, err := m.Clone(src.Ref, link, func(string, int64, int64) {}); err == nil || !strings.Contains(err.Error(), "a linked clone reads") {
		t.Fatalf("linked clone of a paused VM: %v", err)
	}
	for _, bad := range []CloneSpec{
		{Name: "web-02", Disks: named.Disks},
		{Name: "", Disks: named.Disks},
		{Name: "x", Disks: named.Disks[:1]},
		{Name: "x", Disks: []CloneDisk{{Target: "vda", Mode: "magic"}, named.Disks[1]}},
		{Name: "x", Disks: []CloneDisk{{Target: "vda", Mode: CloneCopy, Pool: "default", ToPool: "default", NewName: "web-02.qcow2"}, named.Disks[1]}},
		{Name: "x", Disks: []CloneDisk{{Target: "vda", Mode: CloneCopy, Pool: "default", ToPool: "nope", NewName: "n.qcow2"}, named.Disks[1]}},
	} {
		if _, err := m.Clone(src.Ref, bad, func(string, int64, int64) {}); err == nil {
			t.Errorf("%+v was cloned", bad)
		} else {
			t.Logf("refused: %v", err)
		}
	}
	clone, err := m.Clone(src.Ref, spec, func(string, int64, int64) {})
	if err != nil {
		t.Fatal(err)
	}
	if clone.UUID == "" || clone.UUID == src.UUID {
		t.Fatalf("clone's UUID %q (source %s)", clone.UUID, src.UUID)
	}
	a, _ := m.DomainXML(src.Ref, true, false)
	b, err := m.DomainXML(clone, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b, "/var/lib/libvirt/images/web-01-clone.qcow2") || strings.Contains(b, "web-01.qcow2") || !strings.Contains(b, "device='cdrom'") {
		t.Fatalf("the clone's disks:\n%s", b)
	}
	if mac := between(a, "<mac address='", "'"); mac == "" || strings.Contains(b, mac) {
		t.Fatalf("the clone kept MAC %q", mac)
	}
	if _, err := m.Clone(src.Ref, spec, func(string, int64, int64) {}); err == nil || !strings.Contains(err.Error(), "a VM named web-01-clone exists") {
		t.Fatalf("a second clone of the same name: %v", err)
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
