package orchestrator

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
)

// The organization-scale scan of issue 16: 1,000 accounts × 17 regions ×
// the catalog's 20 checks (11 regional, 9 global) = 196,000 jobs.
const (
	scaleAccounts = 1000
	scaleRegions  = 17
	// scaleLatency is what one SendMessageBatch takes from a Lambda
	// function in the queue's region (tens of milliseconds).
	scaleLatency = 15 * time.Millisecond
	// scaleFailOneIn fails about one entry in 500 once, as SQS fails
	// single entries of a successful batch (InternalError, SenderFault
	// false): those are sent again.
	scaleFailOneIn = 500
)

// scaleRun is one planning of the organization-scale scan against a fake SQS.
type scaleRun struct {
	summary  ScanSummary
	err      error
	elapsed  time.Duration
	fake     *fakeSQS
	wantJobs int
	// heapPeak is the largest live heap seen while sending, sampled.
	heapPeak uint64
}

func planAtScale(tb testing.TB) scaleRun {
	tb.Helper()
	entries := catalog.All()
	queues := map[string]string{}
	wantJobs := 0
	for _, c := range entries {
		if !c.Implemented {
			continue
		}
		queues[c.ID] = "https://sqs.eu-west-1.amazonaws.com/111122223333/secadvisor-" + c.Slug
		if c.Scope == check.Global {
			wantJobs += scaleAccounts
		} else {
			wantJobs += scaleAccounts * scaleRegions
		}
	}
	accounts := make([]org.Account, scaleAccounts)
	for i := range accounts {
		accounts[i] = org.Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("workload-%04d", i)}
	}
	regions := make([]string, scaleRegions)
	for i := range regions {
		regions[i] = fmt.Sprintf("xx-scale-%d", i+1)
	}
	fake := &fakeSQS{latency: scaleLatency, failOneIn: scaleFailOneIn}
	o := &Orchestrator{Checks: entries, SQS: fake, Queues: queues, Regions: regions, Accounts: Accounts{Org: true},
		Discovery: Discovery{Organization: func(context.Context) ([]org.Account, error) { return accounts, nil }}}

	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			max = maxOf(max, m.HeapAlloc)
			select {
			case <-done:
				peak <- max
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{DetailType: "Scheduled Event"})
	elapsed := time.Since(start)
	close(done)
	return scaleRun{summary: summary, err: err, elapsed: elapsed, fake: fake, wantJobs: wantJobs, heapPeak: <-peak}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// TestPlan1000Accounts plans the organization-scale scan against a fake SQS
// that applies SendMessageBatch's rules, answers in 15 ms and fails some
// entries: every job must reach its queue exactly once, with at most
// DefaultSendConcurrency requests in flight, and more than one (the scan is
// sent concurrently). How long it took is logged, not asserted:
// BenchmarkPlan1000Accounts measures it.
func TestPlan1000Accounts(t *testing.T) {
	t.Parallel()
	run := planAtScale(t)
	if run.err != nil {
		t.Fatalf("Handle: %v", run.err)
	}
	total := 0
	for _, n := range run.summary.Jobs {
		total += n
	}
	fake := run.fake
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if total != run.wantJobs || len(fake.jobs) != run.wantJobs {
		t.Errorf("summary counts %d jobs, %d distinct jobs reached SQS; want %d", total, len(fake.jobs), run.wantJobs)
	}
	for key, n := range fake.jobs {
		if n != 1 {
			t.Errorf("job %s reached SQS %d times, want once", key, n)
		}
	}
	if len(fake.bad) > 0 {
		t.Errorf("%d messages are no valid job, e.g. %s", len(fake.bad), fake.bad[0])
	}
	if len(fake.failed) == 0 {
		t.Errorf("no entry failed: the resend path was not exercised")
	}
	minCalls := int64((run.wantJobs + batchSize - 1) / batchSize)
	if calls := fake.calls.Load(); calls < minCalls || calls > minCalls+int64(len(fake.failed)) {
		t.Errorf("%d SendMessageBatch calls, want %d batches plus at most one resend per failed entry (%d)", calls, minCalls, len(fake.failed))
	}
	if peak := fake.maxInFlight.Load(); peak > DefaultSendConcurrency || peak < 2 {
		t.Errorf("%d requests in flight at most, want 2 to %d", peak, DefaultSendConcurrency)
	}
	if run.summary.Accounts != scaleAccounts || run.summary.AccountIDs != nil {
		t.Errorf("summary accounts = %d, %d listed; want %d and no list", run.summary.Accounts, len(run.summary.AccountIDs), scaleAccounts)
	}
	t.Logf("%d jobs, %d accounts × %d regions: %v, %d SendMessageBatch calls (%d entries failed once and were sent again), %d in flight at most, %.0f MiB heap at most (fake SQS included)",
		run.wantJobs, scaleAccounts, scaleRegions, run.elapsed.Round(time.Millisecond), fake.calls.Load(), len(fake.failed), fake.maxInFlight.Load(), float64(run.heapPeak)/(1<<20))
}

// BenchmarkPlan1000Accounts measures planning the organization-scale scan
// (196,000 jobs) against the fake SQS at 15 ms a request.
func BenchmarkPlan1000Accounts(b *testing.B) {
	var calls int64
	for b.Loop() {
		run := planAtScale(b)
		if run.err != nil {
			b.Fatal(run.err)
		}
		calls += run.fake.calls.Load()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "SendMessageBatch/op")
}
