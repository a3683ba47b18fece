// Package agent is a VM's guest agent page (:agent [VM], i on the list and
// in the details): what qemu-ga inside the guest says (OS, kernel,
// hostname, timezone, users, file systems with their use, interfaces with
// their addresses), and what it does: freeze and thaw the file systems,
// trim them, set the clock, set a user's password, shut down or reboot.
package agent

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"agent", "guest"},
		Usage: "agent [VM]",
		Desc:  "what the guest agent says, and actions inside the guest",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Guest agent (:agent VM, i)", Keys: common.Bind(ctx, "agent", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

type keys struct {
	Refresh, Freeze, Thaw, Trim, Clock, Password, Shutdown, Reboot, AddChannel, VCPUs, Back key.Binding
}

func newKeys() keys {
	return keys{
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "ask the agent again")),
		Freeze:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freeze the file systems (asks)")),
		Thaw:       key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "thaw the file systems")),
		Trim:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "fstrim: free unused blocks")),
		Clock:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "set the guest clock from the host")),
		Password:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "set a user's password")),
		Shutdown:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "shut down through the agent (asks)")),
		Reboot:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reboot through the agent (asks)")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		AddChannel: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add the agent channel to the VM")),
		VCPUs:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "vCPUs online inside the guest")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Refresh, k.Back}
	}
	return []key.Binding{k.Refresh, k.Freeze, k.Thaw, k.Trim, k.Clock, k.Password, k.Shutdown, k.Reboot, k.AddChannel, k.VCPUs, k.Back}
}

// Page is one VM's guest agent.
type Page struct {
	ctx     *common.Context
	keys    keys
	dom     libvirtx.Domain
	info    *libvirtx.AgentInfo
	err     string
	loading bool
}

type infoMsg struct {
	uuid string
	info libvirtx.AgentInfo
	err  error
}

type actedMsg struct {
	uuid string
	act  libvirtx.AgentAction
	text string
	err  error
}

// Open opens the agent page of the named VM, else of the selected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 1 {
		return nil, nil, errors.New("usage: agent [VM]")
	}
	doms, err := ctx.Resolve(args)
	if err != nil {
		return nil, nil, fmt.Errorf("agent: %v", err)
	}
	p := &Page{ctx: ctx, keys: common.Bind(ctx, "agent", newKeys()), dom: doms[0]}
	return p, p.load(), nil
}

func (p *Page) load() tea.Cmd {
	p.loading = true
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	return func() tea.Msg {
		a, err := mgr.AgentInfo(ref)
		return infoMsg{uuid: ref.UUID, info: a, err: err}
	}
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Guest agent of " + p.dom.Name }

// Update takes the agent's answers, keys and the VM's events.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case infoMsg:
		if msg.uuid == p.dom.UUID {
			p.loading = false
			p.err, p.info = "", &msg.info
			if msg.err != nil {
				p.err, p.info = msg.err.Error(), nil
			}
		}
	case actedMsg:
		if msg.uuid != p.dom.UUID {
			return nil
		}
		if msg.err != nil {
			p.ctx.SetMsg(string(msg.act)+": "+msg.err.Error(), true)
			return nil
		}
		if msg.act == libvirtx.AgentFreeze || msg.act == libvirtx.AgentThaw {
			p.ctx.SetFrozen(p.dom.Ref, msg.act == libvirtx.AgentFreeze)
		}
		p.ctx.SetMsg(msg.text, false)
		return p.load()
	case common.EventsMsg:
		if was := p.dom.State.Active(); common.Follow(msg, &p.dom) && was != p.dom.State.Active() {
			p.ctx.SetFrozen(p.dom.Ref, false) // started or stopped: nothing stays frozen
			return p.load()
		}
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.Refresh):
		return p.load()
	case !key.Matches(msg, k.Freeze, k.Thaw, k.Trim, k.Clock, k.Password, k.Shutdown, k.Reboot, k.AddChannel, k.VCPUs):
		return nil
	case p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.AddChannel):
		mgr, ref := p.ctx.Mgr, p.dom.Ref
		return func() tea.Msg {
			a, err := mgr.AddAgentChannel(ref)
			return actedMsg{uuid: ref.UUID, act: "add the agent channel", err: err,
				text: "added the guest agent channel (" + a.String() + "); the guest needs qemu-guest-agent installed and running"}
		}
	case key.Matches(msg, k.Freeze):
		return common.Ask("Freeze the file systems of "+p.dom.Name+"? Its writes wait until you thaw them (T).", p.act(libvirtx.AgentFreeze))
	case key.Matches(msg, k.Thaw):
		return p.act(libvirtx.AgentThaw)
	case key.Matches(msg, k.Trim):
		return p.act(libvirtx.AgentTrim)
	case key.Matches(msg, k.Clock):
		return p.act(libvirtx.AgentSetTime)
	case key.Matches(msg, k.Shutdown):
		return common.Ask("Shut "+p.dom.Name+" down through its guest agent?", p.act(libvirtx.AgentShutdown))
	case key.Matches(msg, k.Reboot):
		return common.Ask("Reboot "+p.dom.Name+" through its guest agent?", p.act(libvirtx.AgentReboot))
	case key.Matches(msg, k.Password):
		return p.passwordForm()
	case key.Matches(msg, k.VCPUs):
		return p.vcpuForm()
	}
	return nil
}

