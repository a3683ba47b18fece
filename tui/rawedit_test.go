package tui

import (
	"os"
	"strings"
	"testing"
)

// editorWrites stands in for the user's editor: it replaces the file with
// text, as saving in the editor would, then the UI gets the editor's exit.
func (h *harness) editorWrites(text string) {
	h.t.Helper()
	if h.m.raw == nil || h.m.raw.file == "" {
		h.t.Fatalf("no edit session open; screen:\n%s", h.m.View())
	}
	if err := os.WriteFile(h.m.raw.file, []byte(text), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.send(editorDoneMsg{})
}

func TestRawEditShowsDiffThenDefines(t *testing.T) {
	t.Setenv("EDITOR", "true") // never run: the harness does not exec
	h := newHarness(t, false, demoURI(t))
	h.selectVM("legacy-centos7")
	h.keys("e")
	ed := h.m.raw
	if ed == nil || !strings.Contains(ed.original, "<name>legacy-centos7</name>") {
		t.Fatal("the definition was not opened")
	}
	if st, err := os.Stat(ed.file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("edit file %s: %v %v", ed.file, st, err)
	}
	edited := strings.Replace(ed.original, "<on_reboot>restart</on_reboot>", "<on_reboot>destroy</on_reboot>", 1)
	h.editorWrites(edited)
	h.screenHas("Your changes", "-  <on_reboot>restart</on_reboot>", "+  <on_reboot>destroy</on_reboot>", "y define")
	h.keys("y")
	h.screenHas("defined domain legacy-centos7")
	if _, err := os.Stat(ed.file); !os.IsNotExist(err) {
		t.Fatal("the edit file was not removed after a successful define")
	}
	xml, err := h.mgr.DomainXML(h.vm("legacy-centos7").Ref, true, false)
	if err != nil || !strings.Contains(xml, "<on_reboot>destroy</on_reboot>") {
		t.Fatalf("definition not changed: %v", err)
	}
}

func TestRawEditRefusedKeepsTheUsersText(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("web-01")
	h.keys("e")
	ed := h.m.raw
	broken := strings.Replace(ed.original, "<memory unit='KiB'>", "<memory unit='parsecs'>", 1)
	h.editorWrites(broken)
	h.keys("y")
	h.screenHas("libvirt refused it", "reopen your text")
	// Reopen: the editor gets the user's edited text, not the original.
	h.keys("e")
	b, err := os.ReadFile(ed.file)
	if err != nil || string(b) != broken {
		t.Fatalf("reopened text is not the user's edit: %v", err)
	}
	h.send(editorDoneMsg{})
	h.keys("esc")
	h.screenHas("your edited text is kept in " + ed.file)
	if b, _ := os.ReadFile(ed.file); string(b) != broken {
		t.Fatal("giving up lost the user's text")
	}
	os.Remove(ed.file)
	if xml, _ := h.mgr.DomainXML(h.vm("web-01").Ref, true, false); xml != ed.original {
		t.Fatal("a refused define changed the VM")
	}
}

func TestRawEditWithoutChanges(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.selectVM("web-02")
	h.keys("e")
	file := h.m.raw.file
	h.editorWrites(h.m.raw.original)
	h.screenHas("no changes to web-02")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}
}

func TestRawEditNetworkAndPool(t *testing.T) {
	h := newHarness(t, false, demoURI(t))
	h.keys(":", "edit-net isolated-lab", "enter")
	if h.m.raw == nil || !strings.Contains(h.m.raw.original, "<name>isolated-lab</name>") {
		t.Fatalf("network not opened; screen:\n%s", h.m.View())
	}
	h.editorWrites(strings.Replace(h.m.raw.original, "end='10.20.0.199'", "end='10.20.0.150'", 1))
	h.keys("y")
	h.screenHas("defined network isolated-lab")
	// (The test driver shows a running network's live definition only, so
	// the new one, due at its next start, cannot be read back here.)
	h.keys(":", "edit-pool nope", "enter")
	h.screenHas("edit nope:")
}

func TestEditorArgvIsSplitNotShelled(t *testing.T) {
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "emacs -nw")
	if got := editorArgv("/tmp/x.xml"); strings.Join(got, "|") != "emacs|-nw|/tmp/x.xml" {
		t.Fatalf("argv = %q", got)
	}
	t.Setenv("VISUAL", "code --wait")
	if got := editorArgv("f"); strings.Join(got, "|") != "code|--wait|f" {
		t.Fatalf("argv = %q", got)
	}
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "")
	if got := editorArgv("f"); strings.Join(got, "|") != "vi|f" {
		t.Fatalf("fallback argv = %q", got)
	}
}
