package install

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// CloudInit is what a cloud image's first boot is told through a NoCloud
// seed (an ISO labelled cidata with user-data and meta-data).
type CloudInit struct {
	User       string   // the account to create; empty: the image's default user
	Password   string   // that user's password (plain; cloud-init hashes it); empty: key-only login
	SSHKeys    []string // authorized_keys lines
	Hostname   string
	Packages   []string
	InstanceID string // meta-data instance-id; a new one makes cloud-init run again
}

var (
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)
	userRE     = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	sshKeyRE   = regexp.MustCompile(`^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$`)
	packageRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+._:~=-]*$`)
)

// Check refuses values cloud-init would choke on or silently ignore.
func (c *CloudInit) Check() error {
	if c.User != "" && !userRE.MatchString(c.User) {
		return fmt.Errorf("cloud-init user %q: lower-case letters, digits, _ and -, starting with a letter or _", c.User)
	}
	if c.Password != "" && c.User == "" {
		return fmt.Errorf("cloud-init password: name the user it is for")
	}
	if strings.ContainsAny(c.Password, "\n\r") {
		return fmt.Errorf("cloud-init password: one line")
	}
	if c.Hostname != "" && (len(c.Hostname) > 253 || !hostnameRE.MatchString(c.Hostname)) {
		return fmt.Errorf("cloud-init hostname %q: letters, digits and -, dot-separated labels like web-01.example.org", c.Hostname)
	}
	for _, k := range c.SSHKeys {
		if !sshKeyRE.MatchString(strings.TrimSpace(k)) {
			return fmt.Errorf("SSH key %q: expected an authorized_keys line like \"ssh-ed25519 AAAA... user@host\"", abbrev(k, 40))
		}
	}
	for _, p := range c.Packages {
		if !packageRE.MatchString(p) {
			return fmt.Errorf("package %q: a package name like qemu-guest-agent", p)
		}
	}
	if c.User == "" && len(c.SSHKeys) == 0 && c.Password == "" {
		return fmt.Errorf("cloud-init: give a user with a password or an SSH key, or nobody can log in")
	}
	return nil
}

func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// q quotes a string for YAML (a JSON string is a YAML double-quoted scalar).
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// UserData is the #cloud-config document.
func (c *CloudInit) UserData() string {
	var b strings.Builder
	b.WriteString("#cloud-config\n")
	if c.Hostname != "" {
		fmt.Fprintf(&b, "hostname: %s\n", q(c.Hostname))
		b.WriteString("preserve_hostname: false\n")
	}
	if c.User != "" {
		b.WriteString("users:\n  - default\n")
		fmt.Fprintf(&b, "  - name: %s\n", q(c.User))
		b.WriteString("    groups: [sudo, wheel, adm]\n")
		b.WriteString("    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n")
		b.WriteString("    shell: /bin/bash\n")
		if c.Password != "" {
			fmt.Fprintf(&b, "    plain_text_passwd: %s\n", q(c.Password))
			b.WriteString("    lock_passwd: false\n")
		}
		writeKeys(&b, "    ", c.SSHKeys)
	} else {
		writeKeys(&b, "", c.SSHKeys)
	}
	if c.Password != "" {
		b.WriteString("ssh_pwauth: true\n")
		b.WriteString("chpasswd:\n  expire: false\n")
	}
	if len(c.Packages) > 0 {
		b.WriteString("package_update: true\npackages:\n")
		for _, p := range c.Packages {
			fmt.Fprintf(&b, "  - %s\n", q(p))
		}
	}
	return b.String()
}

func writeKeys(b *strings.Builder, indent string, keys []string) {
	if len(keys) == 0 {
		return
	}
	fmt.Fprintf(b, "%sssh_authorized_keys:\n", indent)
	for _, k := range keys {
		fmt.Fprintf(b, "%s  - %s\n", indent, q(strings.TrimSpace(k)))
	}
}

// MetaData is the NoCloud meta-data document.
func (c *CloudInit) MetaData(vmName string) string {
	id := c.InstanceID
	if id == "" {
		id = NewInstanceID(vmName)
	}
	host := c.Hostname
	if host == "" {
		host = vmName
	}
	if !hostnameRE.MatchString(host) {
		host = "localhost"
	}
	return fmt.Sprintf("instance-id: %s\nlocal-hostname: %s\n", q(id), q(host))
}

// NewInstanceID is a fresh instance id, so the image's cloud-init runs.
func NewInstanceID(vmName string) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("iid-%s-%s", strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return '-'
	}, vmName), hex.EncodeToString(r[:]))
}

// SeedISO is the NoCloud seed: an ISO labelled cidata holding user-data
// and meta-data.
func (c *CloudInit) SeedISO(vmName string, at time.Time) ([]byte, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	return WriteISO("cidata", []ISOFile{
		{Name: "user-data", Data: []byte(c.UserData())},
		{Name: "meta-data", Data: []byte(c.MetaData(vmName))},
	}, at)
}
