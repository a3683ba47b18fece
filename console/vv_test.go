package console

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
)

const vncXML = `<domain type='qemu'><name>web</name><devices>
  <serial type='pty'><source path='/dev/pts/3'/><target port='0'/></serial>
  <console type='pty'><source path='/dev/pts/3'/><target type='serial' port='0'/></console>
  <graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1' passwd='s3cret'>
    <listen type='address' address='127.0.0.1'/>
  </graphics>
  <graphics type='spice' port='5902' tlsPort='5903' autoport='yes'>
    <listen type='address' address='0.0.0.0'/>
  </graphics>
</devices></domain>`

func TestParseDevices(t *testing.T) {
	dv, err := ParseDevices(vncXML)
	if err != nil {
		t.Fatal(err)
	}
	if len(dv.Displays) != 2 {
		t.Fatalf("displays: %+v", dv.Displays)
	}
	vnc, spice := dv.Displays[0], dv.Displays[1]
	if vnc.Type != "vnc" || vnc.Port != 5901 || vnc.Listen != "127.0.0.1" || vnc.Password != "s3cret" || !vnc.Loopback() {
		t.Fatalf("vnc: %+v", vnc)
	}
	if spice.Type != "spice" || spice.TLSPort != 5903 || !spice.Wildcard() {
		t.Fatalf("spice: %+v", spice)
	}
	if err := dv.Serial.Check("web"); err != nil || dv.Serial.Consoles != 2 {
		t.Fatalf("serial: %+v %v", dv.Serial, err)
	}
}

// The bad inputs each get one line that says what to do instead.
func TestBadDevicesAreExplained(t *testing.T) {
	cases := []struct {
		xml, want string
		serial    bool
	}{
		{`<domain><name>a</name><devices/></domain>`, "has no serial console: add one", true},
		{`<domain><name>a</name><devices><serial type='file'><source path='/tmp/x'/><target port='0'/></serial></devices></domain>`, "of type file, which libvirt cannot stream", true},
		{`<domain><name>a</name><devices/></domain>`, "has no VNC or SPICE display", false},
		{`<domain><name>a</name><devices><graphics type='vnc' port='-1' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics></devices></domain>`, "no port yet: is the VM running?", false},
		{`<domain><name>a</name><devices><graphics type='spice' autoport='yes'><listen type='none'/></graphics></devices></domain>`, "has no listen address", false},
		{`<domain><name>a</name><devices><graphics type='vnc' socket='/run/v.sock'><listen type='socket' socket='/run/v.sock'/></graphics></devices></domain>`, "UNIX socket /run/v.sock", false},
	}
	for _, c := range cases {
		dv, err := ParseDevices(c.xml)
		if err != nil {
			t.Fatal(err)
		}
		if c.serial {
			err = dv.Serial.Check("a")
		} else {
			_, err = dv.Usable("a")
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line with %q", c.xml, err, c.want)
		}
	}
}

func TestVVFile(t *testing.T) {
	v := VV{Type: "vnc", Host: "127.0.0.1", Port: 5900, Password: "pw", Title: "web"}
	p, err := WriteVV(v)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 (the file holds a password)", st.Mode().Perm())
	}
	data, _ := os.ReadFile(p)
	want := "[virt-viewer]\ntype=vnc\nhost=127.0.0.1\nport=5900\npassword=pw\ntitle=web\ndelete-this-file=1\n"
	if string(data) != want {
		t.Fatalf("file:\n%s\nwant:\n%s", data, want)
	}
	back, err := ParseVV(string(data))
	if err != nil || back != v {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := (VV{Type: "vnc", Host: "h", Password: "a\nb"}).Bytes(); err == nil {
		t.Fatal("a password with a newline would inject a line into the file")
	}
}

