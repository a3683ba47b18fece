package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/askpass"
	"kvmtui/tui/widget"
)

// Login prompts queue behind the one shown, which keeps what was typed; a
// cancelled prompt is declined without showing until :connect forgets.
func TestSecretsQueueDeclineForget(t *testing.T) {
	var s secrets
	ask := func(prompt string) chan askpass.Answer {
		r := make(chan askpass.Answer, 1)
		s.add(SecretMsg{Request: askpass.Request{From: "ssh", Prompt: prompt}, Reply: r})
		return r
	}
	typ := func(text string) {
		for _, r := range text {
			s.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
	a := ask("a's password:")
	typ("se")
	b := ask("b's password:") // arrives while a is being answered
	typ("cret")
	if v := s.shown.View(widget.NewTheme(), 80); !strings.Contains(v, "a's password:") || strings.Contains(v, "secret") {
		t.Fatalf("shown:\n%s", v)
	}
	s.key(tea.KeyMsg{Type: tea.KeyEnter})
	if got := <-a; got != (askpass.Answer{Text: "secret", OK: true}) {
		t.Fatalf("a answered %+v", got)
	}
	if !s.open() || s.shown.Prompt != "b's password:" {
		t.Fatalf("b is not shown next: %+v", s.shown)
	}
	if _, status := s.key(tea.KeyMsg{Type: tea.KeyEsc}); status == "" {
		t.Fatal("a cancel says nothing")
	}
	if got := <-b; got.OK || s.open() {
		t.Fatalf("b answered %+v, open %v", got, s.open())
	}
	if got := <-ask("b's password:"); got.OK || s.open() {
		t.Fatalf("a declined prompt was shown again: %+v", got)
	}
	s.forget()
	c := ask("b's password:")
	if !s.open() {
		t.Fatal("after forget the prompt is not shown")
	}
	s.close()
	if got := <-c; got.OK || s.open() {
		t.Fatalf("close answered %+v", got)
	}
}
