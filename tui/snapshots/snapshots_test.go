package snapshots

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func tree(p *Page) string {
	var out []string
	for _, s := range p.list.Rows() {
		out = append(out, strings.Repeat(" ", s.Depth)+s.Name+map[bool]string{true: "*"}[s.Current])
	}
	return strings.Join(out, ",")
}

func pick(p *Page, name string) {
	p.list.Select(func(s libvirtx.Snapshot) bool { return s.Name == name })
}

// The demo host's db-primary has a snapshot tree: t opens it from the
// list, the tree shows parent and child with the current one marked.
func TestSnapshotPageShowsTheTree(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":snap nope", "enter")
	h.MsgHas(`no VM named "nope"`)
	h.Keys(":filter db-primary", "enter", "t")
	p := tuitest.Top[*Page](h)
	if got := tree(p); got != "base-install, before-pg16.2-upgrade*" {
		t.Fatalf("tree %q", got)
	}
	h.ScreenHas("› Snapshots of db-primary", "NAME", "CREATED", "KIND", "base-install", "└ before-pg16.2-upgrade", "● ",
		"internal", "base-install of db-primary on demo", "inside the qcow2 disks (internal)")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("the screen is not 24 lines at 80x24:\n%s", v)
	}
	h.Keys("j")
	h.ScreenHas("current · after base-install", "with the memory", "Running snapshot before upgrading PostgreSQL")
	// An internal snapshot has no overlay to merge.
	h.Keys("c")
	h.MsgHas("before-pg16.2-upgrade is internal")
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.ScreenHas("SIZE", "in disk")
	h.Keys("?")
	h.ScreenHas("Snapshots (:snap VM, t)")
	h.Keys("j", "j", "j", "j", "j", "j") // the section runs past the first page of the help
	h.ScreenHas("block commit")
	h.Keys("esc", "esc")
	if !h.OnList() {
		t.Fatal("esc did not go back to the list")
	}
	// From the details too.
	h.Keys("enter", "t")
	tuitest.Top[*Page](h)
}

// n takes a snapshot (named snapshot1, a child of the current one), enter
// reverts with the question saying what is lost, D deletes with its
// children; bad input stays on the form with the reason.
func TestSnapshotTakeRevertDelete(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":snap db-primary", "enter")
	p := tuitest.Top[*Page](h)
	h.Keys("n")
	f := tuitest.Top[*formpage.Page](h)
	h.ScreenHas("New snapsh", "Snapshot of db-primary (running): ctrl+s takes it.", "Name", "snapshot1", "Kind", "internal")
	if err := f.Form.Fill("name", "base-install"); err == nil || !strings.Contains(err.Error(), "already has a snapshot named base-install") {
		t.Fatalf("a taken name: %v", err)
	}
	if err := f.Form.Fill("kind", "disk-only"); err != nil {
		t.Fatal(err)
	}
	h.ScreenHas("vda overlay", "/var/lib/libvirt/images/db-primary.snapshot1.qcow2", "vdb overlay", "Quiesce")
	if err := f.Form.Fill("vda overlay", "relative.qcow2"); err == nil {
		t.Fatal("a relative overlay path was taken")
	}
	if err := f.Form.Fill("kind", "internal"); err != nil {
		t.Fatal(err)
	}
	if err := f.Form.Fill("description", "before the test"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.ScreenHas("Name: db-primary already has a snapshot named base-install") // the form stays, saying why
	if err := f.Form.Fill("name", "snapshot1"); err != nil {
		t.Fatal(err)
	}
	// Running, its 32 GiB of memory would not fit in the pool.
	h.Keys("ctrl+s")
	h.MsgHas("not enough room in /var/lib/libvirt/images for the memory state: 31.0 GiB free, 32.0 GiB needed")
	h.ScreenHas("32.0 GiB needed") // the form shows the reason whole at 80 columns, not cut at the width
	if err := h.Ctx().Mgr.Do(h.VM("db-primary").Ref, libvirtx.ForceOff); err != nil {
		t.Fatal(err)
	}
	h.Until("db-primary off", func() bool { return h.VM("db-primary").State == libvirtx.StateShutoff })
	h.Keys("ctrl+s")
	h.MsgHas("took snapshot snapshot1 of db-primary")
	if got := tree(p); got != "base-install, before-pg16.2-upgrade,  snapshot1*" {
		t.Fatalf("tree after n: %q", got)
	}

	pick(p, "base-install")
	h.Keys("enter")
	h.ScreenHas("Revert db-primary to base-install?", "Its disks' changes since snapshot1", "y  revert, shut off as in the snapshot", "r  revert and run it", "p  revert, paused")
	h.Keys("esc")
	h.MsgHas("cancelled")
	h.Keys("r", "r")
	h.MsgHas("reverted db-primary to base-install")
	if got := tree(p); !strings.HasPrefix(got, "base-install*") {
		t.Fatalf("tree after the revert: %q", got)
	}

	h.Keys("D")
	h.ScreenHas("Delete snapshot base-install of db-primary?", "y  delete it; its children move up", "c  delete it and everything under it (1 child below)", "m  forget it")
	h.Keys("c")
	h.MsgHas("deleted base-install and its children")
	h.ScreenHas("db-primary has no snapshot: n takes one")
	h.Keys("D")
	h.MsgHas("no snapshot selected")
}

func TestSnapshotPageReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys(":snap win11-desktop", "enter")
	p := tuitest.Top[*Page](h)
	if got := tree(p); got != "fresh-install, before-23H2-update*" {
		t.Fatalf("tree %q", got)
	}
	for _, k := range []string{"n", "enter", "D"} {
		h.Keys(k)
		h.MsgHas("read-only")
	}
	h.ScreenLacks("n new")
}
