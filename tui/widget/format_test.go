package widget

import (
	"strings"
	"testing"
)

func TestHideSecrets(t *testing.T) {
	in := `<graphics type="vnc" passwd="s3cret"/><cookies><cookie name="sid">abc123</cookie></cookies>`
	out := HideSecrets(in)
	if strings.Contains(out, "s3cret") || strings.Contains(out, "abc123") || !strings.Contains(out, `<cookie name="sid">***</cookie>`) {
		t.Fatalf("hideSecrets: %s", out)
	}
}

func TestOverKeepsTheBackgroundAroundTheBox(t *testing.T) {
	bg := strings.Join([]string{"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"}, "\n")
	got := strings.Split(Over(NewTheme(), bg, "XY\nZW", 10, 4), "\n")
	want := []string{"aaaaaaaaaa", "bbbbXYbbbb", "ccccZWcccc", "dddddddddd"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}
