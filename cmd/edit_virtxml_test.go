package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// kvmtui edit --file gives what virt-xml --print-xml gives (Debian's
// virtinst) for the option strings both take, compared semantically. Both
// start from the same definition: foreign.xml as libvirt's test driver
// keeps it (virt-xml needs a connection; the driver drops what libvirt
// does not know, so this compares the edits, not the fidelity). A
// difference is either explained below or fails the test.
func TestEditMatchesVirtXML(t *testing.T) {
	virtXML, err := exec.LookPath("virt-xml")
	if err != nil {
		lt.NotRun(t, "virt-xml", "virt-xml is not installed (Debian's virtinst; make test installs it)")
		return
	}
	_, doc := foreign(t)
	dir := t.TempDir()
	host := filepath.Join(dir, "host.xml")
	_, body, _ := strings.Cut(doc, "-->") // the comment before the root
	if err := os.WriteFile(host, []byte("<node>"+body+"</node>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	uri := "test://" + host
	base := lt.MustVirsh(t, uri, "dumpxml", "--inactive", "foreign")
	file := filepath.Join(dir, "foreign.xml")
	if err := os.WriteFile(file, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(dir, "extra.img") // exists, in no pool
	if err := os.WriteFile(image, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Where kvmtui differs from virt-xml on purpose: the paths of the
	// differences expected, by option string.
	explained := map[string][]string{
		// libvirt's default format for an image it cannot look up, raw,
		// written out (virt-xml leaves it implicit)
		"--add-device --disk " + image + ",bus=sata": {"/domain/devices/disk[2]/driver"},
		// and the CD-ROM on SATA, the form's bus for every machine type
		// (virt-xml takes IDE on i440fx), so its name is sda
		"--add-device --disk " + image + ",device=cdrom": {"/domain/devices/disk[2]/driver", "/domain/devices/disk[2]/target/@bus", "/domain/devices/disk[2]/target/@dev"},
		// both make up a MAC; the model is the form's virtio where
		// virt-xml, knowing no guest OS, picks e1000
		"--add-device --network network=default": {"/domain/devices/interface[2]/mac/@address", "/domain/devices/interface[2]/model/@type"},
		// the video form drops what virtio-gpu does not use (vram, heads)
		// and primary with a single video
		"--edit --video model=virtio": {"/domain/devices/video/model/@vram", "/domain/devices/video/model/@heads", "/domain/devices/video/model/@primary"},
	}
	for _, opts := range []string{
		"--edit --disk cache=none",
		"--edit target=vda --disk cache=none,io=native",
		"--edit 1 --disk readonly=on",
		"--edit --network model=virtio",
		"--edit --network link.state=down",
		"--edit mac=52:54:00:11:22:33 --network model=virtio",
		"--edit --vcpus 4",
		"--edit --memory 2048",
		"--edit --metadata title=web,description=front",
		"--edit --boot hd,cdrom",
		"--edit --graphics password=abc",
		"--add-device --watchdog i6300esb,action=poweroff",
		"--add-device --sound ich6",
		"--remove-device --sound all",
		"--remove-device --sound 2",
		"--add-device --rng /dev/urandom",
		"--add-device --disk " + image + ",bus=sata",
		"--add-device --disk " + image + ",device=cdrom",
		"--add-device --network network=default",
		"--edit --video model=virtio",
	} {
		args := strings.Fields(opts)
		cmd := exec.Command(virtXML, append([]string{"--connect", uri, "foreign", "--print-xml"}, args...)...)
		want, err := cmd.Output()
		if err != nil {
			t.Errorf("virt-xml %s: %v", opts, err)
			continue
		}
		code, got, errOut := run(t, append([]string{"edit", "--file", file, "--print-xml"}, args...)...)
		if code != 0 {
			t.Errorf("kvmtui edit %s: exit %d %s", opts, code, errOut)
			continue
		}
		for _, d := range devices.Compare(want, []byte(got)) {
			ok := false
			for _, p := range explained[opts] {
				ok = ok || strings.HasPrefix(d.Path, p)
			}
			if !ok {
				t.Errorf("%s: virt-xml and kvmtui differ: %s", opts, d)
			}
		}
	}
}
