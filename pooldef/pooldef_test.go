package pooldef

import (
	"regexp"
	"strings"
	"testing"
)

func compact(doc string) string { return regexp.MustCompile(`>\s+<`).ReplaceAllString(doc, "><") }

func host() Host {
	return Host{Supported: []string{"dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath"}, Pools: []string{"default", "pool1"},
		Exists: func(p string) (bool, bool) { return p == "/srv/vms" || p == "/dev/sdb", true }}
}

func spec(t *testing.T, sets ...string) *Spec {
	t.Helper()
	s := New(host())
	for i := 0; i < len(sets); i += 2 {
		if err := s.Set(sets[i], sets[i+1]); err != nil {
			t.Fatalf("%s=%q: %v", sets[i], sets[i+1], err)
		}
	}
	return s
}

func TestNewProposesADirPool(t *testing.T) {
	s := New(host())
	if s.Name != "pool2" || s.Target != "/var/lib/libvirt/pool2" || !s.Build || !s.Start || !s.Auto {
		t.Fatalf("%+v", s)
	}
	if err := s.Check(host()); err != nil {
		t.Fatal(err)
	}
	// Types the daemon lacks are not offered, and the help says so.
	if err := s.Set("type", "rbd"); err == nil || !strings.Contains(err.Error(), "makes dir, fs") {
		t.Fatalf("an unsupported type: %v", err)
	}
	if f := s.Fields()[1]; !strings.Contains(f.Help, "has no iscsi-direct, rbd, gluster, zfs, vstorage") {
		t.Fatalf("type help: %q", f.Help)
	}
}

func TestXMLPerType(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"name", "p", "target", "/srv/vms"}, `<pool type="dir"><name>p</name><target><path>/srv/vms</path></target></pool>`},
		{[]string{"name", "p", "type", "fs", "device", "/dev/sdb", "format", "ext4", "target", "/mnt/p"},
			`<pool type="fs"><name>p</name><target><path>/mnt/p</path></target><source><device path="/dev/sdb"></device><format type="ext4"></format></source></pool>`},
		{[]string{"name", "p", "type", "netfs", "host", "nas.lan", "sourcedir", "/export/vms", "target", "/mnt/nas"},
			`<pool type="netfs"><name>p</name><target><path>/mnt/nas</path></target><source><dir path="/export/vms"></dir><host name="nas.lan"></host><format type="nfs"></format></source></pool>`},
		{[]string{"name", "p", "type", "logical", "source", "vg0", "target", "/dev/vg0"},
			`<pool type="logical"><name>p</name><target><path>/dev/vg0</path></target><source><name>vg0</name></source></pool>`},
		{[]string{"name", "p", "type", "disk", "device", "/dev/sdb", "format", "gpt", "target", "/dev"},
			`<pool type="disk"><name>p</name><target><path>/dev</path></target><source><device path="/dev/sdb"></device><format type="gpt"></format></source></pool>`},
		{[]string{"name", "p", "type", "iscsi", "host", "10.0.0.5", "source", "iqn.2024-01.org.example:store", "target", "/dev/disk/by-path"},
			`<pool type="iscsi"><name>p</name><target><path>/dev/disk/by-path</path></target><source><host name="10.0.0.5"></host><device path="iqn.2024-01.org.example:store"></device></source></pool>`},
		{[]string{"name", "p", "type", "scsi", "source", "host0", "target", "/dev/disk/by-path"},
			`<pool type="scsi"><name>p</name><target><path>/dev/disk/by-path</path></target><source><adapter type="scsi_host" name="host0"></adapter></source></pool>`},
		{[]string{"name", "p", "type", "mpath", "target", "/dev/mapper"}, `<pool type="mpath"><name>p</name><target><path>/dev/mapper</path></target></pool>`},
	} {
		s := spec(t, c.sets...)
		doc, err := s.XML()
		if err != nil || compact(doc) != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.sets, compact(doc), c.want)
		}
	}
	// Types this host lacks still write their XML (the test driver takes them).
	all := &Spec{Name: "p", types: Types}
	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"type", "rbd", "host", "ceph1", "source", "rbdpool"}, `<source><name>rbdpool</name><host name="ceph1"></host></source>`},
		{[]string{"type", "iscsi-direct", "host", "10.0.0.5", "source", "iqn.2024-01.org.example:store", "initiator", "iqn.2024-01.org.example:me"},
			`<initiator><iqn name="iqn.2024-01.org.example:me"></iqn></initiator>`},
		{[]string{"type", "gluster", "host", "g1", "source", "vol0", "sourcedir", "/vms"}, `<source><name>vol0</name><dir path="/vms"></dir><host name="g1"></host></source>`},
		{[]string{"type", "zfs", "source", "tank"}, `<source><name>tank</name></source>`},
	} {
		for i := 0; i < len(c.sets); i += 2 {
			if err := all.Set(c.sets[i], c.sets[i+1]); err != nil {
				t.Fatal(err)
			}
		}
		if doc, _ := all.XML(); !strings.Contains(compact(doc), c.want) {
			t.Errorf("%v: %s lacks %s", c.sets, compact(doc), c.want)
		}
	}
}

