package bench

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
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

// concurrency gives every check of sampleResult the same MaximumConcurrency.
func concurrency(n int) map[string]int { return map[string]int{"regional": n, "global": n} }

func TestOrgModelScalesWithAccounts(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	in.AccountSizes = []int{10, 1000}
	in.CheckConcurrency = concurrency(2)
	got, _ := OrgModel(sampleResult(), in)
	if len(got) != 2 {
		t.Fatalf("OrgModel returned %d results, want 2 (one per fleet size): %+v", len(got), got)
	}
	small, large := got[0], got[1]
	if small.JobsPerScan != 10*17+10 || large.JobsPerScan != 1000*17+1000 {
		t.Errorf("jobs per scan = %d and %d, want %d and %d", small.JobsPerScan, large.JobsPerScan, 10*17+10, 1000*17+1000)
	}
	if large.TotalConcurrency != 4 {
		t.Errorf("Σ concurrency = %d, want 4 (2 checks × 2)", large.TotalConcurrency)
	}
	// Everything but the orchestrator, the idle polling, the sweep and the
	// fixed resources is linear in accounts (TestOrgModelIdleAndFixed has those).
	if ratio := large.LambdaUSD / small.LambdaUSD; math.Abs(ratio-100) > 1 {
		t.Errorf("Lambda cost ratio 1000 vs 10 accounts = %.2f, want ~100 (%+v vs %+v)", ratio, large, small)
	}
	for name, pair := range map[string][2]float64{"SQS": {small.SQSUSD, large.SQSUSD}, "DynamoDB": {small.DynamoDBUSD, large.DynamoDBUSD}} {
		if ratio := pair[1] / pair[0]; math.Abs(ratio-100) > 0.01 {
			t.Errorf("%s cost ratio = %.2f, want 100", name, ratio)
		}
	}
	// The regional check is the slowest queue at 1000 accounts: 17,000 jobs
	// of max(100 ms, 4 × 60 ms) = 240 ms on 2 environments (no ramp below
	// the 5 batches an event source starts with).
	wantWall := math.Ceil(17000.0/2)*0.240 + 0.050
	if math.Abs(large.WallSeconds-wantWall) > 0.001 || large.SlowestCheck != "regional" {
		t.Errorf("wall at 1000 accounts, concurrency 2 = %.3f s (%s), want %.3f s (regional)", large.WallSeconds, large.SlowestCheck, wantWall)
	}
	// Every job but the 1,000 in the scanner's own account assumes a role.
	if want := 1000 * 18 * 999.0 / 1000 / large.WallSeconds; math.Abs(large.AssumeRolePerSecond-want) > 1e-9 {
		t.Errorf("AssumeRole/s = %.3f, want %.3f", large.AssumeRolePerSecond, want)
	}
	for _, m := range got {
		sum := m.LambdaUSD + m.SQSUSD + m.DynamoDBUSD + m.LogsUSD + m.IdleUSD + m.FixedUSD
		if m.TotalUSD != sum || math.Abs(m.USDPerAccount-sum/float64(m.Accounts)) > 1e-12 {
			t.Errorf("total %.4f ($%.4f per account) is not the sum of its parts %.4f: %+v", m.TotalUSD, m.USDPerAccount, sum, m)
		}
		if len(m.Checks) != 2 {
			t.Errorf("%d accounts: %d queues reported, want 2: %+v", m.Accounts, len(m.Checks), m.Checks)
		}
	}
}

