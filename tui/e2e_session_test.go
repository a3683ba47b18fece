package tui_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// kvmtui as a normal user, whom the system daemon does not let in: it
// opens the user's own daemon (qemu:///session, which libvirt starts),
// creates a TCG guest there (the default pool in the user's home,
// user-mode networking; the guest sends nothing), lists it, and shows its
// serial console.
func TestE2ESessionDaemonAsAUser(t *testing.T) {
	lt.URI(t)
	if os.Geteuid() != 0 {
		lt.NotRun(t, "SESSION", "making a test user needs root (make test runs as root)")
	}
	const user = "kvmtui-sess"
	home := "/home/" + user
	gone := func() {
		exec.Command("pkill", "-9", "-u", user).Run() // its session libvirtd and QEMU
		for i := 0; i < 50 && exec.Command("pgrep", "-u", user).Run() == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		exec.Command("userdel", "-r", "-f", user).Run()
	}
	gone() // left by a killed run
	if out, err := exec.Command("useradd", "-m", "-d", home, "-s", "/bin/sh", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v %s", err, out)
	}
	t.Cleanup(gone)
	// What the user runs and boots, theirs to read.
	lt.GuestFiles(t)
	for src, dst := range map[string]string{binary(t): "kvmtui", lt.GuestDir + "/vmlinux": "vmlinux", lt.GuestDir + "/initrd.img": "initrd.img"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, dst), b, 0o755); err != nil {
			t.Fatal(err)
		}
		exec.Command("chown", user+":", filepath.Join(home, dst)).Run()
	}
	asUser := func(args ...string) []string {
		return append([]string{"runuser", "-u", user, "--", "env", "HOME=" + home, "PATH=/usr/bin:/bin", "TERM=xterm-256color", "LIBVIRT_DEFAULT_URI="}, args...)
	}
	run := func(args ...string) string {
		t.Helper()
		argv := asUser(append([]string{home + "/kvmtui"}, args...)...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("kvmtui %s as %s: %v\n%s", strings.Join(args, " "), user, err, out)
		}
		return string(out)
	}

	out := run("create", "--name", "sess1", "--manual", "--kernel", home+"/vmlinux", "--initrd", home+"/initrd.img",
		"--kernel-args", "console=ttyS0", "--memory", "256", "--vcpus", "1", "--disk", "size=64M", "--graphics", "none")
	if !strings.Contains(out, "the default pool is created at "+home+"/.local/share/libvirt/images") || !strings.Contains(out, "created sess1") {
		t.Fatalf("kvmtui create as a user:\n%s", out)
	}
	if out := run("list"); !strings.Contains(out, "sess1") || !strings.Contains(out, "running") || !strings.Contains(out, "qemu:///session") {
		t.Fatalf("kvmtui list (no -c) as a user:\n%s", out)
	}
	virsh := asUser("virsh", "-c", "qemu:///session", "dumpxml", "sess1")
	if xml, err := exec.Command(virsh[0], virsh[1:]...).CombinedOutput(); err != nil || !strings.Contains(string(xml), "<interface type='user'>") {
		t.Fatalf("the session VM's network is not user-mode: %v\n%s", err, xml)
	}

	// The UI as the user, in tmux: the list, then the console.
	s := &tmuxTUI{t: t, sock: fmt.Sprintf("kvmtui-e2e-%d", time.Now().UnixNano())}
	argv := append([]string{"-L", s.sock, "new-session", "-d", "-x", "100", "-y", "30"}, asUser(home+"/kvmtui")...)
	if out, err := exec.Command("tmux", argv...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	s.waitRow("sess1", "running")
	s.keys("c")
	// The console (its "Connected to sess1" line may have scrolled away
	// under the boot log it replays), then the guest's shell.
	for i := 0; ; i++ {
		s.keys("Enter")
		if strings.Contains(s.screen(), "kvmtui-guest#") {
			break
		}
		if i > 60 {
			t.Fatalf("no shell on the session VM's console:\n%s", s.screen())
		}
		time.Sleep(time.Second)
	}
	s.keys("C-]")
	s.waitRow("sess1", "running")
}
