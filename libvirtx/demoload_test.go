package libvirtx

import (
	"testing"
	"time"
)

// The demo host's running VMs get counters that grow, differently per VM
// and over time; a VM that is not running keeps the driver's figures; a
// connection not marked gets none of it.
func TestDemoLoadOnlyOnTheDemoConnection(t *testing.T) {
	m, demo := connectDemo(t, true)
	if err := m.Add("test:///default"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 5*time.Second, func(e Event) bool { ie, ok := e.(InventoryEvent); return ok && ie.URI == "test:///default" })
	m.SetDemoLoad(demo)

	first, errs := m.Sweep(AllGroups)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, s := range first {
		switch {
		case s.URI != demo:
			if s.HasBlock || s.RSSKiB > 0 {
				t.Fatalf("a connection not marked got synthetic figures: %+v", s)
			}
		case s.State == StateRunning && (!s.HasBlock || !s.HasNet || s.RSSKiB == 0 || s.UnusedKiB == 0):
			t.Fatalf("a running demo VM without figures: %+v", s)
		case !s.State.Active() && (s.HasBlock || s.RSSKiB > 0):
			t.Fatalf("a demo VM that is not running got figures: %+v", s)
		}
	}
}

// Counters advance with the time between samples, at a rate of the VM's
// own, and never go backwards.
func TestDemoLoadAdvancesPerVM(t *testing.T) {
	d := &demoLoad{vms: map[string]*demoVM{}}
	t0 := time.Unix(1_700_000_000, 0)
	sample := func(name string, at time.Time) Sample {
		return Sample{Ref: Ref{URI: "test:///demo", UUID: name, Name: name}, At: at, State: StateRunning, VCPUs: 2, CurrentKiB: 4 << 20}
	}
	names := []string{"web-01", "db-primary", "build-runner"}
	var prev []Sample
	cpuRates := map[string]float64{}
	for step := range 30 {
		at := t0.Add(time.Duration(step) * 2 * time.Second)
		var cur []Sample
		for _, n := range names {
			cur = append(cur, sample(n, at))
		}
		d.apply(cur, AllGroups)
		for i, s := range cur {
			if prev == nil {
				continue
			}
			p := prev[i]
			if s.CPUTimeNs < p.CPUTimeNs || s.RdBytes < p.RdBytes || s.WrBytes < p.WrBytes || s.RxBytes < p.RxBytes || s.TxBytes < p.TxBytes {
				t.Fatalf("%s: a counter went backwards: %+v after %+v", s.Name, s, p)
			}
			if share := float64(s.CPUTimeNs-p.CPUTimeNs) / 2e9 / 2; share > 1 {
				t.Fatalf("%s uses %.2f of its vCPUs", s.Name, share)
			}
			cpuRates[s.Name] += float64(s.CPUTimeNs - p.CPUTimeNs)
		}
		prev = cur
	}
	if cpuRates["web-01"] == cpuRates["db-primary"] || cpuRates["db-primary"] == cpuRates["build-runner"] || cpuRates["web-01"] == 0 {
		t.Fatalf("CPU time per VM over a minute: %v: want each its own, none idle", cpuRates)
	}
}
