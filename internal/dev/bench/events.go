package bench

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// The event model adds issue 17's event-driven re-checks to the org-scale
// model: what the CloudTrail events of a fleet cost a month on top of the
// scheduled scans, with one job per event and with coalescing (one job per
// (account, region, check) and window), and how long an event takes to
// become an alert. BENCHMARKS.md ("Event-driven re-checks") explains it.
//
// Per month, for A accounts: E = A × events per account and day × 30
// relevant events, split over the event mix; an event of family f re-checks
// every check in f.Checks (its fan-out). b is the events one (account,
// region, check) sees within one window; without coalescing b = 1, there
// is no window and no claim.
//
//	jobs_c   = Σ over the families f re-checking c of E_f ÷ b
//	Lambda   = (E + Σ jobs_c) × request price
//	           + E × (init + (claims + sent jobs × calls per sent job) ÷ E
//	             × call latency) × memory × GB-s price      (orchestrator)
//	           + Σ jobs_c × (init + duration_c) × memory × GB-s price
//	SQS      = Σ jobs_c × (1 SendMessage + 1 receive + 1 delete) × request price
//	DynamoDB = (claims + Σ jobs_c × 2 summary writes
//	           + Σ_f E_f × fan-out_f × findings written per event × (1 + index share)) × WRU price
//	           + Σ jobs_c × ⌈findings_c × item bytes ÷ 4 KB⌉ × RRU price
//	           claims = Σ_f E_f × fan-out_f: one conditional PutItem per event
//	           and check, whether it opens the window or finds it open
//	EventBridge = E × (A − 1) ÷ A forwarded from member accounts × custom-event price
//	           + those × share from another region × event bytes × transfer price
//	           (the scanner's own events on its default bus are free)
//	Logs     = (E + Σ jobs_c) × bytes per invocation × ingestion price
//	Idle     = Σ_c on_c × seconds a month ÷ long-poll wait × pollers × SQS price,
//	           on_c = 1 − exp(−jobs_c a minute × (max(grace, window) + sweep
//	           interval)): the share of the month c's mapping is on, enabled
//	           by its event jobs (Poisson arrivals), which a sweep turns off
//	           at most one interval after both its grace and its drain
//
// The scheduled scans' own costs (OrgModel) are not repeated here, and the
// time the mappings are on for a scan is not subtracted: an upper bound.

// EventFamily is one kind of relevant CloudTrail event in the event mix.
type EventFamily struct {
	Name string `json:"name"`
	// Event is one representative event of the family: its source and name.
	Event check.Trigger `json:"event"`
	Share Source        `json:"share"`
	// Checks are the slugs of the checks one such event re-checks: those
	// whose Triggers contain Event (TriggeredBy, from the catalog).
	Checks []string `json:"checks"`
}

// EventInputs are the event model's prices, volumes and assumptions.
type EventInputs struct {
	PerAccountDay Source `json:"eventsPerAccountPerDay"`
	// Burst is b: the events one (account, region, check) sees within one
	// window; BurstSweep are the values the sweep table tries.
	Burst      Source        `json:"eventsPerScopeWindow"`
	BurstSweep []float64     `json:"burstSweep"`
	Window     Source        `json:"windowSeconds"`
	Mix        []EventFamily `json:"mix"`
	// Written is the finding items one event makes its re-check write.
	Written   Source `json:"findingItemsWrittenPerEventAndCheck"`
	ClaimWRU  Source `json:"writeUnitsPerWindowClaim"`
	SendCalls Source `json:"orchestratorCallsPerSentJob"`
	// Prices of forwarding member accounts' events to the scanner's bus.
	AWSEvents     Source        `json:"eventbridgeAwsManagementEventsPricePerMillion"`
	CustomEvents  Source        `json:"eventbridgeCustomEventsPricePerMillion"`
	OtherRegion   Source        `json:"otherRegionShareOfForwardedEvents"`
	EventBytes    Source        `json:"cloudtrailEventBytes"`
	TransferGB    Source        `json:"interRegionTransferPricePerGB"`
	Latency       LatencyInputs `json:"latency"`
	TargetSeconds Source        `json:"targetSeconds"`
}

