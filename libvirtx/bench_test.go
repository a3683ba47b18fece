package libvirtx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testHost writes a test-driver host with n running domains.
func testHost(b testing.TB, n int) string {
	var sb strings.Builder
	sb.WriteString("<node><cpu><mhz>3000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads></cpu><memory>67108864</memory>\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<domain type='test'><name>vm-%04d</name><memory>1048576</memory><vcpu>2</vcpu>
<os><type arch='i686'>hvm</type></os><devices><disk type='file' device='disk'><source file='/img/%d.qcow2'/><target dev='vda'/></disk></devices></domain>
`, i, i)
	}
	sb.WriteString("</node>\n")
	p := filepath.Join(b.TempDir(), "host.xml")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return "test://" + p
}

// BenchmarkSweep200 is one stats sweep over 200 running VMs on the test
// driver (whose bulk stats lack CPU time, so this includes its per-domain
// fallback: the worst case).
func BenchmarkSweep200(b *testing.B) {
	m := NewManager(false)
	defer m.Close()
	if err := m.Add(testHost(b, 200)); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := m.Next()
		if len(evs) > 0 {
			if inv, ok := evs[len(evs)-1].(InventoryEvent); ok && !inv.Partial {
				if len(inv.Domains) != 200 {
					b.Fatalf("%d domains", len(inv.Domains))
				}
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("no inventory")
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, errs := m.Sweep(AllGroups)
		if len(errs) > 0 || len(s) != 200 {
			b.Fatalf("sweep: %d samples, %v", len(s), errs)
		}
	}
}
