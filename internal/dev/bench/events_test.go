package bench

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
)

// eventInputs is DefaultModelInputs with sampleResult's checks in the event
// mix: family "a" (3 in 4 events) re-checks both checks, family "b" only
// the regional one, so an average event re-checks 1.75 checks.
func eventInputs(accounts int, burst float64) ModelInputs {
	in := DefaultModelInputs()
	in.AccountSizes, in.CheckConcurrency = []int{accounts}, concurrency(2)
	in.Events.Burst.Value = burst
	in.Events.BurstSweep = []float64{1, burst}
	in.Events.Mix = []EventFamily{
		{Name: "a", Event: trigger("ec2.amazonaws.com", "A"), Share: Source{Value: 0.75}, Checks: []string{"regional", "global"}},
		{Name: "b", Event: trigger("s3.amazonaws.com", "B"), Share: Source{Value: 0.25}, Checks: []string{"regional"}},
	}
	return in
}

func approx(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }

// TestEventModelCoalescing: with coalescing a window of b events costs one
// job, and every event claims the window of each check it re-checks; one
// job per event costs as many jobs as events × checks, and no claim.
func TestEventModelCoalescing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accounts  int
		burst     float64
		wantSaved bool // false: coalescing costs more than it saves
	}{
		{1, 1, false}, // nothing to coalesce: the claims are pure cost
		{1000, 1, false},
		{1000, 4, true},
		{1000, 20, true},
		{1000, 200, true},
		{100, 20, true},
	}
	for _, tt := range tests {
		rep := EventModel(sampleResult(), eventInputs(tt.accounts, tt.burst))
		got := rep.Fleets[0]
		events := float64(tt.accounts) * 10 * 30
		if got.Events != events || got.Burst != tt.burst {
			t.Errorf("%d accounts, burst %v: %v events a month at burst %v, want %v", tt.accounts, tt.burst, got.Events, got.Burst, events)
		}
		if want := events * 1.75; !approx(got.PerEvent.Jobs, want) || got.PerEvent.Claims != 0 {
			t.Errorf("%d accounts, burst %v: one job per event makes %v jobs and %v claims, want %v and 0", tt.accounts, tt.burst, got.PerEvent.Jobs, got.PerEvent.Claims, want)
		}
		if want := events * 1.75 / tt.burst; !approx(got.Coalesced.Jobs, want) || !approx(got.JobsPerJobs, tt.burst) {
			t.Errorf("%d accounts, burst %v: coalesced %v jobs (%v per coalesced job), want %v (%v)", tt.accounts, tt.burst, got.Coalesced.Jobs, got.JobsPerJobs, want, tt.burst)
		}
		if want := events * 1.75; !approx(got.Coalesced.Claims, want) {
			t.Errorf("%d accounts, burst %v: %v window claims, want one per event and check: %v", tt.accounts, tt.burst, got.Coalesced.Claims, want)
		}
		if saved := got.SavedUSD > 0; saved != tt.wantSaved || !approx(got.SavedUSD, got.PerEvent.TotalUSD-got.Coalesced.TotalUSD) {
			t.Errorf("%d accounts, burst %v: saved $%.4f ($%.4f − $%.4f), want saved %v", tt.accounts, tt.burst, got.SavedUSD, got.PerEvent.TotalUSD, got.Coalesced.TotalUSD, tt.wantSaved)
		}
		for name, c := range map[string]EventCost{"one job per event": got.PerEvent, "coalesced": got.Coalesced} {
			if sum := c.LambdaUSD + c.SQSUSD + c.DynamoDBUSD + c.EventBridgeUSD + c.LogsUSD + c.IdleUSD; !approx(c.TotalUSD, sum) {
				t.Errorf("%d accounts, burst %v, %s: total $%.6f is not the sum of its parts $%.6f: %+v", tt.accounts, tt.burst, name, c.TotalUSD, sum, c)
			}
		}
		if len(rep.Sweep) != 2 || rep.Sweep[0].Burst != 1 || rep.Sweep[1].Burst != tt.burst || rep.Sweep[1] != got {
			t.Errorf("%d accounts, burst %v: sweep %+v, want bursts 1 and %v, the second equal to the fleet's result", tt.accounts, tt.burst, rep.Sweep, tt.burst)
		}
	}
}