// LatencyInputs are the delays of the event path that the run does not
// measure.
type LatencyInputs struct {
	CloudTrailToEventBridge Source `json:"cloudTrailToEventBridgeSeconds"`
	EventBridgeToTarget     Source `json:"eventBridgeToTargetSeconds"`
	SQSPickup               Source `json:"sqsToFunctionSeconds"`
	StreamPoll              Source `json:"streamPollSeconds"`
	StoreCalls              Source `json:"storeCallsPerJob"`
	NotifierCalls           Source `json:"notifierCallsPerAlert"`
}

// DefaultEventInputs are the figures BENCHMARKS.md cites; the mix's checks
// come from the catalog's triggers.
func DefaultEventInputs() EventInputs {
	mixSource := "assumption: no published breakdown of CloudTrail write events by API; infrastructure as code and deployments " +
		"(security groups, functions, buckets, DNS records, instances) outnumber hand-made changes to snapshots, keys, users and trails"
	mix := []EventFamily{
		{Name: "security group rules", Event: trigger("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"), Share: Source{0.28, "share of events", mixSource}},
		{Name: "Lambda function configuration", Event: trigger("lambda.amazonaws.com", "UpdateFunctionConfiguration"), Share: Source{0.18, "share of events", mixSource}},
		{Name: "S3 bucket policy and ACL", Event: trigger("s3.amazonaws.com", "PutBucketPolicy"), Share: Source{0.12, "share of events", mixSource}},
		{Name: "Route 53 records", Event: trigger("route53.amazonaws.com", "ChangeResourceRecordSets"), Share: Source{0.12, "share of events", mixSource}},
		{Name: "EC2 instance launches", Event: trigger("ec2.amazonaws.com", "RunInstances"), Share: Source{0.10, "share of events", mixSource}},
		{Name: "EBS snapshot permissions", Event: trigger("ec2.amazonaws.com", "ModifySnapshotAttribute"), Share: Source{0.04, "share of events", mixSource}},
		{Name: "Classic Load Balancer listeners", Event: trigger("elasticloadbalancing.amazonaws.com", "CreateLoadBalancerListeners"), Share: Source{0.04, "share of events", mixSource}},
		{Name: "IAM access keys", Event: trigger("iam.amazonaws.com", "CreateAccessKey"), Share: Source{0.03, "share of events", mixSource}},
		{Name: "RDS snapshot permissions", Event: trigger("rds.amazonaws.com", "ModifyDBSnapshotAttribute"), Share: Source{0.02, "share of events", mixSource}},
		{Name: "CloudFront distributions", Event: trigger("cloudfront.amazonaws.com", "UpdateDistribution"), Share: Source{0.02, "share of events", mixSource}},
		{Name: "CloudTrail trails", Event: trigger("cloudtrail.amazonaws.com", "UpdateTrail"), Share: Source{0.01, "share of events", mixSource}},
		{Name: "IAM users", Event: trigger("iam.amazonaws.com", "CreateUser"), Share: Source{0.01, "share of events", mixSource}},
		{Name: "IAM password policy", Event: trigger("iam.amazonaws.com", "UpdateAccountPasswordPolicy"), Share: Source{0.01, "share of events", mixSource}},
		{Name: "MFA devices", Event: trigger("iam.amazonaws.com", "EnableMFADevice"), Share: Source{0.01, "share of events", mixSource}},
		{Name: "Well-Architected answers", Event: trigger("wellarchitected.amazonaws.com", "UpdateAnswer"), Share: Source{0.01, "share of events", mixSource}},
	}
	for i := range mix {
		mix[i].Checks = TriggeredBy(checks.All(), mix[i].Event)
	}
	const secondary = "(figure read from secondary copies of the page; see BENCHMARKS.md)"
	return EventInputs{
		PerAccountDay: Source{10, "relevant CloudTrail events per account and day", "assumption: issue 17's example, 10,000 a day across 1,000 accounts"},
		Burst: Source{20, "events per (account, region, check) within one window",
			"assumption: a Terraform apply that changes 20 security-group rules of one region at once; a console change is a burst of 1, the issue's example 200 (see the sweep)"},
		BurstSweep: []float64{1, 5, 20, 200},
		Window:     Source{pipeline.DefaultEventWindow.Seconds(), "seconds", "internal/pipeline/env.go DefaultEventWindow (EVENT_WINDOW sets it, 1 s to 15 min)"},
		Mix:        mix,
		Written: Source{2, "finding items written per event and check re-checked",
			"assumption: one resource changed per event; the run's 1 % change wrote 2 items per opened group and check (a new red finding, the green one deleted)"},
		ClaimWRU: Source{1, "write request units per window claim (an item under 1 KB; a failed condition consumes them too)",
			"internal/store/window.go ClaimWindow (one conditional PutItem per event and check)"},
		SendCalls: Source{2, "calls per job sent, one after another: lambda GetEventSourceMapping and sqs SendMessage",
			"internal/pipeline/orchestrator/mappings.go enableMapping"},
		AWSEvents: Source{0, "USD per 1M AWS management events ingested and delivered in their own account",
			"https://aws.amazon.com/eventbridge/pricing/ (\"AWS management events are ingested by the event bus for free\")"},
		CustomEvents: Source{1.00, "USD per 1M events sent to another account's or region's bus (billed to the sender as custom events)",
			"https://aws.amazon.com/premiumsupport/knowledge-center/eventbridge-reduce-charges/ " + secondary},
		OtherRegion: Source{0.5, "share of forwarded events raised in a region other than the scanner's",
			"assumption: activity spread over a few regions, global services' events arrive in us-east-1"},
		EventBytes: Source{2500, "bytes per CloudTrail event", "assumption: the events/ samples are 1.8-2.6 KB"},
		TransferGB: Source{0.02, "USD per GB between regions", "https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer between regions) — assumption-grade"},
		Latency: LatencyInputs{
			CloudTrailToEventBridge: Source{30, "seconds from the API call to the event on the bus, typical",
				"assumption: AWS documents no figure for this path (best effort delivery, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-delivery-level.html); " +
					"Cloud Custodian's maintainers gave P99 90 s (2017) and \"seconds\" at P99 (2021)"},
			EventBridgeToTarget: Source{0.5, "seconds from the bus to the orchestrator's invocation",
				"assumption: not documented; EventBridge's IngestionToInvocationStartLatency metric measures it on a deployment (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html)"},
			SQSPickup: Source{1, "seconds from the job becoming visible to the check function's invocation",
				"assumption: an enabled SQS event source long-polls, so it receives a message within a poll"},
			StreamPoll: Source{0.25, "seconds, at most, from the store's write to the notifier's batch",
				"https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (Lambda polls each shard 4 times a second; no batching window is set, infra/stack.go)"},
			StoreCalls:    Source{4, "store calls per job, one after another", "internal/store: claim PutItem, Query, BatchWriteItem, commit UpdateItem"},
			NotifierCalls: Source{2, "calls per alert, one after another", "internal/pipeline/notifier/notifier.go alert: MarkAlerted, then sns Publish"},
		},
		TargetSeconds: Source{120, "seconds from the API call to the alert", "assumption: issue 17's goal, a red alert within 2 minutes in the typical case"},
	}
}

