package bench

import (
	"math"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
)

// sampleResult is a run with one regional and one global check: the
// regional one 100 ms and 4 EC2 calls per job, the global one 2 s and 10
// calls, 100 findings of which 20 red, and 1 finding written on the
// changed re-scan.
func sampleResult() *Result {
	return &Result{
		Spec: Spec{Regions: []string{"r1", "r2"}},
		PerJob: []JobResult{
			{Slug: "regional", Scope: "regional", Region: "r1", Millis: 100, Calls: 4, Findings: 40},
			{Slug: "regional", Scope: "regional", Region: "r2", Millis: 100, Calls: 4, Findings: 40},
			{Slug: "global", Scope: "global", Region: "global", Millis: 2000, Calls: 10, Findings: 20},
		},
		Parallel: ScanResult{
			Findings: 100, ByStatus: map[check.Status]int{check.Red: 20, check.Green: 80},
			APICalls: []OpResult{{Service: "EC2", Operation: "DescribeSecurityGroups", Calls: 8}},
		},
		SteadyState: &SteadyState{Changed: ApplyResult{ItemsWritten: 1}},
	}
}

func TestOrgModelScalesWithAccountsAndConcurrency(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	in.AccountSizes = []int{10, 1000}
	in.Concurrencies = []int{2, 4}
	got, _ := OrgModel(sampleResult(), in)
	if len(got) != 4 {
		t.Fatalf("OrgModel returned %d results, want 4 (2 sizes × 2 concurrencies): %+v", len(got), got)
	}
	small, large := got[0], got[2]
	if small.JobsPerScan != 10*17+10 || large.JobsPerScan != 1000*17+1000 {
		t.Errorf("jobs per scan = %d and %d, want %d and %d", small.JobsPerScan, large.JobsPerScan, 10*17+10, 1000*17+1000)
	}
	// Everything but the orchestrator and SQS's idle polling is linear in accounts.
	if ratio := large.LambdaUSD / small.LambdaUSD; math.Abs(ratio-100) > 1 {
		t.Errorf("Lambda cost ratio 1000 vs 10 accounts = %.2f, want ~100 (%+v vs %+v)", ratio, large, small)
	}
	if ratio := large.DynamoDBUSD / small.DynamoDBUSD; math.Abs(ratio-100) > 0.01 {
		t.Errorf("DynamoDB cost ratio = %.2f, want 100", ratio)
	}
	// The regional check is the slowest queue at 1000 accounts: 17,000 jobs
	// of max(100 ms, 4 × 60 ms) = 240 ms on 2 environments.
	wantWall := math.Ceil(17000.0/2)*0.240 + 0.050
	if math.Abs(large.WallSeconds-wantWall) > 0.001 || large.SlowestCheck != "regional" {
		t.Errorf("wall at 1000 accounts, concurrency 2 = %.3f s (%s), want %.3f s (regional)", large.WallSeconds, large.SlowestCheck, wantWall)
	}
	if doubled := got[3]; math.Abs(doubled.WallSeconds-(math.Ceil(17000.0/4)*0.240+0.050)) > 0.001 {
		t.Errorf("wall at concurrency 4 = %.3f s, want half the queue time", doubled.WallSeconds)
	}
	for _, m := range got {
		if m.TotalUSD != m.LambdaUSD+m.SQSUSD+m.DynamoDBUSD+m.LogsUSD {
			t.Errorf("total %.4f is not the sum of its parts: %+v", m.TotalUSD, m)
		}
	}
}

func TestOrgModelUsesMeasuredShares(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	in.AccountSizes, in.Concurrencies = []int{1}, []int{2}
	results, used := OrgModel(sampleResult(), in)
	got := results[0]
	if used.ChangedShare.Value != 0.01 || used.IndexShare.Value != 0.2 {
		t.Errorf("measured shares = %v changed, %v indexed; want 0.01 and 0.2", used.ChangedShare.Value, used.IndexShare.Value)
	}
	// Per scan: 17 regional jobs and 1 global; each 2 summary writes plus
	// findings × 1 % changed × (1 + 20 % indexed).
	wru := 17*(2+40*0.01*1.2) + (2 + 20*0.01*1.2)
	rru := 17.0*math.Ceil(40*in.ItemBytes.Value/4096) + math.Ceil(20*in.ItemBytes.Value/4096)
	want := 60 * (wru/1e6*0.625 + rru/1e6*0.125)
	if math.Abs(got.DynamoDBUSD-want) > 1e-9 {
		t.Errorf("DynamoDB $/month = %.9f, want %.9f", got.DynamoDBUSD, want)
	}
}

