package perf

import (
	"fmt"
	"testing"
	"time"

	"kvmtui/libvirtx"
)

// One sweep of 200 running VMs into the tracker: rates, ten series each,
// four thresholds each, the host aggregate.
func BenchmarkTrackerAdd200(b *testing.B) {
	const n = 200
	tr := NewTracker(DefaultThresholds())
	lk := lookup(32, 2)
	samples := make([]libvirtx.Sample, n)
	for i := range samples {
		samples[i] = libvirtx.Sample{Ref: libvirtx.Ref{URI: testURI, UUID: fmt.Sprint(i), Name: fmt.Sprint("vm-", i)},
			State: libvirtx.StateRunning, HasCPU: true, CurrentKiB: 1 << 20, RSSKiB: 1 << 19, HasBlock: true, HasNet: true}
	}
	at := time.Unix(1000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at = at.Add(2 * time.Second)
		for j := range samples {
			s := &samples[j]
			s.At = at
			s.CPUTimeNs += uint64(j%10) * 1e8
			s.RdBytes += 4096
			s.RxBytes += 1500
		}
		tr.Add(samples, []libvirtx.HostSample{{URI: testURI, At: at}}, lk)
	}
}
