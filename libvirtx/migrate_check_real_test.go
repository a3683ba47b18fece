package libvirtx

import (
	"os"
	"path/filepath"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// Each pre-flight item refused on purpose, on a shut-off guest of the
// real daemon with the peer daemon as the destination.
func TestRealPreflightRefuses(t *testing.T) {
	peer := lt.Peer(t)
	const usb = "<controller type='usb' model='none'/>"
	const devices = "<devices>"
	emulator := filepath.Join(unsharedDir, "qemu-system-x86_64")
	for _, tc := range []struct {
		name     string
		dest     string // "" the peer
		live     bool   // a live migration of the guest, started
		oldnew   []string
		peerTwin bool // a VM of the same name on the peer
		check    string
		status   CheckStatus
		text     string
	}{
		{name: "unreachable", dest: "qemu+tcp://127.0.0.3/system", check: "destination", status: CheckFail, text: "cannot be reached"},
		{name: "not-a-uri", dest: "host2", check: "destination", status: CheckFail, text: "not a libvirt URI"},
		{name: "same-host", dest: lt.PeerURI + "-same", check: "another host", status: CheckFail, text: "same host"},
		{name: "shut-off-live", live: true, check: "state", status: CheckFail, text: "is shut off"},
		// libvirt's test driver as a host with a few MiB free and "hypervisor 0.0.2"
		// (it fails other items too: it runs no QEMU).
		{name: "memory", dest: "test:///default", live: true, check: "memory", status: CheckWarn, text: "MiB free; kvmtui-test-mig-pf-memory uses 256 MiB"},
		{name: "versions", dest: "test:///default", live: true, check: "versions", status: CheckWarn, text: "QEMU 0.0.2 there"},
		{name: "name-taken", peerTwin: true, check: "name and UUID", status: CheckFail, text: "another VM named"},
		{name: "hostdev", oldnew: []string{usb, "<controller type='usb' model='qemu-xhci'/>" + `<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0x5678'/></source></hostdev>`},
			check: "host devices", status: CheckFail, text: "USB device"},
		{name: "cpu", oldnew: []string{"<clock", "<cpu mode='custom' match='exact'><model fallback='forbid'>Icelake-Server</model></cpu><clock"},
			check: "CPU", status: CheckFail, text: "Icelake-Server"},
		{name: "passthrough", oldnew: []string{"<clock", "<cpu mode='host-passthrough'/><clock"}, check: "CPU", status: CheckWarn, text: "host-passthrough"},
		{name: "emulator", oldnew: []string{devices, devices + "<emulator>" + emulator + "</emulator>"}, check: "machine type", status: CheckFail, text: "cannot run"},
		{name: "network", oldnew: []string{usb, usb + `<interface type='network'><source network='kvmtui-test-nonet'/></interface>`},
			check: "network kvmtui-test-nonet", status: CheckFail, text: "no network"},
		{name: "bridge", oldnew: []string{usb, usb + `<interface type='bridge'><source bridge='kvmtuinobr0'/></interface>`},
			check: "bridge kvmtuinobr0", status: CheckFail, text: "no interface"},
		{name: "pool", oldnew: []string{usb, usb + `<disk type='volume' device='disk'><source pool='kvmtui-test-nopool' volume='x.qcow2'/><target dev='vda' bus='virtio'/></disk>`},
			check: "disk vda", status: CheckFail, text: "no pool kvmtui-test-nopool"},
		{name: "unshared-disk", oldnew: []string{usb, usb + `<disk type='file' device='disk'><source file='` + unsharedDir + `/kvmtui-test-x.raw'/><target dev='vda' bus='virtio'/></disk>`},
			check: "disk vda", status: CheckWarn, text: "cannot tell"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "emulator" {
				// Here a link to QEMU; the peer sees an empty directory there.
				os.Remove(emulator)
				if err := os.Symlink("/usr/bin/qemu-system-x86_64", emulator); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Remove(emulator) })
			}
			m, ref, _ := migrationGuest(t, "mig-pf-"+tc.name, tc.oldnew...)
			if tc.live && tc.name != "shut-off-live" {
				if err := m.Do(ref, Start); err != nil {
					t.Fatal(err)
				}
			}
			if tc.peerTwin {
				lt.FixtureGuest(t, peer, "mig-pf-"+tc.name)
			}
			spec := MigrateSpec{Dest: peer, Offline: !tc.live}
			switch {
			case tc.dest == lt.PeerURI+"-same":
				spec.Dest = ref.URI
			case tc.dest != "":
				spec.Dest = tc.dest
			}
			cs := m.Preflight(ref, spec)
			if !hasCheck(cs, tc.check, tc.status, tc.text) {
				t.Fatalf("no %q item with status %d saying %q in %+v", tc.check, tc.status, tc.text, cs)
			}
			if tc.dest == "test:///default" {
				return
			}
			if !cs.Blocked(false) || (tc.status == CheckFail) != cs.Blocked(true) {
				t.Fatalf("blocked %v, overridden %v: want blocked, and overridden only for a warning", cs.Blocked(false), cs.Blocked(true))
			}
		})
	}
}
