package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func runChecks(args []string, env Env) int {
	fs := newFlagSet("checks", env)
	iamPolicy := fs.Bool("iam-policy", false, "print the least-privilege IAM policy (JSON) that a scan needs for the implemented checks")
	if code, done := parseFlags(fs, args, env); done {
		return code
	}
	catalog := checks.All()
	if *iamPolicy {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checks.ReadOnlyPolicy(catalog, scan.DiscoveryActions...)); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor checks: %v\n", err)
			return ExitUsage
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tSCOPE\tSTATE\tNAME")
	for _, c := range catalog {
		state := "implemented"
		if !c.Implemented() {
			state = "not implemented"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Meta.ID, c.Meta.Slug, c.Meta.Scope, state, c.Meta.Name)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor checks: %v\n", err)
		return ExitUsage
	}
	if err := writeDatasets(env.Stdout, catalog); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor checks: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}

// writeDatasets lists the data files that age, with their dates, so that a
// stale table is visible rather than silently wrong.
func writeDatasets(w io.Writer, catalog []check.Check) error {
	data := checks.Datasets(catalog)
	if len(data) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nDATA\tAS OF\tSOURCE")
	for _, d := range data {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.AsOf, d.Source)
	}
	return tw.Flush()
}
