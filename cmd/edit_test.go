package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// foreign is the devices package's definition with what libvirtxml does
// not model.
func foreign(t *testing.T) (path, doc string) {
	t.Helper()
	path = filepath.Join(lt.RepoRoot(), "devices/testdata/lossy/foreign.xml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(b)
}

// kvmtui edit --file makes exactly the change asked for, keeps what
// libvirtxml drops and writes the rest as it was (quotes, comments).
func TestEditFileChangesExactlyWhatItSays(t *testing.T) {
	path, doc := foreign(t)
	for _, c := range []struct {
		args  []string
		paths []string // where the change may show
		want  string   // in the output
	}{
		{[]string{"--metadata", "title=web"}, []string{"/domain/title"}, "<title>web</title>"},
		{[]string{"--vcpus", "4"}, []string{"/domain/vcpu"}, "<vcpu placement='static'>4</vcpu>"},
		{[]string{"--memory", "2048"}, []string{"/domain/memory", "/domain/currentMemory"}, "<memory unit='KiB'>2097152</memory>"},
		{[]string{"--edit", "target=vda", "--disk", "cache=none,io=native"}, []string{"/domain/devices/disk"}, "<driver name='qemu' type='qcow2' cache='none' io='native'/>"},
		{[]string{"--edit", "--network", "model=virtio,link=down"}, []string{"/domain/devices/interface"}, "<link state='down'/>"},
		{[]string{"--add-device", "--watchdog", "i6300esb,action=poweroff"}, []string{"/domain/devices/watchdog"}, "<watchdog model='i6300esb' action='poweroff'/>"},
		{[]string{"--remove-device", "--sound", "1"}, []string{"/domain/devices/sound"}, "<sound model='ac97'/>"},
		{[]string{"--boot", "uefi"}, []string{"/domain/os"}, "<os firmware='efi'>"},
	} {
		code, out, errOut := run(t, append([]string{"edit", "--file", path}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if !strings.Contains(out, c.want) {
			t.Errorf("%v: no %s in\n%s", c.args, c.want, out)
		}
		diffs, err := devices.DiffDocs(doc, out)
		if err != nil || len(diffs) == 0 {
			t.Fatalf("%v: %v, %d differences", c.args, err, len(diffs))
		}
		for _, d := range diffs {
			ok := false
			for _, p := range c.paths {
				ok = ok || strings.HasPrefix(d.Path, p)
			}
			if !ok {
				t.Errorf("%v changed %s too", c.args, d)
			}
		}
		for _, keep := range []string{"portgroup='sales'", "display=':3.4'", "<foo>bar</foo>", "value=''", "<!-- A definition"} {
			if !strings.Contains(out, keep) {
				t.Errorf("%v lost %s", c.args, keep)
			}
		}
	}
	code, out, _ := run(t, "edit", "--file", path, "--metadata", "title=web", "--print-diff")
	if code != 0 || !strings.Contains(out, "-  <title>before</title>\n+  <title>web</title>") || strings.Count(out, "\n-") != 1 {
		t.Fatalf("--print-diff: exit %d\n%s", code, out)
	}
}

// What kvmtui edit does not support, or cannot do without losing
// something, is refused with what it supports or what is in the way.
func TestEditRefusals(t *testing.T) {
	path, _ := foreign(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--cpu", "host"}, 2, "unknown flag: --cpu"},
		{[]string{"--disk", "cache=none"}, 2, "--disk needs an action"},
		{[]string{"--edit", "--add-device", "--sound", "ich9"}, 2, "one action at a time"},
		{[]string{"--edit", "--disk", "cache=none", "--sound", "ich9"}, 2, "one device option at a time"},
		{[]string{"--add-device", "--vcpus", "2"}, 2, "--vcpus is a VM setting"},
		{[]string{"--edit", "--graphics", "keymap=de"}, 1, "keymap is not a sub-option kvmtui supports for a display; it supports gl, listen, password, port, type"},
		{[]string{"--edit", "3", "--disk", "cache=none"}, 1, "device 3 asked for, but the VM has 1 --disk device(s)"},
		{[]string{"--edit", "mac=52:54:00:99:99:99", "--network", "model=virtio"}, 1, "no --network device has mac=52:54:00:99:99:99"},
		{[]string{"--edit", "--disk", "cache=sometimes"}, 1, "cache"},
		{[]string{"--memory", "0"}, 1, "at least 1 MiB"},
		{[]string{"--metadata", "name=other"}, 1, "name is not a sub-option kvmtui supports here"},
		// the source holds portgroup, which kvmtui's form does not model
		{[]string{"--edit", "--network", "dev=eth1"}, 1, `/domain/devices/interface/source holds portgroup="sales"`},
		{[]string{"--edit", "--graphics", "port=5901"}, 1, `/domain/devices/graphics holds display=":3.4"`},
		{[]string{"--update", "--vcpus", "2"}, 2, "--file edits offline"},
	} {
		code, out, errOut := run(t, append([]string{"edit", "--file", path}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and %q", c.args, code, errOut, out, c.code, c.want)
		}
	}
	if code, _, errOut := run(t, "--demo", "edit", "web-01", "--file", path, "--vcpus", "2"); code != 2 || !strings.Contains(errOut, "not both") {
		t.Errorf("a VM and --file: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "--demo", "edit", "no-such-vm", "--vcpus", "2"); code != 1 || !strings.Contains(errOut, `no VM named "no-such-vm"`) {
		t.Errorf("a VM that is not there: exit %d %s", code, errOut)
	}
}

// On the demo host: the edit is saved (the test driver keeps it for the
// process: --print-xml in the same run shows the result) and --update
// changes a running VM's title live.
func TestEditOnTheDemoHost(t *testing.T) {
	code, out, errOut := run(t, "--demo", "edit", "web-01", "--vcpus", "3", "--print-xml", "--define")
	if code != 0 || !strings.Contains(out, ">3</vcpu>") || !strings.Contains(out, "web-01: applies after shutdown (next boot)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, "--demo", "edit", "web-01", "--metadata", "title=front", "--update")
	if code != 0 || !strings.Contains(out, "web-01: applied now and at next boot") {
		t.Fatalf("--update: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, "--demo", "edit", "web-01", "--add-device", "--disk", "size=1", "--print-diff")
	if code != 0 || !strings.Contains(out, "+      <source file='/var/lib/libvirt/images/web-01") {
		t.Fatalf("a new disk's volume in the default pool: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = run(t, "--readonly", "--demo", "edit", "web-01", "--vcpus", "2"); code != 1 || !strings.Contains(errOut, "read-only") {
		t.Fatalf("read-only: exit %d %s", code, errOut)
	}
}
