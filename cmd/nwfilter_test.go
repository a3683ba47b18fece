package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// nwfilter define (a copy, then from a file), list and delete on the real
// daemon; a file including a missing filter and an unknown filter are
// refused.
func TestNWFilterCommandsOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "cliflt"
	t.Cleanup(func() { lt.Virsh(t, uri, "nwfilter-undefine", name) })
	lt.Virsh(t, uri, "nwfilter-undefine", name)
	sh := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri, "nwfilter"}, args...)...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, code, want, out, errOut)
		}
		return out, errOut
	}
	if out, _ := sh(0, "define", "--from", "no-ip-spoofing", name); !strings.Contains(out, "defined filter "+name+" from no-ip-spoofing") {
		t.Fatal(out)
	}
	out, _ := sh(0, "list", "--format", "json")
	var fs []filterJSON
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(fs, func(f filterJSON) bool { return f.Name == name })
	if i < 0 || fs[i].Chain != "ipv4-ip" || fs[i].Rules == 0 || len(fs[i].UsedBy) != 0 {
		t.Fatalf("the copy as listed: %+v", fs)
	}
	file := filepath.Join(t.TempDir(), "f.xml")
	os.WriteFile(file, []byte("<filter name='"+name+"' chain='root'><filterref filter='no-such-filter'/></filter>"), 0o644)
	if _, errOut := sh(1, "define", file); !strings.Contains(errOut, `includes filter "no-such-filter"`) {
		t.Fatal(errOut)
	}
	os.WriteFile(file, []byte("<filter name='"+name+"' chain='root'><filterref filter='clean-traffic'/></filter>"), 0o644)
	sh(0, "define", file)
	if x := lt.MustVirsh(t, uri, "nwfilter-dumpxml", name); !strings.Contains(x, "<filterref filter='clean-traffic'/>") {
		t.Fatalf("the file's filter was not defined:\n%s", x)
	}
	if _, errOut := sh(1, "delete", "no-such-filter"); !strings.Contains(errOut, `no network filter "no-such-filter"`) {
		t.Fatal(errOut)
	}
	sh(0, "delete", name)
	if _, err := lt.Virsh(t, uri, "nwfilter-dumpxml", name); err == nil {
		t.Fatal("still defined")
	}
}
