package orchestrator

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// DefaultSendConcurrency is how many SendMessageBatch requests are in flight
// at once unless told otherwise. A scan of 1,000 accounts × 17 regions × 20
// checks is about 196,000 jobs, 19,600 requests: one at a time, at ~20 ms
// each, they would take 6.5 minutes of the function's 15; 48 at once take
// seconds (BenchmarkPlan1000Accounts). SQS standard queues accept nearly
// unlimited requests per second, so the bound is for the function's memory,
// CPU and connections.
const DefaultSendConcurrency = 48

// batchSize is SendMessageBatch's limit.
const batchSize = 10

// sendAttempts bounds how often entries that SQS failed are sent again.
const sendAttempts = 5

// checkPlan is one check's share of a scan: its queue and how its sending went.
type checkPlan struct {
	entry catalog.Entry
	queue string
	sent  atomic.Int64
	// failed stops the check's remaining batches after its first failure,
	// as a persistent fault (a deleted queue, a denied send) would fail
	// them all; err is that first failure.
	failed atomic.Bool
	mu     sync.Mutex
	err    error
}

func (p *checkPlan) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
	p.failed.Store(true)
}

func (p *checkPlan) error() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// batch is up to batchSize jobs of one check.
type batch struct {
	plan *checkPlan
	jobs []pipeline.JobMessage
}

// sendAll sends every job of plans — one per account and region of each
// check, base filled in — with at most SendConcurrency requests in flight
// across all queues. Jobs are made batch by batch as senders free up, so
// memory holds the batches in flight, not the scan's 196,000 messages. It
// returns how many requests were made; each plan records what it sent and
// its first error.
func (o *Orchestrator) sendAll(ctx context.Context, plans []*checkPlan, base pipeline.JobMessage, accounts []org.Account, regions []string) int64 {
	workers := o.SendConcurrency
	if workers <= 0 {
		workers = DefaultSendConcurrency
	}
	var requests atomic.Int64
	batches := make(chan batch, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range batches {
				if b.plan.failed.Load() {
					continue
				}
				sent, err := o.sendBatch(ctx, b.plan.queue, b.jobs, 0, &requests)
				b.plan.sent.Add(int64(sent))
				if err != nil {
					b.plan.fail(err)
				}
			}
		})
	}
	emit := func(b batch) bool {
		select {
		case batches <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	produced := 0 // plans whose every batch was handed to a sender
produce:
	for _, p := range plans {
		jobs := make([]pipeline.JobMessage, 0, batchSize)
		for _, a := range accounts {
			if p.failed.Load() {
				break
			}
			for _, region := range jobRegions(p.entry.Scope, regions) {
				job := base
				job.CheckID, job.Account, job.AccountName, job.Region = p.entry.ID, a.ID, a.Name, region
				jobs = append(jobs, job)
				if len(jobs) == batchSize {
					if !emit(batch{plan: p, jobs: jobs}) {
						break produce
					}
					jobs = make([]pipeline.JobMessage, 0, batchSize)
				}
			}
		}
		if len(jobs) > 0 && !p.failed.Load() && !emit(batch{plan: p, jobs: jobs}) {
			break
		}
		produced++
	}
	close(batches)
	wg.Wait()
	// Checks whose jobs were not all handed out (the function ran out of
	// time) must not look complete.
	for _, p := range plans[produced:] {
		p.fail(fmt.Errorf("not every job was sent: %w", ctx.Err()))
	}
	return requests.Load()
}

// sendBatch sends up to ten jobs in one request, each delayed by
// delaySeconds (a re-check's window; 0 for a scan), and sends the entries
// SQS failed again, a bounded number of times. It returns how many were
// accepted.
func (o *Orchestrator) sendBatch(ctx context.Context, queueURL string, jobs []pipeline.JobMessage, delaySeconds int32, requests *atomic.Int64) (int, error) {
	pending := make(map[string]string, len(jobs)) // entry ID → body
	for i, j := range jobs {
		pending[strconv.Itoa(i)] = j.Encode()
	}
	sent := 0
	// The SDK retries whole requests; SQS can still fail single entries
	// of a successful batch, and only those are sent again.
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > sendAttempts {
			return sent, fmt.Errorf("sqs SendMessageBatch: %d entries still failing after %d attempts", len(pending), sendAttempts)
		}
		entries := make([]sqstypes.SendMessageBatchRequestEntry, 0, len(pending))
		for _, id := range slices.Sorted(maps.Keys(pending)) {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(pending[id]), DelaySeconds: delaySeconds})
		}
		requests.Add(1)
		out, err := o.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			return sent, check.WrapOp("sqs SendMessageBatch", err)
		}
		for _, ok := range out.Successful {
			if _, was := pending[aws.ToString(ok.Id)]; was {
				delete(pending, aws.ToString(ok.Id))
				sent++
			}
		}
		for _, failed := range out.Failed {
			if failed.SenderFault {
				return sent, fmt.Errorf("sqs SendMessageBatch: entry rejected: %s: %s", aws.ToString(failed.Code), aws.ToString(failed.Message))
			}
		}
		if len(pending) > 0 {
			if err := o.wait(ctx, time.Duration(attempt*attempt)*100*time.Millisecond); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}
