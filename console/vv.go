package console

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// VV is a virt-viewer connection file (what remote-viewer opens, and what
// `kvmtui vv` prints).
type VV struct {
	Type     string // vnc or spice
	Host     string
	Port     int
	TLSPort  int
	Password string
	Title    string
}

// Bytes renders the file. delete-this-file=1 makes remote-viewer remove it
// once read, since it may hold the display's password.
func (v VV) Bytes() ([]byte, error) {
	for _, s := range []string{v.Type, v.Host, v.Password, v.Title} {
		if strings.ContainsAny(s, "\r\n") {
			return nil, errors.New("a display setting contains a line break, which a .vv file cannot hold")
		}
	}
	var b strings.Builder
	b.WriteString("[virt-viewer]\n")
	b.WriteString("type=" + v.Type + "\n")
	b.WriteString("host=" + v.Host + "\n")
	if v.Port > 0 {
		b.WriteString("port=" + strconv.Itoa(v.Port) + "\n")
	}
	if v.TLSPort > 0 {
		b.WriteString("tls-port=" + strconv.Itoa(v.TLSPort) + "\n")
	}
	if v.Password != "" {
		b.WriteString("password=" + v.Password + "\n")
	}
	if v.Title != "" {
		b.WriteString("title=" + v.Title + "\n")
	}
	b.WriteString("delete-this-file=1\n")
	return []byte(b.String()), nil
}

// WriteVV writes the file, readable by its owner only, into the temporary
// directory and returns its path.
func WriteVV(v VV) (string, error) {
	data, err := v.Bytes()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "kvmtui-*.vv")
	if err != nil {
		return "", fmt.Errorf("writing the .vv file: %w", err)
	}
	// CreateTemp makes it 0600 already; say so for an odd umask or platform.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the .vv file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the .vv file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the .vv file: %w", err)
	}
	return f.Name(), nil
}

// ParseVV reads a .vv file back (tests, and checking what was written).
func ParseVV(data string) (VV, error) {
	var v VV
	lines := strings.Split(strings.TrimSpace(data), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "[virt-viewer]" {
		return v, errors.New("not a virt-viewer file: no [virt-viewer] section")
	}
	for _, l := range lines[1:] {
		k, val, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			continue
		}
		switch k {
		case "type":
			v.Type = val
		case "host":
			v.Host = val
		case "port":
			v.Port, _ = strconv.Atoi(val)
		case "tls-port":
			v.TLSPort, _ = strconv.Atoi(val)
		case "password":
			v.Password = val
		case "title":
			v.Title = val
		}
	}
	return v, nil
}
