package vmlist

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/tuitest"
)

// harness is tuitest's with the list page at hand (m) and its helpers.
type harness struct {
	*tuitest.Harness
	m   *Page
	mgr *libvirtx.Manager
}

func newHarness(t *testing.T, readOnly bool) *harness {
	h := tuitest.New(t, readOnly, tuitest.DemoURI(t))
	return &harness{Harness: h, m: h.M.Pages()[0].(*Page), mgr: h.Mgr}
}

// selectVM moves the cursor onto the named VM.
func (h *harness) selectVM(name string) {
	h.T.Helper()
	for i, r := range h.m.list.view {
		if r.dom.Name == name {
			h.m.list.move(i - h.m.list.cursor) // as the arrow keys do
			return
		}
	}
	h.T.Fatalf("%s is not in the list", name)
}

// named are the list's rows of that name, on any connection.
func (h *harness) named(name string) []libvirtx.Domain {
	var out []libvirtx.Domain
	for _, r := range h.m.list.rows {
		if r.dom.Name == name {
			out = append(out, r.dom)
		}
	}
	return out
}

func (h *harness) stateOf(name string) libvirtx.State {
	for _, r := range h.m.list.rows {
		if r.dom.Name == name {
			return r.dom.State
		}
	}
	return -1
}

func TestDemoHostListShowsEveryVM(t *testing.T) {
	h := newHarness(t, false)
	if n := len(h.m.list.rows); n < 12 {
		t.Fatalf("demo host has %d VMs, want at least 12", n)
	}
	h.ScreenHas("DEMO HOST", "nothing here is real", "STATE", "NAME", "web-01", "paused", "shut off", "saved")
	// Sorted by name by default: the first row is alphabetically first.
	if first := h.m.list.view[0].dom.Name; first != "alpine-edge" {
		t.Fatalf("first row = %s, want alpine-edge", first)
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t, false)
	l := h.m.list
	h.Keys("j", "j")
	if l.cursor != 2 {
		t.Fatalf("cursor after jj = %d", l.cursor)
	}
	h.Keys("k")
	if l.cursor != 1 {
		t.Fatalf("cursor after k = %d", l.cursor)
	}
	h.Keys("G")
	if l.cursor != len(l.view)-1 {
		t.Fatalf("G: cursor %d of %d", l.cursor, len(l.view))
	}
	h.Keys("g")
	if l.cursor != 0 || l.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", l.cursor, l.offset)
	}
	// A short terminal scrolls: the cursor row stays on screen.
	h.M.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	h.Keys("G")
	if !strings.Contains(h.M.View(), l.view[len(l.view)-1].dom.Name) || l.offset == 0 {
		t.Fatalf("last row not visible after G on a short screen:\n%s", h.M.View())
	}
}

func TestFilter(t *testing.T) {
	h := newHarness(t, false)
	h.Keys("/", "k8s")
	if n := len(h.m.list.view); n != 3 {
		t.Fatalf("filter k8s shows %d rows, want 3", n)
	}
	h.Keys("enter")
	h.ScreenHas("k8s-cp-1", "k8s-node-2", "/k8s")
	h.ScreenLacks("web-01")
	// The filter also matches state words and OS ids.
	h.Keys("/", "backspace", "backspace", "backspace", "paused", "enter")
	if n := len(h.m.list.view); n != 1 || h.m.list.view[0].dom.Name != "k8s-node-2" {
		t.Fatalf("filter 'paused' = %d rows", n)
	}
	h.Keys("esc")
	if h.m.list.filter != "" || len(h.m.list.view) != len(h.m.list.rows) {
		t.Fatal("esc did not clear the filter")
	}
	h.Keys("/", "no-such-vm", "enter")
	h.ScreenHas("no VM matches")
}

func TestSortByAnyColumn(t *testing.T) {
	h := newHarness(t, false)
	h.Keys(":", "sort mem desc", "enter")
	v := h.m.list.view
	for i := 1; i < len(v); i++ {
		if v[i-1].dom.MemoryKiB < v[i].dom.MemoryKiB {
			t.Fatalf("not sorted by memory desc at %d: %d < %d", i, v[i-1].dom.MemoryKiB, v[i].dom.MemoryKiB)
		}
	}
	h.ScreenHas("MEM↓")
	h.Keys("O") // reverse
	if h.m.list.sortDesc {
		t.Fatal("O did not reverse the sort")
	}
	h.Keys("o") // next column
	if columns[h.m.list.sortCol].id == "mem" {
		t.Fatal("o did not move the sort column")
	}
	h.Keys(":", "sort bogus", "enter")
	h.ScreenHas(`unknown column "bogus"`)
	for _, c := range columns {
		h.Keys(":", "sort "+c.id, "enter")
		if columns[h.m.list.sortCol].id != c.id {
			t.Fatalf("sort %s not applied", c.id)
		}
	}
}

