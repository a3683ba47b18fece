package cmd

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// kvmtui nwfilter …: the :nwfilter page's actions for scripts.

func (o *options) nwfilterCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "nwfilter",
		Short: "network filters: list, define, delete",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(o.nwfilterListCommand(), o.nwfilterDefineCommand(), o.nwfilterDeleteCommand())
	return c
}

// filterJSON is a filter as `nwfilter list --format json` prints it.
type filterJSON struct {
	Name     string   `json:"name"`
	URI      string   `json:"uri"`
	UUID     string   `json:"uuid"`
	Chain    string   `json:"chain,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Rules    int      `json:"rules"`
	Includes []string `json:"includes"`
	UsedBy   []string `json:"used_by"`
	Bound    []string `json:"applied_to"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (o *options) nwfilterListCommand() *cobra.Command {
	format := "table"
	c := &cobra.Command{
		Use:   "list [--format table|json]",
		Short: "list the network filters with what references them and where they are applied",
		Args:  cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if err := o.checkFormat("nwfilter list", format); err != nil {
				return err
			}
			out := []filterJSON{}
			for _, uri := range s.uris {
				fs, err := s.mgr.NWFilters(uri)
				if err != nil {
					return o.fail(fmt.Errorf("%s: %w", uri, err))
				}
				for _, f := range fs {
					out = append(out, filterJSON{Name: f.Name, URI: f.URI, UUID: f.UUID, Chain: f.Chain, Priority: f.Priority, Rules: f.Rules,
						Includes: nonNil(f.Refs), UsedBy: nonNil(f.Users), Bound: nonNil(f.Bound)})
				}
			}
			if format == "json" {
				return o.writeJSON(out)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCHAIN\tRULES\tINCLUDES\tUSED BY\tURI")
			for _, f := range out {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", f.Name, f.Chain, f.Rules, strings.Join(f.Includes, ","), strings.Join(f.UsedBy, ", "), f.URI)
			}
			return tw.Flush()
		}),
	}
	c.Flags().StringVar(&format, "format", format, "table or json")
	return c
}

func (o *options) nwfilterDefineCommand() *cobra.Command {
	var from string
	c := &cobra.Command{
		Use:   "define (FILE.xml | --from FILTER NAME)",
		Short: "define a filter from a file, or as a copy of another (clean-traffic …)",
		Long: `Define a network filter from an XML file (replacing the filter of that
name, as virsh nwfilter-define does), or with --from as a copy of an
existing filter under a new name. A filter that includes a filter the host
does not have is refused before anything is defined.`,
		Args: cobra.ExactArgs(1),
		RunE: o.inSession(func(s *session, args []string) error {
			if len(s.uris) != 1 {
				return o.usage("nwfilter define: name one connection with -c")
			}
			uri := s.uris[0]
			if from != "" {
				if err := s.mgr.CopyNWFilter(uri, from, args[0]); err != nil {
					return o.fail(err)
				}
				fmt.Fprintf(o.stdout, "defined filter %s from %s\n", args[0], from)
				return nil
			}
			doc, err := os.ReadFile(args[0])
			if err != nil {
				return o.fail(err)
			}
			name, err := s.mgr.DefineNWFilter(uri, string(doc))
			if err != nil {
				return o.fail(err)
			}
			fmt.Fprintf(o.stdout, "defined filter %s\n", name)
			return nil
		}),
	}
	c.Flags().StringVar(&from, "from", "", "copy this filter's rules")
	return c
}

func (o *options) nwfilterDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete FILTER...",
		Short: "undefine filters nothing references (a referenced one is refused, naming the NICs)",
		Args:  cobra.MinimumNArgs(1),
		RunE: o.inSession(func(s *session, names []string) error {
			failed := false
			for _, name := range names {
				err := fmt.Errorf("no network filter %q on %s", name, strings.Join(s.uris, ", "))
				for _, uri := range s.uris {
					if _, e := s.mgr.NWFilterXML(uri, name); e == nil {
						err = s.mgr.UndefineNWFilter(uri, name)
						break
					}
				}
				if err != nil {
					fmt.Fprintf(o.stderr, "kvmtui: nwfilter delete %s: %v\n", name, err)
					failed = true
				}
			}
			if failed {
				return exitCode(1)
			}
			return nil
		}),
	}
}
