package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
	"github.com/secadvisor/secadvisor/internal/store"
)

const (
	ownAccount   = "123456789012"
	otherAccount = "210987654321"
)

// testTriggers are the triggers the tests give the catalog's checks, by
// slug, so that they do not depend on the generated catalog (its own are
// tested by TestCatalogTriggersEveryEventFamily).
var testTriggers = map[string][]check.Trigger{
	"security-groups-specific-ports-unrestricted": {securityGroupCalls},
	"security-groups-unrestricted-access":         {securityGroupCalls},
	"rds-security-group-access-risk":              {securityGroupCalls},
	"elb-security-groups":                         {securityGroupCalls},
	"ebs-public-snapshots":                        {{Source: "ec2.amazonaws.com", Names: []string{"ModifySnapshotAttribute", "ResetSnapshotAttribute"}}},
	"rds-public-snapshots":                        {{Source: "rds.amazonaws.com", Names: []string{"ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"}}},
	"s3-bucket-permissions": {{Source: "s3.amazonaws.com", Names: []string{
		"PutBucketAcl", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeletePublicAccessBlock", "PutAccountPublicAccessBlock"}}},
	"cloudtrail-logging":      {{Source: "cloudtrail.amazonaws.com", Names: []string{"StopLogging", "DeleteTrail", "UpdateTrail"}}},
	"iam-password-policy":     {{Source: "iam.amazonaws.com", Names: []string{"UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"}}},
	"iam-access-key-rotation": {accessKeyCalls},
	"iam-use":                 {accessKeyCalls},
}

var (
	securityGroupCalls = check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules", "RevokeSecurityGroupIngress"}}
	accessKeyCalls     = check.Trigger{Source: "iam.amazonaws.com", Names: []string{"CreateAccessKey", "UpdateAccessKey"}}
)

// notImplemented is a check with triggers that cannot run yet: it must
// never get a job.
const notImplemented = "NotYet0001"

// triggerCatalog is the embedded catalog with testTriggers in place of its
// own, and a check that is not implemented.
func triggerCatalog() []catalog.Entry {
	entries := catalog.All()
	for i := range entries {
		entries[i].Triggers = testTriggers[entries[i].Slug]
	}
	return append(entries, catalog.Entry{ID: notImplemented, Slug: "not-yet", Scope: check.Regional, Triggers: []check.Trigger{securityGroupCalls}})
}

// clock is a settable time, shared by the orchestrator and fakeWindows.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeWindows claims windows as store.ClaimWindow does: a claim wins when
// no window of its (account, check, region) is open; a window is open until
// its end, compared in whole seconds. err fails every claim.
type fakeWindows struct {
	now    func() time.Time
	err    error
	claims atomic.Int64
	mu     sync.Mutex
	ends   map[string]int64
}

func (f *fakeWindows) ClaimWindow(_ context.Context, account, checkID, region string, window time.Duration) (bool, error) {
	f.claims.Add(1)
	if f.err != nil {
		return false, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ends == nil {
		f.ends = map[string]int64{}
	}
	key, now := account+"/"+checkID+"/"+region, f.now()
	if end, open := f.ends[key]; open && end > now.Unix() {
		return false, nil
	}
	f.ends[key] = now.Add(window).Unix()
	return true, nil
}

func (f *fakeWindows) ReleaseWindow(_ context.Context, account, checkID, region string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.ends, account+"/"+checkID+"/"+region)
	return nil
}

// rig is an orchestrator over the trigger catalog and fakes: the own
// account, regions eu-west-1 and us-east-1, every implemented check with a
// queue "q-<ID>" and an event source mapping "uuid-<ID>" that is off.
type rig struct {
	o       *Orchestrator
	sqs     *fakeSQS
	lambda  *fakeLambda
	windows *fakeWindows
	clock   *clock
}

var testStart = time.Date(2026, 11, 28, 12, 40, 5, 0, time.UTC)

func newRig() *rig { return newRigOver(triggerCatalog()) }

// newRigOver is a rig over the catalog entries.
func newRigOver(entries []catalog.Entry) *rig {
	c := &clock{t: testStart}
	sqs := &fakeSQS{keepBodies: true}
	queues, mappings, states := map[string]string{}, map[string]string{}, map[string]*fakeMapping{}
	for _, e := range entries {
		if e.Implemented {
			queues[e.ID], mappings[e.ID] = "q-"+e.ID, "uuid-"+e.ID
			states["uuid-"+e.ID] = &fakeMapping{state: stateDisabled}
		}
	}
	r := &rig{sqs: sqs, lambda: withLambda(sqs, testStart, states), windows: &fakeWindows{now: c.now}, clock: c}
	r.o = &Orchestrator{Checks: entries, SQS: sqs, Queues: queues, Mappings: mappings, Lambda: r.lambda,
		Regions: []string{"eu-west-1", "us-east-1"}, Windows: r.windows, Now: c.now, sleep: noSleep,
		Discovery: Discovery{Account: func(context.Context) (string, error) { return ownAccount, nil }}}
	return r
}

var eventSeq atomic.Int64

// cloudTrailEvent is an EventBridge event of a successful API call, shaped
// as CloudTrail delivers it (the fields besides those the orchestrator
// reads included); edit changes its detail.
func cloudTrailEvent(source, name, account, region string, edit func(detail map[string]any)) events.EventBridgeEvent {
	n := eventSeq.Add(1)
	detail := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{"type": "AssumedRole", "accountId": account, "arn": "arn:aws:sts::" + account + ":assumed-role/deploy/terraform"},
		"eventTime":    testStart.Add(-3 * time.Second).Format(time.RFC3339), "eventSource": source, "eventName": name, "awsRegion": region,
		"sourceIPAddress": "198.51.100.7", "userAgent": "Terraform/1.9.8", "requestParameters": map[string]any{}, "responseElements": nil,
		"requestID": fmt.Sprintf("req-%d", n), "eventID": fmt.Sprintf("00000000-0000-4000-8000-%012d", n), "readOnly": false,
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account, "eventCategory": "Management",
	}
	if edit != nil {
		edit(detail)
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		panic(err)
	}
	return events.EventBridgeEvent{Version: "0", ID: fmt.Sprintf("11111111-0000-4000-8000-%012d", n), DetailType: pipeline.CloudTrailDetailType,
		Source: "aws." + strings.TrimSuffix(source, ".amazonaws.com"), AccountID: account, Time: testStart, Region: region,
		Resources: []string{}, Detail: raw}
}

// wantJobs is, from the catalog's triggers, the jobs a call re-checks:
// "check/account/region" of every implemented check it triggers, a global
// one in check.GlobalRegion.
func wantJobs(entries []catalog.Entry, source, name, account, region string) map[string]int {
	want := map[string]int{}
	for _, e := range entries {
		for _, tr := range e.Triggers {
			if !e.Implemented || tr.Source != source || !slices.Contains(tr.Names, name) {
				continue
			}
			r := region
			if e.Scope == check.Global {
				r = check.GlobalRegion
			}
			want[e.ID+"/"+account+"/"+r] = 1
		}
	}
	return want
}

// TestRecheckOnlyWhatTheCallChanges: an event of each trigger family
// re-checks exactly the (account, region, check) its call can change — a
// global check in check.GlobalRegion wherever the call was made — with one
// job delayed by the window, due at its end, named after the event, the
// check's mapping turned on before it is sent.
func TestRecheckOnlyWhatTheCallChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		family, source, name, region string
		wantRegion                   string // of every job
	}{
		{"security group", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "eu-west-1", "eu-west-1"},
		{"security group rule", "ec2.amazonaws.com", "ModifySecurityGroupRules", "us-east-1", "us-east-1"},
		{"EBS snapshot", "ec2.amazonaws.com", "ModifySnapshotAttribute", "eu-west-1", "eu-west-1"},
		{"RDS cluster snapshot", "rds.amazonaws.com", "ModifyDBClusterSnapshotAttribute", "us-east-1", "us-east-1"},
		{"bucket policy, bucket in a region", "s3.amazonaws.com", "PutBucketPolicy", "eu-west-1", check.GlobalRegion},
		{"account public access block", "s3.amazonaws.com", "PutAccountPublicAccessBlock", "us-east-1", check.GlobalRegion},
		{"trail", "cloudtrail.amazonaws.com", "StopLogging", "eu-west-1", "eu-west-1"},
		{"password policy, global service in us-east-1", "iam.amazonaws.com", "DeleteAccountPasswordPolicy", "us-east-1", check.GlobalRegion},
		{"access key, two checks", "iam.amazonaws.com", "CreateAccessKey", "us-east-1", check.GlobalRegion},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			t.Parallel()
			r := newRig()
			event := cloudTrailEvent(tt.source, tt.name, ownAccount, tt.region, nil)
			summary, err := r.o.Handle(context.Background(), event)
			if err != nil {
				t.Fatalf("Handle(%s %s in %s): %v", tt.source, tt.name, tt.region, err)
			}
			want := wantJobs(r.o.Checks, tt.source, tt.name, ownAccount, tt.region)
			if len(want) == 0 {
				t.Fatalf("%s %s: the catalog's triggers re-check nothing: the case tests nothing", tt.source, tt.name)
			}
			if !maps.Equal(r.sqs.jobs, want) {
				t.Errorf("%s %s in %s: jobs sent %v, want %v", tt.source, tt.name, tt.region, r.sqs.jobs, want)
			}
			var call cloudTrailCall
			_ = json.Unmarshal(event.Detail, &call)
			eventID := call.EventID
			due := testStart.Add(pipeline.DefaultEventWindow)
			var sent []string
			for queue, bodies := range r.sqs.bodies {
				for _, body := range bodies {
					job, err := pipeline.DecodeJobMessage(body)
					if err != nil {
						t.Fatalf("%s: %v", queue, err)
					}
					sent = append(sent, job.CheckID)
					if job.Region != tt.wantRegion || job.ScanID != "event-"+eventID || !job.ScanTime.Equal(due) || "q-"+job.CheckID != queue {
						t.Errorf("job %s on %s: want region %s, scan event-%s due %s, on q-%s", body, queue, tt.wantRegion, eventID, due, job.CheckID)
					}
					if d := r.sqs.delays[job.CheckID+"/"+job.Account+"/"+job.Region]; !slices.Equal(d, []int32{60}) {
						t.Errorf("job %s: DelaySeconds %v, want [60]", body, d)
					}
					if i, j := slices.Index(r.sqs.log, "enable uuid-"+job.CheckID), slices.Index(r.sqs.log, "send q-"+job.CheckID); i < 0 || i > j {
						t.Errorf("calls %q: want the mapping of %s enabled before its job is sent", r.sqs.log, job.CheckID)
					}
				}
			}
			if summary.Event == nil || summary.ScanID != "event-"+eventID || !summary.ScanTime.Equal(due) || len(summary.Event.Dropped) > 0 {
				t.Errorf("summary %+v (event %+v), want the event's scan, due %s, nothing dropped", summary, summary.Event, due)
			}
			wantSummary := map[string]int{}
			for _, id := range sent {
				wantSummary[id]++
			}
			if !maps.Equal(summary.Jobs, wantSummary) {
				t.Errorf("summary jobs %v, want %v (what was sent)", summary.Jobs, wantSummary)
			}
		})
	}
}

