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
