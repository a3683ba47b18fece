package libvirtx

import "testing"

func TestWithSSH(t *testing.T) {
	t.Cleanup(func() { UseSSH("") })
	UseSSH("")
	if got := withSSH("qemu+ssh://root@h/system"); got != "qemu+ssh://root@h/system" {
		t.Fatalf("without UseSSH: %s", got)
	}
	UseSSH("/tmp/kvmtui-askpass-1/kvmtui-ssh")
	for in, want := range map[string]string{
		"qemu+ssh://root@h/system":                    "qemu+ssh://root@h/system?command=%2Ftmp%2Fkvmtui-askpass-1%2Fkvmtui-ssh",
		"qemu+ssh://root@h:2222/system?keyfile=/k":    "qemu+ssh://root@h:2222/system?keyfile=/k&command=%2Ftmp%2Fkvmtui-askpass-1%2Fkvmtui-ssh",
		"qemu+ssh://root@h/system?command=/bin/myssh": "qemu+ssh://root@h/system?command=/bin/myssh",
		"qemu+libssh://root@h/system":                 "qemu+libssh://root@h/system",
		"qemu+tcp://h/system":                         "qemu+tcp://h/system",
		"qemu:///system":                              "qemu:///system",
		"test:///default":                             "test:///default",
	} {
		if got := withSSH(in); got != want {
			t.Errorf("withSSH(%s) = %s, want %s", in, got, want)
		}
	}
}
