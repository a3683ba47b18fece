package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

func TestDemoHostListShowsEveryVM(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	if n := len(h.m.list.rows); n < 12 {
		t.Fatalf("demo host has %d VMs, want at least 12", n)
	}
	h.screenHas("DEMO HOST", "nothing here is real", "STATE", "NAME", "web-01", "paused", "shut off", "saved")
	// Sorted by name by default: the first row is alphabetically first.
	if first := h.m.list.view[0].dom.Name; first != "alpine-edge" {
		t.Fatalf("first row = %s, want alpine-edge", first)
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	l := h.m.list
	h.keys("j", "j")
	if l.cursor != 2 {
		t.Fatalf("cursor after jj = %d", l.cursor)
	}
	h.keys("k")
	if l.cursor != 1 {
		t.Fatalf("cursor after k = %d", l.cursor)
	}
	h.keys("G")
	if l.cursor != len(l.view)-1 {
		t.Fatalf("G: cursor %d of %d", l.cursor, len(l.view))
	}
	h.keys("g")
	if l.cursor != 0 || l.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", l.cursor, l.offset)
	}
	// A short terminal scrolls: the cursor row stays on screen.
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	h.keys("G")
	if !strings.Contains(h.m.View(), l.view[len(l.view)-1].dom.Name) || l.offset == 0 {
		t.Fatalf("last row not visible after G on a short screen:\n%s", h.m.View())
	}
}

func TestFilter(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.keys("/", "k8s")
	if n := len(h.m.list.view); n != 3 {
		t.Fatalf("filter k8s shows %d rows, want 3", n)
	}
	h.keys("enter")
	h.screenHas("k8s-cp-1", "k8s-node-2", "/k8s")
	h.screenLacks("web-01")
	// The filter also matches state words and OS ids.
	h.keys("/", "backspace", "backspace", "backspace", "paused", "enter")
	if n := len(h.m.list.view); n != 1 || h.m.list.view[0].dom.Name != "k8s-node-2" {
		t.Fatalf("filter 'paused' = %d rows", n)
	}
	h.keys("esc")
	if h.m.list.filter != "" || len(h.m.list.view) != len(h.m.list.rows) {
		t.Fatal("esc did not clear the filter")
	}
	h.keys("/", "no-such-vm", "enter")
	h.screenHas("no VM matches")
}

func TestSortByAnyColumn(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.keys(":", "sort mem desc", "enter")
	v := h.m.list.view
	for i := 1; i < len(v); i++ {
		if v[i-1].dom.MemoryKiB < v[i].dom.MemoryKiB {
			t.Fatalf("not sorted by memory desc at %d: %d < %d", i, v[i-1].dom.MemoryKiB, v[i].dom.MemoryKiB)
		}
	}
	h.screenHas("MEM↓")
	h.keys("O") // reverse
	if h.m.list.sortDesc {
		t.Fatal("O did not reverse the sort")
	}
	h.keys("o") // next column
	if columns[h.m.list.sortCol].id == "mem" {
		t.Fatal("o did not move the sort column")
	}
	h.keys(":", "sort bogus", "enter")
	h.screenHas(`unknown column "bogus"`)
	for _, c := range columns {
		h.keys(":", "sort "+c.id, "enter")
		if columns[h.m.list.sortCol].id != c.id {
			t.Fatalf("sort %s not applied", c.id)
		}
	}
}

func TestMarksActOnSeveralVMs(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("web-01")
	h.keys("space")
	h.selectVM("web-02")
	h.keys("space")
	h.screenHas("2 marked", "* ")
	h.keys("P") // pause both
	h.until("both paused", func() bool {
		return h.stateOf("web-01") == libvirtx.StatePaused && h.stateOf("web-02") == libvirtx.StatePaused
	})
	h.keys("P") // all marked are paused: resume both
	h.until("both running", func() bool {
		return h.stateOf("web-01") == libvirtx.StateRunning && h.stateOf("web-02") == libvirtx.StateRunning
	})
	h.keys("esc")
	if len(h.m.list.marks) != 0 {
		t.Fatal("esc did not clear the marks")
	}
	h.keys("ctrl+a")
	if len(h.m.list.marks) != len(h.m.list.view) {
		t.Fatal("ctrl+a did not mark all")
	}
	h.keys("ctrl+a")
	if len(h.m.list.marks) != 0 {
		t.Fatal("second ctrl+a did not clear")
	}
}

