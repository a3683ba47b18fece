package libvirtx

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// startFTP serves root read-only and anonymously on 127.0.0.1 with
// Debian's pyftpdlib, and returns its address.
func startFTP(t *testing.T, root string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if exec.Command(py, "-c", "import pyftpdlib").Run() != nil {
		lt.NotRun(t, "FTP", "no pyftpdlib for "+py+" (make test installs python3-pyftpdlib)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(py, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", port, "-d", root)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("pyftpdlib does not listen on %s", addr)
		}
	}
}

func TestFetchOverFTP(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "treeinfo"), []byte("[general]\nfamily = x\n"), 0o644)
	base := "ftp://" + startFTP(t, root) + "/"
	ctx := context.Background()

	// No .treeinfo: a 404, then the older name is tried and found.
	text, found, err := FetchTreeInfo(ctx, base)
	if err != nil || !found || !strings.Contains(text, "family = x") {
		t.Fatalf("FetchTreeInfo = %q, %v, %v", text, found, err)
	}
	if _, status, err := fetch(ctx, base+"missing", 1<<20); err != nil || status != http.StatusNotFound {
		t.Fatalf("a missing file: status %d, %v", status, err)
	}
	if _, _, err := fetch(ctx, base+"treeinfo", 4); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("over the limit: %v", err)
	}
	// A server that is not there is an error in words, not a hang.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	if _, _, err := FetchTreeInfo(ctx, "ftp://"+dead+"/"); err == nil || !strings.Contains(err.Error(), dead) {
		t.Fatalf("a dead server: %v", err)
	}
	// A server that accepts and then says nothing: the fetch ends with its
	// context instead of waiting forever.
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, _, err := fetch(short, "ftp://"+silent.Addr().String()+"/x", 1<<20); err == nil {
		t.Fatal("a silent server gave no error")
	}
}
