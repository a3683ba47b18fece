// Command slowlink is a link with a known round trip, for benchmarks: it
// listens on a unix socket and relays each connection to another unix socket
// (libvirtd's), holding every chunk for a delay in each direction. A client
// that reaches libvirtd through it, e.g.
//
//	slowlink -listen /tmp/slow.sock -to /var/run/libvirt/libvirt-sock -delay 10ms &
//	kvmtui -c 'qemu+unix:///system?socket=/tmp/slow.sock'
//
// sees a 20 ms round trip, as over a WAN, while bytes still flow back to back
// (the delay is latency, not a bandwidth cap).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "", "unix socket to listen on")
	to := flag.String("to", "/var/run/libvirt/libvirt-sock", "unix socket to relay to")
	delay := flag.Duration("delay", 10*time.Millisecond, "delay each way")
	flag.Parse()
	if *listen == "" {
		fmt.Fprintln(os.Stderr, "usage: slowlink -listen SOCKET [-to SOCKET] [-delay 10ms]")
		os.Exit(2)
	}
	_ = os.Remove(*listen)
	l, err := net.Listen("unix", *listen)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go relay(c, *to, *delay)
	}
}

// relay joins a client to the target with the delay in both directions.
func relay(client net.Conn, to string, delay time.Duration) {
	defer client.Close()
	server, err := net.Dial("unix", to)
	if err != nil {
		log.Print(err)
		return
	}
	defer server.Close()
	done := make(chan struct{}, 2)
	go func() { delayed(server, client, delay); done <- struct{}{} }()
	go func() { delayed(client, server, delay); done <- struct{}{} }()
	<-done
}

// chunk is bytes read and the time they may be written.
type chunk struct {
	b  []byte
	at time.Time
}

// delayed copies src to dst, each chunk written delay after it was read;
// reading goes on meanwhile, so the link keeps its bandwidth.
func delayed(dst io.WriteCloser, src io.Reader, delay time.Duration) {
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 64<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	defer dst.Close()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			return
		}
	}
}
