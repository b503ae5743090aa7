package cli

import (
	"fmt"
	"io"
	"regexp"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// partitionPattern is the shape of an AWS partition's name.
var partitionPattern = regexp.MustCompile(`^aws(-[a-z]+)*$`)

func runChecks(args []string, env Env) int {
	fs := newFlagSet("checks", env)
	iamPolicy := fs.Bool("iam-policy", false, "print the least-privilege IAM policy (JSON) that a scan needs for the implemented checks")
	member := fs.Bool("member", false, "with --iam-policy: the policy of the member role assumed in each account of an organization scan")
	orgCaller := fs.Bool("org", false, "with --iam-policy: what the caller of an organization scan needs beyond the checks' actions (list the accounts, assume the member role)")
	roleName := fs.String("role-name", org.DefaultRoleName, "with --iam-policy --org: the member `role`'s name")
	partition := fs.String("partition", "aws", "with --iam-policy --org: the `partition` of the member role's ARN (aws, aws-cn, aws-us-gov)")
	if code, done := parseFlags(fs, args, env); done {
		return code
	}
	if (*member || *orgCaller) && !*iamPolicy || *member && *orgCaller {
		fmt.Fprintln(env.Stderr, "secadvisor checks: --member and --org go with --iam-policy, one at a time")
		return ExitUsage
	}
	catalog := checks.All()
	if *iamPolicy {
		// The member role runs the same checks and discovery as a scan of
		// one account: its policy is the same document.
		policy := checks.ReadOnlyPolicy(catalog, scan.DiscoveryActions...)
		if *orgCaller {
			if !roleNamePattern.MatchString(*roleName) {
				fmt.Fprintf(env.Stderr, "secadvisor checks: --role-name %q: want 1 to 64 letters, digits or +=,.@_-\n", *roleName)
				return ExitUsage
			}
			if !partitionPattern.MatchString(*partition) {
				fmt.Fprintf(env.Stderr, "secadvisor checks: --partition %q: want aws, aws-cn, aws-us-gov or another aws-… partition\n", *partition)
				return ExitUsage
			}
			policy = orgPolicy(*partition, *roleName)
		}
		if err := writeIndentedJSON(env.Stdout, policy); err != nil {
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
