package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/emulator"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// scanFlags are the options of `secadvisor scan` (and `demo`).
type scanFlags struct {
	regions     string
	checks      string
	format      string
	output      string
	failOn      string
	concurrency int
	jobTimeout  time.Duration
	stats       bool
	endpointURL string
	profile     string
	emulator    bool
	table       string
}

func (f *scanFlags) register(fs *flag.FlagSet, withConnection bool) {
	fs.StringVar(&f.regions, "regions", "", "comma-separated regions to scan (default: the account's enabled regions)")
	fs.StringVar(&f.checks, "checks", "", "comma-separated check IDs or slugs (default: all)")
	fs.StringVar(&f.format, "format", "table", "output format: table, json or csv")
	fs.StringVar(&f.output, "output", "", "write the report to this file instead of standard output")
	fs.StringVar(&f.failOn, "fail-on", "red", "exit 1 when a finding is at or above: red, yellow or never (error findings fail both red and yellow)")
	fs.IntVar(&f.concurrency, "concurrency", scan.DefaultConcurrency, "jobs run at once")
	fs.DurationVar(&f.jobTimeout, "job-timeout", scan.DefaultJobTimeout, "time limit of one (check, region) job")
	fs.BoolVar(&f.stats, "stats", false, "print the AWS API calls made, per operation, on standard error (and in JSON output)")
	if withConnection {
		fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint (a local emulator); AWS_ENDPOINT_URL works too")
		fs.StringVar(&f.profile, "profile", "", "AWS shared-config profile (default: the standard credential chain)")
		fs.BoolVar(&f.emulator, "emulator", false, "the endpoint is the moto emulator: use static credentials and patch its known gaps")
		fs.StringVar(&f.table, "table", "", "also write the findings to this DynamoDB findings table (only what changed)")
	}
}

func runScan(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f scanFlags
	f.register(fs, true)
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "secadvisor scan: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	if f.emulator && f.endpointURL == "" {
		fmt.Fprintln(env.Stderr, "secadvisor scan: --emulator needs --endpoint-url")
		return ExitUsage
	}
	cfg, err := awsx.Load(ctx, awsx.Options{Profile: f.profile, EndpointURL: f.endpointURL})
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
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	return scanAndReport(ctx, cfg, recorder, f, env)
}

// scanAndReport runs the scan described by f with cfg, writes the report and
// returns the exit code.
func scanAndReport(ctx context.Context, cfg aws.Config, recorder *awsx.Recorder, f scanFlags, env Env) int {
	threshold, ok := map[string]check.Status{"red": check.Red, "yellow": check.Yellow, "never": ""}[f.failOn]
	if !ok {
		fmt.Fprintf(env.Stderr, "secadvisor scan: --fail-on %q: want red, yellow or never\n", f.failOn)
		return ExitUsage
	}
	if !validFormat(f.format) {
		fmt.Fprintf(env.Stderr, "secadvisor scan: --format %q: want table, json or csv\n", f.format)
		return ExitUsage
	}
	selected, err := checks.Select(splitList(f.checks))
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	started := time.Now()
	account, err := scan.CallerAccount(ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: cannot tell which account the credentials belong to: %v\n", err)
		return ExitUsage
	}
	regions := splitList(f.regions)
	if len(regions) == 0 {
		if regions, err = scan.EnabledRegions(ctx, cfg); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor scan: cannot list the enabled regions (pass --regions): %v\n", err)
			return ExitUsage
		}
	}
	jobs := scan.Plan(selected, []string{account}, regions)
	opts := scan.Options{Concurrency: f.concurrency, JobTimeout: f.jobTimeout}
	if env.Terminal {
		opts.Progress = func(done, total int, job scan.Job) {
			fmt.Fprintf(env.Stderr, "\r\033[K[%d/%d] %s", done, total, job)
			if done == total {
				fmt.Fprint(env.Stderr, "\r\033[K")
			}
		}
	}
	findings := scan.Run(ctx, cfg, jobs, opts)
	rep := report.New(report.ScanInfo{Accounts: []string{account}, Regions: regions, StartedAt: started.UTC(), FinishedAt: time.Now().UTC()}, selected, findings)
	if f.stats {
		rep.APICalls = recorder.Counts()
	}
	if err := writeReport(f, rep, selected, env.Stdout); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
		return ExitUsage
	}
	if f.table != "" {
		if err := storeFindings(ctx, cfg, f.table, jobs, findings, started, env.Stderr); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor scan: %v\n", err)
			return ExitUsage
		}
	}
	if f.stats {
		writeStats(env.Stderr, rep.APICalls)
	}
	if threshold != "" && report.Fails(findings, threshold) {
		return ExitFindings
	}
	return ExitOK
}

func validFormat(format string) bool {
	for _, f := range report.Formats {
		if f == format {
			return true
		}
	}
	return false
}

func writeReport(f scanFlags, rep report.Report, selected []check.Check, stdout io.Writer) error {
	if f.output == "" {
		return report.Write(stdout, f.format, rep, selected)
	}
	file, err := os.Create(f.output)
	if err != nil {
		return fmt.Errorf("create report file: %w", err)
	}
	if err := report.Write(file, f.format, rep, selected); err != nil {
		file.Close()
		return fmt.Errorf("write report file: %w", err)
	}
	return file.Close()
}

func writeStats(w io.Writer, counts []awsx.OpCount) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SERVICE\tOPERATION\tCALLS\tATTEMPTS\tERRORS\t")
	var calls, attempts int
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t\n", c.Service, c.Operation, c.Calls, c.Attempts, c.Errors)
		calls += c.Calls
		attempts += c.Attempts
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t\t\n", calls, attempts)
	_ = tw.Flush()
}