func TestCheckRefusals(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"name", "default"}, "a pool named default already exists"},
		{[]string{"build", "no", "target", "/nowhere"}, "target /nowhere does not exist"},
		{[]string{"type", "fs", "target", "/srv/vms", "device", "/dev/sdz"}, "the host has no device /dev/sdz"},
		{[]string{"type", "netfs", "target", "/mnt/x"}, "a netfs pool needs its source host"},
		{[]string{"type", "logical", "source", "vg0", "target", "/dev/vg0", "device", "/dev/sdb", "build", "no"}, "needs Build it: yes"},
	} {
		if err := spec(t, c.sets...).Check(host()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.sets, err, c.want)
		}
	}
	for _, bad := range [][2]string{{"name", "a b"}, {"target", "relative"}, {"host", "bad host!"}, {"initiator", "nope"}} {
		if err := New(host()).Set(bad[0], bad[1]); err == nil {
			t.Errorf("%s=%q accepted", bad[0], bad[1])
		}
	}
}

// iSCSI CHAP and Ceph cephx: the form asks user and secret (twice), the
// pool's XML names the secret by usage, the secret's value is the password
// as typed or the Ceph key's bytes; what cannot work is refused first.
func TestAuthentication(t *testing.T) {
	s := spec(t, "name", "san", "type", "iscsi", "host", "10.0.0.5", "source", "iqn.2024-01.org.example:storage", "target", "/dev/disk/by-path",
		"auth_user", "kvm", "secret", "pa ss", "secret2", "pa ss")
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "auth_user secret secret2") {
		t.Fatalf("iscsi fields: %v", names)
	}
	if err := s.Check(host()); err != nil {
		t.Fatal(err)
	}
	doc, _ := s.XML()
	if !strings.Contains(compact(doc), `<auth type="chap" username="kvm"><secret usage="kvmtui-pool-san"></secret></auth>`) {
		t.Fatalf("iscsi XML:\n%s", doc)
	}
	sx, value, err := s.SecretXML()
	if err != nil || string(value) != "pa ss" || !strings.Contains(compact(sx), `<usage type="iscsi"><target>kvmtui-pool-san</target></usage>`) || !strings.Contains(sx, `private="yes"`) {
		t.Fatalf("iscsi secret: %s %q %v", sx, value, err)
	}

	h := host()
	h.Supported = append(h.Supported, "rbd")
	r := New(h)
	for _, kv := range [][2]string{{"name", "ceph"}, {"type", "rbd"}, {"host", "mon1"}, {"source", "rbdpool"}, {"auth_user", "libvirt"}, {"secret", "AQBk"}, {"secret2", "AQBk"}} {
		if err := r.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Check(h); err != nil {
		t.Fatal(err)
	}
	doc, _ = r.XML()
	sx, value, _ = r.SecretXML()
	if !strings.Contains(doc, `<auth type="ceph" username="libvirt">`) || !strings.Contains(compact(sx), `<usage type="ceph"><name>kvmtui-pool-ceph</name></usage>`) || string(value) != "\x01\x00\x64" {
		t.Fatalf("rbd: %s\n%s %q", doc, sx, value)
	}

	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"secret", "x", "secret2", "x"}, "needs its user"},
		{[]string{"auth_user", "u"}, "user u needs a password"},
		{[]string{"auth_user", "u", "secret", "a", "secret2", "b"}, "the two passwords or keys differ"},
	} {
		s := spec(t, append([]string{"name", "san", "type", "iscsi", "host", "10.0.0.5", "source", "iqn.2024-01.org.example:storage", "target", "/dev/disk/by-path"}, c.sets...)...)
		if err := s.Check(host()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c.sets, err)
		}
	}
	r.Secret = [2]string{"not base64!", "not base64!"}
	if err := r.Check(h); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Errorf("a Ceph key that is not base64: %v", err)
	}
	if err := New(host()).Set("auth_user", "bad user"); err == nil {
		t.Error("a user name with a space was taken")
	}
	if d := spec(t, "type", "dir"); len(d.Fields()) != 6 {
		t.Errorf("a dir pool asks for authentication: %v", d.Fields())
	}
}

// A portal on another port: host:port, [v6]:port; a bad port is refused.
func TestHostWithPort(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.5:3261":   `<host name="10.0.0.5" port="3261">`,
		"[fd00::5]:3261":  `<host name="fd00::5" port="3261">`,
		"fd00::5":         `<host name="fd00::5">`,
		"nas.example.org": `<host name="nas.example.org">`,
	} {
		s := spec(t, "name", "san", "type", "iscsi", "host", in, "source", "iqn.2024-01.org.example:storage", "target", "/dev/disk/by-path")
		if doc, _ := s.XML(); !strings.Contains(doc, want) {
			t.Errorf("%s: %s", in, doc)
		}
	}
	for _, bad := range []string{"10.0.0.5:0", "10.0.0.5:99999", "10.0.0.5:x", "[fd00::5"} {
		if err := New(host()).Set("host", bad); err == nil {
			t.Errorf("%s taken", bad)
		}
	}
}
