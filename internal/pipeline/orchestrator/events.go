package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
)

// The re-check window's bounds: at least a second, as the store's window
// claim counts whole seconds, and at most SQS's longest message delay
// (DelaySeconds 900), by which the window's one job is sent.
const (
	minEventWindow = time.Second
	maxEventWindow = 15 * time.Minute
)

// knownTTL is how long a warm orchestrator trusts its lists of the
// organization's accounts and of the enabled regions between events: an
// account that joins the organization is re-checked within that, and a burst
// of events costs one ListAccounts, not one per event.
const knownTTL = 10 * time.Minute

// WindowClaimer claims re-check windows: *store.Store in production. True
// means this call opened the window of (account, checkID, region), which
// then stays open for window; false, that one is open already.
type WindowClaimer interface {
	ClaimWindow(ctx context.Context, account, checkID, region string, window time.Duration) (bool, error)
	// ReleaseWindow closes a window whose job could not be sent.
	ReleaseWindow(ctx context.Context, account, checkID, region string) error
}

var _ WindowClaimer = (*store.Store)(nil)

// ParseEventWindow reads pipeline.EnvEventWindow: a Go duration of whole
// seconds from 1s to 15m, pipeline.DefaultEventWindow when empty.
func ParseEventWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return pipeline.DefaultEventWindow, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", pipeline.EnvEventWindow, err)
	}
	if err := checkEventWindow(d); err != nil {
		return 0, fmt.Errorf("%s: %w", pipeline.EnvEventWindow, err)
	}
	return d, nil
}

func checkEventWindow(d time.Duration) error {
	switch {
	case d < minEventWindow || d > maxEventWindow:
		return fmt.Errorf("window %s is not within %s–%s (SQS delays a message at most 15 minutes)", d, minEventWindow, maxEventWindow)
	case d%time.Second != 0:
		// The job's delay is whole seconds: a window that is not would
		// end before or after its job runs.
		return fmt.Errorf("window %s is not a whole number of seconds", d)
	}
	return nil
}

// cloudTrailCall is the part of a CloudTrail record — the detail of a
// pipeline.CloudTrailDetailType event — that a re-check reads. aws-lambda-go
// has no type for CloudTrail records; they carry dozens of other fields that
// vary by service, which are left undecoded.
type cloudTrailCall struct {
	EventSource        string    `json:"eventSource"`
	EventName          string    `json:"eventName"`
	AWSRegion          string    `json:"awsRegion"`
	RecipientAccountID string    `json:"recipientAccountId"`
	ErrorCode          string    `json:"errorCode"`
	EventTime          time.Time `json:"eventTime"`
	EventID            string    `json:"eventID"`
}

// eventIDPattern is what an event ID may look like to name a scan (CloudTrail
// and EventBridge IDs are UUIDs).
var eventIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// decodeCloudTrailCall reads the detail of a CloudTrail event. A detail that
// is not a CloudTrail record of an API call in an account and a region is an
// error that says what is wrong.
func decodeCloudTrailCall(event events.EventBridgeEvent) (cloudTrailCall, string, error) {
	var call cloudTrailCall
	if len(event.Detail) == 0 {
		return call, "", errors.New("cloudtrail event: no detail")
	}
	if err := json.Unmarshal(event.Detail, &call); err != nil {
		return call, "", fmt.Errorf("cloudtrail event detail: %w", err)
	}
	account := call.RecipientAccountID
	if account == "" {
		account = event.AccountID
	}
	switch {
	case call.EventSource == "":
		return call, "", errors.New("cloudtrail event detail: no eventSource")
	case call.EventName == "":
		return call, "", errors.New("cloudtrail event detail: no eventName")
	case !pipeline.IsRegion(call.AWSRegion):
		return call, "", fmt.Errorf("cloudtrail event detail: awsRegion %q is not a region", call.AWSRegion)
	case !org.IsAccountID(account):
		return call, "", fmt.Errorf("cloudtrail event: account %q (recipientAccountId, else the event's account) is not a 12-digit account ID", account)
	case call.EventID != "" && !eventIDPattern.MatchString(call.EventID):
		return call, "", fmt.Errorf("cloudtrail event detail: eventID %q is not an event ID", call.EventID)
	}
	return call, account, nil
}

// op names the call the way the project names operations ("ec2
// AuthorizeSecurityGroupIngress").
func (c cloudTrailCall) op() string {
	return strings.TrimSuffix(c.EventSource, ".amazonaws.com") + " " + c.EventName
}