// TestEventCostFormulas spells out one month of 1,000 accounts at a burst
// of 20, part by part, with the default prices.
func TestEventCostFormulas(t *testing.T) {
	t.Parallel()
	got := EventModel(sampleResult(), eventInputs(1000, 20)).Fleets[0]
	const (
		events    = 1000 * 10 * 30.0
		regional  = events / 20        // families a and b
		global    = 0.75 * events / 20 // family a
		jobs      = regional + global
		claims    = 1.75 * events
		month     = 30 * 24 * 60.0 // minutes
		forwarded = events * 999 / 1000
	)
	// The orchestrator: a cold start per event, a claim per event and check,
	// GetEventSourceMapping and SendMessage per job; the jobs: a cold start
	// and the check's duration (regional 240 ms, global 2 s).
	gbs := 0.25 * (events*0.05 + (claims+jobs*2)*0.060 + regional*(0.05+0.240) + global*(0.05+2))
	wantLambda := (events+jobs)/1e6*0.20 + gbs*0.0000133334
	wantSQS := jobs * 3 / 1e6 * 0.40
	// Claims, 2 summary writes a job, 2 findings per event and check (1.2
	// with the 20 % indexed); a Query of ⌈40 × 732 / 4096⌉ = 8 and
	// ⌈20 × 732 / 4096⌉ = 4 read units.
	wantDynamo := (claims+jobs*2+claims*2*1.2)/1e6*0.625 + (regional*8+global*4)/1e6*0.125
	wantEventBridge := forwarded/1e6*1.00 + forwarded*0.5*2500/1e9*0.02
	wantLogs := (events + jobs) * 700 / 1e9 * 0.50
	// Each mapping is on while a job came within the last 20 + 15 minutes.
	on := func(jobs float64) float64 { return 1 - math.Exp(-jobs/month*35) }
	wantIdle := (on(regional) + on(global)) * month * 60 / 20 * 5 / 1e6 * 0.40
	c := got.Coalesced
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"Lambda", c.LambdaUSD, wantLambda}, {"SQS", c.SQSUSD, wantSQS}, {"DynamoDB", c.DynamoDBUSD, wantDynamo},
		{"EventBridge", c.EventBridgeUSD, wantEventBridge}, {"Logs", c.LogsUSD, wantLogs}, {"idle", c.IdleUSD, wantIdle},
	} {
		if !approx(p.got, p.want) {
			t.Errorf("1,000 accounts, burst 20, coalesced: %s $%.6f, want $%.6f", p.name, p.got, p.want)
		}
	}
	// One job per event: no claim, a job per event and check, sent at once.
	p := got.PerEvent
	perEventJobs := 1.75 * events
	wantDynamo = (perEventJobs*2+claims*2*1.2)/1e6*0.625 + (events*8+0.75*events*4)/1e6*0.125
	if !approx(p.DynamoDBUSD, wantDynamo) || !approx(p.SQSUSD, perEventJobs*3/1e6*0.40) || !approx(p.EventBridgeUSD, wantEventBridge) {
		t.Errorf("1,000 accounts, one job per event: DynamoDB $%.4f, SQS $%.4f, EventBridge $%.4f; want $%.4f, $%.4f, $%.4f",
			p.DynamoDBUSD, p.SQSUSD, p.EventBridgeUSD, wantDynamo, perEventJobs*3/1e6*0.40, wantEventBridge)
	}
}