func TestDestructiveActionsConfirmFirst(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("db-replica")
	h.keys("F")
	h.screenHas("Force off db-replica?", "y yes")
	h.keys("n")
	h.screenHas("cancelled")
	h.keys("F", "enter") // enter must not confirm
	if h.stateOf("db-replica") != libvirtx.StateRunning {
		t.Fatal("force off ran without a 'y'")
	}
	h.keys("F", "y")
	h.until("db-replica shut off", func() bool { return h.stateOf("db-replica") == libvirtx.StateShutoff })
	h.screenHas("forced off db-replica")
	h.keys("s")
	h.until("db-replica running", func() bool { return h.stateOf("db-replica") == libvirtx.StateRunning })
}

func TestLibvirtErrorShownVerbatim(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("web-01")
	h.keys("s") // already running
	h.screenHas("start web-01: ", "Domain 'web-01' is already running")
}

func TestRenameAndAutostart(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("fedora-40-ws")
	h.keys("f2")
	h.screenHas("rename fedora-40-ws to:")
	for range len("fedora-40-ws") {
		h.keys("backspace")
	}
	h.keys("fedora-41-ws", "enter")
	h.until("the rename", func() bool {
		for _, r := range h.m.list.rows {
			if r.dom.Name == "fedora-41-ws" {
				return true
			}
		}
		return false
	})
	h.selectVM("web-01")
	h.keys("f2", "x", "enter") // running: libvirt refuses
	h.screenHas("rename web-01:")
	h.selectVM("fedora-41-ws")
	h.keys("A")
	h.until("autostart on", func() bool { return h.vm("fedora-41-ws").Autostart })
	h.keys(":", "autostart off fedora-41-ws", "enter")
	h.until("autostart off", func() bool { return !h.vm("fedora-41-ws").Autostart })
}

func TestDeleteListsStorageAndRemovesChosenVolumes(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("legacy-centos7")
	h.keys("D")
	h.screenHas("Delete legacy-centos7", "Also delete these volumes:")
	d := h.m.del
	if d == nil {
		t.Fatal("no delete dialog")
	}
	var disk string
	for i, dk := range d.plan.Disks {
		switch {
		case dk.Device == "cdrom" && d.choose[i]:
			t.Fatalf("cdrom %s chosen by default", dk.Path)
		case dk.Device == "disk" && dk.Managed && len(dk.UsedBy) == 0 && !d.choose[i]:
			t.Fatalf("unshared disk %s not chosen by default", dk.Path)
		case dk.Device == "disk" && d.choose[i]:
			disk = dk.Path
		}
	}
	if disk == "" {
		t.Fatalf("no disk chosen: %+v", d.plan.Disks)
	}
	uri := h.vm("legacy-centos7").URI
	h.keys("y")
	h.until("legacy-centos7 gone", func() bool {
		_, ok := h.m.list.rows[rowKey(uri, h.m.list.view[0].dom.UUID)]
		return ok && len(h.m.list.find("legacy-centos7")) == 0
	})
	if ok, err := h.mgr.VolumeExists(uri, disk); err != nil || ok {
		t.Fatalf("volume %s still exists (%v)", disk, err)
	}
	h.screenHas("deleted legacy-centos7 and 1 volume(s)")
}

func TestDeleteKeepsDisksOtherVMsUse(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	// ci-ephemeral's overlay and the base image are distinct; web-01 and
	// web-02 share no disk. Build the case: both Windows VMs use the
	// virtio-win ISO, which must never be chosen.
	h.selectVM("win2022-ad")
	h.keys("D")
	for i, dk := range h.m.del.plan.Disks {
		if (dk.Device == "cdrom" || len(dk.UsedBy) > 0) && h.m.del.choose[i] {
			t.Fatalf("%s (%s, used by %v) chosen", dk.Path, dk.Device, dk.UsedBy)
		}
	}
	h.keys("esc")
	if h.m.mode != modeList || len(h.m.list.find("win2022-ad")) != 1 {
		t.Fatal("cancel did not leave the VM alone")
	}
}