func TestPlanViewer(t *testing.T) {
	loop := Display{Type: "vnc", Listen: "127.0.0.1", Port: 5905}
	any := Display{Type: "spice", Listen: "0.0.0.0", Port: 5906}
	if p := PlanViewer("qemu:///system", loop, "w"); p.Tunnel != nil || p.VV.Host != "127.0.0.1" || p.VV.Port != 5905 {
		t.Fatalf("local loopback: %+v", p)
	}
	if p := PlanViewer("qemu:///system", any, "w"); p.Tunnel != nil || p.VV.Host != "127.0.0.1" {
		t.Fatalf("local wildcard: %+v", p)
	}
	p := PlanViewer("qemu+ssh://admin@db1:2222/system?keyfile=/k&no_verify=1", loop, "w")
	if p.Tunnel == nil || p.Tunnel.TargetHost != "127.0.0.1" || p.Tunnel.TargetPort != 5905 || p.Tunnel.Remote.Dest() != "admin@db1" {
		t.Fatalf("remote loopback needs a tunnel: %+v", p)
	}
	if got := strings.Join(p.Tunnel.Remote.SSHOptions(), " "); got != "-p 2222 -i /k -o StrictHostKeyChecking=no" {
		t.Fatalf("ssh options %q", got)
	}
	if p := PlanViewer("qemu+ssh://db1/system", any, "w"); p.Tunnel != nil || p.VV.Host != "db1" {
		t.Fatalf("remote wildcard goes straight to the host: %+v", p)
	}
	if r, _ := RemoteOf("qemu+tls://db1:16514/system"); r.Port != "" {
		t.Fatalf("the TLS port is not an ssh port: %+v", r)
	}
}

func TestWorkstationCommands(t *testing.T) {
	loop := Display{Type: "vnc", Listen: "127.0.0.1", Port: 5900}
	got := Workstation("qemu:///system", loop, "web 1", "root", "10.0.0.5")
	want := []string{
		"ssh -N -f -L 5900:127.0.0.1:5900 root@10.0.0.5",
		"remote-viewer vnc://127.0.0.1:5900",
		"ssh root@10.0.0.5 kvmtui -c qemu:///system vv 'web 1' | remote-viewer -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A remote libvirt host is tunnelled to directly, with libvirt's ssh options.
	got = Workstation("qemu+ssh://admin@db1:2222/system", loop, "web", "me", "jump")
	if got[0] != "ssh -N -f -L 5900:127.0.0.1:5900 -p 2222 admin@db1" {
		t.Fatalf("remote tunnel line %q", got[0])
	}
	// A display on every address needs no tunnel.
	got = Workstation("qemu:///system", Display{Type: "spice", Listen: "0.0.0.0", Port: 5901}, "web", "root", "h")
	if len(got) != 2 || got[0] != "remote-viewer spice://h:5901" {
		t.Fatalf("wildcard: %q", got)
	}
}

func TestPPMToPNG(t *testing.T) {
	ppm := []byte("P6\n# QEMU\n2 1\n255\n\xff\x00\x00\x00\x00\xff")
	out, img, err := ToPNG(ppm, "image/x-portable-pixmap")
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	r, _, _, _ := back.At(0, 0).RGBA()
	_, _, b, _ := back.At(1, 0).RGBA()
	if back.Bounds().Dx() != 2 || r>>8 != 255 || b>>8 != 255 || img.Bounds().Dy() != 1 {
		t.Fatalf("pixels lost: %v", back.Bounds())
	}
	if _, _, err := ToPNG([]byte("P3\n1 1\n255\n0 0 0"), "image/x-portable-pixmap"); err == nil {
		t.Fatal("ASCII PPM accepted")
	}
	// A file of unknown type (virsh screenshot's): PNG by its magic, else PPM.
	if again, img2, err := ToPNG(out, ""); err != nil || !bytes.Equal(again, out) || img2.Bounds().Dx() != 2 {
		t.Fatalf("a PNG without its type: %v", err)
	}
	if _, _, err := ToPNG(ppm, ""); err != nil {
		t.Fatalf("a PPM without its type: %v", err)
	}
	p, err := SaveScreenshot(t.TempDir(), "web/1", out, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil || !strings.HasSuffix(p, "web_1-20260102-030405.png") {
		t.Fatalf("saved as %q: %v", p, err)
	}
}

func TestOSC52(t *testing.T) {
	if got := OSC52("hi"); got != "\x1b]52;c;aGk=\a" {
		t.Fatalf("%q", got)
	}
}
