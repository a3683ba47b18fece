// Package rawedit is `virsh edit` inside kvmtui: a definition (domain,
// network, pool) opened in the user's editor, the diff shown for
// confirmation, then defined with libvirt's validation. The edited text
// lives in a file that is removed only once libvirt accepted it (or nothing
// changed): it is never lost.
package rawedit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{Words: []string{"edit"}, Usage: "edit [VM]",
		Desc: "edit a VM's XML in $EDITOR, as virsh edit", Open: openVM, Args: (*common.Context).VMNames})
	common.Register(common.Entry{Words: []string{"edit-net"}, Usage: "edit-net NAME",
		Desc: "edit a virtual network's XML", Open: openNamed(libvirtx.ObjNetwork), Args: (*common.Context).NetNames})
	common.Register(common.Entry{Words: []string{"edit-pool"}, Usage: "edit-pool NAME",
		Desc: "edit a storage pool's XML", Open: openNamed(libvirtx.ObjPool), Args: (*common.Context).PoolNames})
}

func openVM(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if ctx.ReadOnly() {
		return nil, nil, libvirtx.ErrReadOnly
	}
	doms, err := ctx.Resolve(args)
	if err != nil || len(doms) != 1 {
		return nil, nil, errors.New("usage: edit [VM] (one VM; without a name the selected one)")
	}
	return Open(ctx, doms[0].URI, libvirtx.ObjDomain, doms[0].UUID, doms[0].Name)
}

func openNamed(kind libvirtx.ObjectKind) func(*common.Context, []string) (common.Page, tea.Cmd, error) {
	return func(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
		word := "edit-net"
		if kind == libvirtx.ObjPool {
			word = "edit-pool"
		}
		if ctx.ReadOnly() {
			return nil, nil, libvirtx.ErrReadOnly
		}
		if len(args) != 1 {
			return nil, nil, fmt.Errorf("usage: %s NAME", word)
		}
		uri, err := soleConnection(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", word, err)
		}
		return Open(ctx, uri, kind, args[0], args[0])
	}
}

// soleConnection is the connection a by-name command means: the selected
// VM's, else the only one.
func soleConnection(ctx *common.Context) (string, error) {
	if d, ok := ctx.Selected(); ok {
		return d.URI, nil
	}
	if uris := ctx.Mgr.URIs(); len(uris) == 1 {
		return uris[0], nil
	}
	return "", errors.New("select a VM on the host you mean")
}

