package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func runChecks(args []string, env Env) int {
	fs := flag.NewFlagSet("checks", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	iamPolicy := fs.Bool("iam-policy", false, "print the least-privilege IAM policy (JSON) that `secadvisor scan` needs for the implemented checks")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
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
		return ExitUsage
	}
	return ExitOK
}