func TestHelpIsGeneratedFromKeyMaps(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 50})
	h.keys("?")
	// Every binding is somewhere in the (scrollable) help.
	all := strings.Join(h.m.helpLines(), "\n")
	keys := append(h.m.lk.navigation(), h.m.lk.mutating()...)
	for _, e := range common.Entries() {
		if e.Help != nil {
			for _, sec := range e.Help(h.m.ctx) {
				keys = append(keys, sec.Keys...)
			}
		}
	}
	for _, b := range keys {
		if !strings.Contains(all, b.Help().Desc) {
			t.Fatalf("help lacks %q", b.Help().Desc)
		}
	}
	if !strings.Contains(all, ":sort COLUMN") {
		t.Fatal("help lacks the command line reference")
	}
	// On a short terminal it scrolls to the end.
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.screenHas("more below")
	for range 200 {
		h.keys("j")
	}
	h.screenLacks("more below")
	h.keys("esc")
	h.screenHas("STATE")
}

func TestReadOnlyOffersNoActions(t *testing.T) {
	h := newHarness(t, true, demoURI(t))
	h.screenHas("[read-only]")
	h.screenLacks("force off")
	h.selectVM("web-01")
	h.keys("F")
	h.screenHas("read-only connection")
	if h.m.mode == modeConfirm || h.stateOf("web-01") != libvirtx.StateRunning {
		t.Fatal("read-only UI offered force off")
	}
	h.keys(":", "destroy web-01", "enter")
	h.screenHas("read-only connection")
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 50})
	h.keys("?")
	h.screenHas("read-only: none")
}

func TestTinyTerminalAndResize(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.m.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
	h.screenHas("too small")
	h.m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	h.screenHas("web-01", "IP")
	for _, line := range strings.Split(h.m.View(), "\n") {
		if w := len([]rune(line)); w > 200 {
			t.Fatalf("line wider than the terminal (%d): %q", w, line)
		}
	}
	if n := len(strings.Split(h.m.View(), "\n")); n != 50 {
		t.Fatalf("view has %d lines at height 50", n)
	}
}

func TestCommandLineErrors(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.keys(":", "frobnicate", "enter")
	h.screenHas(`unknown command "frobnicate"`)
	h.keys(":", "start no-such-vm", "enter")
	h.screenHas(`no VM named "no-such-vm"`)
	h.keys(":", "interval 0.2", "enter")
	h.screenHas("at least 1")
	h.keys(":", "connect", "enter")
	h.screenHas("usage: connect URI")
}

func TestConnectBadURIShowsRetry(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.keys(":", "connect nosuchdriver:///x", "enter")
	h.until("the failure", func() bool {
		c := h.m.ctx.Conns["nosuchdriver:///x"]
		return c != nil && c.Status == libvirtx.Disconnected
	})
	h.keys("esc")
	h.screenHas("disconnected, retrying")
	// The demo VMs are untouched and the host column appears.
	h.screenHas("web-01", "HOST")
	h.keys(":", "disconnect nosuchdriver:///x", "enter")
	if _, ok := h.m.ctx.Conns["nosuchdriver:///x"]; ok {
		t.Fatal("disconnect left the connection")
	}
}

func TestKeyBurstIsSplit(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	// Keys typed faster than they are read arrive as one message.
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj /web")})
	if h.m.list.marks[h.m.list.rows[rowKey(h.vm("db-primary").URI, h.vm("db-primary").UUID)].key] != true {
		t.Fatalf("burst 'jjj ' did not mark the fourth VM; marks %v", h.m.list.marks)
	}
	if h.m.mode != modeFilter || h.m.input.Value() != "web" {
		t.Fatalf("the rest of the burst did not go to the filter: mode %v value %q", h.m.mode, h.m.input.Value())
	}
}
