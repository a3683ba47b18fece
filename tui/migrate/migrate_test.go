package migrate

import (
	"strings"
	"testing"

	"kvmtui/tui/tuitest"
)

// m on the demo host: the form refuses a bad destination, and the
// pre-flight names an unreachable one; nothing can start.
func TestMigrateFormOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":filter web-01", "enter", "m")
	p := tuitest.Top[*Page](h)
	h.ScreenHas("web-01 is running on demo", "Destination", "‹ live", "‹ move", "‹ shared", "‹ off")
	for _, bad := range []struct{ field, value, want string }{
		{"to", "host2", "not a libvirt URI"},
		{"to", "xen:///system", "between QEMU hosts"},
		{"bandwidth", "fast", "MiB/s"},
		{"data", "host2:4444", "tcp://HOST"},
		{"keep", "temporary", ""},
	} {
		err := p.form.Fill(bad.field, bad.value)
		if bad.want == "" {
			if err != nil {
				t.Fatalf("%s=%s: %v", bad.field, bad.value, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Fatalf("%s=%s: %v, want %q", bad.field, bad.value, err, bad.want)
		}
	}
	if err := p.form.Fill("mode", "offline"); err != nil {
		t.Fatal(err)
	}
	if p.opts.Keep != "move" {
		t.Fatalf("offline kept %q: an offline move is always defined there", p.opts.Keep)
	}
	h.ScreenHas("Definition")
	h.ScreenLacks("Post-copy", "Storage") // offline: the definition only
	if err := p.form.Fill("mode", "live"); err != nil {
		t.Fatal(err)
	}
	if err := p.form.Fill("to", "qemu+tcp://127.0.0.3/system"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.Until("the pre-flight", func() bool { return p.phase == checked })
	h.ScreenHas("0 ready, 1 blocked", "✗ blocked", "✗ destination", "cannot be reached", "→ check the URI")
	h.Keys("enter")
	h.MsgHas("nothing passed the pre-flight")
	h.Keys("esc") // back to the form, as typed
	if p.phase != editing || p.opts.To != "qemu+tcp://127.0.0.3/system" {
		t.Fatalf("esc: phase %d, to %q", p.phase, p.opts.To)
	}
	h.Keys("esc")
	if !h.OnList() {
		t.Fatal("esc on the form did not close it")
	}
}

func TestMigrateRefusedReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys("m")
	h.MsgHas("read-only")
	if !h.OnList() {
		t.Fatal("a read-only connection opened the migrate form")
	}
}
