package devices

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedDiffMatchesDiffU(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	got := UnifiedDiff(a, b, "old", "new")
	if UnifiedDiff(a, a, "x", "y") != "" {
		t.Fatal("equal texts gave a diff")
	}
	diff, err := exec.LookPath("diff")
	if err != nil {
		t.Fatal("diff (diffutils) is needed as a witness")
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	os.WriteFile(pa, []byte(a), 0o644)
	os.WriteFile(pb, []byte(b), 0o644)
	out, _ := exec.Command(diff, "-u", "--label", "old", "--label", "new", pa, pb).Output()
	if got != string(out) {
		t.Fatalf("ours:\n%s\ndiff -u:\n%s", got, out)
	}
	if !strings.Contains(got, "-b\n+B\n") {
		t.Fatalf("change not shown:\n%s", got)
	}
}