// TestOrgModelCheckConcurrency: each check runs at its own MaximumConcurrency,
// a check the map does not name at OtherCheckConcurrency.
func TestOrgModelCheckConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		conc        map[string]int
		other       float64
		wantSum     int
		wantSlowest string
	}{
		// regional: 17,000 jobs of 0.24 s = 4,080 job-s; global: 1,000 of 2 s = 2,000.
		{"equal", concurrency(4), 10, 8, "regional"},
		{"regional gets more", map[string]int{"regional": 8, "global": 2}, 10, 10, "global"},
		{"global not named", map[string]int{"regional": 4}, 2, 6, "regional"},
		{"global not named, more by default", map[string]int{"regional": 2}, 100, 102, "regional"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := DefaultModelInputs()
			in.AccountSizes, in.CheckConcurrency, in.OtherCheckConcurrency.Value = []int{1000}, tt.conc, tt.other
			got, _ := OrgModel(sampleResult(), in)
			m := got[0]
			if m.TotalConcurrency != tt.wantSum || m.SlowestCheck != tt.wantSlowest {
				t.Errorf("concurrency %v (other %v): Σ %d, slowest %s; want Σ %d, slowest %s", tt.conc, tt.other, m.TotalConcurrency, m.SlowestCheck, tt.wantSum, tt.wantSlowest)
			}
			for _, c := range m.Checks {
				want, ok := tt.conc[c.Slug]
				if !ok {
					want = int(tt.other)
				}
				if c.Concurrency != want || c.WallSeconds != queueSeconds(float64(c.Jobs), c.JobSeconds, float64(want), in) {
					t.Errorf("concurrency %v: queue %+v, want concurrency %d and its queueSeconds", tt.conc, c, want)
				}
			}
		})
	}
}

// TestQueueSeconds: jobs drain at the concurrency reached; above the 5
// starting batches Lambda adds 300 a minute, and the ramp's shortfall adds
// to the drain time.
func TestQueueSeconds(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	init := in.InitMS.Value / 1000
	tests := []struct {
		name            string
		jobs, job, conc float64
		want            float64
	}{
		{"at the starting batches, no ramp", 100, 1, 5, 20 + init},
		{"below the starting batches", 17000, 0.24, 2, 8500*0.24 + init},
		{"fewer jobs than the concurrency", 3, 2, 100, 2 + init},
		// 5 → 305 takes 1 minute, with 155 environments on average instead of 305.
		{"ramp of one minute", 30500, 1, 305, 60*(305-155)/305.0 + 100 + init},
		// 5 → 155 takes 30 s; the concurrency is min(jobs, 1000) = 155.
		{"ramp to the jobs", 155, 10, 1000, 30*(155-80)/155.0 + 10 + init},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := queueSeconds(tt.jobs, tt.job, tt.conc, in); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("queueSeconds(%v jobs, %v s, concurrency %v) = %.6f, want %.6f", tt.jobs, tt.job, tt.conc, got, tt.want)
			}
		})
	}
}

// TestConcurrencyShares: the budget is divided in proportion to each
// check's work per account after 2 each, rounded down.
func TestConcurrencyShares(t *testing.T) {
	t.Parallel()
	// Work per account: regional 17 × 0.24 s = 4.08 s, global 1 × 2 s.
	regional, global := 17*0.24, 2.0
	tests := []struct {
		budget float64
		want   map[string]int
	}{
		{100, map[string]int{"regional": 2 + int(96*regional/(regional+global)), "global": 2 + int(96*global/(regional+global))}},
		{800, map[string]int{"regional": 2 + int(796*regional/(regional+global)), "global": 2 + int(796*global/(regional+global))}},
		{4, concurrency(2)},
		{3, concurrency(2)}, // below 2 per check: Lambda's minimum still
	}
	for _, tt := range tests {
		in := DefaultModelInputs()
		in.ConcurrencyBudget.Value = tt.budget
		got := ConcurrencyShares(sampleResult(), in)
		if !maps.Equal(got, tt.want) {
			t.Errorf("ConcurrencyShares(budget %v) = %v, want %v", tt.budget, got, tt.want)
		}
	}
}

