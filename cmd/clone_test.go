package cmd

import (
	"strings"
	"testing"
)

func TestCloneCommandOnTheDemoHost(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"clone", "web-01"}, 1, "web-01 is running"},
		{[]string{"clone", "legacy-centos7", "web-02"}, 1, "a VM named web-02 exists"},
		{[]string{"clone", "legacy-centos7", "--pool", "nope"}, 1, `no active storage pool "nope"`},
		{[]string{"clone", "legacy-centos7", "--count", "0"}, 2, "--count 0"},
		{[]string{"clone", "nope"}, 1, `no VM named "nope"`},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
	code, out, errOut := run(t, "--demo", "clone", "legacy-centos7", "lab", "--count", "2", "--linked")
	if code != 0 || out != "cloned legacy-centos7 → lab-1\ncloned legacy-centos7 → lab-2\n" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