func trigger(source, name string) check.Trigger {
	return check.Trigger{Source: source, Names: []string{name}}
}

// TriggeredBy returns the slugs of the implemented checks in all whose
// Triggers contain one of t's events. CloudTrail appends the API version to
// some services' event names (Lambda's UpdateFunctionConfiguration20150331v2),
// so a declared name matches t's name with such a suffix too.
func TriggeredBy(all []check.Check, t check.Trigger) []string {
	var out []string
	for _, c := range all {
		if !c.Implemented() {
			continue
		}
		if slices.ContainsFunc(c.Meta.Triggers, func(d check.Trigger) bool {
			return d.Source == t.Source && slices.ContainsFunc(d.Names, func(declared string) bool {
				return slices.ContainsFunc(t.Names, func(name string) bool { return sameEvent(declared, name) })
			})
		}) {
			out = append(out, c.Meta.Slug)
		}
	}
	return out
}

func sameEvent(declared, name string) bool {
	return declared == name || strings.HasPrefix(declared, name+"20")
}

// EventCost is one month of event-driven re-checks.
type EventCost struct {
	Jobs           float64 `json:"checkJobs"`
	Claims         float64 `json:"windowClaims"`
	LambdaUSD      float64 `json:"lambdaUsd"`
	SQSUSD         float64 `json:"sqsUsd"`
	DynamoDBUSD    float64 `json:"dynamodbUsd"`
	EventBridgeUSD float64 `json:"eventbridgeUsd"`
	LogsUSD        float64 `json:"logsUsd"`
	// IdleUSD is the long polling of the mappings the event jobs keep on.
	IdleUSD  float64 `json:"idleUsd"`
	TotalUSD float64 `json:"totalUsd"`
}

