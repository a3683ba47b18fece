package backups

import (
	"strings"
	"testing"

	"kvmtui/tui/tuitest"
)

// B opens the page; the demo host's test driver has no backup API, and
// its refusal is shown as libvirt says it; an incremental with nothing
// before it offers a full one.
func TestBackupPageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":backup web-01 nope", "enter")
	if !h.OnList() {
		t.Fatal("opened")
	}
	h.Keys(":filter web-01", "enter", "B")
	tuitest.Top[*Page](h)
	h.ScreenHas("› Backups of web-01 in default", "web-01 has no backup in default: b takes a full one", "b full", "i incremental")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("not 24 lines:\n%s", v)
	}
	h.Keys("i")
	h.ScreenHas("web-01 has no backup in default to build an incremental one on.", "b  take a full backup")
	h.Keys("b")
	h.Until("the refusal", func() bool { return strings.Contains(h.Ctx().Msg.Text, "full backup of web-01") && h.Ctx().Msg.Err })
	h.MsgHas("not supported")
	h.Keys("R")
	h.MsgHas("no backup selected")
}

func TestBackupPageReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys(":backup web-01", "enter")
	for _, k := range []string{"b", "i", "K"} {
		h.Keys(k)
		h.MsgHas("read-only")
	}
}
