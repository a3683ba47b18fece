// Package askpass answers ssh's prompts from inside kvmtui. libvirt reaches
// a qemu+ssh:// host through the ssh program, which asks for passwords,
// passphrases, one-time codes and host-key confirmations on the terminal:
// the one the UI draws on. With a Bridge running, libvirt runs kvmtui as
// its ssh (the URI's command= parameter; see libvirtx.UseSSH), which runs
// the real ssh with kvmtui as its SSH_ASKPASS program; that hands each
// prompt over a private Unix socket to the UI, which asks the user and
// sends the answer back. Answers are never logged or kept.
package askpass

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// The names kvmtui runs under for ssh: symbolic links to it in the
// bridge's private directory, next to the socket.
const (
	SSHName    = "kvmtui-ssh"     // libvirt's ssh: runs the real one
	ClientName = "kvmtui-askpass" // ssh's SSH_ASKPASS: asks the bridge
)

// Request is one login prompt, ssh's or libvirt's.
type Request struct {
	From   string // who asks: "ssh", or "libvirt" for its own logins
	Prompt string // as its asker words it: "user@host's password: "
	Echo   bool   // a yes/no question (an unknown host key), not a secret
	Why    string // why it asks again, when it does: "ssh: Permission denied, please try again."
}

// Answer is the user's reply; OK false when they declined.
type Answer struct {
	Text string
	OK   bool
}

// message is what the client sends: the prompt and its ssh's PID (a
// second prompt from one ssh is a retry).
type message struct {
	Prompt string
	SSH    int
}

// Bridge serves the prompts of every ssh kvmtui's libvirt connections run.
type Bridge struct {
	dir  string
	ln   net.Listener
	ask  func(Request) Answer
	mu   sync.Mutex
	seen map[message]bool
}

// Start makes ssh ask through ask (called on its own goroutine, one call
// per prompt, maybe several at once) until Close.
func Start(ask func(Request) Answer) (*Bridge, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("askpass: %v", err)
	}
	dir, err := os.MkdirTemp("", "kvmtui-askpass-") // mode 0700: this user's only
	if err != nil {
		return nil, fmt.Errorf("askpass: %v", err)
	}
	for _, n := range []string{SSHName, ClientName} {
		if err := os.Symlink(exe, filepath.Join(dir, n)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("askpass: %v", err)
		}
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("askpass: %v", err)
	}
	b := &Bridge{dir: dir, ln: ln, ask: ask, seen: map[message]bool{}}
	go b.serve()
	return b, nil
}

// SSH is the program for libvirt to run as ssh.
func (b *Bridge) SSH() string { return filepath.Join(b.dir, SSHName) }

// Client is the SSH_ASKPASS program for an ssh kvmtui runs itself.
func (b *Bridge) Client() string { return filepath.Join(b.dir, ClientName) }

// Close stops answering: an ssh still asking gets no answer and fails.
func (b *Bridge) Close() {
	b.ln.Close()
	os.RemoveAll(b.dir)
}

func (b *Bridge) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		go b.answer(c)
	}
}

func (b *Bridge) answer(c net.Conn) {
	defer c.Close()
	var m message
	if err := json.NewDecoder(io.LimitReader(c, 64<<10)).Decode(&m); err != nil {
		return
	}
	b.mu.Lock()
	retry := b.seen[m]
	b.seen[m] = true
	b.mu.Unlock()
	r := Request{From: "ssh", Prompt: m.Prompt, Echo: isQuestion(m.Prompt)}
	if retry { // the same ssh asks again: it refused the answer (ssh's words)
		r.Why = "ssh: Permission denied, please try again."
	}
	a := b.ask(r)
	json.NewEncoder(c).Encode(a)
}

// isQuestion tells ssh's yes/no questions (an unknown host key) from its
// requests for secrets.
func isQuestion(prompt string) bool { return strings.Contains(prompt, "(yes/no") }

// Role is what this process was started as: SSHName, ClientName, or ""
// for kvmtui itself.
func Role() string {
	switch n := filepath.Base(os.Args[0]); n {
	case SSHName, ClientName:
		return n
	}
	return ""
}

// SSH is kvmtui run by libvirt as its ssh: it becomes the real ssh, told
// to ask every question through the askpass client next to it. (libvirt
// passes ssh only a few environment variables, SSH_ASKPASS_REQUIRE not
// among them: without it ssh asks on the terminal.)
func SSH(args []string) int {
	ssh, err := exec.LookPath("ssh")
	if err != nil {
		fmt.Fprintf(os.Stderr, "kvmtui: no ssh client: %v\n", err)
		return 1
	}
	env := append(os.Environ(), "SSH_ASKPASS="+filepath.Join(filepath.Dir(os.Args[0]), ClientName), "SSH_ASKPASS_REQUIRE=force")
	err = syscall.Exec(ssh, append([]string{"ssh"}, args...), env)
	fmt.Fprintf(os.Stderr, "kvmtui: running %s: %v\n", ssh, err)
	return 1
}

// Client is kvmtui run by ssh as SSH_ASKPASS with the prompt as its
// argument: it asks the bridge next to it and prints the answer for ssh.
// The exit status is ssh's answer too: 1 means declined.
func Client(args []string, out io.Writer) int {
	a, err := askBridge(filepath.Dir(os.Args[0]), message{Prompt: strings.Join(args, " "), SSH: os.Getppid()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "kvmtui askpass: %v\n", err)
		return 1
	}
	if !a.OK {
		return 1
	}
	fmt.Fprintln(out, a.Text)
	return 0
}

// askBridge sends m to the bridge whose directory is dir and waits for
// the answer.
func askBridge(dir string, m message) (Answer, error) {
	var a Answer
	c, err := net.Dial("unix", filepath.Join(dir, "sock"))
	if err != nil {
		return a, fmt.Errorf("kvmtui is not there to ask: %v", err)
	}
	defer c.Close()
	if err := json.NewEncoder(c).Encode(m); err != nil {
		return a, err
	}
	err = json.NewDecoder(c).Decode(&a)
	return a, err
}
