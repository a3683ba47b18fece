package libvirtx

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
)

// MigrateSpec is how one VM moves to another host.
type MigrateSpec struct {
	Dest           string // the destination's URI (qemu+ssh, qemu+tcp, qemu+tls…)
	Offline        bool   // the definition only (the VM is shut off)
	Persistent     bool   // define it on the destination (offline always does)
	UndefineSource bool   // and remove the definition from the source
	// CopyStorage copies the disks that are not on shared storage: "full"
	// every block, "inc" only what the destination's images lack.
	CopyStorage   string
	Postcopy      bool // allow the switch to post-copy (on request, or after PostcopyAfter iterations)
	PostcopyAfter int
	Compressed    bool
	AutoConverge  bool   // slow the guest's vCPUs down when it dirties memory faster than the link
	Bandwidth     uint64 // MiB/s, 0: unlimited
	P2P           bool   // the source's libvirtd talks to the destination itself
	Tunnelled     bool   // the data goes through libvirtd's own connection (implies P2P)
	// DataURI is where QEMU sends the memory (tcp://HOST[:PORT]); empty: the
	// destination URI's host, so the data takes the path the user named.
	DataURI string
	// ListenAddress is where the destination's QEMU listens for it (default:
	// the destination's migration_address, usually every address).
	ListenAddress string
}

// CopyStorageModes are CopyStorage's values, "" (shared storage) first.
var CopyStorageModes = []string{"", "full", "inc"}

func (s MigrateSpec) flags() libvirt.DomainMigrateFlags {
	var f libvirt.DomainMigrateFlags
	if s.Offline {
		f |= libvirt.MIGRATE_OFFLINE | libvirt.MIGRATE_PERSIST_DEST
	} else {
		f |= libvirt.MIGRATE_LIVE
	}
	set := func(on bool, fl libvirt.DomainMigrateFlags) {
		if on {
			f |= fl
		}
	}
	set(s.Persistent, libvirt.MIGRATE_PERSIST_DEST)
	set(s.UndefineSource, libvirt.MIGRATE_UNDEFINE_SOURCE)
	set(s.CopyStorage == "full", libvirt.MIGRATE_NON_SHARED_DISK)
	set(s.CopyStorage == "inc", libvirt.MIGRATE_NON_SHARED_INC)
	set(s.Postcopy, libvirt.MIGRATE_POSTCOPY)
	set(s.Compressed, libvirt.MIGRATE_COMPRESSED)
	set(s.AutoConverge, libvirt.MIGRATE_AUTO_CONVERGE)
	set(s.P2P || s.Tunnelled, libvirt.MIGRATE_PEER2PEER)
	set(s.Tunnelled, libvirt.MIGRATE_TUNNELLED)
	return f
}

func (s MigrateSpec) params() (*libvirt.DomainMigrateParameters, error) {
	p := &libvirt.DomainMigrateParameters{}
	if s.Bandwidth > 0 {
		p.BandwidthSet, p.Bandwidth = true, s.Bandwidth
	}
	if s.Tunnelled || s.Offline {
		return p, nil // no data connection of QEMU's own
	}
	if s.ListenAddress != "" {
		p.ListenAddressSet, p.ListenAddress = true, s.ListenAddress
	}
	data := s.DataURI
	if data == "" {
		data = dataURI(s.Dest)
	}
	if data != "" {
		u, err := url.Parse(data)
		if err != nil || u.Scheme == "" || u.Hostname() == "" {
			return nil, fmt.Errorf("data URI %q: want tcp://HOST or tcp://HOST:PORT", data)
		}
		p.URISet, p.URI = true, data
	}
	return p, nil
}

// dataURI is tcp://HOST for a remote destination URI, "" for a local one
// (libvirt then asks the destination, which names its own hostname).
func dataURI(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	h := u.Hostname()
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return "tcp://" + h
}

