package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/check"
)

// fakeRunner returns what run returns, so the engine can be tested without AWS.
type fakeRunner struct {
	run func(ctx context.Context, target check.Target) ([]check.Finding, error)
}

func (f fakeRunner) Run(ctx context.Context, target check.Target) ([]check.Finding, error) {
	return f.run(ctx, target)
}

func fakeCheck(id string, scope check.Scope, run func(context.Context, check.Target) ([]check.Finding, error)) check.Check {
	meta := check.Meta{ID: id, Slug: strings.ToLower(id), Name: id, Scope: scope, Columns: []string{"Status", "Region", "Thing"}}
	c := check.Check{Meta: meta}
	if run != nil {
		c.Runner = fakeRunner{run: run}
	}
	return c
}

func greenFor(id string) func(context.Context, check.Target) ([]check.Finding, error) {
	return func(_ context.Context, t check.Target) ([]check.Finding, error) {
		meta := check.Meta{ID: id, Slug: strings.ToLower(id), Name: id}
		return []check.Finding{meta.NewFinding(t, "thing-"+t.Region, check.Green, "fine", map[string]string{"Thing": "x"})}, nil
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	global := fakeCheck("G", check.Global, greenFor("G"))
	regional := fakeCheck("R", check.Regional, greenFor("R"))
	unimplemented := fakeCheck("U", check.Regional, nil)
	jobs := Plan([]check.Check{global, regional, unimplemented}, []string{"111111111111", "222222222222"}, []string{"us-east-1", "eu-west-1"}, time.Now())
	var got []string
	for _, j := range jobs {
		got = append(got, fmt.Sprintf("%s %s %s", j.Check.Meta.ID, j.Account, j.Region))
	}
	want := []string{
		"G 111111111111 global", "G 222222222222 global",
		"R 111111111111 us-east-1", "R 111111111111 eu-west-1", "R 222222222222 us-east-1", "R 222222222222 eu-west-1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Plan = %q, want %q (global once per account, regional per region, unimplemented never)", got, want)
	}
}

func TestRunJobNeverDropsAFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		run        func(context.Context, check.Target) ([]check.Finding, error)
		timeout    time.Duration
		wantReason string
	}{
		{"collection error", func(context.Context, check.Target) ([]check.Finding, error) {
			return nil, check.WrapOp("ec2 DescribeThings", errors.New("boom"))
		}, 0, "ec2 DescribeThings: boom"},
		{"panic in the check", func(context.Context, check.Target) ([]check.Finding, error) {
			panic("a bug in the check")
		}, 0, "internal error"},
		{"timeout", func(ctx context.Context, _ check.Target) ([]check.Finding, error) {
			<-ctx.Done()
			return nil, check.WrapOp("ec2 DescribeThings", ctx.Err())
		}, 10 * time.Millisecond, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			job := Job{Check: fakeCheck("X", check.Regional, tt.run), Account: "111111111111", Region: "eu-west-1"}
			got := RunJob(context.Background(), aws.Config{}, job, tt.timeout)
			if len(got) != 1 {
				t.Fatalf("RunJob(%s) = %d findings, want 1 error finding", tt.name, len(got))
			}
			f := got[0]
			if f.Status != check.Error || f.ResourceID != check.WholeScope || f.Region != "eu-west-1" || f.Account != "111111111111" || f.CheckID != "X" {
				t.Errorf("RunJob(%s) = %+v, want an error finding for the whole job", tt.name, f)
			}
			if !strings.Contains(f.Reason, tt.wantReason) {
				t.Errorf("RunJob(%s) reason = %q, want it to contain %q", tt.name, f.Reason, tt.wantReason)
			}
			if f.Columns["Status"] != "Error" || f.Columns["Region"] != "eu-west-1" {
				t.Errorf("RunJob(%s) columns = %v, want Status=Error and Region filled", tt.name, f.Columns)
			}
		})
	}
}

func TestRunJobSetsRegionOnConfig(t *testing.T) {
	t.Parallel()
	var gotRegion string
	job := Job{Check: fakeCheck("X", check.Regional, func(_ context.Context, target check.Target) ([]check.Finding, error) {
		gotRegion = target.Config.Region
		return nil, nil
	}), Account: "1", Region: "ap-southeast-2"}
	RunJob(context.Background(), aws.Config{Region: "us-east-1"}, job, 0)
	if gotRegion != "ap-southeast-2" {
		t.Errorf("check saw config region %q, want the job's region ap-southeast-2", gotRegion)
	}
}

func TestRunKeepsEveryJobsFindingsWithBoundedConcurrency(t *testing.T) {
	t.Parallel()
	var running, peak atomic.Int32
	slow := func(ctx context.Context, target check.Target) ([]check.Finding, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		if target.Region == "eu-west-1" {
			return nil, errors.New("region unreachable")
		}
		return greenFor("R")(ctx, target)
	}
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1", "sa-east-1"}
	jobs := Plan([]check.Check{fakeCheck("R", check.Regional, slow)}, []string{"111111111111"}, regions, time.Now())
	var progress atomic.Int32
	findings := Run(context.Background(), aws.Config{}, jobs, Options{Concurrency: 3, Progress: func(done, total int, _ Job) {
		progress.Add(1)
		if total != len(regions) {
			t.Errorf("progress total = %d, want %d", total, len(regions))
		}
	}})
	if len(findings) != len(regions) {
		t.Fatalf("Run returned %d findings, want one per job (%d)", len(findings), len(regions))
	}
	for i, f := range findings {
		wantStatus := check.Green
		if regions[i] == "eu-west-1" {
			wantStatus = check.Error
		}
		if f.Region != regions[i] || f.Status != wantStatus {
			t.Errorf("finding %d = %s in %s, want %s in %s (job order kept)", i, f.Status, f.Region, wantStatus, regions[i])
		}
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency = %d, want between 2 and 3", p)
	}
	if progress.Load() != int32(len(regions)) {
		t.Errorf("progress called %d times, want %d", progress.Load(), len(regions))
	}
}