// TestEventModelAccounts: a lone account forwards nothing (its events reach
// its own default bus, free); a fleet's members forward theirs, and every
// figure but the idle polling grows with the fleet.
func TestEventModelAccounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accounts      int
		wantForwarded float64
	}{
		{1, 0},
		{2, 300},
		{1000, 1000 * 300 * 999 / 1000.0},
	}
	for _, tt := range tests {
		got := EventModel(sampleResult(), eventInputs(tt.accounts, 20)).Fleets[0]
		if !approx(got.Forwarded, tt.wantForwarded) {
			t.Errorf("%d accounts: %v events forwarded a month, want %v", tt.accounts, got.Forwarded, tt.wantForwarded)
		}
		if (got.Coalesced.EventBridgeUSD > 0) != (tt.wantForwarded > 0) || got.PerEvent.EventBridgeUSD != got.Coalesced.EventBridgeUSD {
			t.Errorf("%d accounts: EventBridge $%v coalesced, $%v one job per event; want > 0 iff events are forwarded, and equal (coalescing does not change what is forwarded)",
				tt.accounts, got.Coalesced.EventBridgeUSD, got.PerEvent.EventBridgeUSD)
		}
	}
	small := EventModel(sampleResult(), eventInputs(10, 20)).Fleets[0].Coalesced
	large := EventModel(sampleResult(), eventInputs(1000, 20)).Fleets[0].Coalesced
	for name, pair := range map[string][2]float64{"Lambda": {small.LambdaUSD, large.LambdaUSD}, "SQS": {small.SQSUSD, large.SQSUSD}, "DynamoDB": {small.DynamoDBUSD, large.DynamoDBUSD}, "logs": {small.LogsUSD, large.LogsUSD}} {
		if ratio := pair[1] / pair[0]; math.Abs(ratio-100) > 1e-6 {
			t.Errorf("%s cost 1,000 vs 10 accounts = %.4f, want 100", name, ratio)
		}
	}
	// The idle polling saturates: a mapping cannot be on more than the month.
	full := 2 * 30 * 24 * 3600.0 / 20 * 5 / 1e6 * 0.40
	if small.IdleUSD >= large.IdleUSD || large.IdleUSD > full {
		t.Errorf("idle $%.4f at 10 accounts, $%.4f at 1,000; want growing, at most $%.4f (two mappings on all month)", small.IdleUSD, large.IdleUSD, full)
	}
}

// TestEventModelUnmeasured: a re-checked check the run has no job of is
// named and left out, not priced as free silently.
func TestEventModelUnmeasured(t *testing.T) {
	t.Parallel()
	in := eventInputs(1000, 20)
	in.Events.Mix = append(in.Events.Mix, EventFamily{Name: "c", Share: Source{Value: 0}, Checks: []string{"not-in-run", "regional"}})
	rep := EventModel(sampleResult(), in)
	if !slices.Equal(rep.Unmeasured, []string{"not-in-run"}) {
		t.Errorf("unmeasured = %v, want [not-in-run]", rep.Unmeasured)
	}
	var slugs []string
	for _, l := range rep.Latency {
		slugs = append(slugs, l.Slug)
	}
	if !slices.Equal(slugs, []string{"global", "regional"}) {
		t.Errorf("latency rows for %v, want the measured re-checked checks [global regional]", slugs)
	}
}

