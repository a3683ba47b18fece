package perf

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"kvmtui/libvirtx"
)

// exportTracker holds two sweeps: a running VM with disk and network, a
// shut-off VM, and the host.
func exportTracker(t *testing.T) (*Tracker, time.Time) {
	tr := NewTracker(DefaultThresholds())
	lk := lookup(4, 2)
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{t0, t0.Add(2 * time.Second)} {
		// 3 s of CPU in 2 s: 75 % of its 2 vCPUs, 37.5 % of the 4 host CPUs.
		run := vmSample("web", at, uint64(i)*3e9, libvirtx.StateRunning)
		run.CurrentKiB, run.RSSKiB = 1<<20, 1<<19 // 50 % memory
		run.HasBlock, run.RdBytes, run.WrBytes, run.RdReqs, run.WrReqs = true, uint64(i)*2048, uint64(i)*4096, uint64(i)*10, uint64(i)*4
		run.HasNet, run.RxBytes, run.TxBytes = true, uint64(i)*3000, uint64(i)*1000
		off := vmSample("db", at, 0, libvirtx.StateShutoff)
		h := libvirtx.HostSample{URI: testURI, At: at, HasMem: true, TotalKiB: 8 << 20, FreeKiB: 4 << 20}
		tr.Add([]libvirtx.Sample{run, off}, []libvirtx.HostSample{h}, lk)
	}
	return tr, t0.Add(2 * time.Second)
}

func TestExportCSVParsesBack(t *testing.T) {
	tr, at := exportTracker(t)
	var buf bytes.Buffer
	e, err := NewExport("csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(at, tr); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(at.Add(2*time.Second), tr); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// One header, then host + 2 VMs per write.
	if len(rows) != 1+3+3 {
		t.Fatalf("%d rows:\n%v", len(rows), rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	get := func(r []string, k string) string { return r[col[k]] }
	hostRow, db, web := rows[1], rows[2], rows[3]
	if get(hostRow, "kind") != "host" || get(hostRow, "name") != "h1" || get(hostRow, "mem_pct") != "50.00" || get(hostRow, "cpu_pct") != "" {
		t.Fatalf("host row %v", hostRow)
	}
	// A shut-off VM's CPU time is unknown: libvirt's figure is its last run's.
	if get(db, "name") != "db" || get(db, "state") != "shut off" || get(db, "cpu_pct") != "" || get(db, "cpu_time_ns") != "" || get(db, "level") != "ok" {
		t.Fatalf("db row %v", db)
	}
	want := map[string]float64{"cpu_pct": 75, "host_cpu_pct": 37.5, "mem_pct": 50, "disk_rd_bps": 1024, "disk_wr_bps": 2048,
		"disk_rd_iops": 5, "disk_wr_iops": 2, "net_rx_bps": 1500, "net_tx_bps": 500, "cpu_time_ns": 3e9}
	for k, w := range want {
		f, err := strconv.ParseFloat(get(web, k), 64)
		if err != nil || !near(f, w) {
			t.Errorf("web %s = %q, want %v", k, get(web, k), w)
		}
	}
	if get(web, "level") != "warn" || get(web, "time") != "2025-05-01T12:00:02Z" || get(web, "uuid") != "uuid-web" {
		t.Errorf("web row %v", web)
	}
}

func TestExportJSONParsesBack(t *testing.T) {
	tr, at := exportTracker(t)
	var buf bytes.Buffer
	e, _ := NewExport("json", &buf)
	e.Write(at, tr)
	e.Write(at, tr)
	out := buf.String()
	// null, not 0, for what is unknown.
	if !strings.Contains(out, `"cpu_pct":null`) {
		t.Fatalf("no null in\n%s", out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v\n%s", n, err, sc.Bytes())
		}
		if !rec.Time.Equal(at) || len(rec.Hosts) != 1 || len(rec.VMs) != 2 {
			t.Fatalf("record %+v", rec)
		}
		h := rec.Hosts[0]
		if h.CPUPct != nil || h.MemUsedPct == nil || *h.MemUsedPct != 50 || h.VMs != 2 || h.Running != 1 || !near(h.GuestCPUPct, 37.5) {
			t.Fatalf("host %+v", h)
		}
		db, web := rec.VMs[0], rec.VMs[1]
		if db.Name != "db" || db.CPUPct != nil || db.MemPct != nil || db.CPUTimeNs != nil {
			t.Fatalf("db %+v", db)
		}
		if web.CPUPct == nil || !near(*web.CPUPct, 75) || *web.NetRxBps != 1500 || web.VCPUs != 2 || web.Level != "warn" {
			t.Fatalf("web %+v", web)
		}
	}
	if n != 2 {
		t.Fatalf("%d lines, want 2", n)
	}
	if _, err := NewExport("xml", &buf); err == nil {
		t.Fatal("xml accepted")
	}
}
