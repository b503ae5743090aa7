// Package orchestrator is the scheduled function's logic: it plans a scan
// from the catalog's metadata and sends one SQS message per job to its
// check's queue. It reads the catalog, not the checks, so the function links
// no collector and no AWS client beyond SQS, STS and EC2.
package orchestrator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// New builds the orchestrator from its environment.
func New(cfg aws.Config, getenv pipeline.Getenv) (*Orchestrator, error) {
	raw, err := pipeline.Required(getenv, pipeline.EnvCheckQueues)
	if err != nil {
		return nil, err
	}
	var queues map[string]string
	if err := json.Unmarshal([]byte(raw), &queues); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of check ID to queue URL: %w", pipeline.EnvCheckQueues, err)
	}
	all := catalog.All()
	for id := range queues {
		if _, err := catalog.Select(all, catalog.Entry.Names, []string{id}); err != nil {
			return nil, fmt.Errorf("%s: %w", pipeline.EnvCheckQueues, err)
		}
	}
	return &Orchestrator{
		Checks:  all,
		SQS:     sqs.NewFromConfig(cfg),
		Queues:  queues,
		Regions: splitComma(getenv(pipeline.EnvRegions)),
		Discovery: Discovery{
			Account: func(ctx context.Context) (string, error) { return scan.CallerAccount(ctx, cfg) },
			Regions: func(ctx context.Context) ([]string, error) { return scan.EnabledRegions(ctx, cfg) },
		},
	}, nil
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SendAPI is the part of the SQS client the orchestrator calls.
type SendAPI interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ SendAPI = (*sqs.Client)(nil)

// Discovery tells the orchestrator which account it scans and which regions
// are enabled; scan.CallerAccount and scan.EnabledRegions in production.
type Discovery struct {
	Account func(context.Context) (string, error)
	Regions func(context.Context) ([]string, error)
}

// Orchestrator plans a scan and sends one message per job to its check's queue.
type Orchestrator struct {
	// Checks is the catalog to plan from (catalog.All() when nil).
	Checks []catalog.Entry
	SQS    SendAPI
	// Queues maps a check ID to its queue URL.
	Queues map[string]string
	// Regions, when set, replaces discovery of the enabled regions.
	Regions   []string
	Discovery Discovery
	Now       func() time.Time
}

// ScanSummary is what the orchestrator returns: the scan and how many jobs
// went to each check.
type ScanSummary struct {
	ScanID   string         `json:"scanId"`
	ScanTime time.Time      `json:"scanTime"`
	Account  string         `json:"account"`
	Regions  []string       `json:"regions"`
	Jobs     map[string]int `json:"jobs"`
	// NotImplemented lists the checks that cannot run yet: no job is sent.
	NotImplemented []string `json:"notImplemented,omitempty"`
}

// batchSize is SendMessageBatch's limit.
const batchSize = 10

// sendAttempts bounds how often entries that SQS failed are sent again.
const sendAttempts = 5

