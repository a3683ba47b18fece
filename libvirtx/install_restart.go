package libvirtx

import "libvirt.org/go/libvirt"

// An ISO or tree install runs with on_reboot=destroy, so the installer's
// final reboot stops the VM. As virt-install and virt-manager do, kvmtui
// then starts it again, now on its final definition: the installed system.
// Only a stop the guest asked for counts: a VM the user shuts down or forces
// off through kvmtui stays off. Watches end with the connection that saw the
// install start: after a reconnect a stop may have been missed, and a later
// one is not the installer's.

// watchInstall remembers that the running domain uuid is an install.
func (c *Conn) watchInstall(uuid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.installs == nil {
		c.installs = map[string]bool{}
	}
	c.installs[uuid] = true
}

// unwatchInstall forgets an install (the user stops it) and says whether
// it was one.
func (c *Conn) unwatchInstall(uuid string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.installs[uuid]
	delete(c.installs, uuid)
	return was
}

// installEnded reports (once) whether a lifecycle event ends a watched
// install. It runs on libvirt's event loop and makes no libvirt call.
func (c *Conn) installEnded(uuid string, ev *libvirt.DomainEventLifecycle) bool {
	if ev.Event != libvirt.DOMAIN_EVENT_STOPPED && ev.Event != libvirt.DOMAIN_EVENT_UNDEFINED {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.installs[uuid] {
		return false
	}
	delete(c.installs, uuid)
	return ev.Event == libvirt.DOMAIN_EVENT_STOPPED && libvirt.DomainEventStoppedDetailType(ev.Detail) == libvirt.DOMAIN_EVENT_STOPPED_SHUTDOWN
}

// restartAfterInstall starts the domain again, off the event loop, and
// tells the UI what happened.
func (c *Conn) restartAfterInstall(ref Ref) {
	notice := "install finished: started again on its final definition"
	err := func() error {
		lc, done, err := c.get()
		if err != nil {
			return err
		}
		defer done()
		d, err := lc.LookupDomainByUUIDString(ref.UUID)
		if err != nil {
			return err
		}
		defer d.Free()
		return d.Create()
	}()
	if err != nil {
		notice = "install finished, but starting it again failed: " + ErrText(err)
	}
	if e, ok := c.refreshDomain(ref, "install finished"); ok {
		e.Notice, e.Failed = notice, err != nil
		c.box.put(e)
	}
}
