package cmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// run runs kvmtui in-process against the bundled demo host.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	demo, err := os.ReadFile(filepath.Join(lt.RepoRoot(), "testdata/demo/host.xml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // where the demo host is written
	var out, errOut bytes.Buffer
	code = Main(args, demo, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestListOnTheDemoHost(t *testing.T) {
	code, out, errOut := run(t, "--demo", "list")
	if code != 0 || !strings.Contains(out, "web-01") || !strings.HasPrefix(out, "NAME") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--interval", "0.5", "list"}, "--interval 500ms is too short"},
		{[]string{"--demo", "create", "--name", "x", "--manual", "--memory", "0"}, "--memory 0: at least 16 MiB"},
		{[]string{"--demo", "create", "--name", "x", "--manual", "--memory", "0M"}, "--memory 0M: at least 16 MiB"},
		{[]string{"--demo", "create", "--name", "x", "--manual", "--vcpus", "0"}, "--vcpus 0: a whole number of vCPUs, at least 1"},
		{[]string{"--demo", "create", "--name", "x", "--cdrom", "/a.iso", "--pxe"}, "choose exactly one of"},
		{[]string{"--demo", "autostart", "maybe", "web-01"}, "usage: kvmtui autostart on|off VM..."},
		{[]string{"xml"}, "usage: kvmtui xml check PATH..."},
		{[]string{"--demo", "top", "--format", "xml"}, `--format "xml": expected csv or json`},
	} {
		code, _, errOut := run(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

func TestActionOnAMissingVMFails(t *testing.T) {
	code, _, errOut := run(t, "--demo", "start", "no-such-vm")
	if code != 1 || !strings.Contains(errOut, `no VM named "no-such-vm"`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// The man pages come from the command definitions: the main page names
// every command.
func TestManPagesListTheCommands(t *testing.T) {
	dir := t.TempDir()
	if err := WriteManPages(dir); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "kvmtui.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"start", "shutdown", "create", "console", "top", "xml"} {
		if !strings.Contains(string(page), `\fB`+c+`\fP`) {
			t.Errorf("kvmtui.1 does not list %s", c)
		}
		if _, err := os.Stat(filepath.Join(dir, "kvmtui-"+c+".1")); err != nil {
			t.Errorf("no page for %s: %v", c, err)
		}
	}
}

// `source <(kvmtui completion bash)` then `kvmtui sta<TAB>` completes, in an
// interactive bash (in tmux) with nothing else loaded.
func TestBashCompletion(t *testing.T) {
	for _, tool := range []string{"bash", "tmux"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (make test installs it)", tool)
		}
	}
	bin := filepath.Join(t.TempDir(), "kvmtui")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = lt.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sock := fmt.Sprintf("kvmtui-completion-%d", time.Now().UnixNano())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// env(1) rather than tmux -e: a tmux server's own environment wins over -e on some versions.
	tmux("new-session", "-d", "-x", "100", "-y", "20", "env", "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"),
		"PS1=$ ", "bash", "--norc", "--noprofile")
	t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
	tmux("send-keys", "-l", "source <(kvmtui completion bash)")
	tmux("send-keys", "Enter")
	tmux("send-keys", "-l", "kvmtui sta")
	tmux("send-keys", "Tab")
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := tmux("capture-pane", "-p")
		if strings.Contains(scr, "kvmtui start") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kvmtui sta<TAB> did not complete to start:\n%s", scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// --version and version say kvmtui's and libvirt's versions, and each
// connection's daemon, or that it could not be reached.
func TestVersionNamesLibvirtAndTheDaemons(t *testing.T) {
	code, out, _ := run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "kvmtui ") || !strings.Contains(out, "libvirt library ") {
		t.Fatalf("--version: %d\n%s", code, out)
	}
	code, out, _ = run(t, "version", "-c", "test:///default", "-c", "nosuchdriver:///x")
	if code != 0 || !strings.Contains(out, "test:///default: libvirt daemon ") || !strings.Contains(out, "nosuchdriver:///x: not reachable: ") {
		t.Fatalf("version -c: %d\n%s", code, out)
	}
}

// On a host without any storage pool, create makes the default one, as
// virt-install does, and says so.
func TestCreateOnABareHostMakesTheDefaultPool(t *testing.T) {
	host := filepath.Join(t.TempDir(), "bare.xml")
	if err := os.WriteFile(host, []byte("<node>\n</node>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "-c", "test://"+host, "create", "--name", "first", "--manual", "--network", "none", "--disk", "size=1G", "--define-only")
	if code != 0 || !strings.Contains(out, "defined first") ||
		!strings.Contains(errOut, "note: this host has no storage pool: the default pool is created at /var/lib/libvirt/images") {
		t.Fatalf("create on a bare host: %d\n%s\n%s", code, out, errOut)
	}
}