// EventResult is a fleet's month of events, both ways.
type EventResult struct {
	Accounts int     `json:"accounts"`
	Burst    float64 `json:"eventsPerScopeWindow"`
	Events   float64 `json:"eventsPerMonth"`
	// Forwarded are the events member accounts send to the scanner's bus.
	Forwarded   float64   `json:"forwardedEventsPerMonth"`
	PerEvent    EventCost `json:"oneJobPerEvent"`
	Coalesced   EventCost `json:"coalesced"`
	SavedUSD    float64   `json:"savedUsdPerMonth"`
	SavedShare  float64   `json:"savedShare"`
	JobsPerJobs float64   `json:"jobsPerCoalescedJob"`
}

// CheckLatency is one check's event-to-alert time in the typical case.
type CheckLatency struct {
	Slug string `json:"slug"`
	// Ours is what the pipeline adds after the event reaches the bus, the
	// window excluded: the orchestrator, the queue, the job, the store,
	// the stream and the notifier.
	OursSeconds  float64 `json:"pipelineSeconds"`
	JobSeconds   float64 `json:"jobSeconds"`
	TotalSeconds float64 `json:"totalSeconds"`
	WithinTarget bool    `json:"withinTarget"`
}

// EventReport is the event model of one run.
type EventReport struct {
	Fleets []EventResult `json:"fleets"`
	// Sweep is the largest fleet at every burst of EventInputs.BurstSweep.
	Sweep   []EventResult  `json:"burstSweep"`
	Latency []CheckLatency `json:"latency"`
	// Unmeasured are re-checked checks the run has no job of: they are
	// left out of the figures.
	Unmeasured []string `json:"unmeasured,omitempty"`
}

// EventModel estimates the monthly cost of in.Events' event mix for every
// fleet size of in, with and without coalescing, and each re-checked
// check's event-to-alert time, from r's per-job measurements.
func EventModel(r *Result, in ModelInputs) *EventReport {
	in = withMeasured(r, in)
	by := map[string]checkCost{}
	for _, c := range perCheck(r) {
		by[c.Slug] = c
	}
	rep := &EventReport{}
	var rechecked []string
	for _, f := range in.Events.Mix {
		for _, slug := range f.Checks {
			if slices.Contains(rechecked, slug) {
				continue
			}
			rechecked = append(rechecked, slug)
			if _, ok := by[slug]; !ok {
				rep.Unmeasured = append(rep.Unmeasured, slug)
			}
		}
	}
	for _, accounts := range in.AccountSizes {
		rep.Fleets = append(rep.Fleets, eventResult(by, in, accounts, in.Events.Burst.Value))
	}
	if n := len(in.AccountSizes); n > 0 {
		for _, b := range in.Events.BurstSweep {
			rep.Sweep = append(rep.Sweep, eventResult(by, in, in.AccountSizes[n-1], b))
		}
	}
	slices.Sort(rechecked)
	for _, slug := range rechecked {
		if c, ok := by[slug]; ok {
			rep.Latency = append(rep.Latency, checkLatency(c, in))
		}
	}
	return rep
}

