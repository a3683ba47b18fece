package pools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func row(p *Page, name string) (libvirtx.Pool, bool) {
	for _, r := range p.list.Rows() {
		if r.Name == name {
			return r, true
		}
	}
	return libvirtx.Pool{}, false
}

func pick(p *Page, name string) {
	p.list.Select(func(r libvirtx.Pool) bool { return r.Name == name })
}

func TestPoolPageListsTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":pool x", "enter")
	h.MsgHas("usage: pool")
	if !h.OnList() {
		t.Fatal("a wrong argument opened the page")
	}
	h.Keys(":pool", "enter")
	p := tuitest.Top[*Page](h)
	var names []string
	for _, r := range p.list.Rows() {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, " "); got != "default fast-ssd iso" {
		t.Fatalf("pools %q", got)
	}
	h.ScreenHas("› Storage pools", "NAME", "USED", "PATH / SOURCE", "default", "fast-ssd", "iso", "69%",
		"default on demo · dir · persistent · autostart no", "69.0G of 100G allocated, 31.0G available, 14 volumes", "/var/lib/libvirt/images")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("the screen is not 24 lines at 80x24:\n%s", v)
	}
	h.Keys("j")
	h.ScreenHas("fast-ssd on demo · fs", "/var/lib/libvirt/fast-ssd ← /dev/disk/by-id/nvme-Samsung")
	h.Keys("r")
	h.MsgHas("rescanned fast-ssd")
	if s := p.list.Selected(); s == nil || s.Name != "fast-ssd" {
		t.Fatalf("the reload moved the cursor to %+v", s)
	}
	// Wide: the bar.
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.ScreenHas("██████░░  72%")
	h.Keys("?")
	h.ScreenHas("Storage pools (:pool)", "rescan the pool's volumes", ":pool")
	h.Keys("esc", "esc")
	if !h.OnList() {
		t.Fatal("esc did not go back to the list")
	}
}

// s, S, A and D act on the selected pool, asking before what stops or
// removes it; the answer keys say what each does.
func TestPoolActionsOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":pool", "enter")
	p := tuitest.Top[*Page](h)
	pick(p, "iso")
	h.Keys("S")
	h.ScreenHas("Stop pool iso?", "y  stop it", "n  keep it")
	h.Keys("n")
	h.MsgHas("cancelled")
	if r, _ := row(p, "iso"); !r.Active {
		t.Fatal("n stopped the pool")
	}
	h.Keys("S", "y")
	h.MsgHas("stopped iso")
	if r, _ := row(p, "iso"); r.Active {
		t.Fatal("the pool is still active")
	}
	h.Keys("s")
	h.MsgHas("started iso")
	h.Keys("A")
	h.MsgHas("iso starts with the host")
	if r, _ := row(p, "iso"); !r.Autostart {
		t.Fatal("autostart not set")
	}
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.Keys("D")
	h.ScreenHas("Remove pool iso from libvirt?", "y  remove it; its storage stays", "e  remove it and ERASE its storage:", "/var/lib/libvirt/iso with its 10 volumes")
	h.Keys("esc")
	if _, ok := row(p, "iso"); !ok || p.list.Ask != nil {
		t.Fatal("esc did not keep the pool")
	}
}

func TestPoolPageReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys(":pool", "enter")
	tuitest.Top[*Page](h)
	h.ScreenLacks("rescan")
	for _, k := range []string{"r", "s", "S", "A", "D"} {
		h.Ctx().SetMsg("", false)
		h.Keys(k)
		h.MsgHas("read-only")
	}
}

