// Package orchestrator is the scheduled function's logic: it plans a scan
// from the catalog's metadata and sends one SQS message per (account,
// region, check) job to its check's queue. It reads the catalog, not the
// checks, so the function links no collector. It also turns the checks'
// SQS event source mappings on before a scan and off once their queues are
// drained (Sweep), so that idle mappings do not long-poll SQS. On a
// CloudTrail event it re-checks only what the API call can have changed
// (the catalog's Triggers), one delayed job per (account, region, check)
// and re-check window however many events a burst brings.
package orchestrator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/orglist"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
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
	own, err := pipeline.Required(getenv, pipeline.EnvAccount)
	if err != nil {
		return nil, err
	}
	if !org.IsAccountID(own) {
		return nil, fmt.Errorf("%s: %q is not a 12-digit account ID", pipeline.EnvAccount, own)
	}
	accounts, err := ParseAccounts(getenv(pipeline.EnvAccounts))
	if err != nil {
		return nil, err
	}
	mappings, err := parseMappings(getenv(pipeline.EnvEventSourceMappings), queues)
	if err != nil {
		return nil, err
	}
	window, err := ParseEventWindow(getenv(pipeline.EnvEventWindow))
	if err != nil {
		return nil, err
	}
	// Without the table, the orchestrator still scans; a CloudTrail event
	// is then an error saying the table is missing.
	var windows WindowClaimer
	if table := strings.TrimSpace(getenv(pipeline.EnvTableName)); table != "" {
		windows = store.New(dynamodb.NewFromConfig(cfg), table)
	}
	return &Orchestrator{
		Checks: all,
		// One idle connection per request in flight: the SDK keeps 10 per
		// host by default, and the others would be opened (TLS handshake
		// included) again for every batch.
		SQS: sqs.NewFromConfig(cfg, func(o *sqs.Options) {
			o.HTTPClient = awsx.HTTPClient().WithTransportOptions(func(tr *http.Transport) {
				tr.MaxIdleConnsPerHost = DefaultSendConcurrency
			})
		}),
		Lambda:      lambda.NewFromConfig(cfg),
		Queues:      queues,
		Mappings:    mappings,
		Regions:     pipeline.SplitList(getenv(pipeline.EnvRegions)),
		Accounts:    accounts,
		Windows:     windows,
		EventWindow: window,
		Discovery: Discovery{
			Account: func(context.Context) (string, error) { return own, nil },
			Regions: func(ctx context.Context) ([]string, error) { return scan.EnabledRegions(ctx, cfg) },
			Organization: func(ctx context.Context) ([]org.Account, error) {
				return orglist.ListActive(ctx, organizations.NewFromConfig(cfg))
			},
		},
	}, nil
}

// Accounts says which accounts a scan covers, by the rule the CLI follows
// too (org.Scope). The zero value is the orchestrator's own account;
// ParseAccounts sets Org or IDs, never Exclude.
type Accounts = org.Scope

// ParseAccounts reads the value of pipeline.EnvAccounts: empty for the own
// account, pipeline.AccountsOrg for the organization, or comma-separated
// 12-digit account IDs (an ID named twice is scanned once).
func ParseAccounts(s string) (Accounts, error) {
	s = strings.TrimSpace(s)
	if s == pipeline.AccountsOrg {
		return Accounts{Org: true}, nil
	}
	ids := pipeline.SplitList(s)
	for _, id := range ids {
		if !org.IsAccountID(id) {
			return Accounts{}, fmt.Errorf("%s: %q is neither %q nor a 12-digit account ID", pipeline.EnvAccounts, id, pipeline.AccountsOrg)
		}
	}
	return Accounts{IDs: uniqueSorted(ids)}, nil
}

// parseMappings reads pipeline.EnvEventSourceMappings: check ID → UUID of
// its event source mapping. The sweep reads each mapped check's queue, so a
// mapping needs a queue.
func parseMappings(raw string, queues map[string]string) (map[string]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var mappings map[string]string
	if err := json.Unmarshal([]byte(raw), &mappings); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of check ID to event source mapping UUID: %w", pipeline.EnvEventSourceMappings, err)
	}
	for id, uuid := range mappings {
		if _, ok := queues[id]; !ok {
			return nil, fmt.Errorf("%s: check %q has no queue in %s", pipeline.EnvEventSourceMappings, id, pipeline.EnvCheckQueues)
		}
		if strings.TrimSpace(uuid) == "" {
			return nil, fmt.Errorf("%s: check %q has an empty mapping UUID", pipeline.EnvEventSourceMappings, id)
		}
	}
	return mappings, nil
}

// QueueAPI is the part of the SQS client the orchestrator calls.
type QueueAPI interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

var _ QueueAPI = (*sqs.Client)(nil)

// Discovery tells the orchestrator which account it runs in, which regions
// are enabled and which accounts its organization has; in production, the
// account from pipeline.EnvAccount, scan.EnabledRegions and
// orglist.ListActive.
type Discovery struct {
	Account      func(context.Context) (string, error)
	Regions      func(context.Context) ([]string, error)
	Organization func(context.Context) ([]org.Account, error)
}

