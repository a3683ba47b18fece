package console

import (
	"net"
	"strings"
	"testing"
)

// BenchmarkPaneLines is one redraw of a full 49-row pane with colours: what
// the UI pays per burst of console output.
func BenchmarkPaneLines(b *testing.B) {
	ours, guest := net.Pipe()
	defer guest.Close()
	p := NewPane(ours, Width, 49, nil)
	defer p.Close()
	line := "\x1b[32m[    1.234567]\x1b[0m " + strings.Repeat("kernel message ", 4) + "\r\n"
	for i := 0; i < 200; i++ {
		p.Write([]byte(line))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(p.Lines(49, 0, Width, true, true)) != 49 {
			b.Fatal("short render")
		}
	}
}

// BenchmarkPaneWrite is the emulator's cost per 80-column line of output.
func BenchmarkPaneWrite(b *testing.B) {
	ours, guest := net.Pipe()
	defer guest.Close()
	p := NewPane(ours, Width, 49, nil)
	defer p.Close()
	line := []byte("[    1.234567] " + strings.Repeat("x", 64) + "\r\n")
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		p.Write(line)
	}
}