// A pool defined, started and filled behind kvmtui's back shows up by
// libvirt's events alone, and r counts the file that appeared.
func TestPoolPageFollowsARealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "pool-page"
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lt.Virsh(t, uri, "pool-destroy", name)
	lt.Virsh(t, uri, "pool-undefine", name)
	t.Cleanup(func() {
		lt.Virsh(t, uri, "pool-destroy", name)
		lt.Virsh(t, uri, "pool-undefine", name)
	})

	h := tuitest.New(t, false, uri)
	h.Keys(":pool", "enter")
	p := tuitest.Top[*Page](h)
	h.Until("the first listing", func() bool { return !p.list.Loading() })
	if _, ok := row(p, name); ok {
		t.Fatalf("%s is listed before it exists", name)
	}
	lt.MustVirsh(t, uri, "pool-define-as", name, "dir", "--target", dir)
	h.Until(name+" defined", func() bool { _, ok := row(p, name); return ok && !p.list.Loading() })
	r, _ := row(p, name)
	if r.Active || r.Volumes != -1 {
		t.Fatalf("a defined pool: %+v", r)
	}
	pick(p, name)
	h.Keys("s") // started from the page
	h.Until(name+" started", func() bool { r, ok := row(p, name); return ok && r.Active && !p.list.Loading() })
	if out := lt.MustVirsh(t, uri, "pool-info", name); !strings.Contains(out, "running") {
		t.Fatalf("virsh does not see it running:\n%s", out)
	}
	r, _ = row(p, name)
	if r.Volumes != 0 || r.Target != dir || r.Capacity == 0 {
		t.Fatalf("a started empty pool: %+v", r)
	}
	if err := os.WriteFile(filepath.Join(dir, "disk.img"), make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	pick(p, name)
	h.Keys("r")
	h.MsgHas("rescanned " + name)
	if r, _ = row(p, name); r.Volumes != 1 {
		t.Fatalf("after r the pool has %d volumes, want 1", r.Volumes)
	}
	// D, e: stopped, its storage erased, removed from libvirt.
	pick(p, name)
	h.Send(tea.WindowSizeMsg{Width: 200, Height: 30})
	h.Keys("D")
	h.ScreenHas("ERASE its storage:", dir+" with its 1 volume")
	h.Keys("e")
	h.Until(name+" gone", func() bool { _, ok := row(p, name); return !ok && !p.list.Loading() })
	h.MsgHas("erased and removed pool " + name)
	if _, err := lt.Virsh(t, uri, "pool-info", name); err == nil {
		t.Fatal("virsh still knows the pool")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the pool's directory is still there: %v", err)
	}
}

// n: a new pool from the form; a name taken stays on the form with the
// reason; a good one is defined and listed.
func TestNewPoolFromThePage(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":pool", "enter")
	p := tuitest.Top[*Page](h)
	h.Keys("n")
	h.ScreenHas("New pool on demo", "pool1", "/var/lib/libvirt/pool1", "Build it")
	f := tuitest.Top[*formpage.Page](h)
	if err := f.Form.Fill("name", "iso"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.ScreenHas("a pool named iso already exists")
	if err := f.Form.Fill("name", "scratch"); err != nil {
		t.Fatal(err)
	}
	if err := f.Form.Fill("target", "/srv/scratch"); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.MsgHas("defined pool scratch")
	if r, ok := row(p, "scratch"); !ok || r.Type != "dir" || r.Target != "/srv/scratch" || !r.Active {
		t.Fatalf("scratch as listed: %+v", r)
	}
}

// Leaving the host field of an NFS pool asks libvirt for the server's
// exports (the test driver answers for any host) and offers them.
func TestNewPoolDiscoversExports(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":pool", "enter", "n")
	f := tuitest.Top[*formpage.Page](h)
	if err := f.Form.Fill("type", "netfs"); err != nil {
		t.Fatal(err)
	}
	if err := f.Form.Fill("host", "nas1"); err != nil {
		t.Fatal(err)
	}
	h.Keys("down")
	h.MsgHas("nas1 offers 1")
	if got := f.Form.Suggest["sourcedir"]; len(got) != 1 || got[0] != "/testshare" { // the test driver's one export
		t.Fatalf("suggested exports: %v", got)
	}
}
