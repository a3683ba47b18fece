package objpage

import (
	"context"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/tui/widget"
)

// A job is a long action on a page's object (an upload, a block commit):
// it runs off the UI, its progress comes back as messages through a
// channel, one read at a time, the message line shows it, and x cancels it.
// A page runs one job at a time.

// JobFunc runs a job: it reports progress as it goes (done of total, in
// bytes) and returns what it did.
type JobFunc func(ctx context.Context, progress func(done, total int64)) (string, error)

type job struct {
	what        string // "uploading disk.img → data.raw"
	uri         string
	done, total int64
	start       time.Time
	cancel      context.CancelFunc
	ch          chan tea.Msg
}

type startJob struct {
	owner     any
	what, uri string
	run       JobFunc
}

type jobProgress struct {
	j           *job
	done, total int64
}

type jobDone struct {
	j    *job
	text string
	err  error
}

// StartJob is the message that starts a job on this list's page (a form's
// save returns it); what says what runs.
func (l *List[T]) StartJob(what, uri string, run JobFunc) tea.Msg {
	return startJob{owner: l, what: what, uri: uri, run: run}
}

// Running tells whether a job runs.
func (l *List[T]) Running() bool { return l.job != nil }

func (j *job) wait() tea.Cmd { return func() tea.Msg { return <-j.ch } }

// jobMsg takes this list's job messages.
func (l *List[T]) jobMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case startJob:
		if msg.owner != any(l) {
			return nil, false
		}
		return l.begin(msg), true
	case jobProgress:
		if msg.j != l.job {
			return nil, false
		}
		l.job.done, l.job.total = msg.done, msg.total
		l.ctx.SetMsg(l.job.progressLine(), false) // on the message line: seen whatever is selected
		return l.job.wait(), true
	case jobDone:
		if msg.j != l.job {
			return nil, false
		}
		l.job = nil
		done := Done{Kind: l.kind, URI: msg.j.uri, Text: msg.text}
		if msg.err != nil {
			done.Text, done.Err = strings.Replace(msg.j.what, "ing ", " ", 1), msg.err
		}
		cmd, _ := l.Update(done)
		return cmd, true
	}
	return nil, false
}

func (l *List[T]) begin(s startJob) tea.Cmd {
	if l.job != nil {
		l.ctx.SetMsg(l.job.what+" is running: x cancels it", true)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{what: s.what, uri: s.uri, start: time.Now(), cancel: cancel, ch: make(chan tea.Msg, 1)}
	l.job = j
	l.ctx.SetMsg(j.what+"…", false)
	go func() {
		text, err := s.run(ctx, func(done, total int64) {
			select { // the newest is enough: never wait for the UI
			case j.ch <- jobProgress{j, done, total}:
			default:
			}
		})
		cancel()
		j.ch <- jobDone{j, text, err}
	}()
	return j.wait()
}

// jobKey: while a job runs, x cancels it and esc stays on the page.
func (l *List[T]) jobKey(msg tea.KeyMsg) bool {
	if l.job == nil {
		return false
	}
	switch msg.String() {
	case "x":
		l.job.cancel()
		l.ctx.SetMsg("cancelling…", false)
	case "esc":
		l.ctx.SetMsg(l.job.what+" is running: x cancels it", true)
	default:
		return false
	}
	return true
}

func (j *job) progressLine() string { return widget.Progress(j.what, j.done, j.total, j.start) }
