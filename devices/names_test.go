package devices

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestValidateDomainName(t *testing.T) {
	for _, ok := range []string{"web-01", "a", "my vm", " padded ", "gäst_ü.1", "x:y@z", "名前"} {
		if err := ValidateDomainName(ok); err != nil {
			t.Errorf("ValidateDomainName(%q) = %v, want nil", ok, err)
		}
	}
	for in, want := range map[string]string{
		"":           "it is empty",
		"a/b":        "contains '/'",
		"/":          "contains '/'",
		"line\nfeed": "control character U+000A",
		"tab\there":  "control character U+0009",
		"nul\x00":    "control character U+0000",
		"del\x7f":    "control character U+007F",
		"c1\u0085":   "control character U+0085",
		"bad\xff":    "not valid UTF-8",
	} {
		if err := ValidateDomainName(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateDomainName(%q) = %v, want error with %q", in, err, want)
		}
	}
}

func FuzzValidateDomainName(f *testing.F) {
	for _, s := range []string{"web-01", "a/b", "x\ny", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateDomainName(s) != nil {
			return
		}
		if s == "" || strings.ContainsRune(s, '/') || !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Fatalf("ValidateDomainName accepted %q", s)
		}
	})
}
