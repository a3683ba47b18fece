package tui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// The ":" command line: the root's own words, the registry's pages and
// commands, and the words of the pages that have commands (the VM list's
// lifecycle words), tried from the top page down.

// rootHelp is the root's part of the command reference.
var rootHelp = [][2]string{
	{"connect URI / disconnect URI", "add or remove a connection"},
	{"interval SECONDS", "stats interval (at least 1)"},
	{"help", "this help"},
	{"quit", "leave kvmtui"},
}

var rootWords = []string{"connect", "disconnect", "interval", "help", "quit"}

// commanders are the pages with commands of their own, top first.
func (m *Model) commanders() []common.Commander {
	var out []common.Commander
	for i := len(m.stack) - 1; i >= 0; i-- {
		if c, ok := m.stack[i].(common.Commander); ok {
			out = append(out, c)
		}
	}
	return out
}

func (m *Model) startCommand(text string) {
	m.over = overlayCommand
	m.input.Prompt = ":"
	m.input.SetValue(text)
	m.input.CursorEnd()
	m.input.Focus()
	m.input.SetSuggestions(m.suggestions(text))
	m.ctx.SetMsg("", false)
}

func (m *Model) commandKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc, tea.KeyEnter:
		line := m.input.Value()
		m.over = noOverlay
		m.input.Blur()
		m.input.SetSuggestions(nil)
		if msg.Type == tea.KeyEnter {
			return m.runCommand(line)
		}
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.input.SetSuggestions(m.suggestions(m.input.Value()))
	return cmd
}

// suggestions completes the command word, then its arguments.
func (m *Model) suggestions(line string) []string {
	fields := strings.Fields(line)
	var opts []string
	if len(fields) == 0 || (len(fields) == 1 && !strings.HasSuffix(line, " ")) {
		opts = append(opts, rootWords...)
		for _, e := range common.Entries() {
			opts = append(opts, e.Words...)
		}
		for _, c := range m.commanders() {
			opts = append(opts, c.Complete("", nil)...)
		}
		sort.Strings(opts)
		return opts
	}
	prefix := strings.Join(fields[:len(fields)-1], " ") + " "
	if strings.HasSuffix(line, " ") {
		prefix = strings.Join(fields, " ") + " "
	}
	switch e, ok := common.Lookup(fields[0]); {
	case fields[0] == "disconnect":
		opts = m.mgr.URIs()
	case fields[0] == "connect": // the configuration's saved connections not open
		for _, u := range m.ctx.Config.Connect {
			if !slices.Contains(m.mgr.URIs(), u) {
				opts = append(opts, u)
			}
		}
	case ok && e.Args != nil:
		opts = e.Args(m.ctx)
	case !ok:
		for _, c := range m.commanders() {
			opts = append(opts, c.Complete(fields[0], fields[1:])...)
		}
	}
	sort.Strings(opts)
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = prefix + o
	}
	return out
}

// runCommand executes one command line.
func (m *Model) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	word, args := fields[0], fields[1:]
	fail := func(format string, a ...any) tea.Cmd {
		m.ctx.SetMsg(fmt.Sprintf(format, a...), true)
		return nil
	}
	switch word {
	case "q", "quit", "exit":
		return tea.Quit
	case "help":
		m.over = overlayHelp
	case "connect":
		if len(args) != 1 {
			return fail("usage: connect URI (e.g. qemu+ssh://root@host/system)")
		}
		m.secrets.forget()
		if err := m.mgr.Add(args[0]); err != nil {
			return fail("connect: %v", err)
		}
		m.ctx.Track(args[0])
		m.ctx.SetMsg("connecting to "+args[0]+"…", false)
	case "disconnect":
		if len(args) != 1 {
			return fail("usage: disconnect URI")
		}
		if err := m.mgr.Remove(args[0]); err != nil {
			return fail("disconnect: %v", err)
		}
		m.ctx.Forget(args[0])
		m.ctx.SetMsg("disconnected from "+args[0], false)
		// The pages drop its VMs as they would for a lost connection.
		return m.ApplyEvents(common.EventsMsg{libvirtx.ConnEvent{URI: args[0], Status: libvirtx.Closed}})
	case "interval":
		if len(args) != 1 {
			return fail("usage: interval SECONDS")
		}
		secs, err := strconv.ParseFloat(args[0], 64)
		if err != nil || secs < common.MinInterval.Seconds() {
			return fail("interval %q: expected a number of seconds, at least %v", args[0], common.MinInterval.Seconds())
		}
		m.ctx.Interval = time.Duration(secs * float64(time.Second))
		m.ctx.SetMsg(fmt.Sprintf("stats every %v", m.ctx.Interval), false)
	default:
		if _, ok := common.Lookup(word); ok {
			return m.open(word, args)
		}
		for _, c := range m.commanders() {
			if cmd, ok := c.Command(word, args); ok {
				return cmd
			}
		}
		return fail("unknown command %q: press ? for the list", word)
	}
	return nil
}
