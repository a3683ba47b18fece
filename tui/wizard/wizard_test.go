package wizard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/install"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/ova/ovatest"
	"kvmtui/tui/details"
	"kvmtui/tui/tuitest"
)

// harness is tuitest's, with the wizard's own helpers.
type harness struct {
	*tuitest.Harness
	t testing.TB
}

func newHarness(t *testing.T) *harness {
	return &harness{Harness: tuitest.New(t, false, tuitest.DemoURI(t)), t: t}
}

func (h *harness) keys(ks ...string)                   { h.T.Helper(); h.Keys(ks...) }
func (h *harness) send(msg tea.Msg)                    { h.Send(msg) }
func (h *harness) screenHas(ss ...string)              { h.T.Helper(); h.ScreenHas(ss...) }
func (h *harness) until(what string, cond func() bool) { h.T.Helper(); h.Until(what, cond) }

// wiz is the wizard on top, nil when it is closed.
func (h *harness) wiz() *Page {
	w, _ := h.M.Top().(*Page)
	return w
}

// openWizard presses n on the demo host and waits for the host's offer.
func (h *harness) openWizard() *Page {
	h.t.Helper()
	h.keys("n")
	w := h.wiz()
	if w == nil || w.host == nil {
		h.t.Fatalf("the wizard did not open; screen:\n%s", h.M.View())
	}
	return w
}

// setField types value into a field of the current form page.
func (h *harness) setField(name, value string) {
	h.t.Helper()
	f := h.wiz().form
	for i, ff := range f.Fields {
		if ff.Name == name {
			f.Cursor = i
			f.Focus()
			for range len(ff.Input.Value()) + 5 {
				h.keys("backspace")
			}
			h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(value)})
			return
		}
	}
	h.t.Fatalf("no field %s on page %s", name, h.wiz().pageID())
}

func TestWizardWalksEveryPageForwardAndBack(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	h.screenHas("New VM on demo", "Name and install method", "Install from")
	// The cloud-init page is there only for a cloud image.
	h.setField("method", install.MethodCloud)
	h.setField("media", "/var/lib/libvirt/images/nope.qcow2")
	if got := len(w.pages()); got != len(wizPages) {
		t.Fatalf("a cloud image has %d pages, want %d", got, len(wizPages))
	}
	h.setField("method", install.MethodManual)
	if got := len(w.pages()); got != len(wizPages)-1 {
		t.Fatalf("a manual install has %d pages, want %d", got, len(wizPages)-1)
	}
	h.setField("name", "kvmtui-test-wiz")
	var seen []string
	for range len(wizPages) {
		seen = append(seen, w.pageID())
		if w.pageID() == "review" {
			break
		}
		h.keys("enter")
		if len(w.errs) > 0 {
			t.Fatalf("page %s refused: %v\n%s", seen[len(seen)-1], w.errs, h.M.View())
		}
	}
	want := []string{"method", "os", "resources", "storage", "network", "platform", "review"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Fatalf("pages forward: %v", seen)
	}
	h.screenHas("Review", "kvmtui-test-wiz", "Manual install", "Volumes to create", "default/kvmtui-test-wiz.qcow2")
	h.keys("x")
	h.screenHas("Install definition", "<domain type=\"test\">")
	h.keys("x")
	var back []string
	for w.pageID() != "method" {
		h.keys("esc")
		back = append(back, w.pageID())
	}
	if strings.Join(back, " ") != "platform network storage resources os method" {
		t.Fatalf("pages back: %v", back)
	}
	// esc on the first page asks before throwing the choices away.
	h.keys("esc")
	h.screenHas("Throw away this new VM's settings?")
	h.keys("n")
	if h.OnList() || w.leaving {
		t.Fatal("n did not keep the wizard")
	}
	h.keys("esc", "y")
	if !h.OnList() {
		t.Fatal("esc, y on the first page did not close the wizard")
	}
	h.screenHas("new VM cancelled")
}

// Bad input is refused on its page, with the reason, before anything is
// created.
func TestWizardRefusesOnThePage(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	h.setField("name", "web-01")
	h.setField("method", install.MethodManual)
	h.keys("enter")
	if w.pageID() != "method" {
		t.Fatal("an existing name passed the first page")
	}
	h.screenHas(`a VM named "web-01" already exists`)
	h.setField("name", "kvmtui-test-wiz2")
	h.setField("method", install.MethodISO)
	h.setField("media", "/nowhere/debian.iso")
	h.keys("enter")
	if w.pageID() != "method" || len(w.errs) == 0 {
		t.Fatal("a missing ISO passed the first page")
	}
	h.screenHas("not a volume of any storage pool")
	h.setField("method", install.MethodManual)
	h.keys("enter") // os
	h.keys("enter") // resources
	if w.pageID() != "resources" {
		t.Fatalf("on page %s", w.pageID())
	}
	h.setField("vcpus", "4096")
	h.screenHas("more than the host's")
	h.keys("enter")
	if w.pageID() != "resources" {
		t.Fatal("vCPUs above the host passed")
	}
}

