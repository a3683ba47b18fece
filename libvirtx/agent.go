package libvirtx

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
)

// What the QEMU guest agent (qemu-ga, inside the guest) tells and does,
// through libvirt: kvmtui has no agent of its own.

// AgentInfo is what a VM's guest agent says about the guest.
type AgentInfo struct {
	OS          string // pretty name, else name and version
	OSID        string
	Kernel      string // release
	Machine     string
	Hostname    string
	Timezone    string
	Users       []AgentUser
	FileSystems []AgentFS
	Interfaces  []AgentIface
	VCPUs       int // the guest's vCPUs, and how many of them are online
	Online      int
}

// AgentUser is a user logged in to the guest.
type AgentUser struct {
	Name, Domain string
	Since        time.Time
}

// AgentFS is a mounted file system of the guest.
type AgentFS struct {
	Mount, Type, Device string
	Used, Total         uint64 // bytes; 0 when the agent does not say
	Disks               []string
}

// AgentIface is a guest network interface with its addresses (CIDR).
type AgentIface struct {
	Name, MAC string
	Addrs     []string
}

// ErrNoAgentChannel is a VM without the org.qemu.guest_agent.0 channel.
var ErrNoAgentChannel = errors.New("the VM has no guest agent channel: add one (a channel of type unix named org.qemu.guest_agent.0) and install qemu-guest-agent in the guest")

// AgentInfo asks the guest agent (libvirt waits for it at most a few
// seconds: an agent that does not answer is an error, not a hang).
func (m *Manager) AgentInfo(ref Ref) (AgentInfo, error) {
	var a AgentInfo
	err := m.withDomain(ref, func(d *libvirt.Domain) error {
		if err := agentReady(d); err != nil {
			return err
		}
		gi, err := d.GetGuestInfo(libvirt.DOMAIN_GUEST_INFO_USERS|libvirt.DOMAIN_GUEST_INFO_OS|libvirt.DOMAIN_GUEST_INFO_TIMEZONE|
			libvirt.DOMAIN_GUEST_INFO_HOSTNAME|libvirt.DOMAIN_GUEST_INFO_FILESYSTEM|libvirt.DOMAIN_GUEST_INFO_INTERFACES, 0)
		if err != nil {
			return err
		}
		if os := gi.OS; os != nil {
			a.OS = os.PrettyName
			if a.OS == "" {
				a.OS = strings.TrimSpace(os.Name + " " + os.Version)
			}
			a.OSID, a.Kernel, a.Machine = os.ID, os.KernelRelease, os.Machine
		}
		a.Hostname = gi.Hostname
		if tz := gi.TimeZone; tz != nil {
			a.Timezone = tz.Name
			if a.Timezone == "" {
				a.Timezone = fmt.Sprintf("UTC%+d", tz.Offset/3600)
			}
		}
		for _, u := range gi.Users {
			a.Users = append(a.Users, AgentUser{Name: u.Name, Domain: u.Domain, Since: time.UnixMilli(int64(u.LoginTime))})
		}
		for _, f := range gi.FileSystems {
			fs := AgentFS{Mount: f.MountPoint, Type: f.FSType, Device: f.Name, Used: f.UsedBytes, Total: f.TotalBytes}
			for _, dk := range f.Disks {
				fs.Disks = append(fs.Disks, dk.Alias)
			}
			a.FileSystems = append(a.FileSystems, fs)
		}
		if gv, err := d.GetGuestVcpus(0); err == nil {
			a.VCPUs = len(gv.Vcpus)
			for _, on := range gv.Online {
				if on {
					a.Online++
				}
			}
		}
		for _, i := range gi.Interfaces {
			ifc := AgentIface{Name: i.Name, MAC: i.Hwaddr}
			for _, ad := range i.Addrs {
				ifc.Addrs = append(ifc.Addrs, fmt.Sprintf("%s/%d", ad.Addr, ad.Prefix))
			}
			a.Interfaces = append(a.Interfaces, ifc)
		}
		return nil
	})
	return a, err
}

// AddAgentChannel gives a VM the guest agent's virtio-serial channel,
// live too when the running VM has a virtio-serial controller (QEMU cannot
// plug one in: else it comes at the next boot, libvirt adding the
// controller); the guest then needs qemu-guest-agent.
func (m *Manager) AddAgentChannel(ref Ref) (Applied, error) {
	var hasBus bool
	if err := m.withDomain(ref, func(d *libvirt.Domain) error {
		def, err := liveDef(d)
		if err != nil {
			return err
		}
		for _, c := range def.Devices.Controllers {
			hasBus = hasBus || c.Type == "virtio-serial"
		}
		return nil
	}); err != nil {
		return Applied{}, err
	}
	return m.ModifyDevice(ref, Attach, `<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`, hasBus)
}