// Orchestrator plans a scan and sends one message per job to its check's queue.
type Orchestrator struct {
	// Checks is the catalog to plan from (catalog.All() when nil).
	Checks []catalog.Entry
	SQS    QueueAPI
	// Queues maps a check ID to its queue URL.
	Queues map[string]string
	// Mappings maps a check ID to the UUID of its function's SQS event
	// source mapping. When set, a scan enables a check's mapping before
	// sending its jobs and Sweep disables the mappings of drained queues;
	// when empty, no mapping is touched.
	Mappings map[string]string
	// Lambda enables and disables the Mappings.
	Lambda MappingAPI
	// Regions, when set, replaces discovery of the enabled regions.
	Regions []string
	// Accounts are the accounts a scan covers (the own account when zero).
	Accounts Accounts
	// SendConcurrency bounds the SendMessageBatch requests in flight
	// (DefaultSendConcurrency when zero).
	SendConcurrency int
	// Windows claims the re-check windows of CloudTrail events (the
	// findings table's store); without it such an event is an error.
	Windows WindowClaimer
	// EventWindow is how long the first CloudTrail event of an (account,
	// region, check) holds the events that follow before its one job runs
	// (pipeline.DefaultEventWindow when zero).
	EventWindow time.Duration
	Discovery   Discovery
	Now         func() time.Time

	// known remembers the accounts and regions whose events are
	// re-checked, between the events a warm function handles.
	known known

	// sleep waits between attempts (a timer in production; tests skip it).
	sleep func(context.Context, time.Duration) error
}

// maxListedAccounts bounds the account IDs a ScanSummary lists: a summary
// of a thousand-account scan gives their number only.
const maxListedAccounts = 20

// ScanSummary is what the orchestrator returns: the scan it planned (how
// many jobs went to each check), or, for a sweep event, what the sweep did.
type ScanSummary struct {
	ScanID   string    `json:"scanId,omitempty"`
	ScanTime time.Time `json:"scanTime,omitzero"`
	// Accounts is how many accounts the scan covers; AccountIDs lists them
	// when they are at most maxListedAccounts.
	Accounts   int            `json:"accounts,omitempty"`
	AccountIDs []string       `json:"accountIds,omitempty"`
	Regions    []string       `json:"regions,omitempty"`
	Jobs       map[string]int `json:"jobs,omitempty"`
	// NotImplemented lists the checks that cannot run yet: no job is sent.
	NotImplemented []string `json:"notImplemented,omitempty"`
	// Sweep is set for a sweep event, and only then.
	Sweep *SweepSummary `json:"sweep,omitempty"`
	// Event is set for a CloudTrail event, and only then: ScanID names
	// the event, ScanTime is when its jobs run (the window's end), Jobs
	// are the re-checks it sent.
	Event *EventSummary `json:"event,omitempty"`
}

// Handle plans the scan the event asks for and sends its jobs; a CloudTrail
// event (pipeline.CloudTrailDetailType) re-checks what the call can have
// changed, and a sweep event (pipeline.SweepDetailType) sweeps.
func (o *Orchestrator) Handle(ctx context.Context, event events.EventBridgeEvent) (ScanSummary, error) {
	switch event.DetailType {
	case pipeline.SweepDetailType:
		sweep, err := o.Sweep(ctx)
		return ScanSummary{Sweep: &sweep}, err
	case pipeline.CloudTrailDetailType:
		return o.recheck(ctx, event)
	}
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
	accounts, err := o.accounts(ctx)
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
	summary := ScanSummary{ScanID: newScanID(now()), ScanTime: now().UTC(), Accounts: len(accounts), Regions: regions, Jobs: map[string]int{}}
	if len(accounts) <= maxListedAccounts {
		for _, a := range accounts {
			summary.AccountIDs = append(summary.AccountIDs, a.ID)
		}
	}

	var failures []string
	var plans []*checkPlan
	for _, c := range selected {
		if !c.Implemented {
			summary.NotImplemented = append(summary.NotImplemented, c.ID)
			continue
		}
		queue, ok := o.Queues[c.ID]
		if !ok {
			failures = append(failures, fmt.Sprintf("%s: no queue configured", c.ID))
			continue
		}
		// Jobs sent to a queue whose mapping stays off would wait there
		// unprocessed: such a check gets none, and the scan fails.
		if err := o.enableMapping(ctx, c.ID); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", c.ID, err))
			continue
		}
		plans = append(plans, &checkPlan{entry: c, queue: queue})
	}
	start := time.Now()
	base := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: summary.ScanID, ScanTime: summary.ScanTime}
	requests := o.sendAll(ctx, plans, base, accounts, regions)
	for _, p := range plans {
		summary.Jobs[p.entry.ID] = int(p.sent.Load())
		if err := p.error(); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", p.entry.ID, err))
		}
	}
	slices.Sort(failures)
	slog.Info("scan planned", "scan_id", summary.ScanID, "accounts", len(accounts), "regions", len(regions), "jobs", summary.Jobs,
		"send_requests", requests, "send_seconds", time.Since(start).Seconds())
	if len(failures) > 0 {
		return summary, fmt.Errorf("send jobs: %s", strings.Join(failures, "; "))
	}
	return summary, nil
}

// accounts returns the accounts the scan covers, sorted by ID.
func (o *Orchestrator) accounts(ctx context.Context) ([]org.Account, error) {
	list := func(ctx context.Context) ([]org.Account, error) {
		accounts, err := o.Discovery.Organization(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the organization's accounts: %w", err)
		}
		if len(accounts) == 0 {
			return nil, fmt.Errorf("list the organization's accounts: no active account")
		}
		return accounts, nil
	}
	return o.Accounts.Targets(ctx, o.Discovery.Account, list)
}

func (o *Orchestrator) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
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

// wait sleeps d, or less when ctx ends first.
func (o *Orchestrator) wait(ctx context.Context, d time.Duration) error {
	if o.sleep != nil {
		return o.sleep(ctx, d)
	}
	return pipeline.Sleep(ctx, d)
}

// uniqueSorted returns the distinct values, sorted: a region named twice is
// scanned once.
func uniqueSorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func newScanID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "scan-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
