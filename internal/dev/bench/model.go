package bench

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// The org-scale model estimates what scanning many accounts costs in time
// and money, from one benchmark run's per-job measurements and AWS's
// published prices and limits. It is deliberately simple and every input is
// named in ModelInputs with its source; BENCHMARKS.md explains it.
//
// Per scan and per check c (queue c in the stack, its event source mapping
// enabled by the orchestrator when it sends the scan's jobs):
//
//	jobs_c      = accounts × (regions if c is regional, else 1)
//	duration_c  = max(emulator ms per job, calls per job × AWS call latency
//	              ÷ calls the check keeps in flight)
//	conc_c      = min(c's MaximumConcurrency, jobs_c)
//	ramp_c      = (conc_c − 5) ÷ 300 minutes: Lambda starts 5 concurrent
//	              batches and adds up to 300 a minute
//	wall_c      = ramp_c × (conc_c − 5) ÷ (2 conc_c)    (what the ramp loses)
//	              + ⌈jobs_c / conc_c⌉ × duration_c + Lambda init
//	wall        = max over c of wall_c, and at least the throttling floor of
//	              one (account, region): its calls beyond a documented
//	              request bucket, at the bucket's refill rate
//
// and per month (scans = 2 a day × 30):
//
//	Lambda      = invocations × request price + Σ jobs_c × duration_c × memory × GB-s price
//	SQS         = jobs × (1/10 send batch + 1 receive + 1 delete) × request price
//	DynamoDB    = jobs × (2 summary writes + changed findings × (1 + index share)) × WRU price
//	              + jobs × ⌈items per job × item size / 4 KB⌉ × RRU price (strongly consistent Query)
//	Logs        = invocations × bytes per invocation × ingestion price
//	Idle        = idle long polling: after its queue drains, each mapping polls
//	              until a sweep disables it — the first sweep once the queue is
//	              drained and the mapping's grace after it was enabled is over,
//	              at most one sweep interval after both
//	              + the sweep itself, an orchestrator invocation every interval
//	              that reads each queue's depth (GetQueueAttributes) and its
//	              mapping (GetEventSourceMapping, not billed)
//	Fixed       = the stack's CloudWatch alarms and KMS key, whatever it scans
//
// Every account is assumed to look like the reference account, every region
// like a reference region: an upper bound for most organisations. The
// event-driven re-checks of issue 17 are modelled in events.go.

// Source is where a figure comes from.
type Source struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Source is a URL, a file of this repository, or "assumption: why".
	Source string `json:"source"`
}

// RateBucket is a documented request bucket of one account in one region.
type RateBucket struct {
	// Service is the service as the recorder names it ("EC2", "RDS").
	Service string `json:"service"`
	// PerOperation is true where each operation has a bucket of its own
	// (EC2's Describe* APIs), false where the service's operations share
	// one (RDS).
	PerOperation bool   `json:"perOperation"`
	Burst        Source `json:"burst"`
	Refill       Source `json:"refillPerSecond"`
}

