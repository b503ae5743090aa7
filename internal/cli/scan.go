package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/awsx/awsconfig"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/org/member"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
	"github.com/secadvisor/secadvisor/internal/suppress/rulesfile"
)

// scanFlags are the options of `secadvisor scan` (and `demo`).
type scanFlags struct {
	regions     regionList
	checks      string
	format      string
	output      string
	failOn      string
	concurrency int
	jobTimeout  time.Duration
	timeout     time.Duration
	stats       bool
	status      string
	onlyFailing bool
	progress    bool
	endpointURL string
	profile     string
	emulator    bool
	table       string
	// regionConcurrency bounds the jobs run at once in one (account, region).
	regionConcurrency int
	org               orgFlags
	// suppressions is the rules file (suppress.DefaultFile when present).
	suppressions       string
	suppressionMaxDays int
}

// registerReport registers the flags that shape the report, which scan and
// demo share.
func (f *scanFlags) registerReport(fs *flag.FlagSet) {
	fs.Var(&f.regions, "regions", "comma-separated `regions` to scan, e.g. eu-west-1,us-east-1 (default: the account's enabled regions)")
	fs.StringVar(&f.checks, "checks", "", "comma-separated check IDs or slugs (`checks`; default: all)")
	fs.StringVar(&f.format, "format", "table", "output `format`: table, json, csv, ocsf (OCSF 1.x Detection Findings, a JSON array), ocsf-jsonl (one per line), asff (AWS Security Finding Format, for Security Hub) or html (one self-contained page)")
	fs.StringVar(&f.output, "output", "", "write the report to this `file` instead of standard output")
	fs.BoolVar(&f.stats, "stats", false, "print the AWS API calls made, per operation, on standard error (and in JSON output)")
	fs.StringVar(&f.status, "status", "", "list only findings with these comma-separated `statuses` (red, error, yellow, unavailable, green) in every format; counts and --fail-on still see every finding")
	fs.BoolVar(&f.onlyFailing, "only-failing", false, "list only the findings that call for action: --status red,error,yellow")
}

// registerScan registers the flags only a scan of an account has: how it
// runs, when it fails, and how it reaches AWS.
func (f *scanFlags) registerScan(fs *flag.FlagSet) {
	fs.StringVar(&f.failOn, "fail-on", "red", "exit 1 when a finding is at or above this `status`: red, yellow or never (error findings fail both red and yellow; unavailable findings fail neither)")
	fs.IntVar(&f.concurrency, "concurrency", scan.DefaultConcurrency, "`number` of jobs run at once")
	fs.IntVar(&f.regionConcurrency, "region-concurrency", scan.DefaultTargetConcurrency, "`number` of jobs run at once in one account and region (AWS rate-limits API calls per account and region)")
	fs.DurationVar(&f.jobTimeout, "job-timeout", scan.DefaultJobTimeout, "time limit (`duration`) of one (check, region) job, and of finding the account and its regions before the scan")
	fs.DurationVar(&f.timeout, "timeout", DefaultScanTimeout, "time limit (`duration`) of the whole scan: jobs not finished by then are error findings")
	fs.BoolVar(&f.progress, "progress", false, "when standard error is not a terminal, print a progress line once a minute (a terminal always gets a live line)")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint `url` (a local emulator); AWS_ENDPOINT_URL works too")
	fs.StringVar(&f.profile, "profile", "", "AWS shared-config `profile` (default: the standard credential chain)")
	fs.BoolVar(&f.emulator, "emulator", false, "the endpoint is the moto emulator: use static credentials and patch its known gaps")
	fs.StringVar(&f.table, "table", "", "also write the findings to this DynamoDB findings `table` (only what changed); it must exist (make deploy creates it)")
	f.org.register(fs)
	fs.StringVar(&f.suppressions, "suppressions", "", "suppression rules `file` (YAML; default "+suppress.DefaultFile+" when it is in the working directory)")
	fs.IntVar(&f.suppressionMaxDays, "suppression-max-days", int(suppress.DefaultMaxAhead.Hours()/24), "how many `days` ahead a suppression rule may expire at most")
}