func TestMarksActOnSeveralVMs(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("web-01")
	h.Keys("space")
	h.selectVM("web-02")
	h.Keys("space")
	h.ScreenHas("2 marked", "* ")
	h.Keys("P") // pause both
	h.Until("both paused", func() bool {
		return h.stateOf("web-01") == libvirtx.StatePaused && h.stateOf("web-02") == libvirtx.StatePaused
	})
	h.Keys("P") // all marked are paused: resume both
	h.Until("both running", func() bool {
		return h.stateOf("web-01") == libvirtx.StateRunning && h.stateOf("web-02") == libvirtx.StateRunning
	})
	h.Keys("esc")
	if len(h.m.list.marks) != 0 {
		t.Fatal("esc did not clear the marks")
	}
	h.Keys("ctrl+a")
	if len(h.m.list.marks) != len(h.m.list.view) {
		t.Fatal("ctrl+a did not mark all")
	}
	h.Keys("ctrl+a")
	if len(h.m.list.marks) != 0 {
		t.Fatal("second ctrl+a did not clear")
	}
}

func TestDestructiveActionsConfirmFirst(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("db-replica")
	h.Keys("F")
	h.ScreenHas("Force off db-replica?", "y yes", "alpine-edge", "STATE") // over the list, which stays in sight
	h.Keys("n")
	h.ScreenHas("cancelled")
	h.Keys("F", "enter") // enter must not confirm
	if h.stateOf("db-replica") != libvirtx.StateRunning {
		t.Fatal("force off ran without a 'y'")
	}
	h.Keys("F", "y")
	h.Until("db-replica shut off", func() bool { return h.stateOf("db-replica") == libvirtx.StateShutoff })
	h.ScreenHas("forced off db-replica")
	h.Keys("s")
	h.Until("db-replica running", func() bool { return h.stateOf("db-replica") == libvirtx.StateRunning })
}

func TestLibvirtErrorShownVerbatim(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("web-01")
	h.Keys("s") // already running
	h.ScreenHas("start web-01: ", "Domain 'web-01' is already running")
}

func TestRenameAndAutostart(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("fedora-40-ws")
	h.Keys("f2")
	h.ScreenHas("rename fedora-40-ws to:")
	for range len("fedora-40-ws") {
		h.Keys("backspace")
	}
	h.Keys("fedora-41-ws", "enter")
	h.Until("the rename", func() bool {
		for _, r := range h.m.list.rows {
			if r.dom.Name == "fedora-41-ws" {
				return true
			}
		}
		return false
	})
	h.selectVM("web-01")
	h.Keys("f2") // running: said before a name is asked for
	h.ScreenHas("web-01 is running: libvirt renames only a shut-off VM")
	h.ScreenLacks("rename web-01 to:")
	h.Keys(":", "rename x", "enter") // the command goes to libvirt, which refuses
	h.ScreenHas("rename web-01:")
	h.selectVM("fedora-41-ws")
	h.Keys("A")
	h.Until("autostart on", func() bool { return h.VM("fedora-41-ws").Autostart })
	h.Keys(":", "autostart off fedora-41-ws", "enter")
	h.Until("autostart off", func() bool { return !h.VM("fedora-41-ws").Autostart })
}

func TestDeleteListsStorageAndRemovesChosenVolumes(t *testing.T) {
	h := newHarness(t, false)
	h.selectVM("legacy-centos7")
	h.Keys("D")
	h.ScreenHas("Delete legacy-centos7", "Also delete these volumes:")
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
	uri := h.VM("legacy-centos7").URI
	h.Keys("y")
	h.Until("legacy-centos7 gone", func() bool {
		_, ok := h.m.list.rows[common.VMKey(uri, h.m.list.view[0].dom.UUID)]
		return ok && len(h.named("legacy-centos7")) == 0
	})
	if ok, err := h.mgr.VolumeExists(uri, disk); err != nil || ok {
		t.Fatalf("volume %s still exists (%v)", disk, err)
	}
	h.ScreenHas("deleted legacy-centos7 and 1 volume")
	h.ScreenLacks("volume(s)")
}