// ModelInputs are the model's prices, limits and assumptions.
type ModelInputs struct {
	Regions       int     `json:"regions"`
	ScansPerMonth float64 `json:"scansPerMonth"`
	AccountSizes  []int   `json:"accounts"`
	// CheckConcurrency is each check function's SQS MaximumConcurrency by
	// slug: the stack's defaults. A check it does not name gets
	// OtherCheckConcurrency.
	CheckConcurrency      map[string]int `json:"checkConcurrency"`
	OtherCheckConcurrency Source         `json:"otherCheckConcurrency"`
	// ConcurrencyBudget is what ConcurrencyShares divides among the checks.
	ConcurrencyBudget Source `json:"checkConcurrencyBudget"`
	MemoryMB          Source `json:"lambdaMemory"`
	LambdaGBs         Source `json:"lambdaArmPricePerGBs"`
	LambdaRequests    Source `json:"lambdaPricePerMillionRequests"`
	AccountConc       Source `json:"lambdaAccountConcurrency"`
	SQSPollers        Source `json:"sqsEventSourceStartBatches"`
	SQSScaleUp        Source `json:"sqsEventSourceScaleUpPerMinute"`
	SQSRequests       Source `json:"sqsPricePerMillionRequests"`
	SQSIdleWait       Source `json:"sqsLongPollSeconds"`
	SweepMinutes      Source `json:"sweepIntervalMinutes"`
	SweepGrace        Source `json:"sweepGraceMinutes"`
	SweepCalls        Source `json:"sweepCallsPerQueue"`
	DynamoWRU         Source `json:"dynamodbPricePerMillionWRU"`
	DynamoRRU         Source `json:"dynamodbPricePerMillionRRU"`
	LogsGB            Source `json:"logsIngestionPricePerGB"`
	LogBytes          Source `json:"logBytesPerInvocation"`
	// RateBuckets are the documented per-(account, region) request buckets
	// the throttling floor is computed from.
	RateBuckets    []RateBucket `json:"rateBuckets"`
	CallLatencyMS  Source       `json:"awsCallLatencyMs"`
	InitMS         Source       `json:"lambdaInitMs"`
	ItemBytes      Source       `json:"findingItemBytes"`
	IndexShare     Source       `json:"statusIndexShareOfWrites"`
	ChangedShare   Source       `json:"changedFindingsShare"`
	AlarmPrice     Source       `json:"cloudwatchAlarmPricePerMonth"`
	AlarmsPerCheck Source       `json:"alarmsPerCheck"`
	OtherAlarms    Source       `json:"otherAlarms"`
	KMSKeyPrice    Source       `json:"kmsKeyPricePerMonth"`
	KMSKeys        Source       `json:"kmsKeys"`
	// Events are the event-driven re-checks' inputs (EventModel).
	Events EventInputs `json:"events"`
}

// DefaultModelInputs are the figures BENCHMARKS.md cites (us-east-1 list
// prices, no free tier, no savings plan).
func DefaultModelInputs() ModelInputs {
	const (
		sqsScaling    = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
		ec2Throttling = "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"
		rdsThrottling = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html"
		lambdaPricing = "https://aws.amazon.com/lambda/pricing/"
		secondary     = "(figure read from secondary copies of the page; see BENCHMARKS.md)"
	)
	return ModelInputs{
		Regions:               17,
		ScansPerMonth:         60,
		AccountSizes:          []int{1, 100, 1000},
		CheckConcurrency:      maps.Clone(pipeline.CheckConcurrency),
		OtherCheckConcurrency: Source{pipeline.OtherCheckConcurrency, "MaximumConcurrency of a check not named in pipeline.CheckConcurrency", "assumption: the stack's default for a check added after the shares were derived (internal/pipeline/concurrency.go), inside the 200 left of the account's 1,000"},
		ConcurrencyBudget:     Source{800, "concurrent executions shared by the check functions", "assumption: 80 % of the default account concurrency, leaving 200 for the orchestrator, the notifier and the account's other functions"},
		MemoryMB:              Source{256, "MB", "infra/stack.go functionMemoryMB"},
		LambdaGBs:             Source{0.0000133334, "USD per GB-s (Arm, first tier)", lambdaPricing},
		LambdaRequests:        Source{0.20, "USD per 1M requests", lambdaPricing},
		AccountConc:           Source{1000, "concurrent executions", "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (default; new accounts start lower and are raised with use)"},
		SQSPollers:            Source{5, "concurrent batches an SQS event source starts with, and polls an idle queue with", sqsScaling + " (the scale-down to 2 is not available with maximum concurrency)"},
		SQSScaleUp:            Source{300, "concurrent invocations an SQS event source adds per minute", sqsScaling},
		SQSRequests:           Source{0.40, "USD per 1M requests (standard)", "https://aws.amazon.com/sqs/pricing/ " + secondary},
		SQSIdleWait:           Source{20, "seconds per empty long poll", "assumption: SQS's longest WaitTimeSeconds; Lambda does not publish its poll wait"},
		SweepMinutes:          Source{15, "minutes between sweeps", "infra/stack.go sweepPeriod"},
		SweepGrace:            Source{20, "minutes after it was last switched that a sweep leaves a mapping on although its queue looks empty", "internal/pipeline/orchestrator/mappings.go sweepGrace"},
		SweepCalls:            Source{2, "calls per check queue per sweep: sqs GetQueueAttributes (billed) and lambda GetEventSourceMapping (not billed), one after another", "internal/pipeline/orchestrator/mappings.go sweepOne"},
		DynamoWRU:             Source{0.625, "USD per 1M write request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/ " + secondary},
		DynamoRRU:             Source{0.125, "USD per 1M read request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/ (as above)"},
		LogsGB:                Source{0.50, "USD per GB ingested (Standard, first tier)", "https://aws.amazon.com/cloudwatch/pricing/ " + secondary},
		LogBytes:              Source{700, "bytes per invocation", "assumption: START/END/REPORT platform lines plus one \"job done\" JSON line"},
		RateBuckets: []RateBucket{
			{Service: "EC2", PerOperation: true,
				Burst:  Source{100, "tokens per Describe* API", ec2Throttling},
				Refill: Source{20, "tokens per second", ec2Throttling}},
			{Service: "RDS",
				Burst:  Source{300, "requests in a burst, all RDS APIs", rdsThrottling},
				Refill: Source{12, "requests per second sustained", rdsThrottling}},
		},
		CallLatencyMS:  Source{60, "ms per AWS API call, calls in a job made one after another", "assumption: not measured here (the emulator is local)"},
		InitMS:         Source{50, "ms per cold start", "assumption: aws-lambda-rie reports 0.04-0.10 ms (functions/lambda_test.go), which leaves out the sandbox and process start real Lambda adds"},
		ItemBytes:      Source{732, "bytes per stored finding", "measured: mean finding JSON 482 bytes at scale 0.1 (2026-11-28) + 250 bytes of keys and timestamps (assumption)"},
		IndexShare:     Source{0, "share of finding writes that also write the byStatus index (non-green)", "measured: red+yellow+error share of the run's findings (set from the results)"},
		ChangedShare:   Source{0, "share of findings written per steady-state scan", "measured: the run's 1 %-change re-scan (set from the results)"},
		AlarmPrice:     Source{0.10, "USD per standard-resolution alarm per month", "https://aws.amazon.com/cloudwatch/pricing/ " + secondary},
		AlarmsPerCheck: Source{2, "alarms per check", "infra/stack.go: errorsAlarm on the function, depthAlarm on its DLQ"},
		OtherAlarms:    Source{3, "alarms", "infra/stack.go: orchestrator errors, notifier errors, notifier failure queue depth"},
		KMSKeyPrice:    Source{1, "USD per customer managed key per month (first year; each of the first two yearly rotations adds 1)", "https://aws.amazon.com/kms/pricing/ " + secondary},
		KMSKeys:        Source{1, "keys", "infra/stack.go TopicKey (the SNS topics' key)"},
		Events:         DefaultEventInputs(),
	}
}

