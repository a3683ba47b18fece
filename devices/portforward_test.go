package devices

import (
	"strings"
	"testing"
)

func TestForwardClashes(t *testing.T) {
	fs, err := ParseForwards("tcp:2222:22,udp:5000-5010,tcp:8080 address=127.0.0.1,tcp:5005 exclude")
	if err != nil || len(fs) != 4 {
		t.Fatalf("%v %+v", err, fs)
	}
	if fs[0].String() != "tcp *:2222 → 22" || fs[1].String() != "udp *:5000-5010 → same" || fs[3].String() != "tcp *:5005 (excluded)" {
		t.Fatalf("%v", fs)
	}
	for _, c := range []struct {
		a, b  string
		clash bool
	}{
		{"tcp:2222:22", "tcp:2222:23", true},
		{"tcp:2222:22", "udp:2222:22", false},
		{"udp:5000-5010", "udp:5010", true},
		{"udp:5000-5010", "udp:5011", false},
		{"tcp:80 address=127.0.0.1", "tcp:80 address=127.0.0.2", false},
		{"tcp:80 address=127.0.0.1", "tcp:80", true},
		{"tcp:80 dev=eth0", "tcp:80 dev=eth1", false},
		{"tcp:80 exclude", "tcp:80", false},
	} {
		a, _ := ParseForwards(c.a)
		b, _ := ParseForwards(c.b)
		if got := a[0].Clashes(b[0]); got != c.clash || b[0].Clashes(a[0]) != c.clash {
			t.Errorf("%s vs %s: clash %v, want %v", c.a, c.b, got, c.clash)
		}
	}
	// The NIC form refuses one host port twice.
	if _, err := parseOwnForwards("tcp:2222:22,tcp:2222:23"); err == nil || !strings.Contains(err.Error(), "listen on the same host port") {
		t.Fatalf("a port twice: %v", err)
	}
	if fs, err := ParseForwards(""); err != nil || fs != nil {
		t.Fatalf("empty: %v %v", fs, err)
	}
}
