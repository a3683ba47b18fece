package vmlist

import (
	"strings"
	"testing"

	"kvmtui/config"
	"kvmtui/libvirtx"
	"kvmtui/tui"
	"kvmtui/tui/tuitest"
)

// The configuration's columns, in its order, and its keys: start moved to
// x (s no longer starts; the hints and help say x); a column it does not
// know is reported with its line and the others still apply.
func TestConfigColumnsAndKeys(t *testing.T) {
	cfg, errs := config.Parse("/home/u/.config/kvmtui/kvmtui.conf", strings.NewReader(`columns = mem,state,name,bogus
key.list.start = x
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	th := tuitest.NewWith(t, tui.Options{Config: &cfg}, false, tuitest.DemoURI(t))
	h := &harness{Harness: th, m: th.M.Pages()[0].(*Page), mgr: th.Mgr}
	h.MsgHas("kvmtui.conf:1: columns: no column bogus")
	h.ScreenHas(" MEM STATE    NAME", "x start")
	h.ScreenLacks("CPU%", "s start")

	h.selectVM("fedora-40-ws")
	h.Keys("s")
	if st := h.stateOf("fedora-40-ws"); st != libvirtx.StateShutoff {
		t.Fatalf("s still did something: %v", st)
	}
	h.Keys("x")
	h.Until("x to start fedora-40-ws", func() bool { return h.stateOf("fedora-40-ws") == libvirtx.StateRunning })
	h.Keys("?")
	for i := 0; i < 60 && !strings.Contains(h.M.View(), "x        start"); i++ {
		h.Keys("j") // scroll the help
	}
	h.ScreenHas("x        start / restore")
}
