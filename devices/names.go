package devices

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidateDomainName checks a new guest name the way libvirt would,
// before a define fails: it must not be empty, must not contain '/' (the
// QEMU driver uses the name in file paths) or a newline (libvirt refuses
// it in every driver), and, since it is shown in a terminal and written
// into XML, must be valid UTF-8 without control characters. Spaces and
// other printable characters are allowed, as libvirt allows them.
func ValidateDomainName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("invalid name: it is empty; expected a name like web-01")
	case !utf8.ValidString(s):
		return fmt.Errorf("invalid name %q: not valid UTF-8", s)
	case strings.ContainsRune(s, '/'):
		return fmt.Errorf("invalid name %q: it contains '/', which libvirt's QEMU driver refuses", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("invalid name %q: it contains the control character %U; use printable characters only", s, r)
		}
	}
	return nil
}
