package libvirtx

import (
	"errors"
	"fmt"
	"strings"

	"libvirt.org/go/libvirt"
)

// Action is a lifecycle operation on one domain.
type Action string

const (
	Start        Action = "start" // also restores a managed save
	Shutdown     Action = "shutdown"
	Reboot       Action = "reboot"
	Reset        Action = "reset"
	ForceOff     Action = "destroy"
	Pause        Action = "suspend"
	Resume       Action = "resume"
	ManagedSave  Action = "managedsave"
	AutostartOn  Action = "autostart"
	AutostartOff Action = "noautostart"
	// DiscardSave removes a managed save image, so the next start boots fresh.
	DiscardSave Action = "managedsave-remove"
)

// Actions lists every Action in the order menus show them.
var Actions = []Action{Start, Shutdown, Reboot, Reset, ForceOff, Pause, Resume, ManagedSave, DiscardSave, AutostartOn, AutostartOff}

// ErrReadOnly is returned for any change on a read-only connection.
var ErrReadOnly = errors.New("read-only connection (started with --readonly): nothing can be changed")

// withDomain looks the domain up on its connection and runs f on it.
func (m *Manager) withDomain(ref Ref, f func(*libvirt.Domain) error) error {
	return m.withConnDomain(ref, func(_ *libvirt.Connect, d *libvirt.Domain) error { return f(d) })
}

// withConnDomain is withDomain for calls that also need the connection.
// Errors carry libvirt's own text.
func (m *Manager) withConnDomain(ref Ref, f func(*libvirt.Connect, *libvirt.Domain) error) error {
	lc, d, done, err := m.openDomain(ref, false)
	if err != nil {
		return err
	}
	defer done()
	if err := f(lc, d); err != nil {
		var le libvirt.Error
		if errors.As(err, &le) {
			return errors.New(le.Message)
		}
		return err
	}
	return nil
}

// openDomain looks up the domain of ref on a connection the caller
// releases with done; write refuses on a read-only manager. A domain that
// vanished gets a message that names it, not just libvirt's UUID text.
func (m *Manager) openDomain(ref Ref, write bool) (*libvirt.Connect, *libvirt.Domain, func(), error) {
	get := m.lconn
	if write {
		get = m.writeConn
	}
	lc, done, err := get(ref.URI)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := lc.LookupDomainByUUIDString(ref.UUID)
	if err != nil {
		done()
		if isNoDomain(err) {
			return nil, nil, nil, fmt.Errorf("%s no longer exists on %s", ref.Name, ref.URI)
		}
		return nil, nil, nil, errors.New(ErrText(err))
	}
	return lc, d, func() { d.Free(); done() }, nil
}

// Do runs a lifecycle action. Errors carry libvirt's own text.
func (m *Manager) Do(ref Ref, a Action) (err error) {
	if m.readOnly {
		return ErrReadOnly
	}
	defer m.refreshLater(ref, string(a))
	if a == Shutdown || a == ForceOff || a == ManagedSave {
		// The user stops an install: it stays stopped (if the stop works).
		if c, err := m.conn(ref.URI); err == nil && c.unwatchInstall(ref.UUID) {
			defer func() {
				if err != nil {
					c.watchInstall(ref.UUID)
				}
			}()
		}
	}
	return m.withDomain(ref, func(d *libvirt.Domain) error {
		switch a {
		case Start:
			return d.Create()
		case Shutdown:
			return d.Shutdown()
		case Reboot:
			return d.Reboot(0)
		case Reset:
			return d.Reset(0)
		case ForceOff:
			return d.Destroy()
		case Pause:
			return d.Suspend()
		case Resume:
			return d.Resume()
		case ManagedSave:
			return d.ManagedSave(0)
		case DiscardSave:
			return d.ManagedSaveRemove(0)
		case AutostartOn:
			return d.SetAutostart(true)
		case AutostartOff:
			return d.SetAutostart(false)
		}
		return fmt.Errorf("unknown action %q", a)
	})
}

// Rename renames a shut-off domain (libvirt refuses it for a running one and
// says so).
func (m *Manager) Rename(ref Ref, name string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("new name is empty")
	}
	if strings.ContainsAny(name, "/\n\t") {
		return fmt.Errorf("invalid name %q: it must not contain '/' or control characters", name)
	}
	defer m.refreshLater(ref, "renamed")
	return m.withDomain(ref, func(d *libvirt.Domain) error { return d.Rename(name, 0) })
}

// refreshLater queues a re-read of the domain after a change: not every
// change raises an event (autostart does not), and some drivers send none.
func (m *Manager) refreshLater(ref Ref, what string) {
	if c, err := m.conn(ref.URI); err == nil {
		select {
		case c.refresh <- DomainEvent{Ref: ref, What: what}:
		default:
		}
	}
}

// VolumeExists reports whether path is a storage volume on the connection.
func (m *Manager) VolumeExists(uri, path string) (bool, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return false, err
	}
	defer done()
	v, err := lc.LookupStorageVolByPath(path)
	if err != nil {
		var le libvirt.Error
		if errors.As(err, &le) && le.Code == libvirt.ERR_NO_STORAGE_VOL {
			return false, nil
		}
		return false, errors.New(ErrText(err))
	}
	v.Free()
	return true, nil
}