func eventResult(by map[string]checkCost, in ModelInputs, accounts int, burst float64) EventResult {
	e := in.Events
	res := EventResult{Accounts: accounts, Burst: burst, Events: float64(accounts) * e.PerAccountDay.Value * 30}
	res.Forwarded = res.Events * float64(accounts-1) / float64(accounts)
	res.PerEvent = eventCost(by, in, res, 1, 0, false)
	res.Coalesced = eventCost(by, in, res, burst, e.Window.Value, true)
	res.SavedUSD = res.PerEvent.TotalUSD - res.Coalesced.TotalUSD
	if res.PerEvent.TotalUSD > 0 {
		res.SavedShare = res.SavedUSD / res.PerEvent.TotalUSD
	}
	if res.Coalesced.Jobs > 0 {
		res.JobsPerJobs = res.PerEvent.Jobs / res.Coalesced.Jobs
	}
	return res
}

// eventCost is one month of res's events when a job serves burst events of
// its scope, after a delay of window seconds, and (claim) every event and
// check claims the window first.
func eventCost(by map[string]checkCost, in ModelInputs, res EventResult, burst, window float64, claim bool) EventCost {
	e := in.Events
	burst = math.Max(burst, 1)
	gb := in.MemoryMB.Value / 1024
	latency := in.CallLatencyMS.Value / 1000
	init := in.InitMS.Value / 1000
	jobsOf := map[string]float64{}
	var out EventCost
	var checkGBs, rru, written float64
	for _, f := range e.Mix {
		events := res.Events * f.Share.Value
		for _, slug := range f.Checks {
			c, ok := by[slug]
			if !ok {
				continue
			}
			jobs := events / burst
			jobsOf[slug] += jobs
			out.Jobs += jobs
			if claim {
				out.Claims += events
			}
			written += events * e.Written.Value * (1 + in.IndexShare.Value)
			checkGBs += jobs * (init + c.seconds(in)) * gb
			rru += jobs * math.Max(1, math.Ceil(c.Findings*in.ItemBytes.Value/4096))
		}
	}
	orchestratorGBs := (res.Events*init + (out.Claims+out.Jobs*e.SendCalls.Value)*latency) * gb
	invocations := res.Events + out.Jobs
	out.LambdaUSD = invocations/1e6*in.LambdaRequests.Value + (orchestratorGBs+checkGBs)*in.LambdaGBs.Value
	out.SQSUSD = out.Jobs * 3 / 1e6 * in.SQSRequests.Value
	wru := out.Claims*e.ClaimWRU.Value + out.Jobs*2 + written
	out.DynamoDBUSD = wru/1e6*in.DynamoWRU.Value + rru/1e6*in.DynamoRRU.Value
	own := res.Events - res.Forwarded
	out.EventBridgeUSD = own/1e6*e.AWSEvents.Value + res.Forwarded/1e6*e.CustomEvents.Value +
		res.Forwarded*e.OtherRegion.Value*e.EventBytes.Value/1e9*e.TransferGB.Value
	out.LogsUSD = invocations * in.LogBytes.Value / 1e9 * in.LogsGB.Value
	const monthMinutes = 30 * 24 * 60
	on := (math.Max(in.SweepGrace.Value, window/60) + in.SweepMinutes.Value)
	var polls float64
	for _, jobs := range jobsOf {
		share := 1 - math.Exp(-jobs/monthMinutes*on)
		polls += share * monthMinutes * 60 / in.SQSIdleWait.Value * in.SQSPollers.Value
	}
	out.IdleUSD = polls / 1e6 * in.SQSRequests.Value
	out.TotalUSD = out.LambdaUSD + out.SQSUSD + out.DynamoDBUSD + out.EventBridgeUSD + out.LogsUSD + out.IdleUSD
	return out
}

