package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAgentCommandsRefuseBadInput(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"agent", "info", "nope"}, `no VM named "nope"`},
		{[]string{"agent", "info", "web-01"}, "virDomainGetGuestInfo"}, // the test driver has no agent: libvirt says so
		{[]string{"agent", "fsfreeze", "fedora-40-ws"}, "not running"},
		{[]string{"agent", "set-password", "web-01", "root", "--password-file", empty}, "first line is empty"},
		{[]string{"agent", "set-password", "web-01", "root", "--password-file", "/nope"}, "no such file"},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 1 with %q\n%s%s", c.args, code, c.want, out, errOut)
		}
	}
}
