// Package wizard is the new-VM page: virt-manager's New VM wizard (ISO,
// network install, import, PXE, cloud image with cloud-init) over the
// install package's builder.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/libvirtx"
	"kvmtui/tui/clone"
	"kvmtui/tui/common"
	"kvmtui/tui/details"
	"kvmtui/tui/form"
)

// Page is the new-VM wizard (n): pages of forms over an install.NewVM,
// an OS picker, and a review page with the summary and the XML. Every
// libvirt call (reading the host, probing media, creating) is a tea.Cmd.
type Page struct {
	ctx      *common.Context
	uri      string
	dirs     localDirs // the local directory being completed
	host     *install.NewVMHost
	db       *install.OSDB
	vm       install.NewVM
	cloud    *install.CloudInit
	page     int
	form     *form.Form
	errs     []string // the page's refusals, shown under the form
	busy     string   // what a running command is doing
	osIn     textinput.Model
	osList   []*install.OSInfo
	osCur    int
	osPick   bool // the user picked an OS: detection does not override it
	detect   string
	plan     *install.VMPlan
	planErr  string
	showXML  bool
	scroll   int
	changed  bool   // the user left the first page once: there are choices to lose
	leaving  bool   // asking whether to throw them away
	template string // the "template" method's VM
}

// methodTemplate is the wizard's own method: not a way to install but a
// clone of a template (tui/clone does it).
const methodTemplate = "template"

// templates are the host's VMs marked as templates.
func (w *Page) templates() []string {
	var out []string
	for _, d := range w.ctx.VMs(w.uri) {
		if d.Template {
			out = append(out, d.Name)
		}
	}
	return out
}

// wizPages in order; "cloud-init" only for a cloud image.
var wizPages = []string{"method", "os", "resources", "storage", "network", "platform", "cloud-init", "review"}

var wizTitles = map[string]string{
	"method": "Name and install method", "os": "Operating system", "resources": "Memory and CPUs",
	"storage": "Storage", "network": "Network", "platform": "Firmware and platform",
	"cloud-init": "Cloud-init", "review": "Review",
}

func (w *Page) pageID() string { return wizPages[w.page] }

// pages are the pages that apply to the current choices.
func (w *Page) pages() []int {
	var out []int
	for i, p := range wizPages {
		if p == "cloud-init" && w.vm.Method != install.MethodCloud {
			continue
		}
		out = append(out, i)
	}
	return out
}

type wizHostMsg struct {
	uri  string
	host *install.NewVMHost
	db   *install.OSDB
	err  error
}

type wizMediaMsg struct {
	vm       install.NewVM // with formats and tree info filled in
	detected *install.OSInfo
	err      error
}

type wizCreatedMsg struct {
	ref       libvirtx.Ref
	customize bool
	err       error
}

var (
	osdbOnce sync.Once
	osdb     *install.OSDB
	osdbErr  error
)

// loadOSDB reads osinfo-db once per process (about a thousand files).
func loadOSDB() (*install.OSDB, error) {
	osdbOnce.Do(func() { osdb, osdbErr = install.LoadSystemOSDB() })
	return osdb, osdbErr
}

func init() {
	common.Register(common.Entry{
		Words: []string{"new", "create"},
		Usage: "new [URI]",
		Desc:  "the new-VM wizard (n in the list): ISO, network install, import, OVA appliance, PXE, cloud image",
		Args:  func(ctx *common.Context) []string { return ctx.Mgr.URIs() },
		Open:  Open,
	})
}

// Open opens the wizard on a host: the URI given, else the selected VM's,
// else the first connected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if ctx.ReadOnly() {
		return nil, nil, libvirtx.ErrReadOnly
	}
	if len(args) > 1 {
		return nil, nil, errors.New("usage: new [URI]")
	}
	uri := strings.Join(args, "")
	if uri == "" {
		if d, ok := ctx.Selected(); ok {
			uri = d.URI
		}
	}
	if c := ctx.Conns[uri]; c == nil || c.Status != libvirtx.Connected {
		if len(args) == 1 {
			return nil, nil, fmt.Errorf("new VM: not connected to %s (:connect %s)", uri, uri)
		}
		uri = ""
		if up := ctx.Connected(); len(up) > 0 {
			uri = up[0]
		}
	}
	if uri == "" {
		return nil, nil, errors.New("no connected host to create a VM on")
	}
	in := textinput.New()
	in.Prompt = "search: "
	in.Cursor.SetMode(cursor.CursorStatic)
	w := &Page{ctx: ctx, uri: uri, cloud: &install.CloudInit{}, busy: "reading what " + ctx.Label(uri) + " offers…", osIn: in}
	w.vm.Method = install.MethodISO
	ctx.SetMsg("", false)
	mgr := ctx.Mgr
	return w, func() tea.Msg {
		db, err := loadOSDB()
		if err != nil {
			return wizHostMsg{uri: uri, err: err}
		}
		h, err := mgr.NewVMHost(uri)
		return wizHostMsg{uri: uri, host: h, db: db, err: err}
	}, nil
}