// checkLatency is c's typical time from the API call to the alert: the
// delivery to the bus, the pipeline's own steps, and the window.
func checkLatency(c checkCost, in ModelInputs) CheckLatency {
	l := in.Events.Latency
	latency := in.CallLatencyMS.Value / 1000
	init := in.InitMS.Value / 1000
	job := c.seconds(in)
	ours := l.EventBridgeToTarget.Value +
		init + (1+in.Events.SendCalls.Value)*latency + // orchestrator: claim, then send
		l.SQSPickup.Value + init + job + l.StoreCalls.Value*latency +
		l.StreamPoll.Value + init + l.NotifierCalls.Value*latency
	total := l.CloudTrailToEventBridge.Value + in.Events.Window.Value + ours
	return CheckLatency{Slug: c.Slug, OursSeconds: ours, JobSeconds: job, TotalSeconds: total, WithinTarget: total <= in.Events.TargetSeconds.Value}
}

// WriteEvents prints the event model.
func WriteEvents(w io.Writer, rep *EventReport, in ModelInputs) {
	e := in.Events
	fmt.Fprintf(w, "event-driven re-checks (%.0f relevant events per account and day, %.0f per (account, region, check) window of %.0f s; see BENCHMARKS.md):\n",
		e.PerAccountDay.Value, e.Burst.Value, e.Window.Value)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ACCOUNTS\tEVENTS/MONTH\tWAY\tJOBS\tCLAIMS\tLAMBDA $\tSQS $\tDYNAMODB $\tEVENTBRIDGE $\tLOGS $\tIDLE $\tTOTAL $/MONTH\tSAVED $\t")
	for _, r := range rep.Fleets {
		writeEventRows(tw, r)
	}
	_ = tw.Flush()
	if len(rep.Sweep) > 0 {
		fmt.Fprintf(w, "\nburst sweep at %d accounts:\n", rep.Sweep[0].Accounts)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "EVENTS/WINDOW\tJOBS, ONE PER EVENT\tJOBS, COALESCED\t$ ONE PER EVENT\t$ COALESCED\tSAVED $\tSAVED %\t")
		for _, r := range rep.Sweep {
			fmt.Fprintf(tw, "%g\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.0f\t\n", r.Burst, r.PerEvent.Jobs, r.Coalesced.Jobs,
				r.PerEvent.TotalUSD, r.Coalesced.TotalUSD, r.SavedUSD, 100*r.SavedShare)
		}
		_ = tw.Flush()
	}
	if len(rep.Latency) > 0 {
		fmt.Fprintf(w, "\nevent to alert, typical (CloudTrail to bus %.0f s assumed, window %.0f s, target %.0f s):\n",
			e.Latency.CloudTrailToEventBridge.Value, e.Window.Value, e.TargetSeconds.Value)
		rows := slices.Clone(rep.Latency)
		slices.SortStableFunc(rows, func(a, b CheckLatency) int { return cmp.Compare(b.TotalSeconds, a.TotalSeconds) })
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CHECK\tJOB s\tPIPELINE s\tTOTAL s\tWITHIN\t")
		for _, c := range rows {
			fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f\t%v\t\n", c.Slug, c.JobSeconds, c.OursSeconds, c.TotalSeconds, c.WithinTarget)
		}
		_ = tw.Flush()
	}
	if len(rep.Unmeasured) > 0 {
		fmt.Fprintf(w, "re-checked but not in the run (left out): %s\n", strings.Join(rep.Unmeasured, ", "))
	}
	for _, f := range e.Mix {
		if len(f.Checks) == 0 {
			fmt.Fprintf(w, "no check declares %s %v: the %s family re-checks nothing\n", f.Event.Source, f.Event.Names, f.Name)
		}
	}
}

func writeEventRows(tw io.Writer, r EventResult) {
	for _, way := range []struct {
		name string
		c    EventCost
	}{{"one job per event", r.PerEvent}, {"coalesced", r.Coalesced}} {
		saved := ""
		if way.name == "coalesced" {
			saved = fmt.Sprintf("%.2f", r.SavedUSD)
		}
		c := way.c
		fmt.Fprintf(tw, "%d\t%.0f\t%s\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n", r.Accounts, r.Events, way.name, c.Jobs, c.Claims,
			c.LambdaUSD, c.SQSUSD, c.DynamoDBUSD, c.EventBridgeUSD, c.LogsUSD, c.IdleUSD, c.TotalUSD, saved)
	}
}