func TestOrgModelUsesMeasuredShares(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	in.AccountSizes, in.CheckConcurrency = []int{1}, concurrency(2)
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

// TestOrgModelIdleAndFixed: a drained queue's mapping polls until the
// first sweep after both its drain and its grace since the scan enabled it;
// the sweep is one orchestrator invocation per interval reading each queue;
// alarms and the KMS key cost the same at any size.
func TestOrgModelIdleAndFixed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		accounts          int
		sweepEvery, grace float64
	}{
		// One account: both queues drain in seconds, well inside the grace.
		{"15-minute sweep, 20-minute grace", 1, 15, 20},
		{"5-minute sweep, 20-minute grace", 1, 5, 20},
		{"no grace", 1, 15, 0},
		// 1,000 accounts at 2: the regional queue drains after 34 minutes, past the grace.
		{"a queue outlasts the grace", 1000, 15, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := DefaultModelInputs()
			in.AccountSizes, in.CheckConcurrency = []int{tt.accounts}, concurrency(2)
			in.SweepMinutes.Value, in.SweepGrace.Value = tt.sweepEvery, tt.grace
			got, _ := OrgModel(sampleResult(), in)
			const queues, scans = 2, 60
			idle := 0.0 // seconds a drained mapping polls, per scan, over the queues
			for _, c := range got[0].Checks {
				idle += max(c.WallSeconds, tt.grace*60) - c.WallSeconds + tt.sweepEvery*60
			}
			polls := scans * 5 * idle / 20
			sweeps := 30 * 24 * 60 / tt.sweepEvery
			sweepSeconds := (queues*2*0.060 + 0.050)
			sweep := sweeps * (0.20/1e6 + sweepSeconds*0.25*0.0000133334 + queues*0.40/1e6 + 700/1e9*0.50)
			if want := polls*0.40/1e6 + sweep; math.Abs(got[0].IdleUSD-want) > 1e-12 {
				t.Errorf("%d accounts, sweep every %v min, grace %v: idle $%.6f, want $%.6f (%.0f polls, %.0f sweeps)",
					tt.accounts, tt.sweepEvery, tt.grace, got[0].IdleUSD, want, polls, sweeps)
			}
			if want := (2*queues+3)*0.10 + 1; math.Abs(got[0].FixedUSD-want) > 1e-12 {
				t.Errorf("fixed $%.4f, want $%.4f (%d alarms and one key)", got[0].FixedUSD, want, 2*queues+3)
			}
		})
	}
}

// TestOrgModelThrottleFloor: one (account, region)'s calls beyond a bucket
// take (calls − burst) / refill seconds at least; EC2's Describe* APIs have
// a bucket each, RDS's APIs share one.
func TestOrgModelThrottleFloor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		calls []OpResult // over sampleResult's 2 regions
		want  float64
	}{
		{"EC2 inside its bucket", []OpResult{{Service: "EC2", Operation: "DescribeSnapshots", Calls: 200}}, 0},
		{"EC2 beyond its bucket", []OpResult{{Service: "EC2", Operation: "DescribeSnapshots", Calls: 1000}}, (500 - 100) / 20.0},
		{"EC2 operations apart", []OpResult{{Service: "EC2", Operation: "DescribeSnapshots", Calls: 200}, {Service: "EC2", Operation: "DescribeSecurityGroups", Calls: 200}}, 0},
		{"RDS operations together", []OpResult{{Service: "RDS", Operation: "DescribeDBSnapshots", Calls: 200}, {Service: "RDS", Operation: "DescribeDBSnapshotAttributes", Calls: 600}}, (400 - 300) / 12.0},
		{"no documented bucket", []OpResult{{Service: "IAM", Operation: "ListAccessKeys", Calls: 100000}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sampleResult()
			r.Parallel.APICalls = tt.calls
			in := DefaultModelInputs()
			in.AccountSizes, in.CheckConcurrency = []int{1}, concurrency(1000)
			got, _ := OrgModel(r, in)
			if m := got[0]; math.Abs(m.ThrottleFloorSec-tt.want) > 1e-9 || m.WallSeconds < tt.want {
				t.Errorf("calls %+v: throttle floor %.2f s, wall %.2f s; want %.2f s and wall at least that", tt.calls, m.ThrottleFloorSec, m.WallSeconds, tt.want)
			}
		})
	}
}

