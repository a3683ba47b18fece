package console

import "encoding/base64"

// OSC52 is the escape sequence that asks the terminal (or tmux with
// set-clipboard on) to put text on the clipboard. Terminals without support
// ignore it, so it is safe to send blind.
func OSC52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a"
}