func (p *Page) act(a libvirtx.AgentAction) tea.Cmd {
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	return func() tea.Msg {
		text, err := mgr.Agent(ref, a)
		return actedMsg{uuid: ref.UUID, act: a, text: text, err: err}
	}
}

// passForm asks a user and a password, twice; the password is never shown.
type passForm struct {
	User string
	Pass [2]string
}

func (f *passForm) Fields() []devices.Field {
	return []devices.Field{
		{Name: "user", Label: "User", Type: devices.TypeText, Help: "a user of the guest, like root"},
		{Name: "pass", Label: "Password", Type: devices.TypePassword, Help: "the new password"},
		{Name: "pass2", Label: "Again", Type: devices.TypePassword, Help: "the same, to be sure"},
	}
}

func (f *passForm) Get(name string) string {
	switch name {
	case "user":
		return f.User
	case "pass":
		return f.Pass[0]
	}
	return f.Pass[1]
}

func (f *passForm) Set(name, v string) error {
	switch name {
	case "user":
		v = strings.TrimSpace(v)
		if v == "" || strings.ContainsAny(v, ": ") {
			return errors.New("a user name of the guest")
		}
		f.User = v
	case "pass":
		f.Pass[0] = v
	case "pass2":
		f.Pass[1] = v
	}
	return nil
}

func (p *Page) passwordForm() tea.Cmd {
	f := &passForm{User: "root"}
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	note := "Set a password inside " + ref.Name + " through its guest agent: ctrl+s sets it."
	pg := formpage.New(p.ctx, "Password", note, form.New(f, nil), func() tea.Cmd {
		user, pass := f.User, f.Pass
		return func() tea.Msg {
			if pass[0] != pass[1] {
				return formpage.Saved{Err: errors.New("the two passwords differ")}
			}
			if err := mgr.SetUserPassword(ref, user, pass[0]); err != nil {
				return formpage.Saved{Err: err}
			}
			return formpage.Saved{Text: "set the password of " + user + " in " + ref.Name}
		}
	})
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}

func (p *Page) vcpuForm() tea.Cmd {
	if p.info == nil || p.info.VCPUs == 0 {
		p.ctx.SetMsg("the agent has not said how many vCPUs the guest has: r asks again", true)
		return nil
	}
	most := p.info.VCPUs
	f := &formpage.Value{Field: devices.Field{Name: "n", Label: "Online", Type: devices.TypeNumber,
		Help: fmt.Sprintf("the guest's first N vCPUs online, the others offline (1 to %d)", most)},
		Text: strconv.Itoa(p.info.Online), Check: func(v string) error {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > most {
				return fmt.Errorf("from 1 to %d", most)
			}
			return nil
		}}
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	note := "vCPUs online inside " + ref.Name + " (the VM keeps them all): ctrl+s sets it."
	pg := formpage.New(p.ctx, "vCPUs", note, form.New(f, nil), func() tea.Cmd {
		n, _ := strconv.Atoi(f.Text)
		return func() tea.Msg {
			if err := mgr.SetOnlineVCPUs(ref, n); err != nil {
				return formpage.Saved{Err: err}
			}
			done := actedMsg{uuid: ref.UUID, act: "vcpus", text: fmt.Sprintf("%s has %d vCPUs online", ref.Name, n)}
			return formpage.Saved{Text: done.text, Then: func() tea.Msg { return done }}
		}
	})
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}

