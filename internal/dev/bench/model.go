package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
)

// The org-scale model estimates what scanning many accounts costs in time
// and money, from one benchmark run's per-job measurements and AWS's
// published prices and limits. It is deliberately simple and every input is
// named in ModelInputs with its source; BENCHMARKS.md explains it.
//
// Per scan and per check c (queue c in the stack):
//
//	jobs_c      = accounts × (regions if c is regional, else 1)
//	duration_c  = max(emulator ms per job, calls per job × AWS call latency
//	              ÷ calls the check keeps in flight)
//	            + Lambda init (once per concurrent environment)
//	wall_c      = ⌈jobs_c / concurrency_c⌉ × duration_c   (one SQS event source per check,
//	              MaximumConcurrency concurrency_c, batch size 1)
//	wall        = max over c of wall_c, and at least the EC2 throttling floor
//
// and per month (scans = 2 a day × 30):
//
//	Lambda      = invocations × request price + Σ jobs_c × duration_c × memory × GB-s price
//	SQS         = jobs × (1/10 send batch + 1 receive + 1 delete) × request price
//	              + idle long polling of every check queue
//	DynamoDB    = jobs × (2 summary writes + changed findings × (1 + index share)) × WRU price
//	              + jobs × ⌈items per job × item size / 4 KB⌉ × RRU price (strongly consistent Query)
//	Logs        = invocations × bytes per invocation × ingestion price
//
// Every account is assumed to look like the reference account, every region
// like a reference region: an upper bound for most organisations.

// Source is where a figure comes from.
type Source struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Source is a URL, a file of this repository, or "assumption: why".
	Source string `json:"source"`
}

// ModelInputs are the model's prices, limits and assumptions.
type ModelInputs struct {
	Regions        int     `json:"regions"`
	ScansPerMonth  float64 `json:"scansPerMonth"`
	AccountSizes   []int   `json:"accounts"`
	Concurrencies  []int   `json:"checkConcurrencies"`
	MemoryMB       Source  `json:"lambdaMemory"`
	LambdaGBs      Source  `json:"lambdaArmPricePerGBs"`
	LambdaRequests Source  `json:"lambdaPricePerMillionRequests"`
	AccountConc    Source  `json:"lambdaAccountConcurrency"`
	SQSRequests    Source  `json:"sqsPricePerMillionRequests"`
	SQSIdlePollers Source  `json:"sqsIdlePollersPerQueue"`
	SQSIdleWait    Source  `json:"sqsLongPollSeconds"`
	DynamoWRU      Source  `json:"dynamodbPricePerMillionWRU"`
	DynamoRRU      Source  `json:"dynamodbPricePerMillionRRU"`
	LogsGB         Source  `json:"logsIngestionPricePerGB"`
	LogBytes       Source  `json:"logBytesPerInvocation"`
	EC2Bucket      Source  `json:"ec2DescribeBucket"`
	EC2Refill      Source  `json:"ec2DescribeRefillPerSecond"`
	CallLatencyMS  Source  `json:"awsCallLatencyMs"`
	InitMS         Source  `json:"lambdaInitMs"`
	ItemBytes      Source  `json:"findingItemBytes"`
	IndexShare     Source  `json:"statusIndexShareOfWrites"`
	ChangedShare   Source  `json:"changedFindingsShare"`
}