// inJobParallelism is how many calls a check keeps in flight within one job,
// where it does: s3-bucket-permissions reads buckets on bucketWorkers (8)
// goroutines (internal/checks/s3bucketpermissions/collect.go),
// rds-public-snapshots reads snapshot attributes on attributeWorkers (8)
// (internal/checks/rdspublicsnapshots). Every other check makes its calls
// one after another.
var inJobParallelism = map[string]float64{"s3-bucket-permissions": 8, "rds-public-snapshots": 8}

// itemOverheadBytes is what the store adds to a finding: pk, sk, kind,
// firstSeen, statusChangedAt, lastScanId, scanTime and the index keys.
const itemOverheadBytes = 250

// sweepSQSRequestsPerQueue is the billed part of a sweep's calls per queue:
// one GetQueueAttributes (Lambda's control-plane calls are not billed).
const sweepSQSRequestsPerQueue = 1

// checkCost is one check's per-job figures from the serial scan.
type checkCost struct {
	Slug     string
	Regional bool
	MS       float64
	Calls    float64
	Findings float64
}

// jobsPerAccount is c's jobs per account and scan.
func (c checkCost) jobsPerAccount(in ModelInputs) float64 {
	if c.Regional {
		return float64(in.Regions)
	}
	return 1
}

// seconds is one job's duration on AWS: the emulator's time, or the calls'
// latency divided by the calls the check keeps in flight, whichever is longer.
func (c checkCost) seconds(in ModelInputs) float64 {
	return math.Max(c.MS, c.Calls*in.CallLatencyMS.Value/max(1, inJobParallelism[c.Slug])) / 1000
}

// CheckWall is one check's share of a scan.
type CheckWall struct {
	Slug        string  `json:"slug"`
	Concurrency int     `json:"maximumConcurrency"`
	Jobs        int     `json:"jobs"`
	JobSeconds  float64 `json:"jobSeconds"`
	WallSeconds float64 `json:"wallSeconds"`
}

