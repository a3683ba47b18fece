package libvirtx

import (
	"net/url"
	"strings"
	"sync/atomic"

	"libvirt.org/go/libvirt"
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

// Prompter asks the user for what libvirt's own authentication needs (a
// SASL user name and password on qemu+tcp://, say): echo false for a
// secret; why, when it asks again, is how the last try failed. ok false
// declines.
type Prompter func(prompt, why string, echo bool) (answer string, ok bool)

var prompter atomic.Pointer[Prompter]

// UsePrompter makes the connections opened from now on ask p for
// credentials. Without one they ask on the terminal, as virsh does.
func UsePrompter(p Prompter) { prompter.Store(&p) }

// connectFlags are the open flags for a read-only connection or not.
func connectFlags(readOnly bool) libvirt.ConnectFlags {
	if readOnly {
		return libvirt.CONNECT_RO
	}
	return 0
}

// connect opens uri with the credentials callback in force; lastErr is
// how the connection's last try failed, for a question asked again.
func connect(uri string, readOnly bool, lastErr string) (*libvirt.Connect, error) {
	flags := connectFlags(readOnly)
	uri = withSSH(uri)
	p := prompter.Load()
	if p == nil {
		return libvirt.NewConnectWithAuthDefault(uri, flags)
	}
	auth := &libvirt.ConnectAuth{
		// virsh's set: no USERNAME (SASL's authorization name, which
		// defaults to the authentication name).
		CredType: []libvirt.ConnectCredentialType{
			libvirt.CRED_AUTHNAME, libvirt.CRED_PASSPHRASE, libvirt.CRED_ECHOPROMPT,
			libvirt.CRED_NOECHOPROMPT, libvirt.CRED_REALM,
		},
		Callback: func(creds []*libvirt.ConnectCredential) {
			for _, c := range creds {
				prompt := uri + ": " + c.Prompt
				if c.Challenge != "" && !strings.Contains(strings.ToLower(c.Prompt), strings.ToLower(c.Challenge)) {
					prompt += " (" + c.Challenge + ")"
				}
				if c.DefResult != "" {
					prompt += " [" + c.DefResult + "]"
				}
				echo := c.Type != libvirt.CRED_PASSPHRASE && c.Type != libvirt.CRED_NOECHOPROMPT
				why := ""
				if lastErr != "" {
					why = "the last try: " + lastErr
				}
				a, ok := (*p)(prompt, why, echo)
				if !ok {
					return // libvirt fails the login with what it has
				}
				if a == "" {
					a = c.DefResult
				}
				c.Result, c.ResultLen = a, len(a)
			}
		},
	}
	return libvirt.NewConnectWithAuth(uri, auth, flags)
}
