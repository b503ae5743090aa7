package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// Options tune Run.
type Options struct {
	Scale float64
	// Concurrency is the parallel scan's job concurrency.
	Concurrency int
	// SeedWorkers is the number of concurrent seeding requests.
	SeedWorkers int
	// StoreWorkers is the number of jobs applied to the findings table at once.
	StoreWorkers int
	// Log receives progress lines.
	Log io.Writer
}

// Run starts its own emulator, seeds the reference account at opts.Scale,
// scans it in parallel and serially, measures the findings store's writes
// on a first, an unchanged and a 1 %-changed scan, and returns the results.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Concurrency < 1 {
		opts.Concurrency = scan.DefaultConcurrency
	}
	if opts.SeedWorkers < 1 {
		opts.SeedWorkers = 16
	}
	if opts.StoreWorkers < 1 {
		opts.StoreWorkers = 8
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}
	res := &Result{Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(), Machine: readMachine()}
	res.Load = append(res.Load, loadSample("start"))

	logf("starting %s", emulator.Binary)
	// Managed policies: the exposed-access-keys check lists the users of the
	// AWS quarantine policies, which must exist.
	server, err := emulator.Start(ctx, "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	if err != nil {
		return nil, err
	}
	defer server.Stop()
	account := emulator.DefaultAccount
	base := emulator.Config(server.URL, account)

	spec := Reference(opts.Scale)
	res.Spec = spec
	logf("seeding scale %.3g with %d workers", opts.Scale, opts.SeedWorkers)
	started := time.Now()
	acct, err := Seed(ctx, base, spec, opts.SeedWorkers)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	res.Seed = SeedResult{Seconds: time.Since(started).Seconds(), Calls: acct.Calls, Workers: opts.SeedWorkers}
	res.Seed.CallsPerSecond = float64(acct.Calls) / res.Seed.Seconds
	res.Load = append(res.Load, loadSample("after seeding"))
	logf("seeded in %.1fs (%d calls)", res.Seed.Seconds, acct.Calls)

	jobs := scan.Plan(checks.All(), []string{account}, spec.Regions, time.Now())
	res.Jobs = len(jobs)

	logf("scan 1: %d jobs at concurrency %d", len(jobs), opts.Concurrency)
	parallel, first := runScan(ctx, base, spec, jobs, opts.Concurrency, false)
	res.Parallel = parallel
	res.Load = append(res.Load, loadSample("after parallel scan"))
	logf("scan 1: %.1fs, %d calls, %d findings", parallel.Seconds, parallel.TotalCalls, parallel.Findings)

	logf("scan 2: %d jobs at concurrency 1", len(jobs))
	serial, second := runScan(ctx, base, spec, jobs, 1, true)
	res.Serial = serial
	res.Load = append(res.Load, loadSample("after serial scan"))
	logf("scan 2: %.1fs, %d calls, %d findings", serial.Seconds, serial.TotalCalls, serial.Findings)
	if parallel.Seconds > 0 {
		res.Speedup = serial.Seconds / parallel.Seconds
	}
	res.PerJob = serial.jobs
	res.Serial.jobs = nil

	logf("steady state: findings table")
	ss, err := steadyState(ctx, base, acct, jobs, opts, first, second, logf)
	if err != nil {
		return nil, fmt.Errorf("steady state: %w", err)
	}
	res.SteadyState = ss
	res.Load = append(res.Load, loadSample("end"))
	return res, nil
}

// scanRun is one scan's findings with the time its jobs started.
type scanRun struct {
	findings []check.Finding
	time     time.Time
}

// runScan scans jobs at concurrency with a fresh recorder. With perJob (at
// concurrency 1 only) it records each job's duration and calls: jobs run one
// after another, so the time and calls between two progress callbacks are
// one job's.
func runScan(ctx context.Context, base aws.Config, spec Spec, jobs []scan.Job, concurrency int, perJob bool) (ScanResult, scanRun) {
	recorder := awsx.NewRecorder()
	cfg := recorder.Counting(base)
	opts := scan.Options{Concurrency: concurrency}
	var jobResults []JobResult
	if perJob {
		last := time.Now()
		lastCalls := 0
		opts.Progress = func(done, total int, job scan.Job) {
			now := time.Now()
			calls := totalCalls(recorder.Counts())
			jobResults = append(jobResults, JobResult{
				CheckID: job.Check.Meta.ID, Slug: job.Check.Meta.Slug, Region: job.Region, Scope: string(job.Check.Meta.Scope),
				Millis: float64(now.Sub(last).Microseconds()) / 1000, Calls: calls - lastCalls,
			})
			last, lastCalls = now, calls
		}
	}
	runtime.GC()
	resetPeakRSS()
	started := time.Now()
	findings := scan.Run(ctx, cfg, jobs, opts)
	elapsed := time.Since(started)
	r := ScanResult{
		Concurrency: concurrency, Seconds: elapsed.Seconds(), Findings: len(findings),
		ByStatus: map[check.Status]int{}, PeakRSSBytes: peakRSS(),
	}
	perJobFindings := map[string]int{}
	for _, f := range findings {
		r.ByStatus[f.Status]++
		perJobFindings[f.CheckID+"/"+f.Region]++
	}
	for i := range jobResults {
		jobResults[i].Findings = perJobFindings[jobResults[i].CheckID+"/"+jobResults[i].Region]
	}
	r.jobs = jobResults
	r.APICalls = withMinimal(spec, recorder.Counts())
	r.TotalCalls = totalCalls(recorder.Counts())
	r.ErrorFindings = errorFindings(findings)
	r.AvgFindingBytes = avgJSONBytes(findings)
	return r, scanRun{findings: findings, time: started}
}

