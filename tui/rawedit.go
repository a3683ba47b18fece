package tui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// rawEdit is one `virsh edit`-style session: the definition opened in the
// user's editor, the diff shown for confirmation, then defined with
// libvirt's validation. The edited text lives in a file that is removed only
// once libvirt accepted it (or nothing changed): it is never lost.
type rawEdit struct {
	uri      string
	kind     libvirtx.ObjectKind
	id       string // domain UUID, network or pool name
	name     string
	original string
	edited   string
	file     string
	diff     []string
	offset   int
	err      string // libvirt's refusal of the last define
}

type rawXMLMsg struct {
	ed  *rawEdit
	err error
}

type editorDoneMsg struct{ err error }

type rawDefinedMsg struct{ err error }

// editorArgv is $VISUAL, else $EDITOR, else vi, split into words (never run
// through a shell), with the file appended.
func editorArgv(file string) []string {
	ed := os.Getenv("VISUAL")
	if strings.TrimSpace(ed) == "" {
		ed = os.Getenv("EDITOR")
	}
	argv := strings.Fields(ed)
	if len(argv) == 0 {
		argv = []string{"vi"}
	}
	return append(argv, file)
}

// beginRawEdit reads the persistent definition of a domain, network or pool.
func beginRawEdit(mgr *libvirtx.Manager, uri string, kind libvirtx.ObjectKind, id, name string) tea.Cmd {
	return func() tea.Msg {
		xml, err := mgr.ObjectXML(uri, kind, id)
		if err != nil {
			return rawXMLMsg{err: fmt.Errorf("edit %s: %w", name, err)}
		}
		return rawXMLMsg{ed: &rawEdit{uri: uri, kind: kind, id: id, name: name, original: xml, edited: xml}}
	}
}

// openEditor writes the text being edited to a private file and suspends
// the UI while the editor runs.
func (m *Model) openEditor(ed *rawEdit) tea.Cmd {
	if ed.file == "" {
		f, err := os.CreateTemp("", "kvmtui-"+safeFileName(ed.name)+"-*.xml")
		if err != nil {
			m.ctx.SetMsg("edit: "+err.Error(), true)
			return nil
		}
		ed.file = f.Name()
		f.Close()
	}
	if err := os.WriteFile(ed.file, []byte(ed.edited), 0o600); err != nil {
		m.ctx.SetMsg("edit: "+err.Error(), true)
		return nil
	}
	m.raw = ed
	argv := editorArgv(ed.file)
	return tea.ExecProcess(exec.Command(argv[0], argv[1:]...), func(err error) tea.Msg { return editorDoneMsg{err: err} })
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

// editorDone reads back what the user saved and shows the diff.
func (m *Model) editorDone(msg editorDoneMsg) tea.Cmd {
	ed := m.raw
	if ed == nil {
		return nil
	}
	if msg.err != nil {
		m.ctx.SetMsg(fmt.Sprintf("editor %s: %v; your text is in %s", editorArgv("")[0], msg.err, ed.file), true)
		m.raw = nil
		return nil
	}
	b, err := os.ReadFile(ed.file)
	if err != nil {
		m.ctx.SetMsg("edit: "+err.Error(), true)
		m.raw = nil
		return nil
	}
	ed.edited = string(b)
	if ed.edited == ed.original {
		os.Remove(ed.file)
		m.raw = nil
		m.ctx.SetMsg("no changes to "+ed.name, false)
		return nil
	}
	ed.diff = strings.Split(strings.TrimSuffix(devices.UnifiedDiff(ed.original, ed.edited, ed.name+" (current)", ed.name+" (edited)"), "\n"), "\n")
	ed.offset, ed.err = 0, ""
	m.mode = modeRawDiff
	return nil
}

func defineRaw(mgr *libvirtx.Manager, ed *rawEdit) tea.Cmd {
	return func() tea.Msg {
		return rawDefinedMsg{err: mgr.DefineObject(ed.uri, ed.kind, ed.edited)}
	}
}

func (m *Model) rawDefined(msg rawDefinedMsg) {
	ed := m.raw
	if ed == nil {
		return
	}
	if msg.err != nil {
		ed.err = msg.err.Error()
		m.mode = modeRawDiff
		m.ctx.SetMsg("", false) // the refusal is in the box
		return
	}
	os.Remove(ed.file)
	m.raw, m.mode = nil, modeList
	m.ctx.SetMsg(fmt.Sprintf("defined %s %s", ed.kind, ed.name), false)
}

func (m *Model) handleRawDiff(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	ed := m.raw
	page := max(m.ctx.BodyHeight()-6, 1)
	switch msg.String() {
	case "y", "Y":
		if ed.err != "" {
			return m, nil // refused once: reopen (e) or discard, not define again blindly
		}
		m.ctx.SetMsg("defining "+ed.name+"…", false)
		return m, defineRaw(m.mgr, ed)
	case "e":
		m.mode = modeList
		return m, m.openEditor(ed)
	case "n", "N", "esc", "q":
		m.raw, m.mode = nil, modeList
		if m.det != nil { // opened from the details view: back there
			m.mode = modeDetails
		}
		m.ctx.SetMsg("not defined; your edited text is kept in "+ed.file, false)
		return m, m.reloadIfStale()
	case "down", "j":
		ed.offset = min(ed.offset+1, max(len(ed.diff)-page, 0))
	case "up", "k":
		ed.offset = max(ed.offset-1, 0)
	case "pgdown", " ":
		ed.offset = min(ed.offset+page, max(len(ed.diff)-page, 0))
	case "pgup":
		ed.offset = max(ed.offset-page, 0)
	}
	return m, nil
}

func (m *Model) rawDiffView() string {
	ed, t := m.raw, m.ctx.Theme
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", t.Title.Render("Your changes to "+string(ed.kind)+" "+ed.name))
	page := max(m.ctx.BodyHeight()-6, 1)
	end := min(ed.offset+page, len(ed.diff))
	for _, l := range ed.diff[ed.offset:end] {
		l = widget.HideSecrets(l)
		switch {
		case strings.HasPrefix(l, "+"):
			l = t.OK.Render(l)
		case strings.HasPrefix(l, "-"):
			l = t.Error.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = t.Dim.Render(l)
		}
		b.WriteString(widget.Fit(l, m.ctx.Width-4) + "\n")
	}
	if ed.err != "" {
		b.WriteString(t.Error.Render(widget.Fit("libvirt refused it: "+ed.err, m.ctx.Width-4)) + "\n")
		b.WriteString(widget.Fit(t.Key.Render("e")+" reopen your text in the editor   "+t.Key.Render("esc")+" give up (your text stays in "+ed.file+")", m.ctx.Width-4))
	} else {
		b.WriteString(widget.Fit(t.Key.Render("y")+" define (libvirt validates it)   "+t.Key.Render("e")+" edit again   "+t.Key.Render("n/esc")+" discard   ↑↓ scroll", m.ctx.Width-4))
	}
	return b.String()
}
