package termimg

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// A terminal on a pty answers Detect's query as the terminal named would.
func TestDetectAsksTheTerminal(t *testing.T) {
	for _, c := range []struct {
		name, answer string
		tmux         bool
		want         Graphics
	}{
		{"kitty", "\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[6;20;10t\x1b[?62;22c", false, Graphics{Protocol: KittyImage, KittyEdits: true, CellW: 10, CellH: 20}},
		{"kitty before placeholders", "\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;22c", false, Graphics{Protocol: KittyImage, KittyEdits: true, KittyDirect: true}},
		{"kitty before edits", "\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.19.3)\x1b\\\x1b[?62;22c", false, Graphics{}},
		{"Ghostty", "\x1b_Gi=31;OK\x1b\\\x1bP>|ghostty 1.1.3\x1b\\\x1b[?62;22c", false, Graphics{Protocol: KittyImage}}, // whole pictures only
		{"WezTerm", "\x1b_Gi=31;OK\x1b\\\x1bP>|WezTerm 20240203-110809-5046fc22\x1b\\\x1b[?65;4;6;18;22c", false, Graphics{Protocol: SixelImage}},
		{"xterm -ti vt340", "\x1b[6;17;9t\x1b[?63;1;2;4;6;9;15;16;22;28;29c", false, Graphics{Protocol: SixelImage, CellW: 9, CellH: 17}},
		{"a VT100", "\x1b[?1;2c", false, Graphics{}},
		{"tmux without sixel", "\x1b[?1;2c", true, Graphics{}},
		{"silent", "", false, Graphics{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ptm, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer ptm.Close()
			defer tty.Close()
			env := map[string]string{"TERM": "xterm-256color"}
			if c.tmux {
				env["TMUX"], env["TMUX_PANE"] = "/nonexistent/socket,1,0", "%999" // no server: no passthrough
			}
			got := make(chan Graphics, 1)
			start := time.Now()
			go func() {
				g, err := Detect(tty, func(k string) string { return env[k] }, 2*time.Second)
				if err != nil {
					t.Error(err)
				}
				got <- g
			}()
			buf := make([]byte, 512)
			n, err := ptm.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			q := string(buf[:n])
			if !strings.HasSuffix(q, "\x1b[c") || strings.Contains(q, "\x1b_G") == c.tmux {
				t.Fatalf("query %q (in tmux: %v)", q, c.tmux)
			}
			ptm.WriteString(c.answer)
			g := <-got
			if g != c.want {
				t.Errorf("Detect = %+v, want %+v", g, c.want)
			}
			if c.answer != "" && time.Since(start) > time.Second {
				t.Errorf("Detect waited %v for an answer that had come", time.Since(start))
			}
		})
	}
}

// KVMTUI_GRAPHICS decides without a question (kitty's edits where TERM
// says kitty); a wrong value says what is right.
func TestDetectOverride(t *testing.T) {
	for v, want := range map[string]Graphics{
		"blocks": {}, "sixel": {Protocol: SixelImage}, "kitty": {Protocol: KittyImage},
	} {
		g, err := Detect(nil, func(k string) string { return map[string]string{EnvVar: v}[k] }, time.Second)
		if err != nil || g != want {
			t.Errorf("%s: %+v, %v", v, g, err)
		}
	}
	g, err := Detect(nil, func(k string) string { return map[string]string{EnvVar: "kitty", "TERM": "xterm-kitty"}[k] }, time.Second)
	if err != nil || !g.KittyEdits {
		t.Errorf("kitty in kitty: %+v, %v (want edits)", g, err)
	}
	g, err = Detect(os.Stdin, func(k string) string { return map[string]string{EnvVar: "kitty", "TMUX": "x"}[k] }, time.Second)
	if err != nil || !g.Tmux {
		t.Errorf("kitty in tmux: %+v, %v (want passthrough)", g, err)
	}
	if _, err := Detect(nil, func(k string) string { return map[string]string{EnvVar: "iterm"}[k] }, time.Second); err == nil || !strings.Contains(err.Error(), "want blocks, sixel or kitty") {
		t.Errorf("a wrong value: %v", err)
	}
}

