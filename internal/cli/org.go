package cli

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/member"
	"github.com/secadvisor/secadvisor/internal/org/orglist"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// orgFlags choose the accounts a scan covers: the caller's own (the
// default), the organization's, or a list.
type orgFlags struct {
	org        bool
	accounts   string
	exclude    string
	roleName   string
	externalID string
}

func (f *orgFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.org, "org", false, "scan every active account of the organization (organizations:ListAccounts with the caller's credentials: the management account or a delegated administrator)")
	fs.StringVar(&f.accounts, "accounts", "", "comma-separated account `IDs` to scan (instead of --org)")
	fs.StringVar(&f.exclude, "exclude-accounts", "", "comma-separated account `IDs` left out of --org or --accounts")
	fs.StringVar(&f.roleName, "role-name", org.DefaultRoleName, "the `role` assumed in each account other than the caller's (arn:<partition>:iam::<account>:role/<role>)")
	fs.StringVar(&f.externalID, "external-id", "", "the external `ID` passed when assuming the role")
}

// many reports whether the scan covers other accounts than the caller's.
func (f orgFlags) many() bool { return f.org || f.accounts != "" }

// IAM's limits on a role name and an external ID.
var (
	roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// Go's regexp repeats at most 1,000 times: the length is checked apart.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// validate checks the flags before any AWS call.
func (f orgFlags) validate() error {
	if f.org && f.accounts != "" {
		return fmt.Errorf("--org and --accounts: use one")
	}
	if f.exclude != "" && !f.many() {
		return fmt.Errorf("--exclude-accounts needs --org or --accounts")
	}
	for flagName, list := range map[string]string{"--accounts": f.accounts, "--exclude-accounts": f.exclude} {
		for _, id := range pipeline.SplitList(list) {
			if !org.IsAccountID(id) {
				return fmt.Errorf("%s: %q is not a 12-digit account ID", flagName, id)
			}
		}
	}
	if !roleNamePattern.MatchString(f.roleName) {
		return fmt.Errorf("--role-name %q: want 1 to 64 letters, digits or +=,.@_-", f.roleName)
	}
	if f.externalID != "" && (len(f.externalID) < 2 || len(f.externalID) > 1224 || !externalIDPattern.MatchString(f.externalID)) {
		return fmt.Errorf("--external-id: want 2 to 1224 letters, digits or +=,.@:/_-")
	}
	return nil
}

// targets returns the accounts to scan, sorted by ID (org.Scope): the
// organization's active accounts (with their names), the listed ones, or the
// caller's own.
func (f orgFlags) targets(ctx context.Context, cfg aws.Config, caller member.Caller) ([]org.Account, error) {
	scope := org.Scope{Org: f.org, IDs: pipeline.SplitList(f.accounts), Exclude: pipeline.SplitList(f.exclude)}
	own := func(context.Context) (string, error) { return caller.Account, nil }
	list := func(ctx context.Context) ([]org.Account, error) {
		accounts, err := orglist.ListActive(ctx, organizations.NewFromConfig(cfg))
		if err != nil {
			return nil, fmt.Errorf("cannot list the organization's accounts (run as the management account or a delegated administrator, or pass --accounts): %w", err)
		}
		return accounts, nil
	}
	return scope.Targets(ctx, own, list)
}

// entered is what entering one account found: its regions, or why it could
// not be entered.
type entered struct {
	regions []string
	err     error
}

// enterAll enters every account, at most concurrency at once, and finds the
// regions to scan in each: the regions given, or the account's own enabled
// regions (accounts of one organization can opt in to different regions).
// Entering first means an account whose role is missing or denied is known
// before any of its jobs runs: its checks get one error each instead of
// hundreds of failing calls.
func enterAll(ctx context.Context, accounts *member.Accounts, targets []org.Account, regions []string, concurrency int) map[string]entered {
	out := make(map[string]entered, len(targets))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(concurrency, 1))
	for _, a := range targets {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			e := entered{regions: regions}
			if err := accounts.Enter(ctx, a.ID); err != nil {
				e.err = err
			} else if len(regions) == 0 {
				if e.regions, e.err = scan.EnabledRegions(ctx, accounts.Config(a.ID)); e.err != nil {
					e.err = fmt.Errorf("cannot list the account's enabled regions: %w", e.err)
				}
			}
			mu.Lock()
			out[a.ID] = e
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// orgPlan is an organization scan's plan: the jobs to run, interleaved
// across accounts so that concurrent jobs fall in different accounts, and
// the jobs of accounts that could not be entered, with why.
type orgPlan struct {
	jobs    []scan.Job
	blocked []scan.Job
	why     map[string]error
	regions []string
	names   map[string]string
}

// planAccounts plans the jobs of every account. A blocked account is planned
// in fallbackRegions (the caller's), so that its stored findings in each
// region become errors rather than stay as they were.
func planAccounts(selected []check.Check, targets []org.Account, found map[string]entered, fallbackRegions []string, started time.Time) orgPlan {
	p := orgPlan{why: map[string]error{}, names: map[string]string{}}
	var perAccount [][]scan.Job
	var all []string
	for _, a := range targets {
		if a.Name != "" {
			p.names[a.ID] = a.Name
		}
		e := found[a.ID]
		if e.err != nil {
			p.why[a.ID] = e.err
			p.blocked = append(p.blocked, named(scan.Plan(selected, []string{a.ID}, fallbackRegions, started), a.Name)...)
			continue
		}
		all = append(all, e.regions...)
		perAccount = append(perAccount, named(scan.Plan(selected, []string{a.ID}, e.regions, started), a.Name))
	}
	for i := 0; ; i++ {
		added := false
		for _, jobs := range perAccount {
			if i < len(jobs) {
				p.jobs = append(p.jobs, jobs[i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	// The regions scanned, in the order first met: a scan of one account
	// reports its regions as given.
	for _, r := range all {
		if !slices.Contains(p.regions, r) {
			p.regions = append(p.regions, r)
		}
	}
	if len(p.regions) == 0 {
		p.regions = fallbackRegions
	}
	return p
}

func named(jobs []scan.Job, name string) []scan.Job {
	for i := range jobs {
		jobs[i].AccountName = name
	}
	return jobs
}

// accountErrors returns, for the report, one error finding per check of each
// account that could not be entered (resource and region "(all)"), and, for
// the findings table, one per blocked job, so that no stored finding of
// that account stays green.
func accountErrors(p orgPlan) (report, stored []check.Finding) {
	seen := map[[2]string]bool{}
	for _, job := range p.blocked {
		reason := p.why[job.Account].Error()
		stored = append(stored, scan.NotRun(job, reason)...)
		key := [2]string{job.Account, job.Check.Meta.ID}
		if seen[key] {
			continue
		}
		seen[key] = true
		whole := job
		if whole.Region != check.GlobalRegion {
			whole.Region = check.AllRegions
		}
		report = append(report, scan.NotRun(whole, reason)...)
	}
	return report, stored
}

// orgPolicy is the policy the caller of an organization scan needs beyond
// the checks' own actions: listing the accounts and assuming the member role.
func orgPolicy(partition, roleName string) checks.PolicyDocument {
	return checks.PolicyDocument{
		Version: "2012-10-17",
		Statement: []checks.PolicyStatement{
			{Sid: "SecadvisorListAccounts", Effect: "Allow", Action: org.ListActions, Resource: "*"},
			{Sid: "SecadvisorAssumeMemberRole", Effect: "Allow", Action: []string{org.AssumeAction}, Resource: org.RoleARN(partition, "*", roleName)},
		},
	}
}
