package clone

import (
	"strings"
	"testing"

	"kvmtui/libvirtx"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

// L on the demo host: a running VM is refused with the reason; paused,
// three clones are made at once; two marked VMs are cloned together.
func TestCloneFormOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":filter web-01", "enter", "L")
	f := tuitest.Top[*formpage.Page](h)
	h.ScreenHas("web-01 runs: pause it first, as virt-clone asks. Clone web-01", "web-01-clone", "vda (disk)", "‹ copy", "into pool", "web-01-clone.qcow2", "sda (cdrom)", "‹ share")
	if err := f.Form.Fill("name", "web-02"); err == nil || !strings.Contains(err.Error(), "a VM named web-02 exists") {
		t.Fatalf("a taken name: %v", err)
	}
	if err := f.Form.Fill("name", "web-09"); err != nil {
		t.Fatal(err)
	}
	h.ScreenHas("web-09.qcow2") // the disk follows the name
	if err := f.Form.Fill("ci-user", "ops"); err != nil {
		t.Fatal(err)
	}
	if err := f.Form.Fill("ci-key", "not a key"); err == nil || !strings.Contains(err.Error(), "SSH key") {
		t.Fatalf("a bad key: %v", err)
	}
	for _, field := range []string{"ci-key", "ci-user"} {
		if err := f.Form.Fill(field, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Form.Fill("count", "0"); err == nil {
		t.Fatal("a count of 0 was taken")
	}
	if err := f.Form.Fill("count", "3"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.MsgHas("pause it first")
	if err := h.Ctx().Mgr.Do(h.VM("web-01").Ref, libvirtx.Pause); err != nil {
		t.Fatal(err)
	}
	// The demo pool has room for one 20 GiB copy (the test driver counts
	// capacity): the second fails and says what was made before it.
	h.Keys("ctrl+s")
	h.MsgHas("Not enough free space in pool for volume 'web-09-2.qcow2' (made before it: web-09-1)")
	h.Keys("esc", "y")

	// alpine-edge's 2 GiB disk: three clones at once.
	h.Keys(":filter alpine-edge", "enter")
	if d := h.VM("alpine-edge"); d.State == libvirtx.StateRunning {
		if err := h.Ctx().Mgr.Do(d.Ref, libvirtx.Pause); err != nil {
			t.Fatal(err)
		}
	}
	h.Keys("L")
	f = tuitest.Top[*formpage.Page](h)
	if err := f.Form.Fill("count", "3"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.MsgHas("cloned alpine-edge-clone-1, alpine-edge-clone-2, alpine-edge-clone-3")
	h.Until("the clones in the list", func() bool {
		names := strings.Join(h.Ctx().VMNames(), " ")
		return strings.Contains(names, "alpine-edge-clone-3") && strings.Contains(names, "web-09-1") && !strings.Contains(names, "web-09-2")
	})
	if !h.OnList() {
		t.Fatal("the form stayed open")
	}

	// Two marked, shut-off VMs: linked clones, each as NAME-clone.
	h.Keys(":filter legacy-centos7", "enter", "space", ":filter nas-gateway", "enter", "space")
	for _, n := range []string{"legacy-centos7", "nas-gateway"} {
		if err := h.Ctx().Mgr.Do(h.VM(n).Ref, libvirtx.ForceOff); err != nil && !strings.Contains(err.Error(), "not running") {
			t.Fatal(err)
		}
	}
	h.Keys("esc", "L") // esc drops the filter, the marks stay
	f = tuitest.Top[*formpage.Page](h)
	h.ScreenHas("Clone legacy-centos7, nas-gateway, each as NAME-clone", "Disks")
	if err := f.Form.Fill("mode", "linked"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.MsgHas("cloned legacy-centos7-clone, nas-gateway-clone; legacy-centos7 is a template now")
	h.Until("the sources marked", func() bool { return h.VM("legacy-centos7").Template && h.VM("nas-gateway").Template })
}

func TestCloneRefusedReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys("L")
	h.MsgHas("read-only")
	if !h.OnList() {
		t.Fatal("a read-only connection opened the clone form")
	}
}
