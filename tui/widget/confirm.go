package widget

import tea "github.com/charmbracelet/bubbletea"

// Confirm asks y/N before something disruptive; only y runs it.
type Confirm struct {
	Prompt string
	Run    tea.Cmd
}

// Answer reads a key: done when it answered, with the command to run (nil
// for no). Other keys leave the question open.
func (c *Confirm) Answer(k tea.KeyMsg) (cmd tea.Cmd, done bool) {
	switch k.String() {
	case "y", "Y":
		return c.Run, true
	case "n", "N", "esc", "q", "enter":
		return nil, true
	}
	return nil, false
}

// View is the question in a box.
func (c *Confirm) View(th *Theme) string { return th.Box.Render(c.Body(th)) }

// Body is the question and its keys, for a box of the caller's width.
func (c *Confirm) Body(th *Theme) string {
	return c.Prompt + "\n\n" + th.Key.Render("y") + " yes   " + th.Key.Render("n/esc") + " no"
}
