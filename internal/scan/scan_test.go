package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	jobs := Plan([]check.Check{global, regional, unimplemented}, []string{"111111111111", "222222222222"}, []string{"us-east-1", "eu-west-1"})
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
			if f.Status != check.Error || f.ResourceID != WholeScope || f.Region != "eu-west-1" || f.Account != "111111111111" || f.CheckID != "X" {
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
	jobs := Plan([]check.Check{fakeCheck("R", check.Regional, slow)}, []string{"111111111111"}, regions)
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