// TestRecheckSampleEvents: each CloudTrail sample of events/, decoded
// through the real event type, re-checks with the generated catalog exactly
// the jobs its call triggers, nothing dropped.
func TestRecheckSampleEvents(t *testing.T) {
	t.Parallel()
	samples, err := filepath.Glob(filepath.Join("..", "..", "..", "events", "cloudtrail-*.json"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no CloudTrail sample in events/: %v", err)
	}
	for _, path := range samples {
		var event events.EventBridgeEvent
		pipelinetest.ReadEvent(t, filepath.Base(path), &event)
		var call cloudTrailCall
		if err := json.Unmarshal(event.Detail, &call); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r := newRigOver(catalog.All())
		summary, err := r.o.Handle(context.Background(), event)
		want := wantJobs(r.o.Checks, call.EventSource, call.EventName, call.RecipientAccountID, call.AWSRegion)
		if err != nil || len(want) == 0 || !maps.Equal(r.sqs.jobs, want) || summary.ScanID != "event-"+call.EventID || len(summary.Event.Dropped) > 0 {
			t.Errorf("%s: Handle = %+v (event %+v), %v; jobs %v; want %v (not none) of scan event-%s", path, summary, summary.Event, err, r.sqs.jobs, want, call.EventID)
		}
	}
}

// TestRecheckBurst: 200 events at once, as a Terraform apply opening 200
// rules in two accounts and two regions sends them, make exactly one
// delayed job per (account, region, check); the others are coalesced. Once
// the window has closed, the next event opens a new one.
func TestRecheckBurst(t *testing.T) {
	t.Parallel()
	r := newRig()
	accounts := []string{ownAccount, otherAccount}
	regions := []string{"eu-west-1", "us-east-1"}
	r.o.Accounts = Accounts{IDs: accounts}
	const burst = 200
	var wg sync.WaitGroup
	summaries := make([]ScanSummary, burst)
	errs := make([]error, burst)
	for i := range burst {
		event := cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", accounts[i%2], regions[i/2%2], nil)
		wg.Go(func() { summaries[i], errs[i] = r.o.Handle(context.Background(), event) })
	}
	wg.Wait()
	want := map[string]int{}
	for _, a := range accounts {
		for _, region := range regions {
			maps.Copy(want, wantJobs(r.o.Checks, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", a, region))
		}
	}
	perEvent := len(wantJobs(r.o.Checks, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1"))
	if len(want) == 0 || perEvent == 0 {
		t.Fatal("the catalog's triggers re-check nothing on AuthorizeSecurityGroupIngress: the test tests nothing")
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if !maps.Equal(r.sqs.jobs, want) {
		t.Errorf("%d events: jobs %v, want one each of %v", burst, r.sqs.jobs, want)
	}
	sent, coalesced := 0, 0
	for _, s := range summaries {
		for _, n := range s.Jobs {
			sent += n
		}
		coalesced += len(s.Event.Coalesced)
	}
	if sent != len(want) || coalesced != burst*perEvent-len(want) {
		t.Errorf("%d events: summaries count %d jobs, %d coalesced; want %d and %d", burst, sent, coalesced, len(want), burst*perEvent-len(want))
	}
	for key, d := range r.sqs.delays {
		if !slices.Equal(d, []int32{60}) {
			t.Errorf("job %s: DelaySeconds %v, want [60]", key, d)
		}
	}

	// The window closes a minute after it opened: the next event of a
	// scope sends its next job; another scope's window is still apart.
	r.clock.advance(pipeline.DefaultEventWindow)
	if _, err := r.o.Handle(context.Background(), cloudTrailEvent("ec2.amazonaws.com", "RevokeSecurityGroupIngress", ownAccount, "eu-west-1", nil)); err != nil {
		t.Fatalf("Handle after the window: %v", err)
	}
	for key := range want {
		wantN := 1
		if strings.Contains(key, "/"+ownAccount+"/eu-west-1") {
			wantN = 2
		}
		if r.sqs.jobs[key] != wantN {
			t.Errorf("after the window closed: job %s sent %d times, want %d", key, r.sqs.jobs[key], wantN)
		}
	}
}

// TestRecheckDropsWhatIsNotOurs: a well-formed event that is not ours — a
// failed call, a call no check is triggered by, an account or (for a
// regional check) a region not scanned — makes no job and no claim, is no
// error (EventBridge must not retry it), and is logged with its reason.
// Not parallel: it reads the default logger.
func TestRecheckDropsWhatIsNotOurs(t *testing.T) {
	var logs pipelinetest.SyncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	failed := func(d map[string]any) {
		d["errorCode"], d["errorMessage"] = "Client.UnauthorizedOperation", "You are not authorized"
	}
	tests := []struct {
		name       string
		event      events.EventBridgeEvent
		accounts   Accounts
		wantReason string // "" when nothing is dropped
		wantJobs   bool
	}{
		{"the call failed", cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", failed), Accounts{}, "the call failed (Client.UnauthorizedOperation)", false},
		{"no check is triggered", cloudTrailEvent("ec2.amazonaws.com", "RunInstances", ownAccount, "eu-west-1", nil), Accounts{}, "no check is re-checked", false},
		{"a trigger's name of another source", cloudTrailEvent("lambda.amazonaws.com", "PutBucketPolicy", ownAccount, "eu-west-1", nil), Accounts{}, "no check is re-checked", false},
		{"not the own account", cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", otherAccount, "eu-west-1", nil), Accounts{}, "account not scanned", false},
		{"not in the account list", cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", nil), Accounts{IDs: []string{otherAccount}}, "account not scanned", false},
		{"region not scanned", cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "ap-south-2", nil), Accounts{}, "region not scanned", false},
		// A global check looks at the whole account: the bucket's region
		// does not matter.
		{"global check, region not scanned", cloudTrailEvent("s3.amazonaws.com", "PutBucketPolicy", ownAccount, "ap-south-2", nil), Accounts{}, "", true},
	}
	for _, tt := range tests {
		r := newRig()
		r.o.Accounts = tt.accounts
		var call cloudTrailCall
		_ = json.Unmarshal(tt.event.Detail, &call)
		summary, err := r.o.Handle(context.Background(), tt.event)
		if err != nil {
			t.Errorf("%s: Handle(%s) = %v, want no error", tt.name, tt.event.Detail, err)
			continue
		}
		if got := len(r.sqs.jobs) > 0; got != tt.wantJobs {
			t.Errorf("%s: jobs %v, want jobs %v", tt.name, r.sqs.jobs, tt.wantJobs)
		}
		if tt.wantReason == "" {
			if len(summary.Event.Dropped) > 0 {
				t.Errorf("%s: dropped %q, want nothing dropped", tt.name, summary.Event.Dropped)
			}
			continue
		}
		if n := r.windows.claims.Load(); n != 0 {
			t.Errorf("%s: %d window claims, want none", tt.name, n)
		}
		if len(summary.Event.Dropped) == 0 || !strings.Contains(strings.Join(summary.Event.Dropped, "; "), tt.wantReason) {
			t.Errorf("%s: dropped %q, want %q", tt.name, summary.Event.Dropped, tt.wantReason)
		}
		found := false
		for line := range strings.Lines(logs.String()) {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			if rec["msg"] == "re-check dropped" && rec["event_id"] == call.EventID && rec["account"] == call.RecipientAccountID &&
				rec["region"] == call.AWSRegion && rec["op"] == call.op() && strings.Contains(fmt.Sprint(rec["reason"]), tt.wantReason) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no log line says the event %s was dropped because %q; logs:\n%s", tt.name, call.EventID, tt.wantReason, logs.String())
		}
	}
}

// TestRecheckRejectsMalformedEvents: a detail that is not a CloudTrail
// record of a call in an account and a region is an error naming what is
// wrong, and makes no claim and no job.
func TestRecheckRejectsMalformedEvents(t *testing.T) {
	t.Parallel()
	good := cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", nil)
	with := func(edit func(map[string]any)) json.RawMessage {
		return cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", edit).Detail
	}
	tests := []struct {
		name     string
		detail   json.RawMessage
		envelope string // the event's account
		wantErr  string
	}{
		{"no detail", nil, ownAccount, "no detail"},
		{"detail a string", json.RawMessage(`"AuthorizeSecurityGroupIngress"`), ownAccount, "cloudtrail event detail"},
		{"detail a list", json.RawMessage(`[1]`), ownAccount, "cloudtrail event detail"},
		{"detail null", json.RawMessage(`null`), ownAccount, "no eventSource"},
		{"empty detail", json.RawMessage(`{}`), ownAccount, "no eventSource"},
		{"no event name", with(func(d map[string]any) { delete(d, "eventName") }), ownAccount, "no eventName"},
		{"event name a number", with(func(d map[string]any) { d["eventName"] = 7 }), ownAccount, "eventName"},
		{"no region", with(func(d map[string]any) { delete(d, "awsRegion") }), ownAccount, `awsRegion "" is not a region`},
		{"region global", with(func(d map[string]any) { d["awsRegion"] = check.GlobalRegion }), ownAccount, `awsRegion "global" is not a region`},
		{"short account", with(func(d map[string]any) { d["recipientAccountId"] = "12345" }), ownAccount, `account "12345"`},
		{"no account at all", with(func(d map[string]any) { delete(d, "recipientAccountId") }), "", `account ""`},
		{"event time not a time", with(func(d map[string]any) { d["eventTime"] = "yesterday" }), ownAccount, "cloudtrail event detail"},
		{"event ID not an ID", with(func(d map[string]any) { d["eventID"] = "a b\nc" }), ownAccount, "is not an event ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig()
			event := good
			event.Detail, event.AccountID = tt.detail, tt.envelope
			_, err := r.o.Handle(context.Background(), event)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Handle(detail %s, account %q) error = %v, want one containing %q", tt.detail, tt.envelope, err, tt.wantErr)
			}
			if r.windows.claims.Load() != 0 || r.sqs.calls.Load() != 0 {
				t.Errorf("detail %s: %d claims, %d sends; want none", tt.detail, r.windows.claims.Load(), r.sqs.calls.Load())
			}
		})
	}

	// The account falls back to the event's when the record has none.
	r := newRig()
	event := good
	event.Detail = with(func(d map[string]any) { delete(d, "recipientAccountId") })
	if _, err := r.o.Handle(context.Background(), event); err != nil || len(r.sqs.jobs) == 0 {
		t.Errorf("record without recipientAccountId in an event of %s: %v, jobs %v; want its jobs", event.AccountID, err, r.sqs.jobs)
	}
}

// TestRecheckRawPayloads: the Lambda handler rejects CloudTrail events
// whose detail is broken, as the runtime hands them over.
func TestRecheckRawPayloads(t *testing.T) {
	t.Parallel()
	h := lambda.NewHandler(newRig().o.Handle)
	for _, payload := range []string{
		`{"detail-type":"AWS API Call via CloudTrail"}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":"x"}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":["ec2.amazonaws.com"]}}`,
	} {
		if out, err := h.Invoke(context.Background(), []byte(payload)); err == nil {
			t.Errorf("payload %s: output %s, want an error", payload, out)
		}
	}
}

// TestRecheckOrganizationAccounts: with ACCOUNTS=org the accounts whose
// events are re-checked are the organization's active ones, listed once
// per knownTTL (the enabled regions likewise): an account that joins is
// re-checked once the list is older than that. The job carries the
// account's name; a listing that fails is an error, and is not remembered.
func TestRecheckOrganizationAccounts(t *testing.T) {
	t.Parallel()
	r := newRig()
	var mu sync.Mutex
	members := []org.Account{{ID: ownAccount, Name: "management"}, {ID: "444455556666", Name: "prod"}}
	var listings, regionListings atomic.Int64
	var listErr error
	r.o.Accounts, r.o.Regions = Accounts{Org: true}, nil
	r.o.Discovery = Discovery{
		Account: func(context.Context) (string, error) {
			return "", errors.New("the own account is not asked with ACCOUNTS=org")
		},
		Organization: func(context.Context) ([]org.Account, error) {
			listings.Add(1)
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(members), listErr
		},
		Regions: func(context.Context) ([]string, error) { regionListings.Add(1); return []string{"eu-west-1"}, nil },
	}
	joiner := "777788889999"
	steps := []struct {
		name          string
		after         time.Duration // since the previous step
		account       string
		wantJob       bool
		wantErr       string
		wantListings  int64
		wantRegionsOf int64
	}{
		{"member", 0, "444455556666", true, "", 1, 1},
		{"not yet a member", time.Second, joiner, false, "", 1, 1},
		{"joined, list still fresh", 9 * time.Minute, joiner, false, "", 1, 1},
		{"joined, list refreshed", time.Minute, joiner, true, "", 2, 2},
		{"listing fails", knownTTL, ownAccount, false, "organizations ListAccounts", 3, 2},
		{"listing works again", 0, ownAccount, true, "", 4, 3},
	}
	for i, s := range steps {
		r.clock.advance(s.after)
		mu.Lock()
		if i == 2 {
			members = append(members, org.Account{ID: joiner, Name: "new"})
		}
		listErr = nil
		if s.wantErr != "" {
			listErr = &check.OpError{Op: "organizations ListAccounts", Err: apiError("TooManyRequestsException")}
		}
		mu.Unlock()
		before := len(r.sqs.bodies["q-"+regionalSGCheck(r.o.Checks)])
		_, err := r.o.Handle(context.Background(), cloudTrailEvent("ec2.amazonaws.com", "ModifySecurityGroupRules", s.account, "eu-west-1", nil))
		if s.wantErr == "" && err != nil || s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)) {
			t.Errorf("%s: Handle = %v, want error %q", s.name, err, s.wantErr)
		}
		bodies := r.sqs.bodies["q-"+regionalSGCheck(r.o.Checks)]
		if got := len(bodies) > before; got != s.wantJob {
			t.Errorf("%s: account %s got a job: %v, want %v", s.name, s.account, got, s.wantJob)
		}
		if listings.Load() != s.wantListings || regionListings.Load() != s.wantRegionsOf {
			t.Errorf("%s: %d account and %d region listings so far, want %d and %d", s.name, listings.Load(), regionListings.Load(), s.wantListings, s.wantRegionsOf)
		}
		if s.wantJob {
			job, err := pipeline.DecodeJobMessage(bodies[len(bodies)-1])
			mu.Lock()
			i := slices.IndexFunc(members, func(a org.Account) bool { return a.ID == s.account })
			mu.Unlock()
			if err != nil || job.Account != s.account || i < 0 || job.AccountName != members[i].Name {
				t.Errorf("%s: job %+v, %v; want account %s with its name", s.name, job, err, s.account)
			}
		}
	}
}

// regionalSGCheck is a regional check triggered by the security-group calls.
func regionalSGCheck(entries []catalog.Entry) string {
	for _, e := range entries {
		if e.Implemented && e.Scope == check.Regional && slices.ContainsFunc(e.Triggers, func(t check.Trigger) bool { return slices.Contains(t.Names, "ModifySecurityGroupRules") }) {
			return e.ID
		}
	}
	return "none"
}

// TestRecheckFailuresAreErrors: what goes wrong while a re-check is
// planned or sent fails the event, so that EventBridge delivers it again;
// the checks that could be sent still are.
func TestRecheckFailuresAreErrors(t *testing.T) {
	t.Parallel()
	sg := regionalSGCheck(triggerCatalog())
	tests := []struct {
		name      string
		setup     func(*rig)
		wantErr   string
		wantSends bool // the other checks' jobs still go out
	}{
		{"claim fails", func(r *rig) {
			r.windows.err = fmt.Errorf("dynamodb PutItem (re-check window): %w", apiError("ProvisionedThroughputExceededException"))
		}, "claim the re-check window: dynamodb PutItem", false},
		{"no window store", func(r *rig) { r.o.Windows = nil }, pipeline.EnvTableName + " is not set", false},
		{"window too long", func(r *rig) { r.o.EventWindow = 16 * time.Minute }, "not within", false},
		{"no queue for a check", func(r *rig) { delete(r.o.Queues, sg); delete(r.o.Mappings, sg) }, sg + ": no queue configured", true},
		{"mapping cannot be enabled", func(r *rig) { r.lambda.mappings["uuid-"+sg].updateErr = apiError("AccessDeniedException") }, sg + ": enable event source mapping", true},
		{"send rejected", func(r *rig) { r.o.SQS = senderFault{r.sqs} }, "entry rejected", false},
		{"regions unknown", func(r *rig) {
			r.o.Regions = nil
			r.o.Discovery.Regions = func(context.Context) ([]string, error) {
				return nil, &check.OpError{Op: "ec2 DescribeRegions", Err: apiError("UnauthorizedOperation")}
			}
		}, "ec2 DescribeRegions", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig()
			tt.setup(r)
			_, err := r.o.Handle(context.Background(), cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", nil))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Handle error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := len(r.sqs.jobs) > 0; got != tt.wantSends {
				t.Errorf("jobs sent %v, want other checks' jobs sent: %v", r.sqs.jobs, tt.wantSends)
			}
			for key := range r.sqs.jobs {
				if strings.HasPrefix(key, sg+"/") {
					t.Errorf("job %s sent, want none for the failing check", key)
				}
			}
		})
	}
}

// TestFailedSendReleasesTheWindow: a job that could not be sent gives its
// window back, so EventBridge's retry of the event sends it instead of being
// coalesced into a job that never ran.
func TestFailedSendReleasesTheWindow(t *testing.T) {
	t.Parallel()
	sg := regionalSGCheck(triggerCatalog())
	r := newRig()
	r.lambda.mappings["uuid-"+sg].updateErr = apiError("ThrottlingException")
	event := cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", nil)
	if _, err := r.o.Handle(context.Background(), event); err == nil {
		t.Fatal("Handle with a mapping that cannot be enabled: no error")
	}
	r.lambda.mappings["uuid-"+sg].updateErr = nil
	if _, err := r.o.Handle(context.Background(), event); err != nil {
		t.Fatalf("retry of the event: %v", err)
	}
	if _, sent := r.sqs.jobs[sg+"/"+ownAccount+"/eu-west-1"]; !sent {
		t.Errorf("after the retry, jobs = %v; want the job of %s in %s/eu-west-1 (its window released by the failure)", r.sqs.jobs, sg, ownAccount)
	}
}

// TestNewReadsTheEventWindow: EVENT_WINDOW is whole seconds from 1s to
// 15m (60s when unset); TABLE_NAME gives the window store.
func TestNewReadsTheEventWindow(t *testing.T) {
	t.Parallel()
	queues := `{"` + regionalSGCheck(triggerCatalog()) + `":"q"}`
	tests := []struct {
		window, table string
		want          time.Duration
		wantErr       string
	}{
		{"", "", 60 * time.Second, ""},
		{" 90s ", "findings", 90 * time.Second, ""},
		{"1s", "", time.Second, ""},
		{"15m", "", 15 * time.Minute, ""},
		{"0s", "", 0, "not within"},
		{"500ms", "", 0, "not within"},
		{"15m1s", "", 0, "not within"},
		{"-1m", "", 0, "not within"},
		{"1.5s", "", 0, "whole number of seconds"},
		{"soon", "", 0, pipeline.EnvEventWindow},
	}
	for _, tt := range tests {
		env := map[string]string{pipeline.EnvAccount: "123456789012", pipeline.EnvCheckQueues: queues, pipeline.EnvEventWindow: tt.window, pipeline.EnvTableName: tt.table}
		o, err := New(aws.Config{}, func(name string) string { return env[name] })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), pipeline.EnvEventWindow) {
				t.Errorf("New(%s=%q) error = %v, want one naming %s and containing %q", pipeline.EnvEventWindow, tt.window, err, pipeline.EnvEventWindow, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%s=%q): %v", pipeline.EnvEventWindow, tt.window, err)
			continue
		}
		_, isStore := o.Windows.(*store.Store)
		if o.EventWindow != tt.want || isStore != (tt.table != "") || (tt.table == "") != (o.Windows == nil) {
			t.Errorf("New(%s=%q, %s=%q): window %s, window store %T; want %s and a store %v", pipeline.EnvEventWindow, tt.window,
				pipeline.EnvTableName, tt.table, o.EventWindow, o.Windows, tt.want, tt.table != "")
		}
	}
}

// TestCatalogTriggersEveryEventFamily: the generated catalog re-checks a
// call of each family the issue names. It reads catalog.json, so it
// passes once `make docs` has written the checks' triggers into it.
func TestCatalogTriggersEveryEventFamily(t *testing.T) {
	t.Parallel()
	families := []struct{ family, source, name string }{
		{"security group", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"},
		{"EBS snapshot", "ec2.amazonaws.com", "ModifySnapshotAttribute"},
		{"RDS snapshot", "rds.amazonaws.com", "ModifyDBSnapshotAttribute"},
		{"bucket policy", "s3.amazonaws.com", "PutBucketPolicy"},
		{"trail", "cloudtrail.amazonaws.com", "StopLogging"},
	}
	all := catalog.All()
	for _, f := range families {
		if len(wantJobs(all, f.source, f.name, ownAccount, "eu-west-1")) == 0 {
			t.Errorf("%s: no implemented check of %s is triggered by %s %s", f.family, catalog.File, f.source, f.name)
		}
	}
}

// FuzzCloudTrailDetail hands the orchestrator arbitrary CloudTrail event
// details, as anyone allowed to put events on the bus can. It must never
// panic; what it accepts must yield only jobs the check worker accepts, as
// many as the summary says, each delayed by the window.
func FuzzCloudTrailDetail(f *testing.F) {
	for _, e := range []events.EventBridgeEvent{
		cloudTrailEvent("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ownAccount, "eu-west-1", nil),
		cloudTrailEvent("s3.amazonaws.com", "PutBucketPolicy", ownAccount, "ap-south-2", nil),
		cloudTrailEvent("iam.amazonaws.com", "CreateAccessKey", ownAccount, "us-east-1", func(d map[string]any) { d["errorCode"] = "AccessDenied" }),
	} {
		f.Add([]byte(e.Detail))
	}
	f.Add([]byte(`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","awsRegion":"eu-west-1"}`))
	f.Add([]byte(`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","awsRegion":"eu-west-1","eventID":""}`))
	f.Add([]byte(`{"eventSource":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, detail []byte) {
		r := newRig()
		event := events.EventBridgeEvent{DetailType: pipeline.CloudTrailDetailType, AccountID: ownAccount, Detail: json.RawMessage(detail)}
		summary, err := r.o.Handle(context.Background(), event)
		checkSentJobs(t, detail, r.sqs, summary, err)
		for key, d := range r.sqs.delays {
			if !slices.Equal(d, []int32{60}) {
				t.Errorf("detail %q: job %s delayed %v, want [60]", detail, key, d)
			}
		}
	})
}