// Title is the page's crumb.
func (w *Page) Title() string { return "New VM" }

// Capturing: every page of the wizard types into a form or a search.
func (w *Page) Capturing() bool { return true }

// Update takes the wizard's keys and command results.
func (w *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return w.key(msg)
	case wizHostMsg, wizMediaMsg, wizCreatedMsg:
		return w.results(msg)
	}
	return nil
}

// results takes the wizard's command results.
func (w *Page) results(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case wizHostMsg:
		w.busy = ""
		if msg.err != nil {
			w.ctx.SetMsg("new VM: "+msg.err.Error(), true)
			return common.Pop
		}
		w.host, w.db = msg.host, msg.db
		w.vm.Name = freeName(w.host)
		w.vm.Defaults(w.host, false)
		w.osList = w.db.Search("", 0)
		w.enter(0)
	case wizMediaMsg:
		w.busy = ""
		if msg.err != nil {
			w.errs = []string{msg.err.Error()}
			return nil
		}
		w.vm = msg.vm
		if msg.detected != nil && !w.osPick {
			w.vm.OS = msg.detected
			w.detect = "detected from the medium: " + msg.detected.Label()
			w.vm.Defaults(w.host, true)
		}
		w.advance(1)
	case wizCreatedMsg:
		w.busy = ""
		if msg.err != nil {
			w.errs = []string{msg.err.Error()} // libvirt's words; nothing was left behind
			return nil
		}
		if msg.customize {
			w.ctx.SetMsg(fmt.Sprintf("defined %s: customize it, then start it (s) to install", msg.ref.Name), false)
			p, cmd := details.New(w.ctx, libvirtx.Domain{Ref: msg.ref, State: libvirtx.StateShutoff, Persistent: true})
			return func() tea.Msg { return common.ReplaceMsg{Page: p, Cmd: cmd} }
		}
		w.ctx.SetMsg(fmt.Sprintf("created %s; its install is running (c: console)", msg.ref.Name), false)
		return common.Pop
	}
	return nil
}

// freeName is the first of vm-1, vm-2, ... the host does not have.
func freeName(h *install.NewVMHost) string {
	for i := 1; ; i++ {
		n := fmt.Sprintf("vm-%d", i)
		taken := false
		for _, d := range h.Domains {
			taken = taken || d == n
		}
		if !taken {
			return n
		}
	}
}

// enter opens page i (an index into wizPages).
func (w *Page) enter(i int) {
	w.page, w.errs, w.form, w.scroll = i, nil, nil, 0
	switch w.pageID() {
	case "os":
		w.osIn.Focus()
		w.filterOS()
	case "review":
		w.osIn.Blur()
		w.vm.CloudInit = nil
		if w.vm.Method == install.MethodCloud {
			w.vm.CloudInit = w.cloud
		}
		w.plan, w.planErr = nil, ""
		p, err := w.vm.Build(w.host, time.Now())
		if err != nil {
			w.planErr = err.Error()
		}
		w.plan = p
	default:
		w.osIn.Blur()
		w.form = form.New(&wizPageForm{w: w, page: w.pageID()}, w.suggestions())
	}
}