func runScan(ctx context.Context, args []string, env Env) int {
	fs := newFlagSet("scan", env)
	var f scanFlags
	f.registerReport(fs)
	f.registerScan(fs)
	if code, done := parseFlags(fs, args, env); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "secadvisor scan: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	if f.emulator && f.endpointURL == "" {
		fmt.Fprintln(env.Stderr, "secadvisor scan: --emulator needs --endpoint-url")
		return ExitUsage
	}
	if err := validEndpoint(f.endpointURL); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Profile: f.profile, EndpointURL: f.endpointURL})
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	if f.emulator {
		cfg = emulator.Adapt(cfg)
	}
	// Recorded after the emulator patches are built, so that their own
	// calls (answering for the emulator's gaps) are not counted.
	recorder := awsx.NewRecorder()
	cfg = recorder.Counting(cfg)
	return scanAndReport(ctx, cfg, recorder, f, env)
}

// scanAndReport runs the scan described by f with cfg, writes the report and
// returns the exit code.
func scanAndReport(ctx context.Context, cfg aws.Config, recorder *awsx.Recorder, f scanFlags, env Env) int {
	if f.concurrency <= 0 || f.regionConcurrency <= 0 || f.jobTimeout <= 0 || f.timeout <= 0 {
		fmt.Fprintf(env.Stderr, "secadvisor scan: --concurrency, --region-concurrency, --job-timeout and --timeout must be positive (got %d, %d, %s, %s)\n", f.concurrency, f.regionConcurrency, f.jobTimeout, f.timeout)
		return ExitUsage
	}
	if err := f.org.validate(); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	threshold, ok := map[string]check.Status{"red": check.Red, "yellow": check.Yellow, "never": ""}[f.failOn]
	if !ok {
		fmt.Fprintf(env.Stderr, "secadvisor scan: --fail-on %q: want red, yellow or never\n", f.failOn)
		return ExitUsage
	}
	selected, listed, err := f.reportChoices()
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	started := time.Now()
	rules, err := f.suppressionRules(started)
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	// Discovery is bounded like a job: an endpoint that accepts connections
	// and never answers fails here, fast, instead of hanging the scan.
	discoverCtx, cancelDiscovery := context.WithTimeout(ctx, f.jobTimeout)
	defer cancelDiscovery()
	caller, err := member.CallerOf(discoverCtx, cfg)
	if err != nil {
		if code, ok := interrupted(ctx, env, nil, 0); ok {
			return code
		}
		fmt.Fprintf(env.Stderr, "secadvisor scan: cannot reach AWS to tell which account the credentials belong to: %s\n", discoveryFailure(discoverCtx, f.jobTimeout, err))
		return ExitUsage
	}
	targets, err := f.org.targets(discoverCtx, cfg, caller)
	if err != nil {
		if code, ok := interrupted(ctx, env, nil, 0); ok {
			return code
		}
		fmt.Fprintf(env.Stderr, "secadvisor scan: %s\n", discoveryFailure(discoverCtx, f.jobTimeout, err))
		return ExitUsage
	}
	regions := []string(f.regions)
	if len(regions) == 0 {
		if regions, err = scan.EnabledRegions(discoverCtx, cfg); err != nil {
			if code, ok := interrupted(ctx, env, nil, 0); ok {
				return code
			}
			fmt.Fprintf(env.Stderr, "secadvisor scan: cannot list the enabled regions (pass --regions): %s\n", discoveryFailure(discoverCtx, f.jobTimeout, err))
			return ExitUsage
		}
	}
	// With --table, the table's own suppression rules decide what is
	// stored as suppressed (as the deployed check functions do); the report
	// applies them and the file's.
	var storedRules []suppress.Rule
	if f.table != "" {
		table := store.New(dynamodb.NewFromConfig(cfg), f.table)
		if err := table.Reachable(discoverCtx); err != nil {
			if code, ok := interrupted(ctx, env, nil, 0); ok {
				return code
			}
			fmt.Fprintf(env.Stderr, "secadvisor scan: --table: %s\n", tableProblem(f.table, cfg.Region, err))
			return ExitUsage
		}
		if storedRules, err = table.Suppressions(discoverCtx); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor scan: --table: read its suppression rules: %v\n", err)
			return ExitUsage
		}
	}
	cancelDiscovery()
	accounts := member.NewAccounts(member.Entry{Base: cfg, Own: caller.Account, Partition: caller.Partition, RoleName: f.org.roleName, ExternalID: f.org.externalID})
	// Entering the accounts is bounded like discovery, per account.
	enterCtx, cancelEnter := context.WithTimeout(ctx, f.jobTimeout)
	defer cancelEnter()
	plan := planAccounts(selected, targets, enterAll(enterCtx, accounts, targets, f.regions, f.concurrency), regions, started)
	cancelEnter()
	if code, ok := interrupted(ctx, env, nil, 0); ok {
		return code
	}
	jobs := plan.jobs
	scanCtx, cancelScan := context.WithTimeout(ctx, f.timeout)
	defer cancelScan()
	var completed []scan.Job
	progress := startProgress(env, f.progress, len(jobs), started)
	opts := scan.Options{Concurrency: f.concurrency, TargetConcurrency: f.regionConcurrency, JobTimeout: f.jobTimeout, AccountConfig: accounts.Config}
	opts.Progress = func(done, total int, job scan.Job) {
		// A job that returns after an interrupt was cut short: it did not complete.
		if ctx.Err() == nil {
			completed = append(completed, job)
		}
		progress.jobDone(done, job)
	}
	findings := scan.Run(scanCtx, cfg, jobs, opts)
	progress.stop()
	if code, ok := interrupted(ctx, env, completed, len(jobs)); ok {
		// No report and no table writes: an interrupted scan must not look
		// finished, nor replace stored findings with cut-short ones.
		return code
	}
	reported, stored := accountErrors(plan)
	var accountIDs []string
	for _, a := range targets {
		accountIDs = append(accountIDs, a.ID)
	}
	info := report.ScanInfo{Accounts: accountIDs, Regions: plan.regions, StartedAt: started.UTC(), FinishedAt: time.Now().UTC()}
	if len(plan.names) > 0 {
		info.AccountNames = plan.names
	}
	// Rules apply to the jobs' findings; the account errors are never suppressed.
	outcome := applySuppressions(findings, append(slices.Clone(rules), storedRules...), started, selected, info)
	rep := report.New(info, selected, append(slices.Clone(findings), reported...))
	rep.Suppressions = outcome
	if f.stats {
		rep.APICalls = recorder.Counts()
	}
	if err := writeReport(f, rep.Only(listed), selected, env); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	if f.table != "" {
		toStore := append(slices.Clone(findings), stored...)
		suppress.Apply(toStore, storedRules, started, nil)
		if err := storeFindings(ctx, cfg, f.table, append(slices.Clone(jobs), plan.blocked...), toStore, started, env.Stderr); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
			return ExitUsage
		}
	}
	if f.stats {
		writeStats(env.Stderr, rep.APICalls)
	}
	if threshold != "" && report.Fails(rep.Findings, threshold) {
		return ExitFindings
	}
	return ExitOK
}

