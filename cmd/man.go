package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra/doc"
)

// WriteManPages writes kvmtui.1 and a page per command into dir, from the
// command definitions themselves.
func WriteManPages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := NewRoot(nil, io.Discard, io.Discard)
	root.DisableAutoGenTag = true // the same pages for the same source
	// The main page lists the commands, as kvmtui -h does.
	root.Long += "\n\nCommands (kvmtui COMMAND -h, or man kvmtui-COMMAND, for each):\n"
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			root.Long += fmt.Sprintf("\n* **%s**: %s", c.Name(), c.Short)
		}
	}
	header := &doc.GenManHeader{Title: "KVMTUI", Section: "1", Source: "kvmtui", Manual: "kvmtui manual"}
	return doc.GenManTree(root, header, dir)
}