// The OS page searches osinfo and re-derives the defaults for the choice.
func TestWizardOSSearchSetsDefaults(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	h.setField("method", install.MethodManual)
	h.keys("enter")
	if w.pageID() != "os" {
		t.Fatalf("on page %s", w.pageID())
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ubuntu noble")})
	h.screenHas("ubuntu24.04", "Ubuntu 24.04 LTS")
	if len(w.osList) != 1 {
		t.Fatalf("search listed %d", len(w.osList))
	}
	h.keys("enter")
	if w.vm.OS == nil || w.vm.OS.ShortID != "ubuntu24.04" || w.pageID() != "resources" {
		t.Fatalf("picked %v, on %s", w.vm.OS, w.pageID())
	}
	if w.vm.MemoryMiB != 4096 || w.vm.DiskSize != 25<<30 {
		t.Fatalf("ubuntu24.04 defaults: %d MiB, %d bytes", w.vm.MemoryMiB, w.vm.DiskSize)
	}
}

// Customize before install defines the VM on the (test driver's) host and
// opens its details, not started.
func TestWizardCustomizeOpensDetails(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	h.setField("name", "kvmtui-test-cust")
	h.setField("method", install.MethodManual)
	for w.pageID() != "review" {
		h.keys("enter")
		if len(w.errs) > 0 {
			t.Fatalf("refused on %s: %v", w.pageID(), w.errs)
		}
	}
	h.keys("c")
	if d, ok := h.M.Top().(*details.Page); !ok || d.Title() != "kvmtui-test-cust" {
		t.Fatalf("customize did not open the details of kvmtui-test-cust:\n%s", h.M.View())
	}
	h.screenHas("kvmtui-test-cust", "Overview")
	h.until("the new VM in the list", func() bool {
		for _, d := range h.Ctx().VMs("") {
			if d.Name == "kvmtui-test-cust" {
				return !d.State.Active()
			}
		}
		return false
	})
}

// The ISO field suggests the host's ISO images, not its disk volumes.
func TestWizardSuggestsISOsForTheISO(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	isos := w.suggestions()["media"]
	if len(isos) == 0 {
		t.Fatal("no ISO suggested on the demo host")
	}
	for _, p := range isos {
		if !strings.HasSuffix(p, ".iso") {
			t.Errorf("suggested for the ISO: %s", p)
		}
	}
	if len(w.suggestions()["disk_path"]) <= len(isos) {
		t.Error("disk volumes are not suggested where a disk is asked")
	}
}

// With a template on the host the wizard offers "template": enter hands
// over to the clone form, named as typed, which clones and starts it.
func TestWizardFromTemplate(t *testing.T) {
	h := newHarness(t)
	if err := h.Ctx().Mgr.SetTemplate(h.VM("legacy-centos7").Ref, true); err != nil {
		t.Fatal(err)
	}
	h.until("the mark", func() bool { return h.VM("legacy-centos7").Template })
	h.openWizard()
	h.setField("name", "from-tmpl")
	h.setField("method", "template")
	h.screenHas("Template", "legacy-centos7")
	h.keys("enter")
	h.until("the clone form", func() bool { return strings.Contains(h.M.View(), "Clone legacy-centos7") })
	h.screenHas("from-tmpl", "from-tmpl.qcow2")
	if h.wiz() != nil || len(h.M.Pages()) != 2 {
		t.Fatalf("the clone form did not take the wizard's place: %d pages", len(h.M.Pages()))
	}
	h.keys("ctrl+s")
	h.until("the clone", func() bool { return strings.Contains(h.Ctx().Msg.Text, "cloned and started from-tmpl") })
}

// On a local host tab completes the host's own files in a path field, as
// a shell does (pool volumes complete everywhere).
func TestWizardCompletesLocalPaths(t *testing.T) {
	uri := lt.URI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "debian-netinst.iso"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &harness{Harness: tuitest.New(t, false, uri), t: t}
	h.keys(":new "+uri, "enter")
	h.until("the wizard's host", func() bool { w := h.wiz(); return w != nil && w.host != nil })
	h.setField("media", dir[:len(dir)-2])
	h.keys("tab")
	if got := h.wiz().vm.Media; got != dir+"/" {
		t.Fatalf("tab on %q gave %q, want %q", dir[:len(dir)-2], got, dir+"/")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("deb")})
	h.keys("tab")
	if got, want := h.wiz().vm.Media, filepath.Join(dir, "debian-netinst.iso"); got != want {
		t.Fatalf("tab gave %q, want %q", got, want)
	}
}

// An appliance read on the method page proposes its name, memory, vCPUs
// and firmware; its disks become volumes of the pool chosen (the only
// storage choice), and the review names what is not carried over.
func TestWizardImportsAnAppliance(t *testing.T) {
	h := newHarness(t)
	w := h.openWizard()
	h.setField("method", install.MethodOVA)
	h.screenHas("Appliance")
	h.setField("media", ovatest.Make(t, ovatest.MarkedDisk(), false))
	h.keys("enter")
	if len(w.errs) > 0 || w.pageID() != "os" {
		t.Fatalf("the method page refused: %v\n%s", w.errs, h.M.View())
	}
	if w.vm.Name != "web-appliance" || w.vm.MemoryMiB != 512 || w.vm.VCPUs != 2 || w.vm.Firmware != "efi" || len(w.vm.ApplianceDisks) != 1 {
		t.Fatalf("not the appliance's: %+v", w.vm)
	}
	for w.pageID() != "storage" {
		h.keys("enter")
	}
	if names := w.form.Fields; len(names) != 1 || names[0].Name != "pool" {
		t.Fatalf("the storage page of an appliance asks more than its pool: %v", names)
	}
	for w.pageID() != "review" && len(w.errs) == 0 {
		h.keys("enter")
	}
	h.screenHas("Import a virtual appliance", "web-appliance-disk1.raw", "the appliance's 1 disk(s)", "Floppy drive 1 — not added")

	// A file that is not an appliance stays on the method page, saying why.
	h2 := newHarness(t)
	w2 := h2.openWizard()
	h2.setField("method", install.MethodOVA)
	h2.setField("media", "/etc/hostname.ova")
	h2.keys("enter")
	if w2.pageID() != "method" || len(w2.errs) == 0 || !strings.Contains(w2.errs[0], "no such file") {
		t.Fatalf("a missing appliance: page %s, %v", w2.pageID(), w2.errs)
	}
}
