package console

import (
	"fmt"
	"net"
	"net/url"
	"os"
	osuser "os/user"
	"strings"
)

// Remote is the SSH side of a remote libvirt URI (qemu+ssh://user@host:port/
// system?keyfile=…&no_verify=1): a tunnel uses the same settings libvirt's
// own connection does.
type Remote struct {
	Host     string
	User     string
	Port     string
	Keyfile  string
	NoVerify bool
}

// RemoteOf reports the host behind a libvirt URI; ok is false for a local
// connection (no host in the URI).
func RemoteOf(uri string) (r Remote, ok bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Hostname() == "" {
		return Remote{}, false
	}
	r = Remote{Host: u.Hostname(), Port: u.Port(), User: u.User.Username()}
	// libvirt's ssh transport takes -p from the URI; other transports use
	// their own port, which ssh must not be pointed at.
	if !strings.HasSuffix(u.Scheme, "+ssh") && !strings.HasSuffix(u.Scheme, "+libssh2") && !strings.HasSuffix(u.Scheme, "+libssh") {
		r.Port = ""
	}
	q := u.Query()
	r.Keyfile = q.Get("keyfile")
	r.NoVerify = q.Get("no_verify") == "1"
	return r, true
}

// Dest is the ssh destination, user@host.
func (r Remote) Dest() string {
	if r.User != "" {
		return r.User + "@" + r.Host
	}
	return r.Host
}

// SSHOptions are the ssh flags before the destination.
func (r Remote) SSHOptions() []string {
	var out []string
	if r.Port != "" {
		out = append(out, "-p", r.Port)
	}
	if r.Keyfile != "" {
		out = append(out, "-i", r.Keyfile)
	}
	if r.NoVerify {
		out = append(out, "-o", "StrictHostKeyChecking=no")
	}
	return out
}

// TunnelSpec is an SSH local forward from 127.0.0.1 to the display as the
// remote host sees it.
type TunnelSpec struct {
	Remote     Remote
	TargetHost string // as seen from the remote host (its loopback)
	TargetPort int
}

// Plan is how a viewer on this machine reaches a display.
type Plan struct {
	VV     VV
	Tunnel *TunnelSpec // nil: connect directly
}

// PlanViewer decides where the viewer connects: straight to the address
// QEMU listens on, or through an SSH tunnel when that address is the remote
// host's loopback (the tunnel's local port is filled in when it opens).
func PlanViewer(uri string, d Display, title string) Plan {
	vv := VV{Type: d.Type, Port: d.Port, TLSPort: d.TLSPort, Password: d.Password, Title: title}
	r, remote := RemoteOf(uri)
	switch {
	case !remote && (d.Wildcard() || d.Listen == ""):
		vv.Host = "127.0.0.1"
	case !remote:
		vv.Host = d.Listen
	case d.Wildcard():
		vv.Host = r.Host
	case d.Loopback() || d.Listen == "":
		target := d.Listen
		if target == "" {
			target = "127.0.0.1" // QEMU's default vnc_listen/spice_listen
		}
		port := d.Port
		if port <= 0 {
			port = d.TLSPort
		}
		vv.Host = "127.0.0.1"
		return Plan{VV: vv, Tunnel: &TunnelSpec{Remote: r, TargetHost: target, TargetPort: port}}
	default:
		vv.Host = d.Listen
	}
	return Plan{VV: vv}
}

// PrintedVV is the file `kvmtui vv` prints for a viewer elsewhere: a
// loopback display keeps 127.0.0.1 and its port, for a matching ssh -L on
// the workstation (see Workstation); a wildcard one names the host.
func PrintedVV(uri string, d Display, title string, self string) VV {
	vv := VV{Type: d.Type, Host: d.Listen, Port: d.Port, TLSPort: d.TLSPort, Password: d.Password, Title: title}
	r, remote := RemoteOf(uri)
	switch {
	case d.Loopback() || d.Listen == "":
		vv.Host = "127.0.0.1"
	case d.Wildcard() && remote:
		vv.Host = r.Host
	case d.Wildcard():
		vv.Host = self
	}
	return vv
}

// Self is how a workstation reaches the machine kvmtui runs on: the address
// its SSH session came in on, else the host name, with the user.
func Self() (user, host string) {
	user = os.Getenv("USER")
	if u, err := osuser.Current(); user == "" && err == nil {
		user = u.Username
	}
	if f := strings.Fields(os.Getenv("SSH_CONNECTION")); len(f) == 4 {
		host = f[2]
	} else if h, err := os.Hostname(); err == nil {
		host = h
	}
	return user, host
}

// Workstation lists the commands to run on the user's own machine when
// kvmtui has no display: the ssh -L line (when the display is on a
// loopback), remote-viewer, and the `kvmtui vv` pipe that carries the
// password. uri and name are for the kvmtui command line.
func Workstation(uri string, d Display, name, selfUser, selfHost string) []string {
	self := selfHost
	if selfUser != "" {
		self = selfUser + "@" + selfHost
	}
	port := d.Port
	if port <= 0 {
		port = d.TLSPort
	}
	vv := PrintedVV(uri, d, name, selfHost)
	var out []string
	if vv.Host == "127.0.0.1" {
		// The workstation forwards the same port number, so the printed
		// file's 127.0.0.1:port works there too.
		sshTo, opts := self, []string(nil)
		target := d.Listen
		if target == "" || d.Wildcard() {
			target = "127.0.0.1"
		}
		if r, ok := RemoteOf(uri); ok {
			sshTo, opts = r.Dest(), r.SSHOptions()
		}
		out = append(out, shellJoin(append(append([]string{"ssh", "-N", "-f", "-L", fmt.Sprintf("%d:%s:%d", port, hostForForward(target), port)}, opts...), sshTo)))
	}
	out = append(out, shellJoin([]string{"remote-viewer", fmt.Sprintf("%s://%s", d.Type, net.JoinHostPort(vv.Host, fmt.Sprint(port)))}))
	kv := []string{"ssh", self, "kvmtui"}
	if uri != "" {
		kv = append(kv, "-c", uri)
	}
	kv = append(kv, "vv", name)
	out = append(out, shellJoin(kv)+" | remote-viewer -")
	return out
}

// hostForForward brackets IPv6 addresses for ssh's -L syntax.
func hostForForward(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

// shellJoin quotes words for a POSIX shell, for commands shown to the user
// to paste (kvmtui itself never runs a shell).
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.IndexFunc(w, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_[]", r))
		}) < 0 {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