func (w *Page) suggestions() map[string][]string {
	h := w.host
	if h == nil {
		return nil
	}
	var src []string
	switch w.vm.Net {
	case install.NetNetwork:
		src = h.NetworkNames()
	case install.NetBridge:
		src = h.Bridges
	case install.NetMacvtap:
		src = h.NICs
	}
	vols := h.VolumePaths()
	media, disks := vols, vols
	if libvirtx.IsLocal(w.uri) && w.form != nil { // the host's files are this machine's: complete them too
		for _, ff := range w.form.Fields {
			switch ff.Name {
			case "media":
				media = append(slices.Clip(vols), w.dirs.complete(ff.Input.Value())...)
			case "disk_path":
				disks = append(slices.Clip(vols), w.dirs.complete(ff.Input.Value())...)
			}
		}
	}
	switch w.vm.Method {
	case install.MethodISO:
		media = withSuffix(media, ".iso")
	case install.MethodOVA: // a file of this machine, not of the host
		media = nil
		if w.form != nil {
			for _, ff := range w.form.Fields {
				if ff.Name == "media" {
					media = withSuffix(w.dirs.complete(ff.Input.Value()), ".ova", ".ovf")
				}
			}
		}
	}
	return map[string][]string{"pool": h.PoolNames(), "media": media, "disk_path": disks, "net_source": src}
}

// localDirs completes a path typed on a local host from its directory:
// the entries that extend it, directories with a trailing slash. A
// directory is read once while the typing stays in it, not at every key.
type localDirs struct {
	dir  string
	ents []os.DirEntry
}

func (l *localDirs) complete(typed string) []string {
	if !strings.HasPrefix(typed, "/") {
		return nil
	}
	dir, base := filepath.Split(typed)
	if dir != l.dir {
		l.dir = dir
		l.ents, _ = os.ReadDir(dir)
	}
	var out []string
	for _, e := range l.ents {
		if !strings.HasPrefix(e.Name(), base) || strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		p := dir + e.Name()
		if e.IsDir() {
			p += "/"
		}
		out = append(out, p)
	}
	return out
}

// withSuffix keeps the paths with one of the suffixes (an installer image,
// an appliance), and the directories a typed path may go on into.
func withSuffix(paths []string, suffixes ...string) []string {
	var out []string
	for _, p := range paths {
		if strings.HasSuffix(p, "/") || slices.ContainsFunc(suffixes, func(s string) bool { return strings.HasSuffix(strings.ToLower(p), s) }) {
			out = append(out, p)
		}
	}
	return out
}

// advance moves by dir over the pages that apply.
func (w *Page) advance(dir int) {
	w.changed = w.changed || dir > 0
	ps := w.pages()
	for k, p := range ps {
		if p == w.page {
			if j := k + dir; j >= 0 && j < len(ps) {
				w.enter(ps[j])
			}
			return
		}
	}
}

// pageProblems are the refusals that belong to the current page.
func (w *Page) pageProblems() []string {
	n := w.vm
	n.CloudInit = w.cloud
	var out []string
	for _, p := range n.Check(w.host) {
		if p.Page == w.pageID() || p.Page == "name" && w.pageID() == "method" {
			out = append(out, p.Msg)
		}
	}
	return out
}

// next validates the page and moves on; leaving the first page probes the
// media on the host first (a tea.Cmd), which may detect the OS.
func (w *Page) wizardNext() tea.Cmd {
	if w.form != nil {
		if ff := w.form.Invalid(); ff != nil {
			w.errs = []string{ff.Label + ": " + ff.Err}
			return nil
		}
	}
	if w.vm.Method == methodTemplate {
		return w.fromTemplate()
	}
	if w.errs = w.pageProblems(); len(w.errs) > 0 {
		return nil
	}
	switch w.pageID() {
	case "method":
		w.busy = "checking the install media…"
		vm, db, mgr, uri := w.vm, w.db, w.ctx.Mgr, w.uri
		if vm.Method == install.MethodOVA {
			// the appliance's own name, memory, vCPUs and firmware, where
			// the user has not chosen them
			w.busy = "reading the appliance…"
			if vm.Name == freeName(w.host) {
				vm.Name = ""
			}
			vm.MemoryMiB, vm.VCPUs, vm.Firmware = 0, 0, ""
		}
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			det, err := mgr.PrepareMedia(ctx, uri, &vm, db)
			return wizMediaMsg{vm: vm, detected: det, err: err}
		}
	case "os":
		if why := w.host.CanRun(w.vm.OS, w.vm.Arch); why != "" {
			w.errs = []string{why}
			return nil
		}
	case "review":
		return w.wizardCreate(false)
	}
	w.advance(1)
	return nil
}