// TestCheckLatency: the typical event-to-alert time is the delivery to the
// bus, the window, and the pipeline's steps around the measured job.
func TestCheckLatency(t *testing.T) {
	t.Parallel()
	// Bus to orchestrator 0.5 s; orchestrator cold start and claim +
	// mapping + send; SQS 1 s; job cold start and job; 4 store calls;
	// stream ≤ 0.25 s; notifier cold start, mark and publish.
	ours := func(job float64) float64 {
		return 0.5 + 0.05 + 3*0.060 + 1 + 0.05 + job + 4*0.060 + 0.25 + 0.05 + 2*0.060
	}
	tests := []struct {
		name       string
		cloudTrail float64
		window     float64
		slug       string
		job        float64
		within     bool
	}{
		{"regional, defaults", 30, 60, "regional", 0.240, true},
		{"global, defaults", 30, 60, "global", 2, true},
		{"slow delivery", 60, 60, "regional", 0.240, false},
		{"shorter window", 60, 30, "global", 2, true},
	}
	for _, tt := range tests {
		in := eventInputs(1, 20)
		in.Events.Latency.CloudTrailToEventBridge.Value, in.Events.Window.Value = tt.cloudTrail, tt.window
		var got CheckLatency
		for _, l := range EventModel(sampleResult(), in).Latency {
			if l.Slug == tt.slug {
				got = l
			}
		}
		want := CheckLatency{Slug: tt.slug, OursSeconds: ours(tt.job), JobSeconds: tt.job, TotalSeconds: tt.cloudTrail + tt.window + ours(tt.job), WithinTarget: tt.within}
		if got.Slug != want.Slug || !approx(got.OursSeconds, want.OursSeconds) || !approx(got.JobSeconds, want.JobSeconds) ||
			!approx(got.TotalSeconds, want.TotalSeconds) || got.WithinTarget != want.WithinTarget {
			t.Errorf("%s (CloudTrail %v s, window %v s): %+v, want %+v", tt.name, tt.cloudTrail, tt.window, got, want)
		}
	}
}

func TestTriggeredBy(t *testing.T) {
	t.Parallel()
	run := func(context.Context, check.Target) (struct{}, error) { return struct{}{}, nil }
	judge := func(check.Target, struct{}) []check.Finding { return nil }
	withTriggers := func(slug string, triggers ...check.Trigger) check.Check {
		return check.New(check.Meta{Slug: slug, Triggers: triggers}, run, judge)
	}
	all := []check.Check{
		withTriggers("sg", check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"}}),
		withTriggers("sg-too", check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"RevokeSecurityGroupIngress"}}),
		withTriggers("lambda", check.Trigger{Source: "lambda.amazonaws.com", Names: []string{"UpdateFunctionConfiguration20150331v2"}}),
		withTriggers("bucket", check.Trigger{Source: "s3.amazonaws.com", Names: []string{"PutBucketPolicyStatus"}}),
		withTriggers("none"),
		{Meta: check.Meta{Slug: "planned", Triggers: []check.Trigger{{Source: "ec2.amazonaws.com", Names: []string{"RevokeSecurityGroupIngress"}}}}},
	}
	tests := []struct {
		event check.Trigger
		want  []string
	}{
		{trigger("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"), []string{"sg"}},
		{trigger("ec2.amazonaws.com", "RevokeSecurityGroupIngress"), []string{"sg", "sg-too"}}, // not the unimplemented one
		{trigger("rds.amazonaws.com", "RevokeSecurityGroupIngress"), nil},                      // another source
		{trigger("lambda.amazonaws.com", "UpdateFunctionConfiguration"), []string{"lambda"}},   // CloudTrail's versioned name
		{trigger("s3.amazonaws.com", "PutBucketPolicy"), nil},                                  // another operation, not a version
	}
	for _, tt := range tests {
		if got := TriggeredBy(all, tt.event); !slices.Equal(got, tt.want) {
			t.Errorf("TriggeredBy(%s %v) = %v, want %v", tt.event.Source, tt.event.Names, got, tt.want)
		}
	}
}

