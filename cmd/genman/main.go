// Command genman writes kvmtui's man pages (kvmtui.1 and one per command)
// from the command definitions: go run ./cmd/genman DIR (make man).
package main

import (
	"fmt"
	"os"

	"kvmtui/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genman DIR")
		os.Exit(2)
	}
	if err := cmd.WriteManPages(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}
