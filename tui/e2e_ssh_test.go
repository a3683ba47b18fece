package tui_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// A password login to a qemu+ssh:// host, against an sshd of the test's own
// on 127.0.0.1 that accepts passwords only: ssh's host-key question and its
// password prompt appear in kvmtui, the password masked; a cancelled prompt
// is not asked again until :connect; a wrong password is refused in ssh's
// words and asked again; the right one brings the host's VMs. The screen
// view's SSH tunnel to the VM's loopback display asks for it too.
func TestE2ESSHPasswordLogin(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("pw"))
	lt.MustVirsh(t, uri, "start", name)
	user, password, port := startPasswordSSHD(t)
	sshURI := fmt.Sprintf("qemu+ssh://%s@127.0.0.1:%d/system", user, port)
	prompt := user + "@127.0.0.1's password:"

	s := startTUI(t, 100, 30, "-c", sshURI)
	s.waitFor("ssh's host-key question", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "ssh asks") && strings.Contains(scr, "continue connecting (yes/no")
	})
	s.keys("lit:yes", "Enter")
	s.waitFor("the password prompt", 30*time.Second, func(scr string) bool { return strings.Contains(scr, prompt) })

	s.keys("Escape")
	s.waitFor("the cancel", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "cancelled ssh's prompt") && !strings.Contains(scr, "ssh asks")
	})
	time.Sleep(3 * time.Second) // the connection retries meanwhile
	if scr := s.screen(); strings.Contains(scr, "ssh asks") {
		t.Fatalf("a cancelled prompt came back before :connect:\n%s", scr)
	}
	s.keys(":", "lit:connect "+sshURI, "Enter")
	s.waitFor("the prompt after :connect", 30*time.Second, func(scr string) bool { return strings.Contains(scr, prompt) })

	s.keys("lit:wrong-" + password)
	scr := s.waitFor("masked typing", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "••••••••") })
	if strings.Contains(scr, "wrong-") {
		t.Fatalf("the password shows as typed:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("ssh's refusal and a second prompt", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Permission denied, please try again.") && strings.Contains(scr, prompt)
	})
	s.keys("lit:"+password, "Enter")
	s.showOnly(name)

	s.waitRow(name, "running")
	s.keys("V")
	s.waitFor("the tunnel's password prompt", 30*time.Second, func(scr string) bool { return strings.Contains(scr, prompt) })
	s.keys("lit:"+password, "Enter")
	s.waitFor("the screen through the tunnel", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "through an SSH tunnel to "+user+"@127.0.0.1") && strings.Count(scr, "▀") > 500
	})
}

// startPasswordSSHD runs an sshd on 127.0.0.1 that lets in one account by
// password only: a second name for root (UID 0, as qemu+ssh://root@host
// logins are), with a random password, removed when the test ends.
func startPasswordSSHD(t *testing.T) (user, password string, port int) {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "host")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	user = "kvmtui-pw"
	b := make([]byte, 12)
	rand.Read(b)
	password = hex.EncodeToString(b)
	exec.Command("userdel", "-f", user).Run() // left by a killed run
	if out, err := exec.Command("useradd", "-o", "-u", "0", "-g", "0", "-M", "-d", "/root", "-s", "/bin/sh", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", "-f", user).Run() })
	chpw := exec.Command("chpasswd")
	chpw.Stdin = strings.NewReader(user + ":" + password + "\n")
	if out, err := chpw.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v %s", err, out)
	}
	port = lt.RunSSHD(t, dir, fmt.Sprintf("AllowUsers %s\nPermitRootLogin yes\nPasswordAuthentication yes\nPubkeyAuthentication no\nKbdInteractiveAuthentication no\n", user))
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if i > 50 {
			t.Fatalf("sshd on 127.0.0.1:%d does not listen", port)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return user, password, port
}

// libvirt's own login (SASL on qemu+tcp://): its questions appear in
// kvmtui, the password masked; after a wrong password they come again with
// libvirt's words for the refusal; the right one connects.
func TestE2ESASLLogin(t *testing.T) {
	uri, user, password := lt.SASLLogin(t)
	s := startTUI(t, 100, 30, "-c", uri)
	name := func(scr string) bool {
		return strings.Contains(scr, "libvirt asks") && strings.Contains(scr, uri+": Please enter your authentication name")
	}
	s.waitFor("libvirt's user name question", 30*time.Second, name)
	s.keys("lit:"+user, "Enter")
	s.waitFor("the password question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, uri+": Please enter your password") })
	s.keys("lit:wrong-" + password)
	if scr := s.screen(); strings.Contains(scr, "wrong-") {
		t.Fatalf("the password shows as typed:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("the question again, saying why", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "the last try: authentication failed") && name(scr)
	})
	s.keys("lit:"+user, "Enter")
	s.waitFor("the password question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, uri+": Please enter your password") })
	s.keys("lit:"+password, "Enter")
	s.waitFor("the connection", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "● 127.0.0.3 kvmtui-sasl") && !strings.Contains(scr, "libvirt asks")
	})
}

// The command-line commands ask libvirt's login questions on the terminal,
// as virsh does.
func TestCLISASLLoginOnTheTerminal(t *testing.T) {
	uri, user, password := lt.SASLLogin(t)
	for _, c := range []struct {
		password string
		code     int
		want     string
	}{
		{password, 0, "NAME"},
		{"wrong-" + password, 1, "authentication failed"},
	} {
		cmd := exec.Command(binary(t), "-c", uri, "list")
		cmd.Stdin = strings.NewReader(user + "\n" + c.password + "\n")
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != c.code || !strings.Contains(string(out), "Please enter your authentication name") || !strings.Contains(string(out), c.want) {
			t.Errorf("kvmtui list with %q: exit %d, want %d and %q:\n%s", c.password, cmd.ProcessState.ExitCode(), c.code, c.want, out)
		}
	}
}