// ModelResult is the estimate for one fleet size.
type ModelResult struct {
	Accounts int `json:"accounts"`
	// TotalConcurrency is the sum of the check functions' MaximumConcurrency:
	// what the scan can hold of the account's concurrency at once.
	TotalConcurrency int     `json:"checkConcurrencySum"`
	JobsPerScan      int     `json:"jobsPerScan"`
	WallSeconds      float64 `json:"wallSecondsPerScan"`
	SlowestCheck     string  `json:"slowestCheck"`
	FitsInterval     bool    `json:"fitsIn12Hours"`
	ThrottleFloorSec float64 `json:"throttleFloorSeconds"`
	// AssumeRolePerSecond is the scan's sts:AssumeRole rate from the
	// scanner account if no credentials were reused: one per job for a
	// member account, over the wall time (an upper bound; the functions
	// cache credentials per account).
	AssumeRolePerSecond float64 `json:"assumeRolePerSecondUpperBound"`
	LambdaUSD           float64 `json:"lambdaUsdPerMonth"`
	SQSUSD              float64 `json:"sqsUsdPerMonth"`
	DynamoDBUSD         float64 `json:"dynamodbUsdPerMonth"`
	LogsUSD             float64 `json:"logsUsdPerMonth"`
	// IdleUSD is the idle long polling after each scan plus the sweep.
	IdleUSD float64 `json:"idleUsdPerMonth"`
	// FixedUSD is the stack's alarms and KMS key.
	FixedUSD      float64     `json:"fixedUsdPerMonth"`
	TotalUSD      float64     `json:"totalUsdPerMonth"`
	USDPerAccount float64     `json:"usdPerAccountPerMonth"`
	Checks        []CheckWall `json:"checks"`
}