func (w *Page) wizardCreate(customize bool) tea.Cmd {
	if w.plan == nil {
		w.errs = []string{"nothing to create: " + w.planErr}
		return nil
	}
	mode := libvirtx.CreateStart
	w.busy = "creating " + w.vm.Name + "…"
	if customize {
		mode = libvirtx.CreateDefine
		w.busy = "defining " + w.vm.Name + "…"
	}
	plan, mgr, uri := w.plan, w.ctx.Mgr, w.uri
	return func() tea.Msg {
		ref, err := mgr.CreateVM(context.Background(), uri, plan, mode)
		return wizCreatedMsg{ref: ref, customize: customize, err: err}
	}
}

// osShown counts the database's OSes in the list (Generic is not one).
func (w *Page) osShown() int {
	if len(w.osList) > 0 && w.osList[0] == install.Generic {
		return len(w.osList) - 1
	}
	return len(w.osList)
}

// filterOS lists the OSes matching the search, keeping the chosen one
// under the cursor.
func (w *Page) filterOS() {
	w.osList = w.db.Search(w.osIn.Value(), 0)
	if strings.TrimSpace(w.osIn.Value()) == "" || strings.Contains("generic", strings.ToLower(strings.TrimSpace(w.osIn.Value()))) {
		w.osList = append([]*install.OSInfo{install.Generic}, w.osList...)
	}
	w.osCur = 0
	for i, o := range w.osList {
		if o == w.vm.OS || w.vm.OS == nil && o == install.Generic {
			w.osCur = i
		}
	}
}

func (w *Page) key(msg tea.KeyMsg) tea.Cmd {
	if w.busy != "" {
		if msg.String() == "ctrl+c" {
			return tea.Quit
		}
		return nil // one thing at a time
	}
	if w.host == nil {
		if msg.String() == "esc" {
			return common.Pop
		}
		return nil
	}
	if w.leaving {
		switch msg.String() {
		case "y", "Y":
			w.ctx.SetMsg("new VM cancelled", false)
			return common.Pop
		case "n", "N", "esc":
			w.leaving = false
		}
		return nil
	}
	switch msg.String() {
	case "ctrl+c":
		return tea.Quit
	case "esc":
		if w.page == 0 {
			if w.changed || w.form != nil && w.form.Dirty() {
				w.leaving = true // what was chosen is not thrown away without asking
				return nil
			}
			w.ctx.SetMsg("new VM cancelled", false)
			return common.Pop
		}
		w.advance(-1)
		return nil
	case "enter", "ctrl+n", "pgdown":
		if w.pageID() == "os" {
			w.pickOS()
		}
		return w.wizardNext()
	case "ctrl+p", "pgup":
		w.advance(-1)
		return nil
	}
	switch w.pageID() {
	case "os":
		switch msg.String() {
		case "up":
			w.osCur = max(w.osCur-1, 0)
		case "down":
			w.osCur = min(w.osCur+1, len(w.osList)-1)
		default:
			var cmd tea.Cmd
			w.osIn, cmd = w.osIn.Update(msg)
			w.filterOS()
			return cmd
		}
	case "review":
		switch msg.String() {
		case "c":
			return w.wizardCreate(true)
		case "x":
			w.showXML, w.scroll = !w.showXML, 0
		case "j", "down":
			w.scroll++
		case "k", "up":
			w.scroll = max(w.scroll-1, 0)
		}
	default:
		if w.form != nil {
			cmd := w.form.Update(msg)
			w.errs = nil
			if p := w.pageID(); p == "network" || p == "storage" || p == "method" {
				w.form.SetSuggest(w.suggestions())
			}
			return cmd
		}
	}
	return nil
}

// pickOS takes the OS under the cursor; a new OS re-derives the defaults
// that follow it (memory, vCPUs, disk size, chipset, firmware, TPM).
func (w *Page) pickOS() {
	if w.osCur < 0 || w.osCur >= len(w.osList) {
		return
	}
	o := w.osList[w.osCur]
	if o == install.Generic {
		o = nil
	}
	if o != w.vm.OS {
		w.vm.OS, w.osPick = o, true
		w.vm.Defaults(w.host, true)
	}
}

// fromTemplate hands the wizard over to the clone form of the template
// chosen, with the name typed.
func (w *Page) fromTemplate() tea.Cmd {
	if err := devices.ValidateDomainName(w.vm.Name); err != nil {
		w.errs = []string{"Name: " + err.Error()}
		return nil
	}
	for _, d := range w.ctx.VMs(w.uri) {
		if d.Name == w.template && d.Template {
			return clone.FromTemplate(w.ctx, d, w.vm.Name)
		}
	}
	w.errs = []string{"Template: choose one"}
	return nil
}
