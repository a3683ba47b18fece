package rawedit

import (
	"kvmtui/tui/tuitest"
	"os"
	"strings"
	"testing"
)

type harness struct{ *tuitest.Harness }

func newHarness(t *testing.T) harness { return harness{tuitest.New(t, false, tuitest.DemoURI(t))} }

// edit opens the named VM's definition with e, as from the list.
func (h harness) edit(vm string) *Page {
	h.T.Helper()
	h.Keys(":filter "+vm, "enter", "e")
	return h.session()
}

// session is the edit session on top.
func (h harness) session() *Page {
	h.T.Helper()
	p, ok := h.M.Top().(*Page)
	if !ok || p.file == "" {
		h.T.Fatalf("no edit session open; screen:\n%s", h.M.View())
	}
	return p
}

// editorWrites stands in for the user's editor: it replaces the file with
// text, as saving in the editor would, then the UI gets the editor's exit.
func (h harness) editorWrites(text string) {
	h.T.Helper()
	if err := os.WriteFile(h.session().file, []byte(text), 0o600); err != nil {
		h.T.Fatal(err)
	}
	h.Send(editorDoneMsg{})
}

func TestRawEditShowsDiffThenDefines(t *testing.T) {
	t.Setenv("EDITOR", "true") // never run: the harness does not exec
	h := newHarness(t)
	ed := h.edit("legacy-centos7")
	if !strings.Contains(ed.original, "<name>legacy-centos7</name>") {
		t.Fatal("the definition was not opened")
	}
	if st, err := os.Stat(ed.file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("edit file %s: %v %v", ed.file, st, err)
	}
	edited := strings.Replace(ed.original, "<on_reboot>restart</on_reboot>", "<on_reboot>destroy</on_reboot>", 1)
	h.editorWrites(edited)
	h.ScreenHas("Your changes", "-  <on_reboot>restart</on_reboot>", "+  <on_reboot>destroy</on_reboot>", "y define")
	h.Keys("y")
	h.ScreenHas("defined domain legacy-centos7")
	if _, err := os.Stat(ed.file); !os.IsNotExist(err) {
		t.Fatal("the edit file was not removed after a successful define")
	}
	xml, err := h.Mgr.DomainXML(h.VM("legacy-centos7").Ref, true, false)
	if err != nil || !strings.Contains(xml, "<on_reboot>destroy</on_reboot>") {
		t.Fatalf("definition not changed: %v", err)
	}
}

func TestRawEditRefusedKeepsTheUsersText(t *testing.T) {
	h := newHarness(t)
	ed := h.edit("web-01")
	broken := strings.Replace(ed.original, "<memory unit='KiB'>", "<memory unit='parsecs'>", 1)
	h.editorWrites(broken)
	h.Keys("y")
	h.ScreenHas("libvirt refused it", "reopen your text")
	// Reopen: the editor gets the user's edited text, not the original.
	h.Keys("e")
	b, err := os.ReadFile(ed.file)
	if err != nil || string(b) != broken {
		t.Fatalf("reopened text is not the user's edit: %v", err)
	}
	h.Send(editorDoneMsg{})
	h.Keys("esc")
	h.ScreenHas("your edited text is kept in " + ed.file)
	if b, _ := os.ReadFile(ed.file); string(b) != broken {
		t.Fatal("giving up lost the user's text")
	}
	os.Remove(ed.file)
	if xml, _ := h.Mgr.DomainXML(h.VM("web-01").Ref, true, false); xml != ed.original {
		t.Fatal("a refused define changed the VM")
	}
}

func TestRawEditWithoutChanges(t *testing.T) {
	h := newHarness(t)
	ed := h.edit("web-02")
	file := ed.file
	h.editorWrites(ed.original)
	h.ScreenHas("no changes to web-02")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}
}

func TestRawEditNetworkAndPool(t *testing.T) {
	h := newHarness(t)
	h.Keys(":", "edit-net isolated-lab", "enter")
	ed := h.session()
	if !strings.Contains(ed.original, "<name>isolated-lab</name>") {
		t.Fatalf("network not opened; screen:\n%s", h.M.View())
	}
	h.editorWrites(strings.Replace(ed.original, "end='10.20.0.199'", "end='10.20.0.150'", 1))
	h.Keys("y")
	h.ScreenHas("defined network isolated-lab")
	// (The test driver shows a running network's live definition only, so
	// the new one, due at its next start, cannot be read back here.)
	h.Keys(":", "edit-pool nope", "enter")
	h.ScreenHas("edit nope:")
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

// :edit-net and :edit-pool complete the host's network and pool names.
func TestEditCompletesNetworkAndPoolNames(t *testing.T) {
	h := newHarness(t)
	h.Keys(":edit-pool fa", "tab")
	h.ScreenHas(":edit-pool fast-ssd")
	h.Keys("esc", ":edit-net iso", "tab")
	h.ScreenHas(":edit-net isolated-lab")
}