// DefaultModelInputs are the figures BENCHMARKS.md cites (us-east-1 list
// prices, no free tier, no savings plan).
func DefaultModelInputs() ModelInputs {
	return ModelInputs{
		Regions:        17,
		ScansPerMonth:  60,
		AccountSizes:   []int{1, 100, 1000},
		Concurrencies:  []int{2, 50},
		MemoryMB:       Source{256, "MB", "infra/stack.go functionMemoryMB"},
		LambdaGBs:      Source{0.0000133334, "USD per GB-s (Arm, first tier)", "https://aws.amazon.com/lambda/pricing/"},
		LambdaRequests: Source{0.20, "USD per 1M requests", "https://aws.amazon.com/lambda/pricing/"},
		AccountConc:    Source{1000, "concurrent executions", "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html (default account concurrency quota 1,000)"},
		SQSRequests:    Source{0.40, "USD per 1M requests (standard)", "https://aws.amazon.com/sqs/pricing/ (figure read from secondary copies of the page; see BENCHMARKS.md)"},
		SQSIdlePollers: Source{5, "long polls in flight per idle queue", "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html (5 batches; the scale-down to 2 is not available with maximum concurrency)"},
		SQSIdleWait:    Source{20, "seconds per empty long poll", "assumption: SQS's longest WaitTimeSeconds; Lambda does not publish its poll wait"},
		DynamoWRU:      Source{0.625, "USD per 1M write request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/ (figure read from secondary copies; see BENCHMARKS.md)"},
		DynamoRRU:      Source{0.125, "USD per 1M read request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/ (as above)"},
		LogsGB:         Source{0.50, "USD per GB ingested (Standard, first tier)", "https://aws.amazon.com/cloudwatch/pricing/ (figure read from secondary copies; see BENCHMARKS.md)"},
		LogBytes:       Source{700, "bytes per invocation", "assumption: START/END/REPORT platform lines plus one \"job done\" JSON line"},
		EC2Bucket:      Source{100, "tokens per Describe* API", "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"},
		EC2Refill:      Source{20, "tokens per second", "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"},
		CallLatencyMS:  Source{60, "ms per AWS API call, calls in a job made one after another", "assumption: not measured here (the emulator is local)"},
		InitMS:         Source{50, "ms per cold start", "assumption: aws-lambda-rie reports 0.04-0.10 ms (functions/lambda_test.go), which leaves out the sandbox and process start real Lambda adds"},
		ItemBytes:      Source{732, "bytes per stored finding", "measured: mean finding JSON 482 bytes at scale 0.1 (2026-11-28) + 250 bytes of keys and timestamps (assumption)"},
		IndexShare:     Source{0, "share of finding writes that also write the byStatus index (non-green)", "measured: red+yellow+error share of the run's findings (set from the results)"},
		ChangedShare:   Source{0, "share of findings written per steady-state scan", "measured: the run's 1 %-change re-scan (set from the results)"},
	}
}

// inJobParallelism is how many calls a check keeps in flight within one job,
// where it does: s3-bucket-permissions reads buckets on bucketWorkers (8)
// goroutines (internal/checks/s3bucketpermissions/collect.go). Every other
// check makes its calls one after another.
var inJobParallelism = map[string]float64{"s3-bucket-permissions": 8}

// itemOverheadBytes is what the store adds to a finding: pk, sk, kind,
// firstSeen, statusChangedAt, lastScanId, scanTime and the index keys.
const itemOverheadBytes = 250

// checkCost is one check's per-job figures from the serial scan.
type checkCost struct {
	Slug     string
	Regional bool
	MS       float64
	Calls    float64
	Findings float64
	EC2Calls map[string]float64
}