// CheckDest says what is wrong with a destination URI as typed, before
// any connection: empty, not a URI, not a QEMU one.
func CheckDest(dest string) error {
	dest = strings.TrimSpace(dest)
	if dest == "" {
		return errors.New("a destination URI, like qemu+ssh://root@host2/system")
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not a libvirt URI (like qemu+ssh://root@host2/system)", dest)
	}
	if driver, _, _ := strings.Cut(u.Scheme, "+"); driver != "qemu" && driver != "test" {
		return fmt.Errorf("%s: kvmtui migrates between QEMU hosts (qemu://, qemu+ssh://, qemu+tcp://, qemu+tls://)", dest)
	}
	return nil
}

// MigrateProgress is one look at a running migration (virDomainGetJobStats).
type MigrateProgress struct {
	Processed, Remaining, Total uint64 // bytes (memory, and disks when copied)
	Rate                        uint64 // bytes/s of memory sent
	DirtyRate                   uint64 // pages/s the guest dirties
	Iteration                   uint64 // memory passes so far
	Downtime                    time.Duration
	Elapsed                     time.Duration
	Postcopy                    bool // switched: the guest runs on the destination now
}

// ETA is the time the rest takes at the current rate, 0 when unknown.
func (p MigrateProgress) ETA() time.Duration {
	if p.Rate == 0 || p.Remaining == 0 {
		return 0
	}
	return time.Duration(float64(p.Remaining) / float64(p.Rate) * float64(time.Second))
}

// MigrateResult is what a finished migration measured.
type MigrateResult struct {
	Dest     Ref
	Elapsed  time.Duration
	Downtime time.Duration // the guest's pause, from the completed job's stats
	Data     uint64
	// PostcopyRequests counts the pages the destination fetched on demand
	// after a switch to post-copy.
	PostcopyRequests uint64
	Note             string // what else the user should know (kept running where it was…)
}

func progressOf(j *libvirt.DomainJobInfo) MigrateProgress {
	return MigrateProgress{
		Processed: j.DataProcessed, Remaining: j.DataRemaining, Total: j.DataTotal,
		Rate: j.MemBps, DirtyRate: j.MemDirtyRate, Iteration: j.MemIteration,
		Downtime: time.Duration(j.Downtime) * time.Millisecond,
		Elapsed:  time.Duration(j.TimeElapsed) * time.Millisecond,
	}
}

// migrationPoll is how often a running migration's stats are read.
var migrationPoll = 500 * time.Millisecond

// Migrate moves a VM as s says, reporting progress while it runs.
// Cancelling ctx aborts it (virDomainAbortJob): the VM stays where it was.
// Run the pre-flight first; Migrate does not repeat it.
func (m *Manager) Migrate(ctx context.Context, ref Ref, s MigrateSpec, progress func(MigrateProgress)) (MigrateResult, error) {
	if err := CheckDest(s.Dest); err != nil {
		return MigrateResult{}, err
	}
	params, err := s.params()
	if err != nil {
		return MigrateResult{}, err
	}
	_, d, done, err := m.openDomain(ref, true)
	if err != nil {
		return MigrateResult{}, err
	}
	defer done()
	dc, ddone, err := m.destConn(s.Dest)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("%s: %s", s.Dest, ErrText(err))
	}
	defer ddone()
	defer m.refreshLater(ref, "migrated")

	began := time.Now()
	finished := make(chan error, 1)
	go func() {
		var err error
		if s.P2P || s.Tunnelled {
			err = d.MigrateToURI3(s.Dest, params, s.flags())
		} else {
			var nd *libvirt.Domain
			if nd, err = d.Migrate3(dc, params, s.flags()); err == nil {
				nd.Free()
			}
		}
		finished <- err
	}()

	tick := time.NewTicker(migrationPoll)
	defer tick.Stop()
	cancelled := ctx.Done()
	switched, aborted := false, false
	var abortErr error
	for running := true; running; {
		select {
		case err = <-finished:
			running = false
		case <-cancelled:
			cancelled, aborted = nil, true
			abortErr = d.AbortJob() // past the switch to post-copy there is no way back
		case <-tick.C:
			j, jerr := d.GetJobStats(0)
			if jerr != nil || j.Type == libvirt.DOMAIN_JOB_NONE {
				continue
			}
			p := progressOf(j)
			if s.Postcopy {
				st, reason, _ := d.GetState()
				p.Postcopy = st == libvirt.DOMAIN_PAUSED && libvirt.DomainPausedReason(reason) == libvirt.DOMAIN_PAUSED_POSTCOPY
				if s.PostcopyAfter > 0 && !switched && p.Iteration >= uint64(s.PostcopyAfter) {
					switched = d.MigrateStartPostCopy(0) == nil
				}
			}
			if progress != nil {
				progress(p)
			}
		}
	}
	res := MigrateResult{Elapsed: time.Since(began)}
	if err != nil {
		return res, m.migrationFailed(d, ref, err, aborted)
	}
	res.Dest = Ref{URI: s.Dest, UUID: ref.UUID, Name: ref.Name}
	completed(d, &res) // the source keeps them while it stays defined
	if res.Downtime == 0 {
		if nd, lerr := dc.LookupDomainByUUIDString(ref.UUID); lerr == nil {
			completed(nd, &res)
			nd.Free()
		}
	}
	if abortErr != nil {
		res.Note = "it could not be cancelled any more: " + ErrText(abortErr)
	}
	m.refreshLater(res.Dest, "migrated")
	return res, nil
}