// In tmux, kitty graphics pass through when allow-passthrough is on and
// the terminal tmux runs in is kitty: a tmux server of the test's own,
// its client attached from a pty whose TERM is xterm-kitty (a terminfo
// entry made from xterm-256color's).
func TestTmuxPassesKitty(t *testing.T) {
	for _, tool := range []string{"tmux", "tic", "infocmp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (make test installs tmux and ncurses-bin)", tool)
		}
	}
	dir := t.TempDir()
	src, err := exec.Command("infocmp", "-x", "xterm-256color").Output()
	if err != nil {
		t.Fatal(err)
	}
	tic := exec.Command("tic", "-x", "-o", dir, "-")
	tic.Stdin = strings.NewReader(strings.Replace(string(src), "xterm-256color|", "xterm-kitty|", 1))
	if out, err := tic.CombinedOutput(); err != nil {
		t.Fatalf("tic: %v %s", err, out)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tmux("new-session", "-d", "-x", "80", "-y", "24", "sleep 60")
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	pane := tmux("display-message", "-p", "#{pane_id}")
	t.Setenv("TMUX", sock+",1,0") // what tmux gives its panes: tmuxPassesKitty asks this server
	if pass, _ := tmuxPassesKitty(pane); pass {
		t.Fatal("passes kitty graphics with no client attached")
	}
	// attach attaches a client whose terminal answers tmux's XTVERSION
	// query with version ("": it does not answer), until the test ends.
	attach := func(version string) {
		client := exec.Command("tmux", "-S", sock, "attach")
		client.Env = append(os.Environ(), "TERM=xterm-kitty", "TERMINFO="+dir, "TMUX=")
		ptm, err := pty.StartWithSize(client, &pty.Winsize{Cols: 80, Rows: 24})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := ptm.Read(buf)
				if err != nil {
					return
				}
				if version != "" && strings.Contains(string(buf[:n]), "\x1b[>q") {
					ptm.WriteString("\x1bP>|" + version + "\x1b\\")
				}
			}
		}()
		t.Cleanup(func() { client.Process.Kill(); client.Wait(); ptm.Close() })
		for i := 0; tmux("list-clients") == ""; i++ {
			if i > 100 {
				t.Fatal("the client did not attach")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	attach("")
	if pass, _ := tmuxPassesKitty(pane); pass {
		t.Error("passes kitty graphics with allow-passthrough off")
	}
	tmux("set", "-g", "allow-passthrough", "on")
	if pass, edits := tmuxPassesKitty(pane); !pass || !edits {
		t.Errorf("kitty outside (its TERM), allow-passthrough on: kitty graphics %v, edits %v", pass, edits)
	}
	session := tmux("display-message", "-p", "-t", pane, "#{session_name}")
	for _, c := range []struct {
		version     string
		want, edits bool
	}{{"kitty(0.26.5)", false, true}, {"kitty(0.35.2)", true, true}, {"ghostty 1.1.3", true, false}} {
		tmux("detach-client", "-s", session) // the client before
		for i := 0; tmux("list-clients") != ""; i++ {
			if i > 100 {
				t.Fatal("the client did not detach")
			}
			time.Sleep(50 * time.Millisecond)
		}
		attach(c.version)
		var termtype string
		for i := 0; termtype == "" && i < 40; i++ {
			time.Sleep(50 * time.Millisecond)
			termtype = tmux("display-message", "-p", "-t", pane, "#{client_termtype}")
		}
		if got, edits := tmuxPassesKitty(pane); got != c.want || got && edits != c.edits {
			t.Errorf("the terminal outside says %q (tmux: %q): kitty graphics %v, edits %v; want %v, %v", c.version, termtype, got, edits, c.want, c.edits)
		}
	}
}
