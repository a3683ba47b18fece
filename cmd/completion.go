package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// bashFallback stands in for the bash-completion package's word splitting
// when that package is not loaded (a minimal Debian has none): cobra's
// script needs _get_comp_words_by_ref, and bash's own COMP_WORDS is enough
// for kvmtui's words.
const bashFallback = `# Without the bash-completion package: a minimal _get_comp_words_by_ref.
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref() {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
}
fi

`

func (o *options) completionCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "a shell completion script: source <(kvmtui completion bash)",
		Long: `Print a completion script for the shell. Commands, flags and VM names
complete:
  bash:  source <(kvmtui completion bash)     (or put it in ~/.bashrc)
  zsh:   source <(kvmtui completion zsh)
  fish:  kvmtui completion fish | source`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: func(_ *cobra.Command, args []string) error {
			return writeCompletion(root, args[0], o.stdout)
		},
	}
}

func writeCompletion(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		if _, err := io.WriteString(w, bashFallback); err != nil {
			return err
		}
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	}
	return fmt.Errorf("no completion for %q: bash, zsh or fish", shell)
}