func TestOrgModelThrottleFloor(t *testing.T) {
	t.Parallel()
	r := sampleResult()
	// 500 DescribeSnapshots per region: 400 beyond the bucket at 20/s.
	r.Parallel.APICalls = []OpResult{{Service: "EC2", Operation: "DescribeSnapshots", Calls: 1000}}
	in := DefaultModelInputs()
	in.AccountSizes, in.Concurrencies = []int{1}, []int{1000}
	results, _ := OrgModel(r, in)
	got := results[0]
	if got.ThrottleFloorSec != 20 || got.WallSeconds < 20 {
		t.Errorf("throttle floor = %.1f s, wall %.1f s; want 20 s and wall ≥ 20 s", got.ThrottleFloorSec, got.WallSeconds)
	}
}

// TestModelInputsCiteSources keeps every price and limit sourced: a URL, a
// file of this repository, a measurement, or a stated assumption.
func TestModelInputsCiteSources(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	for name, s := range map[string]Source{
		"memory": in.MemoryMB, "GB-s": in.LambdaGBs, "requests": in.LambdaRequests, "account concurrency": in.AccountConc,
		"sqs": in.SQSRequests, "idle pollers": in.SQSIdlePollers, "poll wait": in.SQSIdleWait, "wru": in.DynamoWRU,
		"rru": in.DynamoRRU, "logs": in.LogsGB, "log bytes": in.LogBytes, "ec2 bucket": in.EC2Bucket, "ec2 refill": in.EC2Refill,
		"latency": in.CallLatencyMS, "init": in.InitMS, "item bytes": in.ItemBytes, "index share": in.IndexShare, "changed share": in.ChangedShare,
	} {
		ok := strings.HasPrefix(s.Source, "https://") || strings.HasPrefix(s.Source, "assumption: ") ||
			strings.HasPrefix(s.Source, "measured: ") || strings.HasPrefix(s.Source, "infra/")
		if !ok || s.Unit == "" {
			t.Errorf("%s: source %q, unit %q: want a URL, a repository file, \"measured: …\" or \"assumption: …\", and a unit", name, s.Source, s.Unit)
		}
	}
}

func TestMinimalCallsFormulas(t *testing.T) {
	t.Parallel()
	s := Reference(1)
	for _, tc := range []struct {
		service, op string
		want        int
	}{
		{"EC2", "DescribeSnapshots", 3 * (1 + 1)},
		{"EC2", "DescribeSecurityGroups", 3 * 1},
		{"EC2", "DescribeSecurityGroupRules", 3 * 5}, // 3,500 in + 702 out + 2 default in = 4,204
		{"Lambda", "ListFunctions", 3 * 7},
		{"RDS", "DescribeDBSnapshots", 3 * 2},
		{"RDS", "DescribeDBSnapshotAttributes", 3 * 150},
		{"S3", "ListBuckets", 1},
		{"IAM", "ListAccessKeys", 1000},
		{"Route 53", "ListHostedZones", 2},
		{"Route 53", "ListResourceRecordSets", 200},
	} {
		got, formula, _, ok := minimalCalls(s, tc.service, tc.op)
		if !ok || got != tc.want {
			t.Errorf("minimalCalls(%s %s) = %d (%q, ok %v), want %d", tc.service, tc.op, got, formula, ok, tc.want)
		}
	}
	if _, _, _, ok := minimalCalls(s, "EC2", "RunInstances"); ok {
		t.Error("minimalCalls(EC2 RunInstances) has a formula, want none")
	}
}

func TestReferenceScale(t *testing.T) {
	t.Parallel()
	full := Reference(1)
	if full.SecurityGroups*full.RulesPerGroup != 3500 || full.EBSSnapshots != 700 || full.PublicSnapshot != 7 ||
		full.RDSSnapshots != 150 || full.ClassicLBs != 35 || full.LambdaFuncs != 350 || full.Buckets != 500 ||
		full.Users != 1000 || full.AccessKeys != 1500 || full.HostedZones != 200 || len(full.Regions) != 3 {
		t.Errorf("Reference(1) = %+v, want the issue's counts", full)
	}
	tiny := Reference(0.001)
	if tiny.SecurityGroups != 1 || tiny.PublicSnapshot != 1 || tiny.AccessKeys > 2*tiny.Users {
		t.Errorf("Reference(0.001) = %+v, want every count at least 1 and at most 2 keys per user", tiny)
	}
}
