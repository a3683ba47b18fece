// Command rssfloor is the least memory a Go program holding a libvirt
// connection takes: it connects, lists the domains and their states,
// waits, and prints its resident memory. testdata/bench/cost.sh prints it
// beside kvmtui's: the part of kvmtui's RSS that any client linked with
// libvirt (libvirt.org/go/libvirt, cgo) carries.
//
//	go run ./testdata/bench/rssfloor URI [SECONDS]
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rssfloor URI [SECONDS]")
		os.Exit(2)
	}
	wait := 5
	if len(os.Args) > 2 {
		wait, _ = strconv.Atoi(os.Args[2])
	}
	// As kvmtui: libvirt's event loop, for events and keepalive.
	if err := libvirt.EventRegisterDefaultImpl(); err != nil {
		fail(err)
	}
	go func() {
		for libvirt.EventRunDefaultImpl() == nil {
		}
	}()
	c, err := libvirt.NewConnect(os.Args[1])
	if err != nil {
		fail(err)
	}
	defer c.Close()
	doms, err := c.ListAllDomains(0)
	if err != nil {
		fail(err)
	}
	for i := range doms {
		doms[i].Free()
	}
	if _, err := c.GetAllDomainStats(nil, libvirt.DOMAIN_STATS_STATE, 0); err != nil {
		fail(err)
	}
	time.Sleep(time.Duration(wait) * time.Second)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fail(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "VmRSS:" {
			fmt.Println(f[1]) // KiB
			return
		}
	}
	fail(fmt.Errorf("no VmRSS in /proc/self/status"))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rssfloor:", err)
	os.Exit(1)
}
