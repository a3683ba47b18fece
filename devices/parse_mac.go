package devices

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// ParseMAC normalizes a unicast MAC address to lower-case colon form
// (52:54:00:12:34:56). It accepts ':' or '-' as separator and surrounding
// spaces. Like libvirt, it refuses multicast addresses (lowest bit of the
// first octet set): a NIC cannot use one.
func ParseMAC(s string) (string, error) {
	in := strings.TrimSpace(s)
	sep := ":"
	if strings.Contains(in, "-") {
		sep = "-"
	}
	parts := strings.Split(in, sep)
	if len(parts) != 6 {
		return "", macError(s)
	}
	var octets [6]byte
	for i, p := range parts {
		if len(p) != 2 {
			return "", macError(s)
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return "", macError(s)
		}
		octets[i] = byte(v)
	}
	if octets[0]&1 != 0 {
		return "", fmt.Errorf("invalid MAC %q: it is a multicast address (first octet is odd); a NIC needs a unicast one, like 52:54:00:12:34:56", s)
	}
	return formatMAC(octets), nil
}

func macError(s string) error {
	return fmt.Errorf("invalid MAC %q: expected six hex pairs like 52:54:00:12:34:56", s)
}

func formatMAC(o [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", o[0], o[1], o[2], o[3], o[4], o[5])
}

// RandomMAC returns a random address in QEMU's 52:54:00 range, the prefix
// libvirt itself uses when it generates one.
func RandomMAC() string {
	var o [6]byte
	o[0], o[1], o[2] = 0x52, 0x54, 0x00
	// crypto/rand.Read never fails on supported platforms.
	_, _ = rand.Read(o[3:])
	return formatMAC(o)
}
