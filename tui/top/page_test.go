package top

import (
	"testing"
	"time"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/tuitest"

	_ "kvmtui/tui/vmlist" // the list the page opens over, as in the program
)

// :top shows the dashboard from the root's own history: two sweeps of
// web-01 at half its vCPUs put it at the top with its figure.
func TestTopPageDrawsFromTheSharedHistory(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":top", "enter")
	if _, ok := h.M.Top().(*Page); !ok {
		t.Fatalf(":top did not open the page:\n%s", h.M.View())
	}
	h.ScreenHas("› Top", "kvmtui top", "NAME", "esc back")
	d := h.VM("web-01")
	at := time.Unix(1_700_000_000, 0)
	for i := range 2 {
		at = at.Add(2 * time.Second)
		s := libvirtx.Sample{Ref: d.Ref, At: at, State: libvirtx.StateRunning, HasCPU: true,
			CPUTimeNs: uint64(i) * uint64(time.Second) * uint64(d.VCPUs), CurrentKiB: d.MemoryKiB}
		h.M.Update(common.SweepMsg{Samples: []libvirtx.Sample{s}, Hosts: []libvirtx.HostSample{{URI: d.URI, At: at}}})
	}
	h.ScreenHas("web-01", "50.0")
	h.Keys("esc")
	if !h.OnList() {
		t.Fatal("esc did not go back to the list")
	}
}
