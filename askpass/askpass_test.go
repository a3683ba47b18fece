package askpass

import (
	"os"
	"path/filepath"
	"testing"
)

// The bridge's side of a conversation: what ask sees, what the client gets.
func TestBridgeAsksAndAnswers(t *testing.T) {
	var got []Request
	b, err := Start(func(r Request) Answer {
		got = append(got, r)
		switch {
		case r.Echo:
			return Answer{Text: "yes", OK: true}
		case r.Why != "":
			return Answer{} // declined
		}
		return Answer{Text: "s3cret", OK: true}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{SSHName, ClientName} {
		if target, err := os.Readlink(filepath.Join(b.dir, n)); err != nil || target == "" {
			t.Fatalf("%s: %q %v", n, target, err)
		}
	}
	if st, err := os.Stat(b.dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("the bridge's directory must be the user's only: %v %v", st.Mode(), err)
	}
	if b.SSH() != filepath.Join(b.dir, SSHName) {
		t.Fatalf("SSH() = %s", b.SSH())
	}

	pw := message{Prompt: "root@h's password: ", SSH: 4242}
	if a, err := askBridge(b.dir, pw); err != nil || a != (Answer{Text: "s3cret", OK: true}) {
		t.Fatalf("password: %+v %v", a, err)
	}
	// The same ssh asking again: it refused the answer.
	if a, err := askBridge(b.dir, pw); err != nil || a.OK {
		t.Fatalf("retry: %+v %v", a, err)
	}
	hostKey := message{Prompt: "Are you sure you want to continue connecting (yes/no/[fingerprint])? ", SSH: 4243}
	if a, err := askBridge(b.dir, hostKey); err != nil || a.Text != "yes" {
		t.Fatalf("host key: %+v %v", a, err)
	}
	want := []Request{
		{From: "ssh", Prompt: pw.Prompt},
		{From: "ssh", Prompt: pw.Prompt, Why: "ssh: Permission denied, please try again."},
		{From: "ssh", Prompt: hostKey.Prompt, Echo: true},
	}
	if len(got) != len(want) {
		t.Fatalf("asked %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	b.Close()
	if _, err := os.Stat(b.dir); !os.IsNotExist(err) {
		t.Fatalf("Close left %s: %v", b.dir, err)
	}
	if _, err := askBridge(b.dir, pw); err == nil {
		t.Fatal("a closed bridge answered")
	}
}
