package hostdev

import (
	"kvmtui/tui/common"
	"kvmtui/tui/widget"

	"github.com/charmbracelet/bubbles/key"
)

// keys are the host devices view's bindings (opened with H or
// :hostdev); the help overlay lists them. Detach, Reattach and Attach change
// something and are left out on read-only connections.
type keys struct {
	widget.ListKeys
	Detach, Reattach, Attach key.Binding
	NextHost, Reload, Back   key.Binding
	PickAttach, PickCancel   key.Binding
	ConfirmYes, ConfirmNo    key.Binding
}

func newKeys() keys {
	return keys{
		ListKeys:   widget.NewListKeys(),
		Detach:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "detach from the host (to vfio-pci)")),
		Reattach:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reattach to the host")),
		Attach:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "attach to a VM")),
		NextHost:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next host")),
		Reload:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the VM list")),
		PickAttach: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "attach to this VM")),
		PickCancel: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "cancel")),
		ConfirmYes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		ConfirmNo:  key.NewBinding(key.WithKeys("n", "N", "esc", "q", "enter"), key.WithHelp("n/esc", "no")),
	}
}

// all lists every key of the view.
func (k keys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.Detach, k.Reattach, k.Attach, k.NextHost, k.Reload, k.Back}
}

// help lists the keys for the help overlay (moving is as in the list): on a
// read-only connection without those that change something.
func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.NextHost, k.Reload, k.Back}
	}
	return []key.Binding{k.Detach, k.Reattach, k.Attach, k.NextHost, k.Reload, k.Back}
}

// hints are the keys the bottom line offers.
func (k keys) hints(readOnly bool) []key.Binding { return k.help(readOnly) }

func init() { common.RegisterKeys("hostdev", func() any { return newKeys() }) }