// TestDefaultEventMix: the shares add up to one, every family re-checks at
// least one check of the catalog, and every check that declares triggers is
// re-checked by some family, so the mix prices every rule the stack derives.
func TestDefaultEventMix(t *testing.T) {
	t.Parallel()
	mix := DefaultEventInputs().Mix
	sum := 0.0
	var covered []string
	for _, f := range mix {
		sum += f.Share.Value
		if len(f.Checks) == 0 {
			t.Errorf("family %q: no implemented check declares %s %v", f.Name, f.Event.Source, f.Event.Names)
		}
		covered = append(covered, f.Checks...)
	}
	if !approx(sum, 1) {
		t.Errorf("event mix shares add up to %v, want 1", sum)
	}
	for _, c := range checks.All() {
		if c.Implemented() && len(c.Meta.Triggers) > 0 && !slices.Contains(covered, c.Meta.Slug) {
			t.Errorf("check %s declares triggers %v, but no family of the event mix re-checks it", c.Meta.Slug, c.Meta.Triggers)
		}
	}
}

// TestEventModelReferenceRun: on the stored run at the defaults every check
// that was re-checked when the run was recorded is measured, and at 1,000
// accounts coalescing makes one job of every 20 and costs less than one job
// per event. A check given triggers since (a new one) has no job in the run:
// the model leaves it out and says so until `make bench` records a new run.
func TestEventModelReferenceRun(t *testing.T) {
	t.Parallel()
	in := DefaultModelInputs()
	run := readRun(t, referenceRun)
	if run.ModelInputs == nil {
		t.Fatalf("%s records no model inputs: which checks it re-checked is unknown", referenceRun)
	}
	var recheckedAtRun []string
	for _, f := range run.ModelInputs.Events.Mix {
		recheckedAtRun = append(recheckedAtRun, f.Checks...)
	}
	if len(recheckedAtRun) == 0 {
		t.Fatalf("%s records no re-checked check", referenceRun)
	}
	rep := EventModel(run, in)
	for _, slug := range rep.Unmeasured {
		if slices.Contains(recheckedAtRun, slug) {
			t.Errorf("%s was re-checked when %s was recorded, but the run has no job of it", slug, referenceRun)
		}
	}
	last := rep.Fleets[len(rep.Fleets)-1]
	if last.Accounts != 1000 || !approx(last.JobsPerJobs, in.Events.Burst.Value) || last.SavedUSD <= 0 {
		t.Errorf("%d accounts: %.1f jobs per coalesced job, saved $%.2f; want 1,000 accounts, %v, and a saving",
			last.Accounts, last.JobsPerJobs, last.SavedUSD, in.Events.Burst.Value)
	}
	if len(rep.Latency) == 0 {
		t.Error("no latency row: no check is re-checked")
	}
}

// TestEventInputsCiteSources keeps the event model's figures sourced, as
// TestModelInputsCiteSources does the rest.
func TestEventInputsCiteSources(t *testing.T) {
	t.Parallel()
	e := DefaultEventInputs()
	l := e.Latency
	sources := map[string]Source{
		"events per day": e.PerAccountDay, "burst": e.Burst, "window": e.Window, "written": e.Written, "claim": e.ClaimWRU,
		"send calls": e.SendCalls, "AWS events": e.AWSEvents, "custom events": e.CustomEvents, "other region": e.OtherRegion,
		"event bytes": e.EventBytes, "transfer": e.TransferGB, "target": e.TargetSeconds,
		"CloudTrail to EventBridge": l.CloudTrailToEventBridge, "EventBridge to target": l.EventBridgeToTarget, "SQS pickup": l.SQSPickup,
		"stream poll": l.StreamPoll, "store calls": l.StoreCalls, "notifier calls": l.NotifierCalls,
	}
	for _, f := range e.Mix {
		sources["mix "+f.Name] = f.Share
	}
	for name, s := range sources {
		ok := strings.HasPrefix(s.Source, "https://") || strings.HasPrefix(s.Source, "assumption: ") ||
			strings.HasPrefix(s.Source, "measured: ") || strings.HasPrefix(s.Source, "infra/") || strings.HasPrefix(s.Source, "internal/")
		if !ok || s.Unit == "" {
			t.Errorf("%s: source %q, unit %q: want a URL, a repository file, \"measured: …\" or \"assumption: …\", and a unit", name, s.Source, s.Unit)
		}
	}
}
