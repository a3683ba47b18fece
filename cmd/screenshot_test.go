package cmd

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScreenshotCommandOnTheDemoHost(t *testing.T) {
	out := filepath.Join(t.TempDir(), "web-01.png")
	code, stdout, stderr := run(t, "--demo", "screenshot", "web-01", out)
	if code != 0 || !strings.Contains(stdout, "saved the ") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width == 0 || !strings.Contains(stdout, fmt.Sprintf("%dx%d", cfg.Width, cfg.Height)) {
		t.Fatalf("the file: %+v %v; said %q", cfg, err, stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"screenshot", "legacy-centos7", out}, "legacy-centos7 is shut off"},
		{[]string{"screenshot", "web-01", "/nonexistent/dir/x.png"}, "no such file or directory"},
	} {
		if code, _, stderr := run(t, append([]string{"--demo"}, c.args...)...); code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr)
		}
	}
}