// validEndpoint accepts "" (AWS's own endpoints) or an http(s) URL with a host.
func validEndpoint(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--endpoint-url %q: want an http:// or https:// URL with a host", endpoint)
	}
	return nil
}

// checkWritable tells, before a scan, whether the report file can be
// written: its directory exists and takes a new file. "" is standard output.
func checkWritable(path string) error {
	if path == "" {
		return nil
	}
	probe, err := os.CreateTemp(filepath.Dir(path), ".secadvisor-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// DefaultScanTimeout is --timeout's default: a full scan of one account's
// 17 default regions takes minutes; an hour leaves room for throttling.
const DefaultScanTimeout = time.Hour

// discoveryFailure says why a call made before the scan failed, naming the
// time limit when that was the cause.
func discoveryFailure(ctx context.Context, limit time.Duration, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s (--job-timeout); is the endpoint right and reachable? (%v)", limit, err)
	}
	return err.Error()
}

// interrupted reports whether ctx was cancelled by a signal and, if so,
// says so on stderr with the jobs that completed before it and returns the
// signal's exit code.
func interrupted(ctx context.Context, env Env, completed []scan.Job, total int) (int, bool) {
	var in *Interrupt
	if !errors.As(context.Cause(ctx), &in) {
		return 0, false
	}
	if env.Terminal {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	fmt.Fprintf(env.Stderr, "secadvisor: interrupted by %s: %d of %d jobs completed; no report written, no findings stored\n", in.Signal, len(completed), total)
	for _, j := range completed {
		fmt.Fprintf(env.Stderr, "  completed: %s\n", j)
	}
	return in.ExitCode(), true
}

func validFormat(format string) bool {
	for _, f := range report.Formats {
		if f == format {
			return true
		}
	}
	return false
}

// writeReport writes rep to --output, or to standard output fitted to its
// width.
func writeReport(f scanFlags, rep report.Report, selected []check.Check, env Env) error {
	if f.output == "" {
		return report.Write(env.Stdout, f.format, rep, selected, env.Width)
	}
	file, err := os.Create(f.output)
	if err != nil {
		return fmt.Errorf("create report file: %w", err)
	}
	out := &stickyWriter{w: file}
	err = report.Write(out, f.format, rep, selected, 0)
	if err == nil {
		err = out.err
	}
	if err != nil {
		file.Close()
		return fmt.Errorf("write report file %s: %w", f.output, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write report file %s: %w", f.output, err)
	}
	return nil
}

func writeStats(w io.Writer, counts []awsx.OpCount) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SERVICE\tOPERATION\tCALLS\tATTEMPTS\tNOT FOUND\tERRORS\t")
	var calls, attempts int
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", c.Service, c.Operation, c.Calls, c.Attempts, c.NotFound, c.Errors)
		calls += c.Calls
		attempts += c.Attempts
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t\t\t\n", calls, attempts)
	_ = tw.Flush()
}

// reportChoices checks the flags that shape the report, before any AWS
// call: the checks selected, the statuses listed, the format and the output
// file.
func (f scanFlags) reportChoices() (selected []check.Check, listed []check.Status, err error) {
	if !validFormat(f.format) {
		return nil, nil, fmt.Errorf("--format %q: want %s", f.format, strings.Join(report.Formats, ", "))
	}
	if listed, err = f.listedStatuses(); err != nil {
		return nil, nil, err
	}
	if selected, err = checks.Select(pipeline.SplitList(f.checks)); err != nil {
		return nil, nil, err
	}
	if err := checkWritable(f.output); err != nil {
		return nil, nil, fmt.Errorf("--output: %w", err)
	}
	return selected, listed, nil
}

// listedStatuses is what --status and --only-failing ask to list (nil: every
// finding).
func (f scanFlags) listedStatuses() ([]check.Status, error) {
	if f.onlyFailing {
		if f.status != "" {
			return nil, errors.New("--only-failing and --status: use one")
		}
		return report.Failing, nil
	}
	var statuses []check.Status
	for _, name := range pipeline.SplitList(f.status) {
		st := check.Status(name)
		if st.Severity() < 0 {
			return nil, fmt.Errorf("--status %q: unknown status %q (want red, error, yellow, unavailable or green)", f.status, name)
		}
		if !slices.Contains(statuses, st) {
			statuses = append(statuses, st)
		}
	}
	if f.status != "" && len(statuses) == 0 {
		return nil, fmt.Errorf("--status %q: name at least one status", f.status)
	}
	return statuses, nil
}

// tableProblem says why --table cannot be written and, for a missing
// table, how to get one.
func tableProblem(table, region string, err error) string {
	if errors.Is(err, store.ErrNoTable) {
		return fmt.Sprintf("there is no findings table %q in %s. It is created by deploying the stack "+
			"(make deploy, see the README's \"Deploy to AWS\"); pass the deployed table's name (the stack output TableName) "+
			"and its region (AWS_REGION or --profile)", table, region)
	}
	return fmt.Sprintf("cannot read the findings table %q: %v", table, err)
}

// suppressionRules reads the rules of --suppressions, or of
// suppress.DefaultFile when it is in the working directory; none otherwise.
// A bad file is a usage error naming its line.
func (f scanFlags) suppressionRules(now time.Time) ([]suppress.Rule, error) {
	if f.suppressionMaxDays <= 0 {
		return nil, fmt.Errorf("--suppression-max-days must be positive (got %d)", f.suppressionMaxDays)
	}
	path := f.suppressions
	if path == "" {
		if _, err := os.Stat(suppress.DefaultFile); err != nil {
			return nil, nil
		}
		path = suppress.DefaultFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--suppressions: %w", err)
	}
	return rulesfile.Parse(path, data, now, time.Duration(f.suppressionMaxDays)*24*time.Hour)
}

// applySuppressions marks the findings the rules suppress and says which
// rules expired or matched nothing; nil when there are no rules. A rule is
// stale only when the scan covered its check, account and region.
func applySuppressions(findings []check.Finding, rules []suppress.Rule, now time.Time, selected []check.Check, info report.ScanInfo) *suppress.Outcome {
	if len(rules) == 0 {
		return nil
	}
	covered := func(r suppress.Rule) bool {
		checkScanned := r.Check == suppress.Any || slices.ContainsFunc(selected, func(c check.Check) bool {
			return c.Implemented() && (c.Meta.ID == r.Check || c.Meta.Slug == r.Check)
		})
		return checkScanned &&
			(r.Account == suppress.Any || slices.Contains(info.Accounts, r.Account)) &&
			(r.Region == suppress.Any || r.Region == check.GlobalRegion || slices.Contains(info.Regions, r.Region))
	}
	outcome := suppress.Apply(findings, rules, now, covered)
	return &outcome
}
