package tui

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/askpass"
	"kvmtui/tui/widget"
)

// SecretMsg is a login prompt of ssh's (from the askpass bridge) or of
// libvirt's (its credentials callback) for the user; exactly one Answer
// goes to Reply.
type SecretMsg struct {
	askpass.Request
	Reply chan<- askpass.Answer
}

// Logins brings ssh's and libvirt's login questions to the UI: Ask is
// what the askpass bridge and libvirt's credentials callback call, from
// their own goroutines; the root reads the questions (Options.Logins).
// Once End is called, what still waits is declined.
type Logins struct {
	ch    chan SecretMsg
	ended chan struct{}
	once  sync.Once
}

// NewLogins is a Logins for one run of the UI.
func NewLogins() *Logins { return &Logins{ch: make(chan SecretMsg), ended: make(chan struct{})} }

// Ask waits for the user's answer to r.
func (l *Logins) Ask(r askpass.Request) askpass.Answer {
	reply := make(chan askpass.Answer, 1)
	select {
	case l.ch <- SecretMsg{Request: r, Reply: reply}:
	case <-l.ended:
		return askpass.Answer{}
	}
	select {
	case a := <-reply:
		return a
	case <-l.ended:
		return askpass.Answer{}
	}
}

// End declines every question from now on: the UI is gone.
func (l *Logins) End() { l.once.Do(func() { close(l.ended) }) }

// wait is the command that brings the next question to Update.
func (l *Logins) wait() tea.Cmd {
	if l == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case q := <-l.ch:
			return q
		case <-l.ended:
			return nil
		}
	}
}

// secrets are the login prompts waiting for the user, the first one shown over
// everything else; a prompt the user cancelled is declined without asking
// until :connect (a reconnecting ssh would ask again at once).
type secrets struct {
	queue    []SecretMsg
	shown    *widget.Secret
	declined map[string]bool
}

func (s *secrets) open() bool { return len(s.queue) > 0 }

func (s *secrets) add(msg SecretMsg) {
	if s.declined[msg.Prompt] {
		msg.Reply <- askpass.Answer{}
		return
	}
	s.queue = append(s.queue, msg)
	if len(s.queue) == 1 { // else it waits: the shown one keeps what was typed
		s.showFirst()
	}
}

func (s *secrets) showFirst() {
	s.shown = nil
	if len(s.queue) > 0 {
		q := s.queue[0]
		s.shown = widget.NewSecret(q.From, q.Prompt, q.Why, q.Echo)
	}
}

// key answers the shown prompt on enter or esc; the status says what
// a cancel did.
func (s *secrets) key(k tea.KeyMsg) (cmd tea.Cmd, status string) {
	text, ok, done, cmd := s.shown.Key(k)
	if !done {
		return cmd, ""
	}
	q := s.queue[0]
	s.queue = s.queue[1:]
	q.Reply <- askpass.Answer{Text: text, OK: ok}
	if !ok {
		if s.declined == nil {
			s.declined = map[string]bool{}
		}
		s.declined[q.Prompt] = true
		status = "cancelled " + q.From + "'s prompt; :connect URI asks again"
	}
	s.showFirst()
	return nil, status
}

// forget lets cancelled prompts be asked again (:connect).
func (s *secrets) forget() { s.declined = nil }

// close declines every waiting prompt: kvmtui is ending.
func (s *secrets) close() {
	for _, q := range s.queue {
		q.Reply <- askpass.Answer{}
	}
	s.queue, s.shown = nil, nil
}