func TestDeleteKeepsDisksOtherVMsUse(t *testing.T) {
	h := newHarness(t, false)
	// ci-ephemeral's overlay and the base image are distinct; web-01 and
	// web-02 share no disk. Build the case: both Windows VMs use the
	// virtio-win ISO, which must never be chosen.
	h.selectVM("win2022-ad")
	h.Keys("D")
	for i, dk := range h.m.del.plan.Disks {
		if (dk.Device == "cdrom" || len(dk.UsedBy) > 0) && h.m.del.choose[i] {
			t.Fatalf("%s (%s, used by %v) chosen", dk.Path, dk.Device, dk.UsedBy)
		}
	}
	h.Keys("esc")
	if h.m.mode != modeList || len(h.named("win2022-ad")) != 1 {
		t.Fatal("cancel did not leave the VM alone")
	}
}

func TestReadOnlyOffersNoActions(t *testing.T) {
	h := newHarness(t, true)
	h.ScreenHas("[read-only]")
	h.ScreenLacks("force off")
	h.selectVM("web-01")
	h.Keys("F")
	h.ScreenHas("read-only connection")
	if strings.Contains(h.M.View(), "y yes") || h.stateOf("web-01") != libvirtx.StateRunning {
		t.Fatal("read-only UI offered force off")
	}
	h.Keys(":", "destroy web-01", "enter")
	h.ScreenHas("read-only connection")
	h.M.Update(tea.WindowSizeMsg{Width: 120, Height: 50})
	h.Keys("?")
	h.ScreenHas("read-only: none")
}

func TestTinyTerminalAndResize(t *testing.T) {
	h := newHarness(t, false)
	h.M.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
	h.ScreenHas("too small")
	h.M.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	h.ScreenHas("web-01", "IP")
	for _, line := range strings.Split(h.M.View(), "\n") {
		if w := len([]rune(line)); w > 200 {
			t.Fatalf("line wider than the terminal (%d): %q", w, line)
		}
	}
	if n := len(strings.Split(h.M.View(), "\n")); n != 50 {
		t.Fatalf("view has %d lines at height 50", n)
	}
}

func TestCommandLineErrors(t *testing.T) {
	h := newHarness(t, false)
	h.Keys(":", "frobnicate", "enter")
	h.ScreenHas(`unknown command "frobnicate"`)
	h.Keys(":", "start no-such-vm", "enter")
	h.ScreenHas(`no VM named "no-such-vm"`)
	h.Keys(":", "interval 0.2", "enter")
	h.ScreenHas("at least 1")
	h.Keys(":", "connect", "enter")
	h.ScreenHas("usage: connect URI")
}

func TestConnectBadURIShowsRetry(t *testing.T) {
	h := newHarness(t, false)
	h.Keys(":", "connect nosuchdriver:///x", "enter")
	h.Until("the failure", func() bool {
		c := h.Ctx().Conns["nosuchdriver:///x"]
		return c != nil && c.Status == libvirtx.Disconnected
	})
	h.Keys("esc")
	h.ScreenHas("disconnected, retrying")
	// The demo VMs are untouched and the host column appears.
	h.ScreenHas("web-01", "HOST")
	h.Keys(":", "disconnect nosuchdriver:///x", "enter")
	if _, ok := h.Ctx().Conns["nosuchdriver:///x"]; ok {
		t.Fatal("disconnect left the connection")
	}
}

func TestKeyBurstIsSplit(t *testing.T) {
	h := newHarness(t, false)
	// Keys typed faster than they are read arrive as one message.
	h.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj /web")})
	if h.m.list.marks[h.m.list.rows[common.VMKey(h.VM("db-primary").URI, h.VM("db-primary").UUID)].key] != true {
		t.Fatalf("burst 'jjj ' did not mark the fourth VM; marks %v", h.m.list.marks)
	}
	if h.m.mode != modeFilter || h.m.input.Value() != "web" {
		t.Fatalf("the rest of the burst did not go to the filter: mode %v value %q", h.m.mode, h.m.input.Value())
	}
}