// agentReady refuses a VM that is not running or has no agent channel,
// before libvirt is asked (its own message for these is less plain).
func agentReady(d *libvirt.Domain) error {
	def, err := liveDef(d)
	if err != nil {
		return err
	}
	for _, c := range def.Devices.Channels {
		if c.Target != nil && c.Target.VirtIO != nil && c.Target.VirtIO.Name == "org.qemu.guest_agent.0" {
			if active, _ := d.IsActive(); !active {
				return errors.New("the VM is not running: its guest agent runs inside it")
			}
			return nil
		}
	}
	return ErrNoAgentChannel
}

// AgentAction is something the guest agent does inside the guest.
type AgentAction string

const (
	AgentFreeze   AgentAction = "fsfreeze" // freeze the file systems (until a thaw)
	AgentThaw     AgentAction = "fsthaw"
	AgentTrim     AgentAction = "fstrim"   // discard unused blocks (thin disks shrink)
	AgentSetTime  AgentAction = "set-time" // set the guest clock from the host's
	AgentShutdown AgentAction = "shutdown" // through the agent instead of ACPI
	AgentReboot   AgentAction = "reboot"
)

// AgentActions in the order menus show them.
var AgentActions = []AgentAction{AgentFreeze, AgentThaw, AgentTrim, AgentSetTime, AgentShutdown, AgentReboot}

// Agent runs an action through the guest agent; text says what it did
// (how many file systems froze, thawed).
func (m *Manager) Agent(ref Ref, a AgentAction) (text string, err error) {
	if m.readOnly {
		return "", ErrReadOnly
	}
	defer m.refreshLater(ref, string(a))
	err = m.withDomain(ref, func(d *libvirt.Domain) error {
		if err := agentReady(d); err != nil {
			return err
		}
		switch a {
		case AgentFreeze:
			if err := d.FSFreeze(nil, 0); err != nil {
				return err
			}
			text = "froze the file systems of " + ref.Name + ": writes wait until thawed"
		case AgentThaw:
			if err := d.FSThaw(nil, 0); err != nil {
				return err
			}
			text = "thawed the file systems of " + ref.Name
		case AgentTrim:
			if err := d.FSTrim("", 0, 0); err != nil {
				return err
			}
			text = "trimmed the file systems of " + ref.Name
		case AgentSetTime:
			if err := d.SetTime(0, 0, libvirt.DOMAIN_TIME_SYNC); err != nil {
				return err
			}
			text = "set the clock of " + ref.Name + " from the host's"
		case AgentShutdown:
			if err := d.ShutdownFlags(libvirt.DOMAIN_SHUTDOWN_GUEST_AGENT); err != nil {
				return err
			}
			text = "asked " + ref.Name + "'s agent to shut it down"
		case AgentReboot:
			if err := d.Reboot(libvirt.DOMAIN_REBOOT_GUEST_AGENT); err != nil {
				return err
			}
			text = "asked " + ref.Name + "'s agent to reboot it"
		default:
			return fmt.Errorf("no agent action %q", a)
		}
		return nil
	})
	return text, err
}

// SetUserPassword sets a guest user's password through the agent.
func (m *Manager) SetUserPassword(ref Ref, user, password string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	switch {
	case strings.TrimSpace(user) == "" || strings.ContainsAny(user, ": \n"):
		return fmt.Errorf("user %q: a user name of the guest", user)
	case password == "" || strings.ContainsAny(password, "\n"):
		return errors.New("a password of one line, not empty")
	}
	return m.withDomain(ref, func(d *libvirt.Domain) error {
		if err := agentReady(d); err != nil {
			return err
		}
		return d.SetUserPassword(user, password, 0)
	})
}

// SetOnlineVCPUs brings the guest's first n vCPUs online and takes the
// others offline, inside the guest through its agent (the VM keeps them:
// this is the guest's own hot-unplug, as virsh guestvcpus does).
func (m *Manager) SetOnlineVCPUs(ref Ref, n int) error {
	if m.readOnly {
		return ErrReadOnly
	}
	return m.withDomain(ref, func(d *libvirt.Domain) error {
		if err := agentReady(d); err != nil {
			return err
		}
		gv, err := d.GetGuestVcpus(0)
		if err != nil {
			return err
		}
		total := len(gv.Vcpus)
		if n < 1 || n > total {
			return fmt.Errorf("%d online vCPUs: from 1 to the guest's %d", n, total)
		}
		bit := func(set []bool, i int) bool { return i < len(set) && set[i] } // libvirt's bitmaps end at their last set bit
		on, off := make([]bool, total), make([]bool, total)
		for i := range total {
			if i < n {
				on[i] = !bit(gv.Online, i)
			} else if bit(gv.Online, i) {
				if !bit(gv.Offlinable, i) {
					return fmt.Errorf("the guest cannot take vCPU %d offline", i)
				}
				off[i] = true
			}
		}
		if slices.Contains(on, true) {
			if err := d.SetGuestVcpus(on, true, 0); err != nil {
				return err
			}
		}
		if slices.Contains(off, true) {
			return d.SetGuestVcpus(off, false, 0)
		}
		return nil
	})
}