// perCheck averages the serial scan's jobs per check.
func perCheck(r *Result) []checkCost {
	by := map[string]*checkCost{}
	n := map[string]float64{}
	for _, j := range r.PerJob {
		c := by[j.Slug]
		if c == nil {
			c = &checkCost{Slug: j.Slug, Regional: j.Scope == "regional"}
			by[j.Slug] = c
		}
		c.MS += j.Millis
		c.Calls += float64(j.Calls)
		c.Findings += float64(j.Findings)
		n[j.Slug]++
	}
	out := make([]checkCost, 0, len(by))
	for slug, c := range by {
		c.MS /= n[slug]
		c.Calls /= n[slug]
		c.Findings /= n[slug]
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}

// ConcurrencyShares divides in's budget among r's checks in proportion to
// each one's work per account (jobs × job duration), after the 2 every
// event source needs at least (Lambda's minimum MaximumConcurrency). Shares
// are rounded down, so they never add up to more than the budget: with
// them every queue drains in about the same time, the fastest a scan can
// take within the budget.
func ConcurrencyShares(r *Result, in ModelInputs) map[string]int {
	const minimum = 2
	checks := perCheck(r)
	var total float64
	for _, c := range checks {
		total += c.jobsPerAccount(in) * c.seconds(in)
	}
	spare := in.ConcurrencyBudget.Value - float64(minimum*len(checks))
	out := map[string]int{}
	for _, c := range checks {
		share := 0.0
		if total > 0 && spare > 0 {
			share = spare * c.jobsPerAccount(in) * c.seconds(in) / total
		}
		out[c.Slug] = minimum + int(share)
	}
	return out
}

// queueSeconds is how long a queue of jobs of d seconds takes to drain on
// at most conc environments, which the event source reaches from start
// concurrent batches adding perMinute a minute, plus one cold start.
func queueSeconds(jobs, d, conc float64, in ModelInputs) float64 {
	conc = math.Min(conc, jobs)
	start := in.SQSPollers.Value
	lost := 0.0
	if conc > start {
		// During the ramp the queue has (start + conc)/2 environments on
		// average instead of conc; spread over conc, the shortfall is this.
		ramp := (conc - start) / in.SQSScaleUp.Value * 60
		lost = ramp * (conc - start) / 2 / conc
	}
	return lost + math.Ceil(jobs/conc)*d + in.InitMS.Value/1000
}

// throttleFloor is the longest one (account, region) must take for its
// calls of one scan: the calls beyond each bucket, at the bucket's refill.
func throttleFloor(r *Result, in ModelInputs) float64 {
	if len(r.Spec.Regions) == 0 {
		return 0
	}
	floor := 0.0
	for _, b := range in.RateBuckets {
		calls := map[string]float64{}
		for _, op := range r.Parallel.APICalls {
			if op.Service != b.Service {
				continue
			}
			key := ""
			if b.PerOperation {
				key = op.Operation
			}
			calls[key] += float64(op.Calls) / float64(len(r.Spec.Regions))
		}
		for _, n := range calls {
			floor = max(floor, (n-b.Burst.Value)/b.Refill.Value)
		}
	}
	return floor
}

// withMeasured returns in with the shares and the item size measured in r.
func withMeasured(r *Result, in ModelInputs) ModelInputs {
	if f := r.Parallel.Findings; f > 0 {
		if ss := r.SteadyState; ss != nil {
			in.ChangedShare.Value = float64(ss.Changed.ItemsWritten) / float64(f)
		}
		by := r.Parallel.ByStatus
		in.IndexShare.Value = float64(by["red"]+by["yellow"]+by["error"]) / float64(f)
	}
	if b := r.Parallel.AvgFindingBytes; b > 0 {
		in.ItemBytes = Source{float64(b + itemOverheadBytes), in.ItemBytes.Unit,
			fmt.Sprintf("measured: mean finding JSON %d bytes + %d bytes of keys and timestamps (assumption)", b, itemOverheadBytes)}
	}
	return in
}

// OrgModel estimates wall time and monthly cost for every fleet size in
// in, from r's measurements, and returns the inputs it used (in, with the
// shares measured in r filled in).
func OrgModel(r *Result, in ModelInputs) ([]ModelResult, ModelInputs) {
	checks := perCheck(r)
	if len(checks) == 0 {
		return nil, in
	}
	in = withMeasured(r, in)
	floor := throttleFloor(r, in)
	gb := in.MemoryMB.Value / 1024
	queues := float64(len(checks))
	scans := in.ScansPerMonth

	// The sweep runs every interval whatever is scanned: one orchestrator
	// invocation reading every queue and mapping.
	sweeps := 30 * 24 * 60 / in.SweepMinutes.Value
	sweepSeconds := (queues*in.SweepCalls.Value*in.CallLatencyMS.Value + in.InitMS.Value) / 1000
	sweepUSD := sweeps * (in.LambdaRequests.Value/1e6 + sweepSeconds*gb*in.LambdaGBs.Value +
		queues*sweepSQSRequestsPerQueue*in.SQSRequests.Value/1e6 + in.LogBytes.Value/1e9*in.LogsGB.Value)
	alarms := in.AlarmsPerCheck.Value*queues + in.OtherAlarms.Value
	fixedUSD := alarms*in.AlarmPrice.Value + in.KMSKeys.Value*in.KMSKeyPrice.Value

	var out []ModelResult
	for _, accounts := range in.AccountSizes {
		m := ModelResult{Accounts: accounts, ThrottleFloorSec: floor}
		var gbSeconds, invocations, wru, rru, idleSeconds float64
		for _, c := range checks {
			conc, ok := in.CheckConcurrency[c.Slug]
			if !ok {
				conc = int(in.OtherCheckConcurrency.Value)
			}
			m.TotalConcurrency += conc
			jobs := float64(accounts) * c.jobsPerAccount(in)
			d := c.seconds(in)
			wall := queueSeconds(jobs, d, float64(conc), in)
			m.Checks = append(m.Checks, CheckWall{Slug: c.Slug, Concurrency: conc, Jobs: int(jobs), JobSeconds: d, WallSeconds: wall})
			if wall > m.WallSeconds {
				m.WallSeconds, m.SlowestCheck = wall, c.Slug
			}
			// Drained, the mapping polls an empty queue until the first
			// sweep after its grace (counted from the scan's start, when
			// the orchestrator enabled it) and its drain.
			idleSeconds += math.Max(wall, in.SweepGrace.Value*60) - wall + in.SweepMinutes.Value*60
			m.JobsPerScan += int(jobs)
			invocations += jobs
			environments := math.Min(jobs, float64(conc))
			gbSeconds += (jobs*d + environments*in.InitMS.Value/1000) * gb
			wru += jobs * (2 + c.Findings*in.ChangedShare.Value*(1+in.IndexShare.Value))
			rru += jobs * math.Max(1, math.Ceil(c.Findings*in.ItemBytes.Value/4096))
		}
		m.WallSeconds = math.Max(m.WallSeconds, floor)
		m.FitsInterval = m.WallSeconds < 12*3600
		memberJobs := float64(m.JobsPerScan) * float64(accounts-1) / float64(accounts)
		m.AssumeRolePerSecond = memberJobs / m.WallSeconds
		invocations++ // the orchestrator
		m.LambdaUSD = scans * (invocations/1e6*in.LambdaRequests.Value + gbSeconds*in.LambdaGBs.Value)
		m.SQSUSD = scans * float64(m.JobsPerScan) * (0.1 + 1 + 1) / 1e6 * in.SQSRequests.Value
		m.DynamoDBUSD = scans * (wru/1e6*in.DynamoWRU.Value + rru/1e6*in.DynamoRRU.Value)
		m.LogsUSD = scans * invocations * in.LogBytes.Value / 1e9 * in.LogsGB.Value
		idlePolls := scans * in.SQSPollers.Value * idleSeconds / in.SQSIdleWait.Value
		m.IdleUSD = idlePolls/1e6*in.SQSRequests.Value + sweepUSD
		m.FixedUSD = fixedUSD
		m.TotalUSD = m.LambdaUSD + m.SQSUSD + m.DynamoDBUSD + m.LogsUSD + m.IdleUSD + m.FixedUSD
		m.USDPerAccount = m.TotalUSD / float64(accounts)
		out = append(out, m)
	}
	return out, in
}

// WriteModel prints the model's estimates, and the checks' queues at the
// largest fleet.
func WriteModel(w io.Writer, results []ModelResult) {
	fmt.Fprintln(w, "org-scale model (every account like the reference account, 17 regions, 2 scans a day; see BENCHMARKS.md):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ACCOUNTS\tΣ CONC\tJOBS/SCAN\tWALL/SCAN\tSLOWEST CHECK\tASSUMEROLE/s ≤\tLAMBDA $\tSQS $\tDYNAMODB $\tLOGS $\tIDLE $\tFIXED $\tTOTAL $/MONTH\t$/ACCOUNT\t")
	for _, m := range results {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t\n", m.Accounts, m.TotalConcurrency, m.JobsPerScan,
			humanSeconds(m.WallSeconds), m.SlowestCheck, m.AssumeRolePerSecond, m.LambdaUSD, m.SQSUSD, m.DynamoDBUSD, m.LogsUSD, m.IdleUSD, m.FixedUSD, m.TotalUSD, m.USDPerAccount)
	}
	_ = tw.Flush()
	if len(results) == 0 {
		return
	}
	last := results[len(results)-1]
	fmt.Fprintf(w, "\nqueues at %d accounts (slowest first):\n", last.Accounts)
	queues := slices.Clone(last.Checks)
	sort.SliceStable(queues, func(i, j int) bool { return queues[i].WallSeconds > queues[j].WallSeconds })
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CHECK\tMAX CONC\tJOBS\tJOB s\tWALL\t")
	for _, c := range queues {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%s\t\n", c.Slug, c.Concurrency, c.Jobs, c.JobSeconds, humanSeconds(c.WallSeconds))
	}
	_ = tw.Flush()
}

// WriteShares prints the concurrency shares a run derives next to the
// defaults the model used, so that a new run shows whether the stack's
// defaults should change.
func WriteShares(w io.Writer, shares map[string]int, in ModelInputs) {
	fmt.Fprintf(w, "concurrency shares this run derives from a budget of %.0f (ConcurrencyShares), against the defaults:\n", in.ConcurrencyBudget.Value)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CHECK\tSHARE\tDEFAULT\t")
	sum := 0
	for _, slug := range slices.Sorted(maps.Keys(shares)) {
		def, ok := in.CheckConcurrency[slug]
		if !ok {
			def = int(in.OtherCheckConcurrency.Value)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", slug, shares[slug], def)
		sum += shares[slug]
	}
	fmt.Fprintf(tw, "total\t%d\t\t\n", sum)
	_ = tw.Flush()
}

func humanSeconds(s float64) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}