// ModelResult is the estimate for one fleet size and check concurrency.
type ModelResult struct {
	Accounts         int     `json:"accounts"`
	CheckConcurrency int     `json:"checkConcurrency"`
	JobsPerScan      int     `json:"jobsPerScan"`
	WallSeconds      float64 `json:"wallSecondsPerScan"`
	SlowestCheck     string  `json:"slowestCheck"`
	FitsInterval     bool    `json:"fitsIn12Hours"`
	LambdaUSD        float64 `json:"lambdaUsdPerMonth"`
	SQSUSD           float64 `json:"sqsUsdPerMonth"`
	DynamoDBUSD      float64 `json:"dynamodbUsdPerMonth"`
	LogsUSD          float64 `json:"logsUsdPerMonth"`
	TotalUSD         float64 `json:"totalUsdPerMonth"`
	ThrottleFloorSec float64 `json:"ec2ThrottleFloorSeconds"`
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

// ec2CallsPerRegion is the parallel scan's EC2 calls per operation and region.
func ec2CallsPerRegion(r *Result) map[string]float64 {
	out := map[string]float64{}
	for _, op := range r.Parallel.APICalls {
		if op.Service == "EC2" && len(r.Spec.Regions) > 0 {
			out[op.Operation] = float64(op.Calls) / float64(len(r.Spec.Regions))
		}
	}
	return out
}

// OrgModel estimates wall time and monthly cost for every fleet size and
// check concurrency in in, from r's measurements, and returns the inputs it
// used (in, with the shares measured in r filled in).
func OrgModel(r *Result, in ModelInputs) ([]ModelResult, ModelInputs) {
	checks := perCheck(r)
	if len(checks) == 0 {
		return nil, in
	}
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
	// The busiest EC2 Describe API of one region: its calls in one scan
	// beyond the bucket take calls/refill seconds at least.
	floor := 0.0
	for _, calls := range ec2CallsPerRegion(r) {
		floor = max(floor, (calls-in.EC2Bucket.Value)/in.EC2Refill.Value)
	}
	gb := in.MemoryMB.Value / 1024
	var out []ModelResult
	for _, accounts := range in.AccountSizes {
		for _, conc := range in.Concurrencies {
			m := ModelResult{Accounts: accounts, CheckConcurrency: conc, ThrottleFloorSec: floor}
			// Concurrency per queue cannot exceed the account's share.
			perQueue := math.Min(float64(conc), in.AccountConc.Value/float64(len(checks)))
			var gbSeconds, invocations, wru, rru float64
			for _, c := range checks {
				jobs := float64(accounts)
				if c.Regional {
					jobs *= float64(in.Regions)
				}
				ms := math.Max(c.MS, c.Calls*in.CallLatencyMS.Value/max(1, inJobParallelism[c.Slug]))
				environments := math.Min(jobs, perQueue)
				wall := math.Ceil(jobs/perQueue)*ms/1000 + in.InitMS.Value/1000
				if wall > m.WallSeconds {
					m.WallSeconds, m.SlowestCheck = wall, c.Slug
				}
				m.JobsPerScan += int(jobs)
				invocations += jobs
				gbSeconds += (jobs*ms + environments*in.InitMS.Value) / 1000 * gb
				wru += jobs * (2 + c.Findings*in.ChangedShare.Value*(1+in.IndexShare.Value))
				rru += jobs * math.Max(1, math.Ceil(c.Findings*in.ItemBytes.Value/4096))
			}
			m.WallSeconds = math.Max(m.WallSeconds, floor)
			m.FitsInterval = m.WallSeconds < 12*3600
			scans := in.ScansPerMonth
			invocations++ // the orchestrator
			m.LambdaUSD = scans * (invocations/1e6*in.LambdaRequests.Value + gbSeconds*in.LambdaGBs.Value)
			jobs := float64(m.JobsPerScan)
			idle := float64(len(checks)) * in.SQSIdlePollers.Value * (30 * 86400 / in.SQSIdleWait.Value)
			m.SQSUSD = (scans*jobs*(0.1+1+1) + idle) / 1e6 * in.SQSRequests.Value
			m.DynamoDBUSD = scans * (wru/1e6*in.DynamoWRU.Value + rru/1e6*in.DynamoRRU.Value)
			m.LogsUSD = scans * invocations * in.LogBytes.Value / 1e9 * in.LogsGB.Value
			m.TotalUSD = m.LambdaUSD + m.SQSUSD + m.DynamoDBUSD + m.LogsUSD
			out = append(out, m)
		}
	}
	return out, in
}

// WriteModel prints the model's estimates.
func WriteModel(w io.Writer, results []ModelResult) {
	fmt.Fprintln(w, "org-scale model (every account like the reference account, 17 regions, 2 scans a day; see BENCHMARKS.md):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ACCOUNTS\tCONC/QUEUE\tJOBS/SCAN\tWALL/SCAN\tSLOWEST CHECK\tLAMBDA $\tSQS $\tDYNAMODB $\tLOGS $\tTOTAL $/MONTH\t")
	for _, m := range results {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", m.Accounts, m.CheckConcurrency, m.JobsPerScan,
			humanSeconds(m.WallSeconds), m.SlowestCheck, m.LambdaUSD, m.SQSUSD, m.DynamoDBUSD, m.LogsUSD, m.TotalUSD)
	}
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
