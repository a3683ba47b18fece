package devices

import (
	"regexp"
	"strings"
	"testing"
)

func TestParseMAC(t *testing.T) {
	good := map[string]string{
		"52:54:00:12:34:56":     "52:54:00:12:34:56",
		"52:54:00:AB:cd:EF":     "52:54:00:ab:cd:ef",
		"  52-54-00-0a-0b-0c  ": "52:54:00:0a:0b:0c",
		"00:00:00:00:00:00":     "00:00:00:00:00:00",
		"fe:ff:ff:ff:ff:ff":     "fe:ff:ff:ff:ff:ff",
	}
	for in, want := range good {
		if got, err := ParseMAC(in); err != nil || got != want {
			t.Errorf("ParseMAC(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"52:54:00:zz:00:01":    "expected six hex pairs like 52:54:00:12:34:56",
		"":                     "expected six hex pairs",
		"52:54:00:12:34":       "expected six hex pairs",
		"52:54:00:12:34:56:78": "expected six hex pairs",
		"52:54:0:12:34:56":     "expected six hex pairs",
		"52:54-00:12:34:56":    "expected six hex pairs",
		"525400123456":         "expected six hex pairs",
		"+2:54:00:12:34:56":    "expected six hex pairs",
		"01:00:5e:00:00:01":    "multicast",
		"ff:ff:ff:ff:ff:ff":    "multicast",
		"53:54:00:12:34:56":    "multicast",
	}
	for in, want := range bad {
		if got, err := ParseMAC(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMAC(%q) = %q, %v; want error with %q", in, got, err, want)
		}
	}
	if _, err := ParseMAC("52:54:00:zz:00:01"); err.Error() != `invalid MAC "52:54:00:zz:00:01": expected six hex pairs like 52:54:00:12:34:56` {
		t.Errorf("message: %v", err)
	}
}

func TestRandomMAC(t *testing.T) {
	form := regexp.MustCompile(`^52:54:00(:[0-9a-f]{2}){3}$`)
	seen := map[string]bool{}
	for range 50 {
		m := RandomMAC()
		if !form.MatchString(m) {
			t.Fatalf("RandomMAC() = %q, not in 52:54:00:xx:xx:xx form", m)
		}
		if got, err := ParseMAC(m); err != nil || got != m {
			t.Fatalf("ParseMAC(RandomMAC() = %q) = %q, %v", m, got, err)
		}
		seen[m] = true
	}
	// 50 draws from 2^24 values collide with probability below 0.01%.
	if len(seen) < 49 {
		t.Errorf("RandomMAC repeated itself: %d distinct of 50", len(seen))
	}
}

func FuzzParseMAC(f *testing.F) {
	for _, s := range []string{"52:54:00:12:34:56", "52-54-00-AB-CD-EF", "01:00:5e:00:00:01", "zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMAC(s)
		if err != nil {
			return
		}
		again, err := ParseMAC(m)
		if err != nil || again != m {
			t.Fatalf("ParseMAC(%q) = %q, but re-parsing gives %q, %v", s, m, again, err)
		}
	})
}
