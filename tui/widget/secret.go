package widget

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Secret asks what ssh or libvirt asks for a login (a password, a
// passphrase, a one-time code) with the typing masked, or a user name or
// one of ssh's yes/no questions in the clear.
type Secret struct {
	From   string // who asks: ssh, libvirt
	Prompt string
	Why    string // why it asks again ("ssh: Permission denied, …"), if it does
	input  textinput.Model
}

// NewSecret is a Secret ready for typing.
func NewSecret(from, prompt, why string, echo bool) *Secret {
	in := textinput.New()
	in.Prompt = "› "
	in.CharLimit = 1024
	in.Cursor.SetMode(cursor.CursorStatic)
	if !echo {
		in.EchoMode, in.EchoCharacter = textinput.EchoPassword, '•'
	}
	in.Focus()
	return &Secret{From: from, Prompt: strings.TrimSpace(prompt), Why: why, input: in}
}

// Key reads a key: done with ok and the text on enter, done without on
// esc; other keys edit the text.
func (s *Secret) Key(k tea.KeyMsg) (text string, ok, done bool, cmd tea.Cmd) {
	switch k.String() {
	case "enter":
		text = s.input.Value()
		s.input.SetValue("") // not kept once answered
		return text, true, true, nil
	case "esc":
		s.input.SetValue("")
		return "", false, true, nil
	}
	s.input, cmd = s.input.Update(k)
	return "", false, false, cmd
}

// View is the prompt and the field in a box at most w wide.
func (s *Secret) View(th *Theme, w int) string {
	inner := max(20, min(w-6, 76))
	var b strings.Builder
	b.WriteString(th.Title.Render(s.From+" asks") + "\n\n")
	if s.Why != "" {
		b.WriteString(lipgloss.NewStyle().Width(inner).Render(th.Error.Render(s.Why)) + "\n")
	}
	b.WriteString(lipgloss.NewStyle().Width(inner).Render(s.Prompt) + "\n\n")
	s.input.Width = inner - 3
	b.WriteString(s.input.View() + "\n\n")
	b.WriteString(th.Key.Render("enter") + " send   " + th.Key.Render("esc") + " cancel")
	return th.Box.Render(b.String())
}
