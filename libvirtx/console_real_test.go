package libvirtx

import (
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestRealConsoleExperiment(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "conexp")
	lt.MustVirsh(t, uri, "start", "--paused", name)
	m := NewManager(false)
	defer m.Close()
	m.Add(uri)
	waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	ref := domainByName(t, m, uri, name).Ref
	c, err := m.OpenConsole(ref, "", false)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	lt.MustVirsh(t, uri, "resume", name)
	var all strings.Builder
	buf := make([]byte, 4096)
	first := time.Duration(0)
	for !strings.Contains(all.String(), "kvmtui-guest# ") {
		n, err := c.Read(buf)
		if first == 0 {
			first = time.Since(t0)
		}
		all.Write(buf[:n])
		if err != nil {
			t.Fatal(err, all.String())
		}
	}
	t.Logf("first %v prompt %v", first, time.Since(t0))
	_, err = m.OpenConsole(ref, "", false)
	t.Logf("second open: %v", err)
	t1 := time.Now()
	c.Write([]byte("echo hi$((1+2))\r"))
	all.Reset()
	for !strings.Contains(all.String(), "hi3") {
		n, err := c.Read(buf)
		all.Write(buf[:n])
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("echo rt %v", time.Since(t1))
	done := make(chan error)
	go func() {
		for {
			n, err := c.Read(buf)
			if err != nil {
				done <- err
				return
			}
			t.Logf("read %q", buf[:n])
		}
	}()
	time.Sleep(200 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		t.Logf("read after close: %v", err)
	case <-time.After(5 * time.Second):
		t.Log("Read did not return after Close")
	}
}
