// Package scan plans and runs jobs: one per (account, region, check), global
// checks once per account. It is the engine behind both the CLI and the
// per-check Lambda function, and it is where any job failure becomes an
// error finding, so that nothing is ever dropped or read as green.
package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// DefaultConcurrency is how many jobs a scan runs at once unless told otherwise.
const DefaultConcurrency = 8

// DefaultTargetConcurrency is how many jobs run at once in one (account,
// region) unless told otherwise. AWS rate-limits API calls per account and
// region (EC2's Describe calls share a bucket of 100 requests refilled at 20
// a second), so a large organization spreads its concurrency over many
// accounts and regions instead of piling it onto one.
const DefaultTargetConcurrency = 4

// DefaultJobTimeout bounds one job, so one stuck API cannot hold a scan.
const DefaultJobTimeout = 5 * time.Minute

// Job is one check for one account in one region. Region is
// check.GlobalRegion for global checks.
type Job struct {
	Check   check.Check
	Account string
	// AccountName is the account's name in its organization, when known:
	// it is copied onto the job's findings.
	AccountName string
	Region      string
	// ScanTime is when the scan the job belongs to started: the check judges
	// ages against it. RunJob uses the current time when it is zero.
	ScanTime time.Time
}

func (j Job) String() string {
	return fmt.Sprintf("%s %s/%s", j.Check.Meta.Slug, j.Account, j.Region)
}

// Plan returns the jobs of a scan started at scanTime for checks × accounts ×
// regions, global checks once per account. Checks that are not implemented
// get no job.
func Plan(checks []check.Check, accounts, regions []string, scanTime time.Time) []Job {
	var jobs []Job
	for _, c := range checks {
		if !c.Implemented() {
			continue
		}
		for _, account := range accounts {
			if c.Meta.Scope == check.Global {
				jobs = append(jobs, Job{Check: c, Account: account, Region: check.GlobalRegion, ScanTime: scanTime})
				continue
			}
			for _, region := range regions {
				jobs = append(jobs, Job{Check: c, Account: account, Region: region, ScanTime: scanTime})
			}
		}
	}
	return jobs
}

// RunJob runs one job with cfg (credentials for the job's account) and
// returns its findings. It never fails: a collection error, a timeout or a
// panic in the check becomes an error finding for the whole job.
func RunJob(ctx context.Context, cfg aws.Config, job Job, timeout time.Duration) (findings []check.Finding) {
	meta := job.Check.Meta
	scanTime := job.ScanTime
	if scanTime.IsZero() {
		scanTime = time.Now()
	}
	target := check.Target{Account: job.Account, Region: job.Region, Config: cfg, ScanTime: scanTime.UTC()}
	if job.Region != check.GlobalRegion {
		target.Config = awsx.InRegion(cfg, job.Region)
	}
	if timeout <= 0 {
		timeout = DefaultJobTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	defer func() {
		if r := recover(); r != nil {
			slog.Error("check panicked", "check_id", meta.ID, "account", job.Account, "region", job.Region,
				"err", fmt.Sprint(r), "stack", string(debug.Stack()))
			findings = []check.Finding{meta.Unevaluated(target, check.WholeScope, fmt.Sprintf("internal error in the check: %v", r), nil)}
		}
		for i := range findings {
			meta.Complete(&findings[i])
			findings[i].AccountName = job.AccountName
		}
	}()

	if !job.Check.Implemented() {
		return []check.Finding{meta.Unevaluated(target, check.WholeScope, "the check is not implemented", nil)}
	}
	findings, err := job.Check.Runner.Run(ctx, target)
	if err != nil {
		slog.Warn("check could not evaluate", "check_id", meta.ID, "account", job.Account, "region", job.Region,
			"op", check.OpOf(err), "err", awsx.Describe(err))
		return []check.Finding{meta.Unevaluated(target, check.WholeScope, describe(ctx, err), nil)}
	}
	return findings
}

// NotRun returns the finding of a job that could not run at all (its
// account could not be entered): an error for the job's whole scope, with
// reason.
func NotRun(job Job, reason string) []check.Finding {
	meta := job.Check.Meta
	target := check.Target{Account: job.Account, Region: job.Region, ScanTime: job.ScanTime.UTC()}
	f := meta.Unevaluated(target, check.WholeScope, reason, nil)
	meta.Complete(&f)
	f.AccountName = job.AccountName
	return []check.Finding{f}
}

func describe(ctx context.Context, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the job timed out: " + err.Error()
	}
	return err.Error()
}

// Options tune Run.
type Options struct {
	// Concurrency is the number of jobs run at once (at least 1).
	Concurrency int
	// JobTimeout bounds each job (DefaultJobTimeout when zero).
	JobTimeout time.Duration
	// TargetConcurrency bounds the jobs run at once in one (account, region)
	// (DefaultTargetConcurrency when zero).
	TargetConcurrency int
	// AccountConfig, when set, returns the configuration for a job's account
	// (an organization scan assumes a role in each); the cfg given to Run
	// serves every job when it is nil.
	AccountConfig func(account string) aws.Config
	// Progress, when set, is called after each job with the count done.
	Progress func(done, total int, job Job)
}

// targetLimit hands out the slots of each (account, region).
type targetLimit struct {
	mu    sync.Mutex
	size  int
	slots map[[2]string]chan struct{}
}

func (l *targetLimit) acquire(ctx context.Context, job Job) (release func()) {
	l.mu.Lock()
	key := [2]string{job.Account, job.Region}
	slot, ok := l.slots[key]
	if !ok {
		slot = make(chan struct{}, l.size)
		l.slots[key] = slot
	}
	l.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }
	case <-ctx.Done():
		// RunJob turns the cancelled context into an error finding.
		return func() {}
	}
}

// Run runs jobs on a bounded worker pool, at most opts.TargetConcurrency at
// once in any one (account, region), and returns every finding, in job
// order. Plan orders jobs check by check, account by account, so that
// consecutive jobs fall in different regions and rarely wait for a slot.
func Run(ctx context.Context, cfg aws.Config, jobs []Job, opts Options) []check.Finding {
	workers := max(opts.Concurrency, 1)
	limit := &targetLimit{size: opts.TargetConcurrency, slots: map[[2]string]chan struct{}{}}
	if limit.size <= 0 {
		limit.size = DefaultTargetConcurrency
	}
	configFor := func(string) aws.Config { return cfg }
	if opts.AccountConfig != nil {
		configFor = opts.AccountConfig
	}
	results := make([][]check.Finding, len(jobs))
	next := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range min(workers, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				release := limit.acquire(ctx, jobs[i])
				results[i] = RunJob(ctx, configFor(jobs[i].Account), jobs[i], opts.JobTimeout)
				release()
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(jobs), jobs[i])
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	var all []check.Finding
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

// FindingsByJob sorts findings into the jobs that produced them (same
// account, check and region), in job order: what one store write per job
// needs. A job with no finding gets none, which still clears its scope.
func FindingsByJob(jobs []Job, findings []check.Finding) [][]check.Finding {
	type scope struct{ account, checkID, region string }
	byScope := map[scope][]check.Finding{}
	for _, f := range findings {
		k := scope{f.Account, f.CheckID, f.Region}
		byScope[k] = append(byScope[k], f)
	}
	out := make([][]check.Finding, len(jobs))
	for i, j := range jobs {
		out[i] = byScope[scope{j.Account, j.Check.Meta.ID, j.Region}]
	}
	return out
}