// completed reads a finished migration's measures from a domain's
// completed job stats, where it has them.
func completed(d *libvirt.Domain, res *MigrateResult) {
	j, err := d.GetJobStats(libvirt.DOMAIN_JOB_STATS_COMPLETED)
	if err != nil || j.Type != libvirt.DOMAIN_JOB_COMPLETED {
		return
	}
	res.Downtime = time.Duration(j.Downtime) * time.Millisecond
	res.Data, res.PostcopyRequests = j.DataProcessed, j.MemPostcopyReqs
	if j.TimeElapsedSet {
		res.Elapsed = time.Duration(j.TimeElapsed) * time.Millisecond
	}
}

// migrationFailed words a failure so that it says where the VM is now.
func (m *Manager) migrationFailed(d *libvirt.Domain, ref Ref, err error, aborted bool) error {
	text := ErrText(err)
	if strings.Contains(text, "Postcopy is not supported") {
		text += " (QEMU needs userfaultfd on both hosts: sysctl vm.unprivileged_userfaultfd=1)"
	}
	if aborted {
		text = "cancelled (" + text + ")"
	}
	st, _, serr := d.GetState()
	switch {
	case serr != nil:
		return fmt.Errorf("%s; %s is no longer on %s either", text, ref.Name, ref.URI)
	case State(st).Active():
		return fmt.Errorf("%s; %s is still %s on %s", text, ref.Name, State(st), ref.URI)
	default:
		return fmt.Errorf("%s; %s is %s on %s", text, ref.Name, State(st), ref.URI)
	}
}

// SwitchToPostcopy has a migration started with Postcopy finish with the
// guest running on the destination, fetching the pages it still lacks:
// it ends a migration that cannot converge, at the risk of losing the
// guest if the link breaks.
func (m *Manager) SwitchToPostcopy(ref Ref) error {
	return m.withConnDomain(ref, func(_ *libvirt.Connect, d *libvirt.Domain) error {
		return d.MigrateStartPostCopy(0)
	})
}

// SetMigrationSpeed limits a running migration's bandwidth (MiB/s; 0 lifts the limit).
func (m *Manager) SetMigrationSpeed(ref Ref, mib uint64) error {
	return m.withConnDomain(ref, func(_ *libvirt.Connect, d *libvirt.Domain) error {
		if mib == 0 {
			mib = 8796093022207 // QEMU's maximum: unlimited
		}
		return d.MigrateSetMaxSpeed(mib, 0)
	})
}

// destConn is the connection to a migration's destination: the manager's
// own when it holds the URI, else one opened for this use.
func (m *Manager) destConn(uri string) (*libvirt.Connect, func(), error) {
	if lc, done, err := m.lconn(uri); err == nil {
		return lc, done, nil
	} // not held, or held but (re)connecting: a connection of its own
	return openOnce(uri, m.readOnly)
}
