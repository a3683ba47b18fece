package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/ova/ovatest"
)

// kvmtui create --ova on the real daemon: the appliance's disk lands in
// the pool as a raw volume holding the bytes that were packed, the VM has
// the descriptor's CPUs, memory, firmware and bus, and what kvmtui does not
// make is named; started, it boots (the fixture's kernel). A damaged
// appliance leaves nothing behind.
func TestCreateFromOVAOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	pool, dir := lt.DirPool(t, uri, "ova")
	raw := ovatest.MarkedDisk()
	name := lt.Prefix + "ova"
	lt.RemoveDomain(t, uri, name)
	t.Cleanup(func() { lt.RemoveDomain(t, uri, name) })

	code, out, errOut := run(t, "-c", uri, "create", "--ova", ovatest.Make(t, raw, false), "--name", name, "--disk", "pool="+pool, "--print-xml")
	if code != 0 || !strings.Contains(out, "<vcpu>2</vcpu>") || !strings.Contains(out, filepath.Join(dir, name+"-disk1.raw")) {
		t.Fatalf("--print-xml: exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("--print-xml made %d files in the pool", len(entries))
	}

	code, out, errOut = run(t, "-c", uri, "create", "--ova", ovatest.Make(t, raw, false), "--name", name, "--disk", "pool="+pool, "--define-only")
	if code != 0 || !strings.Contains(out, "defined "+name) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, said := range []string{"note: the appliance's Floppy drive 1 — not added", "note: appliance-disk1.vmdk is on SCSI: attached on SATA"} {
		if !strings.Contains(errOut, said) {
			t.Errorf("not said: %q in\n%s", said, errOut)
		}
	}
	x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name)
	img := filepath.Join(dir, name+"-disk1.raw")
	for _, want := range []string{"<vcpu placement='static'>2</vcpu>", "<memory unit='KiB'>524288</memory>", "firmware='efi'", "<source file='" + img + "'/>", "<target dev='sda' bus='sata'/>", "<driver name='qemu' type='raw'/>"} {
		if !strings.Contains(x, want) {
			t.Errorf("the definition lacks %s:\n%s", want, x)
		}
	}
	got, err := os.ReadFile(img)
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("the volume does not hold the appliance's disk (%d bytes, %v)", len(got), err)
	}

	// Imported and started, booting the fixture's kernel directly (the
	// appliance's disk holds no system, so on SeaBIOS: OVMF would try the
	// disk, then its shell): the guest's shell answers on the serial console.
	lt.RemoveDomain(t, uri, name)
	os.Remove(img)
	lt.MustVirsh(t, uri, "pool-refresh", pool)
	lt.GuestFiles(t)
	// No NIC: the appliance's would go on the host's 'default' network,
	// which a host may have inactive (libvirt then refuses the start).
	code, out, errOut = run(t, "-c", uri, "create", "--ova", ovatest.Make(t, raw, false), "--name", name, "--disk", "pool="+pool, "--network", "none",
		"--virt-type", "qemu", "--firmware", "bios", "--kernel", lt.GuestDir+"/vmlinux", "--initrd", lt.GuestDir+"/initrd.img", "--kernel-args", "console=ttyS0 panic=-1")
	if code != 0 {
		t.Fatalf("create --ova, started: exit %d\n%s\n%s", code, out, errOut)
	}
	mgr, doms, _ := libvirtx.OpenSync([]string{uri}, false, 30*time.Second)
	defer mgr.Close()
	var ref libvirtx.Ref
	for _, d := range doms {
		if d.Name == name {
			ref = d.Ref
		}
	}
	con, err := mgr.OpenConsole(ref, "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	chunks := make(chan string, 64)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := con.Read(b)
			if n > 0 {
				chunks <- string(b[:n])
			}
			if err != nil {
				close(chunks)
				return
			}
		}
	}()
	var seen strings.Builder
	deadline := time.After(120 * time.Second)
	for !strings.Contains(seen.String(), "ova-ok-3") {
		con.Write([]byte("echo ova-ok-$((1+2))\r"))
		select {
		case s, ok := <-chunks:
			if !ok {
				t.Fatalf("the console ended:\n%s", seen.String())
			}
			seen.WriteString(s)
		case <-time.After(2 * time.Second):
		case <-deadline:
			t.Fatalf("no shell in the imported VM:\n%s", seen.String())
		}
	}

	// Damaged: refused by the manifest; no volume, no VM.
	lt.RemoveDomain(t, uri, name)
	os.Remove(img)
	lt.MustVirsh(t, uri, "pool-refresh", pool)
	code, _, errOut = run(t, "-c", uri, "create", "--ova", ovatest.Make(t, raw, true), "--name", name, "--disk", "pool="+pool, "--define-only")
	if code != 1 || !strings.Contains(errOut, "does not match the manifest's digest") {
		t.Fatalf("a damaged appliance: exit %d %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused appliance left %d files in the pool", len(entries))
	}
	if _, err := lt.Virsh(t, uri, "dominfo", name); err == nil {
		t.Fatal("a refused appliance left a VM")
	}
}