// o cycles through the columns on screen only (one connection: no HOST
// column), and a narrow column keeps its sort arrow, cutting the name.
func TestSortKeyCyclesVisibleColumns(t *testing.T) {
	h := newHarness(t, false)
	lay := h.m.layout()
	seen := map[string]bool{}
	for range len(lay.cols) {
		h.Keys("o")
		id := columns[h.m.list.sortCol].id
		if !slices.Contains(lay.cols, h.m.list.sortCol) {
			t.Fatalf("o sorted by %s, which is not on screen", id)
		}
		seen[id] = true
	}
	if len(seen) != len(lay.cols) {
		t.Fatalf("o visited %d of the %d columns on screen", len(seen), len(lay.cols))
	}
	h.Keys(":", "sort vcpu desc", "enter")
	h.ScreenHas("VCP↓")
}

// :template on marks a VM: the list says "template" where it is shut
// off, and s asks before starting it.
func TestTemplatesShowAndAskBeforeStarting(t *testing.T) {
	h := newHarness(t, false)
	h.Keys(":", "template on legacy-centos7", "enter")
	h.Until("the mark", func() bool { return h.VM("legacy-centos7").Template })
	h.MsgHas("legacy-centos7 is a template now")
	h.selectVM("legacy-centos7")
	var row string
	for _, l := range strings.Split(h.M.View(), "\n") {
		if strings.Contains(l, "legacy-centos7") {
			row = l
		}
	}
	if !strings.Contains(row, "template") {
		t.Fatalf("the row: %q", row)
	}
	h.Keys("s")
	h.ScreenHas("Start template legacy-centos7? Its linked clones read its disks.")
	h.Keys("n")
	if h.stateOf("legacy-centos7") != libvirtx.StateShutoff {
		t.Fatal("the template started without a 'y'")
	}
	h.Keys(":", "template off", "enter")
	h.Until("the mark gone", func() bool { return !h.VM("legacy-centos7").Template })
	h.Keys(":", "template maybe", "enter")
	h.MsgHas("usage: template on|off")
}

// Rows arriving from more hosts leave the cursor on the top row until the
// user moves it (the fleet bench saw it land mid-list, on the first host's
// first VM); from then on it stays on the VM the user chose.
func TestCursorStaysOnTopWhileRowsArrive(t *testing.T) {
	l := newVMList(map[string]*common.Conn{})
	doms := func(uri string, names ...string) []libvirtx.Domain {
		var out []libvirtx.Domain
		for _, n := range names {
			out = append(out, libvirtx.Domain{Ref: libvirtx.Ref{URI: uri, UUID: uri + n, Name: n}})
		}
		return out
	}
	l.setInventory("test:///h2", doms("test:///h2", "h2-a", "h2-b"))
	l.setInventory("test:///h1", doms("test:///h1", "h1-a", "h1-b"))
	name := func() string {
		if r := l.selected(); r != nil {
			return r.dom.Name
		}
		return "nothing"
	}
	if name() != "h1-a" || l.offset != 0 {
		t.Fatalf("cursor on %s (offset %d) after a second host arrived, want the top row h1-a", name(), l.offset)
	}
	l.move(1)
	l.setInventory("test:///h0", doms("test:///h0", "h0-a", "h0-b"))
	if name() != "h1-b" {
		t.Fatalf("cursor on %s after a third host arrived, want h1-b, where the user put it", name())
	}
}

// `:vm` takes no argument: one given is said, not silently dropped.
func TestVMWordRefusesAnArgument(t *testing.T) {
	h := newHarness(t, false)
	h.Keys(":vm web-01", "enter")
	h.MsgHas("usage: vm (it takes no argument; / filters the list)")
}

// A first listing from stats without sizes (the test driver's, until the
// definitions arrive) shows them blank, not as VMs of 0 vCPUs and 0 bytes.
func TestUnknownSizesShowBlank(t *testing.T) {
	text := func(id string, r *row) string {
		for _, c := range columns {
			if c.id == id {
				return c.text(r)
			}
		}
		t.Fatalf("no column %q", id)
		return ""
	}
	r := &row{dom: libvirtx.Domain{Ref: libvirtx.Ref{Name: "web"}, State: libvirtx.StateRunning}}
	if v, m := text("vcpu", r), text("mem", r); v != "" || m != "" {
		t.Fatalf("unknown sizes show %q and %q, want blanks", v, m)
	}
	r.dom.VCPUs, r.dom.MemoryKiB = 2, 1<<20
	if v, m := text("vcpu", r), text("mem", r); v != "2" || !strings.HasPrefix(m, "1") {
		t.Fatalf("2 vCPUs and 1 GiB show %q and %q", v, m)
	}
}
