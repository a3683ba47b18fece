package libvirtxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// SSHServer is an sshd of a test's own on 127.0.0.1 (SSHD).
type SSHServer struct {
	Port int
	Key  string // the client's private key
}

// SSHD runs an sshd of the test's own on 127.0.0.1 that lets root in
// with a throwaway key, and forgets its host key afterwards.
func SSHD(t testing.TB) SSHServer {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(dir, "client.pub"))
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	port := RunSSHD(t, dir, fmt.Sprintf("AuthorizedKeysFile %s/authorized_keys\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n", dir))
	key := filepath.Join(dir, "client")
	for i := 0; ; i++ {
		err := exec.Command("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-i", key, "-p", fmt.Sprint(port), "root@127.0.0.1", "true").Run()
		if err == nil {
			break
		}
		if i > 50 {
			t.Fatalf("sshd on 127.0.0.1:%d does not let root in: %v", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return SSHServer{Port: port, Key: key}
}

// RunSSHD starts sshd on 127.0.0.1 with the host key dir/host and cfg's
// authentication settings, and returns its port; the test's end stops it
// and forgets its host key.
func RunSSHD(t testing.TB, dir, cfg string) int {
	t.Helper()
	if _, err := exec.LookPath("/usr/sbin/sshd"); err != nil {
		NotRun(t, "SSHD", "no /usr/sbin/sshd (make test installs openssh-server)")
	}
	port := 20000 + (os.Getpid()+int(time.Now().UnixNano()/1e6))%10000
	cfg = fmt.Sprintf("ListenAddress 127.0.0.1\nPort %d\nHostKey %s/host\nStrictModes no\nUsePAM no\nAllowTcpForwarding yes\nPidFile %s/sshd.pid\n", port, dir, dir) + cfg
	os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(cfg), 0o600)
	os.MkdirAll("/run/sshd", 0o755)
	cmd := exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		exec.Command("ssh-keygen", "-R", fmt.Sprintf("[127.0.0.1]:%d", port)).Run()
	})
	return port
}

// URI is qemu+ssh to this host's system daemon through the sshd, with its
// key and no host key check.
func (s SSHServer) URI() string {
	return fmt.Sprintf("qemu+ssh://root@127.0.0.1:%d/system?keyfile=%s&no_verify=1", s.Port, s.Key)
}
