package hostinfo

import (
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func TestHostPageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":host nowhere", "enter")
	h.MsgHas(`host: not connected to "nowhere"`)
	h.Keys(":host", "enter")
	p := tuitest.Top[*Page](h)
	h.ScreenHas("› Host demo", "TEST 0.0.2", "CPU", "32 CPUs at 3600 MHz · 1 socket × 16 cores × 2 threads", "128 GiB",
		"Huge pages  (h sets a pool)", "2 MiB pages: 0, 0 free", "tab next host  r reload  p charts  h huge pages")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("not 24 lines:\n%s", v)
	}
	h.Keys("G")
	h.ScreenHas("Guests", "i686 · /usr/bin/test-hv · test")
	h.Keys("g")
	h.ScreenHas("TEST 0.0.2")
	// h: the form, then the question, then the driver's refusal.
	h.Keys("h")
	f := tuitest.Top[*formpage.Page](h)
	if err := f.Form.Fill("size", "2 MiB"); err != nil {
		t.Fatal(err)
	}
	if err := f.Form.Fill("count", "x"); err == nil {
		t.Fatal("a count of x was taken")
	}
	if err := f.Form.Fill("count", "3"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.ScreenHas("Set the pool of 2 MiB pages on the host to 3 (6 MiB of memory)?", "nothing else can use it")
	h.Keys("n")
	h.MsgHas("cancelled")
	h.Keys("h", "ctrl+s", "y")
	h.MsgHas("huge pages: ")
	if tuitest.Top[*Page](h) != p {
		t.Fatal("not back on the host page")
	}
	h.Keys("p")
	h.ScreenHas("Performance: demo")
}

func TestHostPageReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys(":host", "enter")
	h.ScreenLacks("h sets a pool", "huge pages  esc")
	h.Keys("h")
	h.MsgHas("read-only")
}

// On the real daemon the page says whether KVM is usable, and why not.
func TestHostPageOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	h := tuitest.New(t, false, uri)
	h.Keys(":host", "enter")
	h.Until("the host's details", func() bool { return tuitest.Top[*Page](h).host != nil })
	h.Send(tea.WindowSizeMsg{Width: 160, Height: 60})
	if _, err := os.Stat("/dev/kvm"); err != nil {
		h.ScreenHas("KVM: not usable here — new VMs are emulated (TCG)", "KVM needs /dev/kvm")
	} else {
		h.ScreenHas("KVM: usable")
	}
	h.ScreenHas("libvirt 9.", "QEMU ", "NUMA cell 0: CPUs", "x86_64 · /usr/bin/qemu-system-x86_64", "q35 = pc-q35-", "storage pool types: dir")
}