// TestModelInputsCiteSources keeps every price and limit sourced: a URL, a
// file of this repository, a measurement, or a stated assumption.
func TestModelInputsCiteSources(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	sources := map[string]Source{
		"other concurrency": in.OtherCheckConcurrency, "budget": in.ConcurrencyBudget,
		"memory": in.MemoryMB, "GB-s": in.LambdaGBs, "requests": in.LambdaRequests, "account concurrency": in.AccountConc,
		"pollers": in.SQSPollers, "scale-up": in.SQSScaleUp, "sqs": in.SQSRequests, "poll wait": in.SQSIdleWait,
		"sweep interval": in.SweepMinutes, "sweep grace": in.SweepGrace, "sweep calls": in.SweepCalls, "wru": in.DynamoWRU, "rru": in.DynamoRRU,
		"logs": in.LogsGB, "log bytes": in.LogBytes, "latency": in.CallLatencyMS, "init": in.InitMS, "item bytes": in.ItemBytes,
		"index share": in.IndexShare, "changed share": in.ChangedShare, "alarm price": in.AlarmPrice,
		"alarms per check": in.AlarmsPerCheck, "other alarms": in.OtherAlarms, "kms price": in.KMSKeyPrice, "kms keys": in.KMSKeys,
	}
	for _, b := range in.RateBuckets {
		sources[b.Service+" burst"], sources[b.Service+" refill"] = b.Burst, b.Refill
	}
	for name, s := range sources {
		ok := strings.HasPrefix(s.Source, "https://") || strings.HasPrefix(s.Source, "assumption: ") ||
			strings.HasPrefix(s.Source, "measured: ") || strings.HasPrefix(s.Source, "infra/") || strings.HasPrefix(s.Source, "internal/")
		if !ok || s.Unit == "" {
			t.Errorf("%s: source %q, unit %q: want a URL, a repository file, \"measured: …\" or \"assumption: …\", and a unit", name, s.Source, s.Unit)
		}
	}
}

// referenceRun is the stored run BENCHMARKS.md's model reads.
const referenceRun = "../../../bench/results/2026-11-28-scale1.json"

// TestDefaultConcurrency: the defaults name every implemented check, each
// within what Lambda accepts, all together within the budget and the
// account's concurrency, and equal the shares the reference run derives.
func TestDefaultConcurrency(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	sum := 0
	implemented := map[string]bool{}
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		implemented[c.Meta.Slug] = true
		// A check added after the shares were derived runs at the stack's
		// default for it until its work is measured.
		n, ok := in.CheckConcurrency[c.Meta.Slug]
		if !ok {
			n = int(in.OtherCheckConcurrency.Value)
		}
		if n < 2 || n > 1000 {
			t.Errorf("check %s: default concurrency %d (named %v), want one in [2, 1000]", c.Meta.Slug, n, ok)
		}
		if ok {
			sum += n
		}
	}
	for slug := range in.CheckConcurrency {
		if !implemented[slug] {
			t.Errorf("default concurrency for %q, which is no implemented check", slug)
		}
	}
	if sum > int(in.ConcurrencyBudget.Value) || in.ConcurrencyBudget.Value+in.OtherCheckConcurrency.Value > in.AccountConc.Value {
		t.Errorf("Σ default concurrency %d, budget %v, other %v: want Σ ≤ budget and budget + other ≤ account concurrency %v",
			sum, in.ConcurrencyBudget.Value, in.OtherCheckConcurrency.Value, in.AccountConc.Value)
	}
	r := readRun(t, referenceRun)
	if shares := ConcurrencyShares(r, in); !maps.Equal(shares, in.CheckConcurrency) {
		t.Errorf("defaults %v, want the shares %s derives: %v", in.CheckConcurrency, referenceRun, shares)
	}
}

// TestDefaultsMeetIssue16Targets: at the stack's defaults the reference run
// models a 1,000-account scan in at most 15 minutes, at most $0.25 per
// account and month, and one deployment's idle polling and sweep under $1 a
// month.
func TestDefaultsMeetIssue16Targets(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	in.AccountSizes = []int{1, 1000}
	got, _ := OrgModel(readRun(t, referenceRun), in)
	one, org := got[0], got[1]
	if org.WallSeconds > 15*60 {
		t.Errorf("1,000 accounts: wall %s (%s), want ≤ 15 min", humanSeconds(org.WallSeconds), org.SlowestCheck)
	}
	if org.USDPerAccount > 0.25 {
		t.Errorf("1,000 accounts: $%.3f per account and month, want ≤ $0.25", org.USDPerAccount)
	}
	if one.IdleUSD >= 1 {
		t.Errorf("1 account: idle polling and sweep $%.2f a month, want under $1", one.IdleUSD)
	}
}

func readRun(t *testing.T, name string) *Result {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read the reference run: %v", err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &r
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