// TestJobIsJudgedAtItsScanTime: the check sees the scan's start time on its
// target, not the wall clock, so a job run (or redelivered) later is judged
// as of the scan it belongs to; Plan stamps every job with it.
func TestJobIsJudgedAtItsScanTime(t *testing.T) {
	t.Parallel()
	scanTime := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var seen atomic.Value
	c := fakeCheck("T", check.Regional, func(_ context.Context, target check.Target) ([]check.Finding, error) {
		seen.Store(target.ScanTime)
		return nil, nil
	})
	jobs := Plan([]check.Check{c}, []string{"111111111111"}, []string{"eu-west-1"}, scanTime)
	if len(jobs) != 1 || !jobs[0].ScanTime.Equal(scanTime) {
		t.Fatalf("Plan jobs = %+v, want one job stamped %s", jobs, scanTime)
	}
	RunJob(context.Background(), aws.Config{}, jobs[0], time.Second)
	if got, _ := seen.Load().(time.Time); !got.Equal(scanTime) {
		t.Errorf("target.ScanTime = %s, want the job's %s", got, scanTime)
	}
}

// TestFindingsByJob: each job gets exactly the findings of its account,
// check and region; a job without findings gets none (so that storing it
// clears its scope).
func TestFindingsByJob(t *testing.T) {
	t.Parallel()
	g, r := fakeCheck("G", check.Global, nil), fakeCheck("R", check.Regional, nil)
	jobs := []Job{
		{Check: g, Account: "111111111111", Region: check.GlobalRegion},
		{Check: r, Account: "111111111111", Region: "eu-west-1"},
		{Check: r, Account: "111111111111", Region: "us-east-1"},
		{Check: r, Account: "222222222222", Region: "eu-west-1"},
	}
	finding := func(c check.Check, account, region, id string) check.Finding {
		return c.Meta.NewFinding(check.Target{Account: account, Region: region}, id, check.Green, "", nil)
	}
	findings := []check.Finding{
		finding(r, "111111111111", "eu-west-1", "a"),
		finding(g, "111111111111", check.GlobalRegion, "b"),
		finding(r, "222222222222", "eu-west-1", "c"),
		finding(r, "111111111111", "eu-west-1", "d"),
	}
	var got []string
	for _, fs := range FindingsByJob(jobs, findings) {
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.ResourceID)
		}
		got = append(got, strings.Join(ids, ","))
	}
	if want := []string{"b", "a,d", "", "c"}; !slices.Equal(got, want) {
		t.Errorf("FindingsByJob = %q, want %q", got, want)
	}
}

// TestRunLimitsEachAccountAndRegion: however high the overall concurrency,
// no more than TargetConcurrency jobs run at once in one (account, region),
// while other (account, region) pairs go on; each job gets its account's
// configuration and its account name.
func TestRunLimitsEachAccountAndRegion(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 2, 3} {
		var mu sync.Mutex
		running, peak := map[string]int{}, map[string]int{}
		var overall, overallPeak atomic.Int32
		track := func(ctx context.Context, target check.Target) ([]check.Finding, error) {
			key := target.Account + "/" + target.Region
			mu.Lock()
			running[key]++
			peak[key] = max(peak[key], running[key])
			mu.Unlock()
			n := overall.Add(1)
			for p := overallPeak.Load(); n > p && !overallPeak.CompareAndSwap(p, n); p = overallPeak.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			overall.Add(-1)
			mu.Lock()
			running[key]--
			mu.Unlock()
			if got := aws.ToString(target.Config.BaseEndpoint); got != "https://"+target.Account {
				return nil, fmt.Errorf("job of %s ran with the configuration of %s", target.Account, got)
			}
			return greenFor(target.Region)(ctx, target)
		}
		var cs []check.Check
		for i := range 6 {
			cs = append(cs, fakeCheck(fmt.Sprintf("C%d", i), check.Regional, track))
		}
		accounts := []string{"111111111111", "222222222222"}
		jobs := Plan(cs, accounts, []string{"us-east-1", "eu-west-1"}, time.Now())
		for i := range jobs {
			jobs[i].AccountName = "name-" + jobs[i].Account
		}
		findings := Run(context.Background(), aws.Config{}, jobs, Options{
			Concurrency: 8, TargetConcurrency: limit,
			AccountConfig: func(account string) aws.Config { return aws.Config{BaseEndpoint: aws.String("https://" + account)} },
		})
		for key, p := range peak {
			if p > limit {
				t.Errorf("limit %d: %d jobs ran at once in %s", limit, p, key)
			}
		}
		if p := int(overallPeak.Load()); p <= limit {
			t.Errorf("limit %d: at most %d jobs ran at once overall; other accounts and regions should go on in parallel", limit, p)
		}
		for _, f := range findings {
			if f.Status != check.Green || f.AccountName != "name-"+f.Account {
				t.Errorf("limit %d: finding %s/%s = %s %q (account name %q), want green named name-%s", limit, f.Account, f.Region, f.Status, f.Reason, f.AccountName, f.Account)
			}
		}
		if len(findings) != len(jobs) {
			t.Errorf("limit %d: %d findings, want %d", limit, len(findings), len(jobs))
		}
	}
}
