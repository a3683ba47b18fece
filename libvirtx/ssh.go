package libvirtx

import (
	"net/url"
	"strings"
	"sync/atomic"
)

var sshProgram atomic.Value // string

// UseSSH makes libvirt run program instead of ssh for the qemu+ssh://
// connections opened from now on whose URI names no command= of its own
// (kvmtui's askpass wrapper: ssh's prompts then come to the UI). "" undoes it.
func UseSSH(program string) { sshProgram.Store(program) }

// withSSH is the URI handed to libvirt: the user's, plus command= when
// UseSSH named a program. kvmtui shows and keys connections by the user's.
func withSSH(uri string) string {
	prog, _ := sshProgram.Load().(string)
	if prog == "" {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil || !strings.HasSuffix(u.Scheme, "+ssh") || u.Query().Has("command") {
		return uri
	}
	q := "command=" + url.QueryEscape(prog)
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	return u.String()
}
