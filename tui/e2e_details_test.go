package tui_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EDetailsAddHardware drives the details view in tmux against the
// real daemon: hardware added to a stopped VM with the forms' defaults, a
// disk on a new pool volume, a disk hot-plugged into the running VM; each
// checked in libvirt's own definition; vCPUs, memory and boot order
// changed through their forms; a NIC hot-plugged too.
func TestE2EDetailsAddHardware(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "hw")
	pool := lt.Prefix + "hwpool"
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	lt.Virsh(t, uri, "pool-destroy", pool)
	lt.Virsh(t, uri, "pool-undefine", pool)
	lt.MustVirsh(t, uri, "pool-define-as", pool, "dir", "--target", dir)
	lt.MustVirsh(t, uri, "pool-start", pool)
	t.Cleanup(func() {
		lt.Virsh(t, uri, "pool-destroy", pool)
		lt.Virsh(t, uri, "pool-undefine", pool)
	})
	inactive := func() string { return lt.MustVirsh(t, uri, "dumpxml", "--inactive", name) }

	s := startTUI(t, 120, 40, "-c", uri)
	s.showOnly(name)
	s.keys("Enter")
	s.waitFor("the details", 40*time.Second, func(scr string) bool { return strings.Contains(scr, "Overview") })

	// vCPUs, memory and boot order through their forms, each checked in
	// libvirt's definition (the tree starts at Overview).
	waitDef := func(what string, ok func(xml string) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok(inactive()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not in the definition:\n%s\nscreen:\n%s", what, inactive(), s.screen())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Apply hands the keys back to the tree.
	waitForTree := func() {
		s.waitFor("the tree", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "enter edit") })
	}
	s.keys("Down", "Enter", "C-u", "lit:2", "Tab", "C-u", "lit:2", "C-s")
	waitDef("2 vCPUs", func(x string) bool { return strings.Contains(x, ">2</vcpu>") })
	waitForTree()
	s.keys("Down", "Enter", "C-u", "lit:512 MiB", "Tab", "C-u", "lit:384 MiB", "C-s")
	waitDef("512 MiB, 384 current", func(x string) bool {
		return strings.Contains(x, "<memory unit='KiB'>524288</memory>") && strings.Contains(x, "<currentMemory unit='KiB'>393216</currentMemory>")
	})
	waitForTree()
	s.keys("Down", "Enter", "C-u", "lit:cdrom,hd", "C-s")
	waitDef("boot order cdrom, hd", func(x string) bool {
		i, j := strings.Index(x, "<boot dev='cdrom'/>"), strings.Index(x, "<boot dev='hd'/>")
		return i >= 0 && i < j
	})
	waitForTree()

	for _, hw := range []struct{ jump, msg, want string }{
		{"watch", "added watchdog: saved", "<watchdog"},
		{"tpm", "added tpm: saved", "<tpm"},
		{"network", "added network interface: saved", "<interface"},
	} {
		s.keys("a", "lit:"+hw.jump, "Enter", "C-s")
		s.waitFor(hw.msg, 20*time.Second, func(scr string) bool { return strings.Contains(scr, hw.msg) })
		if !strings.Contains(inactive(), hw.want) {
			t.Fatalf("%s not in the definition", hw.want)
		}
	}

	// A disk on a path that does not exist yet, in a pool: kvmtui offers to
	// create the volume and asks its size.
	vol := filepath.Join(dir, "extra.qcow2")
	s.keys("a", "lit:disk", "Enter", "Tab", "C-u", "lit:"+vol, "C-s")
	s.waitFor("the size question", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "create a qcow2 volume of size") })
	s.keys("C-u", "lit:64M", "Enter")
	s.waitFor("the new disk", 20*time.Second, func(scr string) bool {
		return strings.Contains(scr, "added disk with a new volume: saved")
	})
	if !strings.Contains(inactive(), vol) || !strings.Contains(lt.MustVirsh(t, uri, "vol-list", pool), "extra.qcow2") {
		t.Fatal("the new volume or its disk is missing")
	}

	// Running (another VM: this one now has a NIC on a network the host
	// lacks and a TPM without swtpm): a hot-plugged disk shows up live.
	hot := lt.FixtureGuest(t, uri, "hwhot")
	s.keys("Escape", "Escape", "/", "C-u", "lit:"+hot, "Enter")
	s.waitRow(hot, "shut off")
	s.keys("s")
	s.waitRow(hot, "running")
	name = hot
	// QEMU runs as libvirt-qemu: the image lives where it can read it (the
	// test's temp dirs are private). A new disk's format is qcow2.
	img := filepath.Join(lt.GuestDir, hot+"-hot.qcow2")
	t.Cleanup(func() { os.Remove(img) })
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", img, "1M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	s.keys("Enter")
	s.waitFor("the details", 40*time.Second, func(scr string) bool { return strings.Contains(scr, "Overview") })
	s.keys("a", "lit:disk", "Enter", "Tab", "C-u", "lit:"+img, "C-s")
	s.waitFor("the hot-plug", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "added disk: applied now and at next boot") })
	if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", name), img) {
		t.Fatal("the hot-plugged disk is not in the running VM")
	}
	// A NIC with user-mode networking: no host setup, no firewall. Nothing
	// is sent: the guest has no virtio-net driver.
	s.keys("a", "lit:network", "Enter", "Right", "Right", "Right", "Right")
	s.waitFor("the user connection", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "‹ user") })
	s.keys("C-s")
	s.waitFor("the NIC hot-plug", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "added network interface: applied now and at next boot")
	})
	if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", name), "<interface type='user'>") {
		t.Fatal("the hot-plugged NIC is not in the running VM")
	}
	// A path that does not exist and is in no pool: refused in words, no
	// volume offered.
	s.keys("a", "lit:disk", "Enter", "Tab", "C-u", "lit:/nonexistent/x.img", "C-s")
	s.waitFor("the refusal", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "/nonexistent/x.img does not exist on the host") })
}

// TestE2EMemoryFormSavesWhatItShows: on a shut-off VM, Current memory typed
// before Maximum (and the reverse) reaches libvirt as shown, key by key
// through tmux.
func TestE2EMemoryFormSavesWhatItShows(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "memform")
	s := startTUI(t, 120, 40, "-c", uri)
	s.showOnly(name)
	s.keys("Enter")
	s.waitFor("the details", 40*time.Second, func(scr string) bool { return strings.Contains(scr, "Overview") })
	s.keys("Down", "Down") // CPUs, Memory
	s.waitFor("the memory form", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Maximum memory") })
	for _, c := range []struct {
		keys        []string
		maxKiB, cur string
	}{
		// Maximum is the first field, Current the second.
		{[]string{"Enter", "Tab", "C-u", "lit:160M", "BTab", "C-u", "lit:200M", "C-s"}, "204800", "163840"},
		{[]string{"Enter", "C-u", "lit:300M", "Tab", "C-u", "lit:250M", "C-s"}, "307200", "256000"},
	} {
		s.keys(c.keys...)
		want := []string{"<memory unit='KiB'>" + c.maxKiB + "</memory>", "<currentMemory unit='KiB'>" + c.cur + "</currentMemory>"}
		deadline := time.Now().Add(20 * time.Second)
		for {
			x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name)
			if strings.Contains(x, want[0]) && strings.Contains(x, want[1]) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("want %v in the definition:\n%s\nscreen:\n%s", want, x, s.screen())
			}
			time.Sleep(100 * time.Millisecond)
		}
		s.waitFor("the tree", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "enter edit") })
	}
}