// Page is one edit session. It is pushed while the definition is read;
// the editor then has the terminal; the page shows the diff when it ends.
type Page struct {
	ctx      *common.Context
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

type readMsg struct {
	xml string
	err error
}

type editorDoneMsg struct{ err error }

type definedMsg struct{ err error }

// Open starts an edit session: the page, and the command that reads the
// persistent definition.
func Open(ctx *common.Context, uri string, kind libvirtx.ObjectKind, id, name string) (common.Page, tea.Cmd, error) {
	p := &Page{ctx: ctx, uri: uri, kind: kind, id: id, name: name}
	mgr := ctx.Mgr
	return p, func() tea.Msg {
		xml, err := mgr.ObjectXML(uri, kind, id)
		return readMsg{xml: xml, err: err}
	}, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Edit " + string(p.kind) + " " + p.name }

// Capturing: the diff's keys are all the page's.
func (p *Page) Capturing() bool { return true }

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

// close ends the session with a line on the message line.
func (p *Page) close(text string, isErr bool) tea.Cmd {
	p.ctx.SetMsg(text, isErr)
	return common.Pop
}

// openEditor writes the text being edited to a private file and suspends
// the UI while the editor runs.
func (p *Page) openEditor() tea.Cmd {
	if p.file == "" {
		f, err := os.CreateTemp("", "kvmtui-"+safeFileName(p.name)+"-*.xml")
		if err != nil {
			return p.close("edit: "+err.Error(), true)
		}
		p.file = f.Name()
		f.Close()
	}
	if err := os.WriteFile(p.file, []byte(p.edited), 0o600); err != nil {
		return p.close("edit: "+err.Error(), true)
	}
	argv := editorArgv(p.file)
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

// Update runs the session: read, edit, diff, define.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readMsg:
		if msg.err != nil {
			return p.close(fmt.Sprintf("edit %s: %v", p.name, msg.err), true)
		}
		p.original, p.edited = msg.xml, msg.xml
		return p.openEditor()
	case editorDoneMsg:
		return p.editorDone(msg)
	case definedMsg:
		if msg.err != nil {
			p.err = msg.err.Error()
			p.ctx.SetMsg("", false) // the refusal is in the box
			return nil
		}
		os.Remove(p.file)
		uri, kind, id := p.uri, p.kind, p.id
		return tea.Batch(p.close(fmt.Sprintf("defined %s %s", p.kind, p.name), false),
			func() tea.Msg { return common.DefinedMsg{URI: uri, Kind: kind, ID: id} })
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

// editorDone reads back what the user saved and shows the diff.
func (p *Page) editorDone(msg editorDoneMsg) tea.Cmd {
	if msg.err != nil {
		return p.close(fmt.Sprintf("editor %s: %v; your text is in %s", editorArgv("")[0], msg.err, p.file), true)
	}
	b, err := os.ReadFile(p.file)
	if err != nil {
		return p.close("edit: "+err.Error(), true)
	}
	p.edited = string(b)
	if p.edited == p.original {
		os.Remove(p.file)
		return p.close("no changes to "+p.name, false)
	}
	p.diff = strings.Split(strings.TrimSuffix(devices.UnifiedDiff(p.original, p.edited, p.name+" (current)", p.name+" (edited)"), "\n"), "\n")
	p.offset, p.err = 0, ""
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	if p.diff == nil {
		return nil // still reading, or in the editor
	}
	page := max(p.ctx.BodyHeight()-6, 1)
	switch msg.String() {
	case "y", "Y":
		if p.err != "" {
			return nil // refused once: reopen (e) or discard, not define again blindly
		}
		p.ctx.SetMsg("defining "+p.name+"…", false)
		mgr, uri, kind, text := p.ctx.Mgr, p.uri, p.kind, p.edited
		return func() tea.Msg { return definedMsg{err: mgr.DefineObject(uri, kind, text)} }
	case "e":
		return p.openEditor()
	case "n", "N", "esc", "q":
		return p.close("not defined; your edited text is kept in "+p.file, false)
	case "down", "j":
		p.offset = min(p.offset+1, max(len(p.diff)-page, 0))
	case "up", "k":
		p.offset = max(p.offset-1, 0)
	case "pgdown", " ":
		p.offset = min(p.offset+page, max(len(p.diff)-page, 0))
	case "pgup":
		p.offset = max(p.offset-page, 0)
	}
	return nil
}

// View is the diff in a box, with secrets masked.
func (p *Page) View() string {
	t, w := p.ctx.Theme, p.ctx.Width
	if p.diff == nil {
		return widget.Center(w, p.ctx.BodyHeight(), t.Dim.Render("editing "+p.name+"…"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", t.Title.Render("Your changes to "+string(p.kind)+" "+p.name))
	page := max(p.ctx.BodyHeight()-6, 1)
	end := min(p.offset+page, len(p.diff))
	for _, l := range p.diff[p.offset:end] {
		l = widget.HideSecrets(l)
		switch {
		case strings.HasPrefix(l, "+"):
			l = t.OK.Render(l)
		case strings.HasPrefix(l, "-"):
			l = t.Error.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = t.Dim.Render(l)
		}
		b.WriteString(widget.Fit(l, w-4) + "\n")
	}
	if p.err != "" {
		b.WriteString(t.Error.Render(widget.Fit("libvirt refused it: "+p.err, w-4)) + "\n")
		b.WriteString(widget.Fit(t.Key.Render("e")+" reopen your text in the editor   "+t.Key.Render("esc")+" give up (your text stays in "+p.file+")", w-4))
	} else {
		b.WriteString(widget.Fit(t.Key.Render("y")+" define (libvirt validates it)   "+t.Key.Render("e")+" edit again   "+t.Key.Render("n/esc")+" discard   ↑↓ scroll", w-4))
	}
	return widget.Center(w, p.ctx.BodyHeight(), t.Box.Render(b.String()))
}

// Hints: the box says the keys.
func (p *Page) Hints() string { return "" }