// Handle plans the scan the event asks for and sends its jobs.
func (o *Orchestrator) Handle(ctx context.Context, event events.EventBridgeEvent) (ScanSummary, error) {
	var detail pipeline.RefreshDetail
	if event.DetailType == pipeline.RefreshDetailType && len(event.Detail) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(event.Detail)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&detail); err != nil {
			return ScanSummary{}, fmt.Errorf("refresh event detail: %w", err)
		}
		// A region the check worker would reject must not become jobs
		// that are sent and then dropped (found by FuzzRefreshDetail).
		for _, region := range detail.Regions {
			if !pipeline.IsRegion(region) {
				return ScanSummary{}, fmt.Errorf("refresh event detail: %q is not a region", region)
			}
		}
	}
	selected, err := catalog.Select(o.catalog(), catalog.Entry.Names, detail.Checks)
	if err != nil {
		return ScanSummary{}, fmt.Errorf("refresh event: %w", err)
	}
	account, err := o.Discovery.Account(ctx)
	if err != nil {
		return ScanSummary{}, err
	}
	regions := uniqueSorted(detail.Regions)
	if len(regions) == 0 {
		regions = o.Regions
	}
	if len(regions) == 0 {
		if regions, err = o.Discovery.Regions(ctx); err != nil {
			return ScanSummary{}, err
		}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	summary := ScanSummary{ScanID: newScanID(now()), ScanTime: now().UTC(), Account: account, Regions: regions, Jobs: map[string]int{}}
	byCheck := map[string][]pipeline.JobMessage{}
	for _, c := range selected {
		if !c.Implemented {
			summary.NotImplemented = append(summary.NotImplemented, c.ID)
			continue
		}
		for _, region := range jobRegions(c.Scope, regions) {
			byCheck[c.ID] = append(byCheck[c.ID], pipeline.JobMessage{
				Version: pipeline.JobVersion, ScanID: summary.ScanID, ScanTime: summary.ScanTime,
				CheckID: c.ID, Account: account, Region: region,
			})
		}
	}
	var failures []string
	for _, id := range slices.Sorted(maps.Keys(byCheck)) {
		queue, ok := o.Queues[id]
		if !ok {
			failures = append(failures, fmt.Sprintf("%s: no queue configured", id))
			continue
		}
		sent, err := o.send(ctx, queue, byCheck[id])
		summary.Jobs[id] = sent
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", id, err))
		}
	}
	slog.Info("scan planned", "scan_id", summary.ScanID, "account", account, "regions", len(regions), "jobs", summary.Jobs)
	if len(failures) > 0 {
		return summary, fmt.Errorf("send jobs: %s", strings.Join(failures, "; "))
	}
	return summary, nil
}

func (o *Orchestrator) catalog() []catalog.Entry {
	if o.Checks != nil {
		return o.Checks
	}
	return catalog.All()
}

// jobRegions is where a check of scope runs in a scan of regions: a global
// check once, in check.GlobalRegion, a regional one in every region.
func jobRegions(scope check.Scope, regions []string) []string {
	if scope == check.Global {
		return []string{check.GlobalRegion}
	}
	return regions
}

// send sends jobs in batches of ten and sends the entries SQS failed again,
// a bounded number of times. It returns how many were accepted.
func (o *Orchestrator) send(ctx context.Context, queueURL string, jobs []pipeline.JobMessage) (int, error) {
	sent := 0
	for start := 0; start < len(jobs); start += batchSize {
		pending := map[string]pipeline.JobMessage{}
		for i, j := range jobs[start:min(start+batchSize, len(jobs))] {
			pending[strconv.Itoa(i)] = j
		}
		// The SDK retries whole requests; SQS can still fail single entries
		// of a successful batch, and only those are sent again.
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > sendAttempts {
				return sent, fmt.Errorf("sqs SendMessageBatch: %d entries still failing after %d attempts", len(pending), sendAttempts)
			}
			entries := make([]sqstypes.SendMessageBatchRequestEntry, 0, len(pending))
			for _, id := range slices.Sorted(maps.Keys(pending)) {
				entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(pending[id].Encode())})
			}
			out, err := o.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
			if err != nil {
				return sent, check.WrapOp("sqs SendMessageBatch", err)
			}
			for _, ok := range out.Successful {
				delete(pending, aws.ToString(ok.Id))
				sent++
			}
			for _, failed := range out.Failed {
				if failed.SenderFault {
					return sent, fmt.Errorf("sqs SendMessageBatch: entry rejected: %s: %s", aws.ToString(failed.Code), aws.ToString(failed.Message))
				}
			}
			if len(pending) > 0 {
				select {
				case <-ctx.Done():
					return sent, ctx.Err()
				case <-time.After(time.Duration(attempt*attempt) * 100 * time.Millisecond):
				}
			}
		}
	}
	return sent, nil
}

// uniqueSorted returns the distinct values, sorted: a region named twice is
// scanned once.
func uniqueSorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

func newScanID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "scan-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
