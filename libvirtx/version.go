package libvirtx

import (
	"fmt"

	"libvirt.org/go/libvirt"
)

// LibraryVersion is the version of the libvirt library kvmtui runs with.
func LibraryVersion() string {
	v, err := libvirt.GetVersion()
	if err != nil {
		return "unknown"
	}
	return versionText(v)
}

// DaemonVersions are a connection's libvirt daemon and hypervisor versions
// ("9.0.0", "QEMU 7.2.0").
func DaemonVersions(uri string) (daemon, hypervisor string, err error) {
	err = withOnce(uri, true, func(lc *libvirt.Connect) {
		if v, err := lc.GetLibVersion(); err == nil {
			daemon = versionText(v)
		}
		typ, _ := lc.GetType()
		if v, err := lc.GetVersion(); err == nil && v > 0 {
			hypervisor = typ + " " + versionText(v)
		}
	})
	return daemon, hypervisor, err
}

// versionText reads libvirt's major*1e6 + minor*1e3 + micro.
func versionText(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v/1_000_000, v/1000%1000, v%1000)
}
