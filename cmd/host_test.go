package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestHostCommand(t *testing.T) {
	code, out, errOut := run(t, "--demo", "host", "--format", "json")
	var hs []libvirtx.HostDetails
	if code != 0 || json.Unmarshal([]byte(out), &hs) != nil || len(hs) != 1 || hs[0].CPUs != 32 || hs[0].MHz != 3600 || hs[0].Driver != "TEST" {
		t.Fatalf("demo host: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, "--demo", "host"); code != 0 || !strings.Contains(out, "32 CPUs at 3600 MHz") {
		t.Fatalf("text: %d %s", code, out)
	}
	if code, _, errOut := run(t, "--demo", "host", "--format", "yaml"); code != 2 || !strings.Contains(errOut, `--format "yaml": expected table or json`) {
		t.Fatalf("bad format: %d %s", code, errOut)
	}
	uri := lt.URI(t)
	code, out, errOut = run(t, "-c", uri, "host", "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &hs) != nil {
		t.Fatalf("real: %d %s %s", code, out, errOut)
	}
	ni := lt.MustVirsh(t, uri, "nodeinfo")
	if !strings.Contains(ni, fmt.Sprintf("Memory size:         %d KiB", hs[0].MemKiB)) || hs[0].Driver != "QEMU" || len(hs[0].Guests) == 0 {
		t.Fatalf("real host %+v vs\n%s", hs[0], ni)
	}
}