// View lists what the agent said, or why it said nothing.
func (p *Page) View() string {
	th, w := p.ctx.Theme, p.ctx.Width
	var lines []string
	add := func(label, v string) {
		lines = append(lines, widget.Fit(fmt.Sprintf("  %-12s %s", label, v), w))
	}
	if p.ctx.IsFrozen(p.dom.Ref) {
		lines = append(lines, th.Error.Render(widget.Fit("  FILE SYSTEMS FROZEN: the guest's writes wait; T thaws them", w)))
	}
	switch {
	case p.info == nil && p.loading:
		lines = append(lines, th.Dim.Render("  asking the guest agent of "+p.dom.Name+"…"))
	case p.info == nil:
		lines = append(lines, th.Error.Render(widget.Fit("  "+p.err, w)))
		switch {
		case strings.Contains(p.err, "no guest agent channel"):
			lines = append(lines, widget.Fit("  a adds the channel; then install qemu-guest-agent in the guest.", w))
		case !strings.Contains(p.err, "not running") && !strings.Contains(p.err, "not supported"):
			lines = append(lines, widget.Fit("  Is qemu-guest-agent installed and running in the guest? r asks again.", w))
		}
	default:
		a := p.info
		lines = append(lines, th.Title.Render("Guest"))
		add("OS", a.OS+widget.Choose(a.OSID != "", " ("+a.OSID+")", ""))
		add("kernel", a.Kernel+" "+a.Machine)
		add("hostname", a.Hostname)
		add("timezone", a.Timezone)
		add("vCPUs", fmt.Sprintf("%d of %d online", a.Online, a.VCPUs))
		lines = append(lines, th.Title.Render(fmt.Sprintf("Users (%d)", len(a.Users))))
		for _, u := range a.Users {
			add(u.Name, "since "+u.Since.Format("2006-01-02 15:04")+widget.Choose(u.Domain != "", " ("+u.Domain+")", ""))
		}
		lines = append(lines, th.Title.Render(fmt.Sprintf("File systems (%d)", len(a.FileSystems))))
		for _, f := range a.FileSystems {
			add(f.Mount, fmt.Sprintf("%-6s %s %s of %s  %s", f.Type, widget.UsageBar(f.Used, f.Total), devices.ApproxSize(f.Used), devices.ApproxSize(f.Total), strings.Join(f.Disks, " ")))
		}
		lines = append(lines, th.Title.Render(fmt.Sprintf("Interfaces (%d)", len(a.Interfaces))))
		for _, i := range a.Interfaces {
			add(i.Name, i.MAC+"  "+strings.Join(i.Addrs, " "))
		}
	}
	h := p.ctx.BodyHeight()
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k := p.keys
	words := []widget.Hint{{Key: k.Refresh, Word: "refresh"}}
	if !p.ctx.ReadOnly() {
		freeze := widget.Hint{Key: k.Freeze, Word: "freeze"}
		if p.ctx.IsFrozen(p.dom.Ref) {
			freeze = widget.Hint{Key: k.Thaw, Word: "thaw"}
		}
		words = append(words, freeze, widget.Hint{Key: k.Trim, Word: "trim"}, widget.Hint{Key: k.Clock, Word: "clock"},
			widget.Hint{Key: k.Password, Word: "password"}, widget.Hint{Key: k.Shutdown, Word: "shutdown"})
	}
	words = append(words, widget.Hint{Key: k.Back, Word: "back"}, widget.Hint{Key: p.ctx.Keys.Help, Word: "help"})
	return widget.WordHints(p.ctx.Theme, p.ctx.Width, words...)
}

func init() { common.RegisterKeys("agent", func() any { return newKeys() }) }
