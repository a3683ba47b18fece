package common

import (
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// Page is one screen on the root's stack. The root hands it the keys while
// it is on top (but for ctrl+c, ? and :, unless it captures them) and every
// other message whatever its place, so a page below the top stays current.
type Page interface {
	Update(msg tea.Msg) tea.Cmd
	// View draws the body: Context.Width by Context.BodyHeight() cells.
	View() string
	// Title is the page's crumb in the title line ("Host devices: system").
	Title() string
	// Hints is the bottom line: the keys that matter now.
	Hints() string
}

// Capturer is a page that sometimes takes every key itself: a question, a
// picker, a text field.
type Capturer interface {
	Capturing() bool
}

// EventsMsg carries a batch of libvirt events; the root applies it to the
// Context first, then hands it to every page.
type EventsMsg []libvirtx.Event

// PopMsg asks the root to close the top page.
type PopMsg struct{}

// Pop is the command a page returns to close itself (esc).
func Pop() tea.Msg { return PopMsg{} }

// OpenMsg asks the root to open a registered page, as ":word args" would.
type OpenMsg struct {
	Word string
	Args []string
}

// Open is the command that opens a registered page.
func Open(word string, args ...string) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Word: word, Args: args} }
}

// Entry is one page kind in the registry: what opens it from the command
// line, how it is described in the help, and how it is built.
type Entry struct {
	Words []string // ":word" that open it; the first is its name
	Usage string   // e.g. "hostdev [URI]"
	Desc  string
	// Args completes the words after the command word; nil offers none.
	Args func(ctx *Context) []string
	// Open builds the page for the arguments, or says what is wrong with
	// them; the command runs when the page is pushed.
	Open func(ctx *Context, args []string) (Page, tea.Cmd, error)
	// Help is the page's keys for the ? overlay, from its key map.
	Help func(ctx *Context) []widget.Section
	// Root marks the bottom page (the VM list): ":word" closes the pages
	// over it instead of opening another.
	Root bool
	// Run makes the entry a command that opens no page (:threshold).
	Run func(ctx *Context, args []string) tea.Cmd
}

var registry []Entry

// Register adds a page kind; page packages call it from init, and the
// program imports them (cmd/pages.go).
func Register(e Entry) {
	registry = append(registry, e)
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].Words[0] < registry[j].Words[0] })
}

// Lookup finds the page kind a command word opens.
func Lookup(word string) (Entry, bool) {
	for _, e := range registry {
		for _, w := range e.Words {
			if w == word {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// Entries lists every registered page kind by name.
func Entries() []Entry { return registry }

// TickMsg is the stats timer firing: the root sweeps, then hands the
// samples on.
type TickMsg time.Time

// PushMsg asks the root to push a page built outside the registry (by a
// command that first read what the page shows), then run Cmd.
type PushMsg struct {
	Page Page
	Cmd  tea.Cmd
}

// StatusMsg puts a line on the message line from a command.
type StatusMsg struct {
	Text string
	Err  bool
}

// DefinedMsg says kvmtui redefined an object (a raw XML edit): a page
// showing it reloads.
type DefinedMsg struct {
	URI  string
	Kind libvirtx.ObjectKind
	ID   string // domain UUID, network or pool name
}

// ReplaceMsg asks the root to put Page in place of the top page (the
// wizard hands over to the new VM's details), then run Cmd.
type ReplaceMsg struct {
	Page Page
	Cmd  tea.Cmd
}

// ConfirmMsg asks the root to put a y/N question over the screen; y runs
// its command.
type ConfirmMsg struct{ widget.Confirm }

// Ask is the command that puts a y/N question over the screen.
func Ask(prompt string, run tea.Cmd) tea.Cmd {
	return func() tea.Msg { return ConfirmMsg{Confirm: widget.Confirm{Prompt: prompt, Run: run}} }
}

// Follow keeps a page's copy of its VM current with the batch's events;
// it tells whether the VM changed.
func Follow(evs EventsMsg, dom *libvirtx.Domain) bool {
	changed := false
	for _, e := range evs {
		if d, ok := e.(libvirtx.DomainEvent); ok && d.UUID == dom.UUID && !d.Gone {
			*dom, changed = d.Domain, true
		}
	}
	return changed
}

// CommandLineMsg opens the ":" line with Text typed (t in the performance
// view types "threshold ").
type CommandLineMsg struct{ Text string }

// RunMsg runs a command line as if typed after ":".
type RunMsg struct{ Line string }

// Run is the command that runs a command line.
func Run(line string) tea.Cmd { return func() tea.Msg { return RunMsg{Line: line} } }

// Commander is a page with ":" commands of its own (the VM list's
// lifecycle words, sort, filter…). The root offers a word no registered
// page has to the pages from the top down.
type Commander interface {
	// Command runs a command; ok is false for a word it does not know.
	Command(word string, args []string) (cmd tea.Cmd, ok bool)
	// Complete offers the next words of a command line ("" word: the
	// command words themselves).
	Complete(word string, args []string) []string
	// CommandHelp is the commands' reference for the help overlay.
	CommandHelp() [][2]string
}

// Statuser is a page with a status for the right of the title line (the
// list's counts); the topmost one that has one shows it.
type Statuser interface{ Status() string }

// Helper is a page with help sections beyond its registry entry's (the
// list's keys).
type Helper interface{ Help() []widget.Section }

// Closer is a page holding something to end when kvmtui exits (consoles).
type Closer interface{ Close() }

// PerfChangedMsg says the thresholds or chart settings changed: what
// draws from them redraws.
type PerfChangedMsg struct{}

// StreamedMsg is one message of a command that reports as it goes (a
// clone's progress, then its outcome): the root handles Msg, then runs
// Next for the one after.
type StreamedMsg struct {
	Msg  tea.Msg
	Next tea.Cmd
}

// Stream feeds what a long command sends on ch to the program, one
// message at a time, until ch is closed.
func Stream(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return StreamedMsg{Msg: msg, Next: Stream(ch)}
	}
}