// triggeredBy reports whether the entry's triggers contain the call.
func triggeredBy(e catalog.Entry, c cloudTrailCall) bool {
	for _, t := range e.Triggers {
		if t.Source == c.EventSource && slices.Contains(t.Names, c.EventName) {
			return true
		}
	}
	return false
}

// EventSummary is what one CloudTrail event did; the jobs it sent are in the
// ScanSummary around it.
type EventSummary struct {
	EventID string `json:"eventId,omitempty"`
	// Call is the API call, "ec2 AuthorizeSecurityGroupIngress".
	Call    string `json:"call"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Coalesced are the checks whose re-check window was already open:
	// the job on its way runs after this change and sees it.
	Coalesced []string `json:"coalesced,omitempty"`
	// Dropped says why the event, or one check it triggers, made no job
	// ("<check ID>: <reason>" for one check).
	Dropped []string `json:"dropped,omitempty"`
}

// known is what a warm orchestrator remembers between events: the accounts
// and the regions whose events it re-checks, each until its deadline.
type known struct {
	mu             sync.Mutex
	accounts       map[string]org.Account
	accountsExpire time.Time
	regions        []string
	regionsExpire  time.Time
}

// knownAccounts returns the accounts a scan covers, by ID, listed at most
// knownTTL ago.
func (o *Orchestrator) knownAccounts(ctx context.Context, now time.Time) (map[string]org.Account, error) {
	o.known.mu.Lock()
	defer o.known.mu.Unlock()
	if o.known.accounts != nil && now.Before(o.known.accountsExpire) {
		return o.known.accounts, nil
	}
	list, err := o.accounts(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]org.Account, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	o.known.accounts, o.known.accountsExpire = byID, now.Add(knownTTL)
	return byID, nil
}

// knownRegions returns the regions a scan covers: Regions, or the enabled
// regions discovered at most knownTTL ago.
func (o *Orchestrator) knownRegions(ctx context.Context, now time.Time) ([]string, error) {
	if len(o.Regions) > 0 {
		return o.Regions, nil
	}
	o.known.mu.Lock()
	defer o.known.mu.Unlock()
	if o.known.regions != nil && now.Before(o.known.regionsExpire) {
		return o.known.regions, nil
	}
	regions, err := o.Discovery.Regions(ctx)
	if err != nil {
		return nil, err
	}
	o.known.regions, o.known.regionsExpire = slices.Clip(slices.Clone(regions)), now.Add(knownTTL)
	return o.known.regions, nil
}

// recheck plans the re-check a CloudTrail event asks for: one job for each
// implemented check whose Triggers contain the call, in the event's account
// and, for a regional check, its region (a global check runs in
// check.GlobalRegion wherever the call was made). The first event of an
// (account, region, check) claims its window and sends its job delayed by
// the window, so it runs once the burst is over and sees all of it; the
// events that follow while the window is open are coalesced.
//
// A detail that is not a CloudTrail record is an error (EventBridge retries
// it a bounded number of times, then drops it). An event that is well-formed
// but not ours — a failed call, a call no check is triggered by, an account
// or a region not scanned — is dropped, logged and counted, and is no error.
// A claim, a mapping or a send that fails is an error, so that EventBridge
// delivers the event again: a re-check is never lost silently.
func (o *Orchestrator) recheck(ctx context.Context, event events.EventBridgeEvent) (ScanSummary, error) {
	call, account, err := decodeCloudTrailCall(event)
	if err != nil {
		return ScanSummary{}, err
	}
	now := o.now()
	summary := ScanSummary{Event: &EventSummary{EventID: call.EventID, Call: call.op(), Account: account, Region: call.AWSRegion}}
	drop := func(checkID, reason string) {
		entry := reason
		if checkID != "" {
			entry = checkID + ": " + reason
		}
		summary.Event.Dropped = append(summary.Event.Dropped, entry)
		slog.Info("re-check dropped", "check_id", checkID, "account", account, "region", call.AWSRegion, "op", call.op(),
			"event_id", call.EventID, "reason", reason)
	}
	if call.ErrorCode != "" {
		drop("", "the call failed ("+call.ErrorCode+")")
		return summary, nil
	}
	var triggered []catalog.Entry
	for _, e := range o.catalog() {
		if e.Implemented && triggeredBy(e, call) {
			triggered = append(triggered, e)
		}
	}
	if len(triggered) == 0 {
		drop("", "no check is re-checked by this call")
		return summary, nil
	}
	accounts, err := o.knownAccounts(ctx, now)
	if err != nil {
		return summary, fmt.Errorf("re-check: %w", err)
	}
	acct, ok := accounts[account]
	if !ok {
		drop("", "account not scanned")
		return summary, nil
	}
	window := o.EventWindow
	if window == 0 {
		window = pipeline.DefaultEventWindow
	}
	if err := checkEventWindow(window); err != nil {
		return summary, fmt.Errorf("re-check: %w", err)
	}
	if o.Windows == nil {
		return summary, fmt.Errorf("re-check: no window store to coalesce events (%s is not set)", pipeline.EnvTableName)
	}
	var regions []string
	summary.ScanID, summary.ScanTime = eventScanID(call, event.ID, now), now.Add(window).UTC()
	summary.Jobs = map[string]int{}
	base := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: summary.ScanID, ScanTime: summary.ScanTime, Account: acct.ID, AccountName: acct.Name}
	var failures []string
	for _, e := range triggered {
		region := check.GlobalRegion
		if e.Scope != check.Global {
			if regions == nil {
				if regions, err = o.knownRegions(ctx, now); err != nil {
					return summary, fmt.Errorf("re-check: %w", err)
				}
			}
			if !slices.Contains(regions, call.AWSRegion) {
				drop(e.ID, "region not scanned")
				continue
			}
			region = call.AWSRegion
		}
		queue, ok := o.Queues[e.ID]
		if !ok {
			failures = append(failures, fmt.Sprintf("%s: no queue configured", e.ID))
			continue
		}
		claimed, err := o.Windows.ClaimWindow(ctx, acct.ID, e.ID, region, window)
		if err != nil {
			slog.Error("re-check window", "check_id", e.ID, "account", acct.ID, "region", region, "op", call.op(), "err", err.Error())
			failures = append(failures, fmt.Sprintf("%s: claim the re-check window: %v", e.ID, err))
			continue
		}
		if !claimed {
			summary.Event.Coalesced = append(summary.Event.Coalesced, e.ID)
			slog.Debug("re-check coalesced", "check_id", e.ID, "account", acct.ID, "region", region, "op", call.op(), "event_id", call.EventID)
			continue
		}
		job := base
		job.CheckID, job.Region = e.ID, region
		if err := o.sendRecheck(ctx, e.ID, queue, job, window); err != nil {
			// Release the window, so that EventBridge's retry of this
			// event claims it again rather than being coalesced into a
			// job that was never sent.
			slog.Error("re-check job not sent", "check_id", e.ID, "account", acct.ID, "region", region,
				"op", check.OpOf(err), "err", err.Error())
			failures = append(failures, fmt.Sprintf("%s: %v", e.ID, err))
			if err := o.Windows.ReleaseWindow(ctx, acct.ID, e.ID, region); err != nil {
				// The window then closes by itself; the next scan sees the change.
				slog.Error("re-check window not released", "check_id", e.ID, "account", acct.ID, "region", region, "err", err.Error())
				failures = append(failures, fmt.Sprintf("%s: release the re-check window: %v", e.ID, err))
			}
			continue
		}
		summary.Jobs[e.ID]++
	}
	lag := 0.0
	if !call.EventTime.IsZero() {
		lag = now.Sub(call.EventTime).Seconds()
	}
	slog.Info("re-check planned", "account", acct.ID, "region", call.AWSRegion, "op", call.op(), "event_id", call.EventID, "scan_id", summary.ScanID,
		"jobs", summary.Jobs, "coalesced", len(summary.Event.Coalesced), "dropped", len(summary.Event.Dropped), "event_lag_seconds", lag)
	if len(failures) > 0 {
		slices.Sort(failures)
		return summary, fmt.Errorf("re-check %s: %s", call.op(), strings.Join(failures, "; "))
	}
	return summary, nil
}

// sendRecheck turns the check's mapping on (a job on a queue whose mapping
// is off waits for the next sweep) and sends the job, delayed by window.
func (o *Orchestrator) sendRecheck(ctx context.Context, checkID, queue string, job pipeline.JobMessage, window time.Duration) error {
	if err := o.enableMapping(ctx, checkID); err != nil {
		return err
	}
	var requests atomic.Int64
	_, err := o.sendBatch(ctx, queue, []pipeline.JobMessage{job}, int32(window/time.Second), &requests)
	return err
}

// eventScanID names the scan of an event's re-check jobs after the event:
// CloudTrail's eventID, else EventBridge's, else the time and a random part.
func eventScanID(call cloudTrailCall, envelopeID string, now time.Time) string {
	for _, id := range []string{call.EventID, envelopeID} {
		if eventIDPattern.MatchString(id) {
			return "event-" + id
		}
	}
	return "event-" + strings.TrimPrefix(newScanID(now), "scan-")
}