func totalCalls(counts []awsx.OpCount) int {
	n := 0
	for _, c := range counts {
		n += c.Calls
	}
	return n
}

// errorFindings lists the distinct reasons of error findings (at most 20),
// so that a broken check shows in the results rather than as a fast job.
func errorFindings(findings []check.Finding) []string {
	var out []string
	for _, f := range findings {
		if f.Status != check.Error {
			continue
		}
		s := f.CheckID + " " + f.Region + ": " + f.Reason
		if !slices.Contains(out, s) && len(out) < 20 {
			out = append(out, s)
		}
	}
	return out
}

// steadyState applies the first scan to an empty findings table, then the
// second (unchanged) scan, then changes 1 % of the account, scans again and
// applies that, counting the writes of each.
func steadyState(ctx context.Context, base aws.Config, acct *Account, jobs []scan.Job, opts Options, first, second scanRun, logf func(string, ...any)) (*SteadyState, error) {
	const table = "secadvisor-bench-findings"
	if err := store.CreateTable(ctx, dynamodb.NewFromConfig(base), table); err != nil {
		return nil, err
	}
	ss := &SteadyState{}
	var err error
	if ss.Initial, err = applyScan(ctx, base, table, jobs, first, opts.StoreWorkers); err != nil {
		return nil, err
	}
	logf("applied first scan: %d items written", ss.Initial.ItemsWritten)
	if ss.Unchanged, err = applyScan(ctx, base, table, jobs, second, opts.StoreWorkers); err != nil {
		return nil, err
	}
	logf("applied unchanged re-scan: %d items written", ss.Unchanged.ItemsWritten)
	if ss.Change, err = ChangeOnePercent(ctx, base, acct, opts.SeedWorkers); err != nil {
		return nil, err
	}
	logf("changed 1 %%; scan 3 at concurrency %d", opts.Concurrency)
	scanned, third := runScan(ctx, base, acct.Spec, jobs, opts.Concurrency, false)
	ss.ChangedScanSeconds = scanned.Seconds
	if ss.Changed, err = applyScan(ctx, base, table, jobs, third, opts.StoreWorkers); err != nil {
		return nil, err
	}
	logf("applied changed re-scan: %d items written", ss.Changed.ItemsWritten)
	return ss, nil
}

// applyScan stores a scan's findings with one store.Apply per job, as the
// check workers do, and counts what was written.
func applyScan(ctx context.Context, base aws.Config, table string, jobs []scan.Job, run scanRun, workers int) (ApplyResult, error) {
	recorder := awsx.NewRecorder()
	cfg := recorder.Counting(base)
	scanID := "bench-" + run.time.UTC().Format("20060102T150405.000Z")
	results := make([]store.JobResult, len(jobs))
	for i, fs := range scan.FindingsByJob(jobs, run.findings) {
		job := jobs[i]
		results[i] = store.JobResult{Account: job.Account, CheckID: job.Check.Meta.ID, Region: job.Region,
			ScanID: scanID, ScanTime: run.time, Findings: fs}
	}
	started := time.Now()
	totals, err := store.New(dynamodb.NewFromConfig(cfg), table).ApplyAll(ctx, results, workers)
	if err != nil {
		return ApplyResult{}, err
	}
	res := ApplyResult{Put: totals.Put, Deleted: totals.Deleted, Unchanged: totals.Unchanged, Stale: totals.Stale}
	res.Seconds = time.Since(started).Seconds()
	res.ItemsWritten = res.Put + res.Deleted
	res.DynamoDBCalls = map[string]int{}
	for _, c := range recorder.Counts() {
		res.DynamoDBCalls[c.Operation] = c.Calls
	}
	return res, nil
}
