package perf

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Export writes the tracker's latest figures, one record set per sweep, for
// `kvmtui top --batch`: CSV (one row per host and per VM, with a header
// first) or JSON Lines (one object per sweep). Unknown values are empty
// cells in CSV and null in JSON, never 0.
type Export interface {
	Write(at time.Time, t *Tracker) error
}

// NewExport returns the writer for format "csv" or "json".
func NewExport(format string, w io.Writer) (Export, error) {
	switch format {
	case "csv":
		return &csvExport{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonExport{enc: json.NewEncoder(w)}, nil
	}
	return nil, fmt.Errorf("format %q: expected csv or json", format)
}

// CSVHeader names the CSV columns.
var CSVHeader = []string{
	"time", "uri", "kind", "name", "uuid", "state",
	"cpu_pct", "host_cpu_pct", "mem_pct", "mem_kib", "mem_avail_kib",
	"disk_rd_bps", "disk_wr_bps", "disk_rd_iops", "disk_wr_iops",
	"net_rx_bps", "net_tx_bps", "cpu_time_ns", "level",
}

// HostRecord is a host in the JSON output.
type HostRecord struct {
	URI         string   `json:"uri"`
	Name        string   `json:"name"`
	CPUs        int      `json:"cpus"`
	CPUPct      *float64 `json:"cpu_pct"`
	MemUsedPct  *float64 `json:"mem_used_pct"`
	MemTotalKiB *uint64  `json:"mem_total_kib"`
	MemAvailKiB *uint64  `json:"mem_avail_kib"`
	VMs         int      `json:"vms"`
	Running     int      `json:"running"`
	GuestCPUPct float64  `json:"guest_cpu_pct"`
	GuestDisk   float64  `json:"guest_disk_bps"`
	GuestNet    float64  `json:"guest_net_bps"`
	Level       string   `json:"level"`
}

// VMRecord is a VM in the JSON output. CPUPct is of its own vCPUs,
// HostCPUPct of the host (virt-top's %CPU).
type VMRecord struct {
	URI        string   `json:"uri"`
	Name       string   `json:"name"`
	UUID       string   `json:"uuid"`
	State      string   `json:"state"`
	VCPUs      int      `json:"vcpus"`
	CPUPct     *float64 `json:"cpu_pct"`
	HostCPUPct *float64 `json:"host_cpu_pct"`
	MemPct     *float64 `json:"mem_pct"`
	MemKiB     uint64   `json:"mem_kib"`
	DiskRdBps  *float64 `json:"disk_rd_bps"`
	DiskWrBps  *float64 `json:"disk_wr_bps"`
	DiskRdIOPS *float64 `json:"disk_rd_iops"`
	DiskWrIOPS *float64 `json:"disk_wr_iops"`
	NetRxBps   *float64 `json:"net_rx_bps"`
	NetTxBps   *float64 `json:"net_tx_bps"`
	CPUTimeNs  *uint64  `json:"cpu_time_ns"` // null when not running: libvirt reports the last run's
	Level      string   `json:"level"`
}

// Record is one sweep in the JSON output.
type Record struct {
	Time  time.Time    `json:"time"`
	Hosts []HostRecord `json:"hosts"`
	VMs   []VMRecord   `json:"vms"`
}

func opt[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}

// r2 rounds to two decimals: the precision the figures have.
func r2(v float64) float64 { return math.Round(v*100) / 100 }

func optf(v float64, ok bool) *float64 { return opt(r2(v), ok) }

// Snapshot is the tracker's latest figures as records: hosts in URI order,
// VMs by connection and name.
func Snapshot(at time.Time, t *Tracker) Record {
	rec := Record{Time: at, Hosts: []HostRecord{}, VMs: []VMRecord{}}
	for _, h := range t.Hosts() {
		p := h.Cur
		rec.Hosts = append(rec.Hosts, HostRecord{
			URI: h.URI, Name: h.Hostname, CPUs: h.CPUs,
			CPUPct: optf(p.CPUPct, p.CPUValid), MemUsedPct: optf(p.MemUsedPct, p.MemValid),
			MemTotalKiB: opt(p.MemTotalKiB, p.MemValid), MemAvailKiB: opt(p.MemAvailKiB, p.MemValid),
			VMs: p.VMs, Running: p.Running, GuestCPUPct: r2(p.GuestCPU), GuestDisk: r2(p.GuestDisk), GuestNet: r2(p.GuestNet),
			Level: max(h.Levels[0], h.Levels[1]).String(),
		})
	}
	vms := t.VMs("")
	slices.SortFunc(vms, func(a, b *VM) int {
		if c := strings.Compare(a.URI, b.URI); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	for _, v := range vms {
		p := v.Cur
		val := func(m Metric) *float64 { return optf(p.Value(m)) }
		rec.VMs = append(rec.VMs, VMRecord{
			URI: v.URI, Name: v.Name, UUID: v.UUID, State: p.State.String(), VCPUs: v.VCPUs,
			CPUPct: val(CPU), HostCPUPct: val(HostShare), MemPct: val(Mem), MemKiB: p.CurKiB,
			DiskRdBps: val(DiskRd), DiskWrBps: val(DiskWr), DiskRdIOPS: val(DiskRdOps), DiskWrIOPS: val(DiskWrOps),
			NetRxBps: val(NetRx), NetTxBps: val(NetTx), CPUTimeNs: runningCPUTime(p), Level: v.Level().String(),
		})
	}
	return rec
}

// runningCPUTime is a VM's CPU time while it runs; unknown (nil) when it
// does not, where libvirt's figure is the last run's.
func runningCPUTime(p Point) *uint64 {
	if !p.State.Active() {
		return nil
	}
	t := p.CPUTimeNs
	return &t
}

type jsonExport struct{ enc *json.Encoder }

func (e *jsonExport) Write(at time.Time, t *Tracker) error {
	return e.enc.Encode(Snapshot(at, t))
}

type csvExport struct {
	w      *csv.Writer
	header bool
}

func num(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func unum(p *uint64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatUint(*p, 10)
}

func (e *csvExport) Write(at time.Time, t *Tracker) error {
	if !e.header {
		if err := e.w.Write(CSVHeader); err != nil {
			return err
		}
		e.header = true
	}
	rec := Snapshot(at, t)
	ts := at.UTC().Format(time.RFC3339Nano)
	for _, h := range rec.Hosts {
		guest := h.GuestCPUPct
		_ = e.w.Write([]string{ts, h.URI, "host", h.Name, "", "",
			num(h.CPUPct), num(&guest), num(h.MemUsedPct), unum(h.MemTotalKiB), unum(h.MemAvailKiB),
			"", "", "", "", "", "", "", h.Level})
	}
	for _, v := range rec.VMs {
		memKiB := v.MemKiB
		_ = e.w.Write([]string{ts, v.URI, "vm", v.Name, v.UUID, v.State,
			num(v.CPUPct), num(v.HostCPUPct), num(v.MemPct), unum(&memKiB), "",
			num(v.DiskRdBps), num(v.DiskWrBps), num(v.DiskRdIOPS), num(v.DiskWrIOPS),
			num(v.NetRxBps), num(v.NetTxBps), unum(v.CPUTimeNs), v.Level})
	}
	e.w.Flush()
	return e.w.Error()
}
