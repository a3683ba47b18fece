// Package libvirtx is kvmtui's libvirt adapter: the only package that imports
// libvirt.org/go/libvirt. Everything it hands out is a plain Go value, so the
// TUI never holds a libvirt object and never blocks on one in Update or View.
package libvirtx

import "time"

// State is a domain's run state, in libvirt's numbering (virDomainState).
type State int

const (
	StateNoState State = iota
	StateRunning
	StateBlocked
	StatePaused
	StateShutdown
	StateShutoff
	StateCrashed
	StatePMSuspended
)

var stateNames = [...]string{"nostate", "running", "blocked", "paused", "shutdown", "shut off", "crashed", "pmsuspended"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Active reports whether the domain has a running QEMU process.
func (s State) Active() bool {
	return s != StateShutoff && s != StateNoState && s != StateCrashed
}

// Ref names one domain on one connection. UUID is the identity; Name is kept
// for messages.
type Ref struct {
	URI  string
	UUID string
	Name string
}

// Domain is a snapshot of what the VM list shows about a domain.
type Domain struct {
	Ref
	Title       string
	State       State
	Reason      int
	Persistent  bool
	Autostart   bool
	ManagedSave bool
	VCPUs       int
	MaxVCPUs    int
	MemoryKiB   uint64 // current allocation
	MaxMemKiB   uint64
	OS          string   // short libosinfo id, e.g. "debian12"
	IPs         []string // from DHCP leases or the guest agent, when known
	Networks    []string // the virtual networks its NICs are on
	MACs        []string // its NICs' MACs, lower case
	Template    bool     // kept to be cloned (kvmtui's mark in its metadata)
	Agent       string   // its guest agent channel: "" none, or one of the Agent… states
}

// The states of a VM's guest agent channel (libvirt's words, and
// "configured" for the channel of a VM that is not running).
const (
	AgentConfigured   = "configured"
	AgentConnected    = "connected"
	AgentDisconnected = "disconnected"
)

// Sample holds one sweep's cumulative counters of a domain. Rates come from
// two samples (package perf), never from one.
type Sample struct {
	Ref
	At        time.Time
	State     State
	HasCPU    bool
	CPUTimeNs uint64
	VCPUs     int
	// Memory in KiB; RSS is the QEMU process, Current the balloon target.
	CurrentKiB   uint64
	MaxKiB       uint64
	RSSKiB       uint64
	UnusedKiB    uint64
	AvailableKiB uint64
	HasBlock     bool
	RdBytes      uint64
	WrBytes      uint64
	RdReqs       uint64
	WrReqs       uint64
	HasNet       bool
	RxBytes      uint64
	TxBytes      uint64
}

// HostInfo is what the rate maths needs from the host.
type HostInfo struct {
	Hostname string
	CPUs     int
	MemKiB   uint64
}

// ConnStatus is the state of one connection as the UI shows it.
type ConnStatus int

const (
	Connecting ConnStatus = iota
	Connected
	Disconnected // lost; retrying
	Closed       // removed by the user
)

func (s ConnStatus) String() string {
	return [...]string{"connecting", "connected", "disconnected, retrying", "closed"}[s]
}
