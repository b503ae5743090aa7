package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
)

// testCatalog is two implemented checks and one that is not.
func testCatalog() []catalog.Entry {
	return []catalog.Entry{
		catalog.EntryOf(ebspublicsnapshots.Meta, true),
		catalog.EntryOf(iampasswordpolicy.Meta, true),
		{ID: "NotYet0001", Slug: "not-yet", Scope: check.Regional},
	}
}

func regions(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("xx-test-%d", i))
	}
	return out
}

func TestOrchestratorScheduledEvent(t *testing.T) {
	t.Parallel()
	var event events.EventBridgeEvent
	pipelinetest.ReadEvent(t, "scheduled.json", &event)
	fake := &fakeSQS{keepBodies: true, failOnce: map[string]bool{`"region":"xx-test-7"`: true}}
	queues := map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"}
	o := &Orchestrator{Checks: testCatalog(), SQS: fake, Queues: queues, Regions: regions(23),
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }},
		Now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }}
	summary, err := o.Handle(context.Background(), event)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if summary.Jobs[ebspublicsnapshots.Meta.ID] != 23 || summary.Jobs[iampasswordpolicy.Meta.ID] != 1 {
		t.Errorf("jobs = %v, want 23 EBS jobs (one per region) and 1 password policy job (global)", summary.Jobs)
	}
	if got := len(fake.bodies["q-ebs"]); got != 23 {
		t.Errorf("EBS queue got %d messages, want 23 (the failed entry sent again)", got)
	}
	// 23 jobs → 3 batches, plus one resend of the failed entry; 1 batch for IAM.
	if got := fake.calls.Load(); got != 5 {
		t.Errorf("SendMessageBatch calls = %d, want 5", got)
	}
	job, err := pipeline.DecodeJobMessage(fake.bodies["q-iam"][0])
	if err != nil || job.Region != check.GlobalRegion || job.ScanID != summary.ScanID || job.Account != "123456789012" || job.AccountName != "" {
		t.Errorf("IAM job = %+v, %v; want a global job of scan %s", job, err, summary.ScanID)
	}
	if summary.Accounts != 1 || !reflect.DeepEqual(summary.AccountIDs, []string{"123456789012"}) {
		t.Errorf("summary accounts = %d %q, want the own account", summary.Accounts, summary.AccountIDs)
	}
	if !reflect.DeepEqual(summary.NotImplemented, []string{"NotYet0001"}) {
		t.Errorf("not implemented = %q, want the catalog's unimplemented check", summary.NotImplemented)
	}
}

func TestOrchestratorRefreshEvent(t *testing.T) {
	t.Parallel()
	var event events.EventBridgeEvent
	pipelinetest.ReadEvent(t, "refresh.json", &event)
	fake := &fakeSQS{}
	o := &Orchestrator{Checks: testCatalog(), SQS: fake, Queues: map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"}, Regions: regions(5),
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}}
	summary, err := o.Handle(context.Background(), event)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if !reflect.DeepEqual(summary.Jobs, map[string]int{ebspublicsnapshots.Meta.ID: 1, iampasswordpolicy.Meta.ID: 1}) || !reflect.DeepEqual(summary.Regions, []string{"eu-west-1"}) {
		t.Errorf("refresh summary = %+v, want one EBS job in eu-west-1 and one IAM job", summary)
	}
}

func TestOrchestratorRejectsBadRefreshAndMissingQueues(t *testing.T) {
	t.Parallel()
	account := Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}
	bad := []events.EventBridgeEvent{
		{DetailType: pipeline.RefreshDetailType, Detail: json.RawMessage(`{"checks":["no-such-check"]}`)},
		{DetailType: pipeline.RefreshDetailType, Detail: json.RawMessage(`{"checks":"ebs"}`)},
		{DetailType: pipeline.RefreshDetailType, Detail: json.RawMessage(`{"accounts":["1"]}`)},
	}
	for _, ev := range bad {
		o := &Orchestrator{Checks: testCatalog(), SQS: &fakeSQS{}, Queues: map[string]string{}, Regions: regions(1), Discovery: account}
		if _, err := o.Handle(context.Background(), ev); err == nil {
			t.Errorf("Handle(%s) = nil error, want the refresh rejected", ev.Detail)
		}
	}
	o := &Orchestrator{Checks: testCatalog(), SQS: &fakeSQS{}, Queues: map[string]string{ebspublicsnapshots.Meta.ID: "q"}, Regions: regions(1), Discovery: account}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{DetailType: "Scheduled Event"})
	if err == nil || !strings.Contains(err.Error(), "no queue") {
		t.Errorf("Handle with a queue missing: %v, want an error naming it", err)
	}
	if summary.Jobs[ebspublicsnapshots.Meta.ID] != 1 {
		t.Errorf("jobs = %v: the configured queue must still get its job", summary.Jobs)
	}
}

// TestRawPayloadsThroughTheLambdaHandler: see pipelinetest.RawPayloads.
func TestRawPayloadsThroughTheLambdaHandler(t *testing.T) {
	t.Parallel()
	o := &Orchestrator{Checks: testCatalog(), SQS: &fakeSQS{}, Regions: regions(1),
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }},
		Queues:    map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"}}
	pipelinetest.RawPayloads(t, pipelinetest.Orchestrator, o.Handle)
}

// TestNewReadsTheEnvironment: the queues must name checks of the catalog,
// the own account must be an account ID (it is the account Discovery
// returns), the accounts must be own, org or account IDs, every mapping
// needs a queue.
func TestNewReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	ebs, iam := ebspublicsnapshots.Meta.ID, iampasswordpolicy.Meta.ID
	queues := `{"` + ebs + `":"q-ebs","` + iam + `":"q-iam"}`
	tests := []struct {
		name         string
		env          map[string]string
		wantErr      string
		wantAccounts Accounts
		wantMappings map[string]string
	}{
		{"queues unset", map[string]string{}, pipeline.EnvCheckQueues + " is not set", Accounts{}, nil},
		{"queues not an object", map[string]string{pipeline.EnvCheckQueues: "[1]"}, "not a JSON object", Accounts{}, nil},
		{"unknown check", map[string]string{pipeline.EnvCheckQueues: `{"NoSuchCheck1":"q"}`}, "unknown check", Accounts{}, nil},
		{"own account", map[string]string{pipeline.EnvCheckQueues: queues}, "", Accounts{}, nil},
		{"own account unset", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccount: " "}, pipeline.EnvAccount + " is not set", Accounts{}, nil},
		{"own account not an ID", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccount: "12345"}, `"12345" is not a 12-digit account ID`, Accounts{}, nil},
		{"organization", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccounts: " org "}, "", Accounts{Org: true}, nil},
		{"account list", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccounts: "444455556666, 111122223333,444455556666"}, "",
			Accounts{IDs: []string{"111122223333", "444455556666"}}, nil},
		{"short account ID", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccounts: "111122223333,12345"}, `"12345" is neither`, Accounts{}, nil},
		{"org inside a list", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccounts: "org,111122223333"}, `"org" is neither`, Accounts{}, nil},
		{"account ID with letters", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvAccounts: "11112222333a"}, "neither", Accounts{}, nil},
		{"mappings", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvEventSourceMappings: `{"` + ebs + `":"uuid-ebs"}`}, "",
			Accounts{}, map[string]string{ebs: "uuid-ebs"}},
		{"mappings not an object", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvEventSourceMappings: `["uuid"]`}, "not a JSON object", Accounts{}, nil},
		{"mapping without queue", map[string]string{pipeline.EnvCheckQueues: `{"` + ebs + `":"q"}`, pipeline.EnvEventSourceMappings: `{"` + iam + `":"uuid-iam"}`}, "has no queue", Accounts{}, nil},
		{"empty mapping UUID", map[string]string{pipeline.EnvCheckQueues: queues, pipeline.EnvEventSourceMappings: `{"` + ebs + `":" "}`}, "empty mapping UUID", Accounts{}, nil},
	}
	for _, tt := range tests {
		const own = "123456789012"
		env := map[string]string{pipeline.EnvAccount: own, pipeline.EnvRegions: " eu-west-1, ,us-east-1"}
		maps.Copy(env, tt.env)
		o, err := New(aws.Config{}, func(name string) string { return env[name] })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: New(%v) error = %v, want one containing %q", tt.name, tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: New(%v): %v", tt.name, tt.env, err)
			continue
		}
		if !reflect.DeepEqual(o.Regions, []string{"eu-west-1", "us-east-1"}) || len(o.Checks) == 0 {
			t.Errorf("%s: regions %q, %d checks; want the two regions and the embedded catalog", tt.name, o.Regions, len(o.Checks))
		}
		if !reflect.DeepEqual(o.Accounts, tt.wantAccounts) || !reflect.DeepEqual(o.Mappings, tt.wantMappings) {
			t.Errorf("%s: New(%v) accounts %+v, mappings %v; want %+v, %v", tt.name, tt.env, o.Accounts, o.Mappings, tt.wantAccounts, tt.wantMappings)
		}
		if got, err := o.Discovery.Account(context.Background()); got != own || err != nil {
			t.Errorf("%s: New(%v) own account = %q, %v; want %q (%s)", tt.name, tt.env, got, err, own, pipeline.EnvAccount)
		}
	}
}

// TestOrchestratorScansTheOrganization: one job per (account, region,
// check), a global check once per account, each carrying the account's
// name from Organizations.
func TestOrchestratorScansTheOrganization(t *testing.T) {
	t.Parallel()
	members := []org.Account{{ID: "111122223333", Name: "management"}, {ID: "444455556666", Name: "prod"}, {ID: "777788889999", Name: "dev"}}
	fake := &fakeSQS{keepBodies: true}
	o := &Orchestrator{Checks: testCatalog(), SQS: fake, Regions: regions(4), Accounts: Accounts{Org: true},
		Queues: map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"},
		Discovery: Discovery{
			Account: func(context.Context) (string, error) {
				return "", errors.New("the own account is not asked in an organization scan")
			},
			Organization: func(context.Context) ([]org.Account, error) { return members, nil },
		}}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{DetailType: "Scheduled Event"})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if want := map[string]int{ebspublicsnapshots.Meta.ID: 12, iampasswordpolicy.Meta.ID: 3}; !reflect.DeepEqual(summary.Jobs, want) {
		t.Errorf("jobs = %v, want %v (3 accounts × 4 regions, and 3 global jobs)", summary.Jobs, want)
	}
	if summary.Accounts != 3 || !reflect.DeepEqual(summary.AccountIDs, []string{"111122223333", "444455556666", "777788889999"}) {
		t.Errorf("summary accounts = %d %q, want the 3 members", summary.Accounts, summary.AccountIDs)
	}
	names := map[string]string{}
	for _, a := range members {
		names[a.ID] = a.Name
	}
	for queue, bodies := range fake.bodies {
		for _, body := range bodies {
			job, err := pipeline.DecodeJobMessage(body)
			if err != nil {
				t.Fatalf("%s: %v", queue, err)
			}
			if job.AccountName != names[job.Account] {
				t.Errorf("job %s: account name %q, want %q", body, job.AccountName, names[job.Account])
			}
		}
	}
	if len(fake.bad) != 0 || len(fake.jobs) != 15 {
		t.Errorf("%d distinct jobs, %d bad; want 15 and none", len(fake.jobs), len(fake.bad))
	}

	for _, tt := range []struct {
		name    string
		list    func(context.Context) ([]org.Account, error)
		wantErr string
	}{
		{"ListAccounts denied", func(context.Context) ([]org.Account, error) {
			return nil, &check.OpError{Op: "organizations ListAccounts", Err: apiError("AccessDeniedException")}
		}, "organizations ListAccounts"},
		{"no active account", func(context.Context) ([]org.Account, error) { return nil, nil }, "no active account"},
	} {
		fake := &fakeSQS{}
		o := &Orchestrator{Checks: testCatalog(), SQS: fake, Regions: regions(1), Accounts: Accounts{Org: true},
			Queues: map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"}, Discovery: Discovery{Organization: tt.list}}
		if _, err := o.Handle(context.Background(), events.EventBridgeEvent{}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Handle error = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
		if n := fake.calls.Load(); n != 0 {
			t.Errorf("%s: %d SendMessageBatch calls, want none", tt.name, n)
		}
	}
}

// TestOrchestratorScansAnAccountList: listed accounts, no name, the own
// account not asked.
func TestOrchestratorScansAnAccountList(t *testing.T) {
	t.Parallel()
	fake := &fakeSQS{keepBodies: true}
	o := &Orchestrator{Checks: testCatalog(), SQS: fake, Regions: regions(2), Accounts: Accounts{IDs: []string{"444455556666", "111122223333"}},
		Queues:    map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"},
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "", errors.New("not asked") }}}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	for _, key := range []string{
		ebspublicsnapshots.Meta.ID + "/111122223333/xx-test-1", ebspublicsnapshots.Meta.ID + "/444455556666/xx-test-2",
		iampasswordpolicy.Meta.ID + "/111122223333/" + check.GlobalRegion, iampasswordpolicy.Meta.ID + "/444455556666/" + check.GlobalRegion,
	} {
		if fake.jobs[key] != 1 {
			t.Errorf("job %s sent %d times, want once", key, fake.jobs[key])
		}
	}
	if summary.Accounts != 2 || summary.Jobs[ebspublicsnapshots.Meta.ID] != 4 || summary.Jobs[iampasswordpolicy.Meta.ID] != 2 {
		t.Errorf("summary = %+v, want 2 accounts, 4 EBS and 2 IAM jobs", summary)
	}
}

// TestOrchestratorEnablesMappingsBeforeSending: a check's mapping is turned
// on before its first job is sent; one already on (or turning on) is not
// updated; a mapping busy with another update is tried again; a mapping
// that cannot be turned on fails the scan, and its check gets no job.
func TestOrchestratorEnablesMappingsBeforeSending(t *testing.T) {
	t.Parallel()
	ebs, iam := ebspublicsnapshots.Meta.ID, iampasswordpolicy.Meta.ID
	queues := map[string]string{ebs: "q-ebs", iam: "q-iam"}
	mappings := map[string]string{ebs: "uuid-ebs", iam: "uuid-iam"}
	tests := []struct {
		name        string
		ebs, iam    fakeMapping
		wantEnables []string // the mappings turned on, before any job is sent
		wantSends   []string // the queues sent to, in any order
		wantUpdates int
		wantErr     string
		wantJobs    map[string]int
	}{
		{"both off", fakeMapping{state: stateDisabled}, fakeMapping{state: stateDisabled},
			[]string{"enable uuid-ebs", "enable uuid-iam"}, []string{"send q-ebs", "send q-iam"}, 2, "", map[string]int{ebs: 3, iam: 1}},
		{"already on or turning on", fakeMapping{state: stateEnabled}, fakeMapping{state: stateEnabling},
			nil, []string{"send q-ebs", "send q-iam"}, 0, "", map[string]int{ebs: 3, iam: 1}},
		{"busy, then off", fakeMapping{state: stateDisabling, inUse: 2}, fakeMapping{state: stateEnabled},
			[]string{"enable uuid-ebs"}, []string{"send q-ebs", "send q-iam"}, 3, "", map[string]int{ebs: 3, iam: 1}},
		{"enable denied", fakeMapping{state: stateDisabled, updateErr: apiError("AccessDeniedException")}, fakeMapping{state: stateDisabled},
			[]string{"enable uuid-iam"}, []string{"send q-iam"}, 2, ebs + ": enable event source mapping uuid-ebs: lambda UpdateEventSourceMapping", map[string]int{iam: 1}},
		{"mapping unreadable", fakeMapping{state: stateDisabled, getErr: apiError("ResourceNotFoundException")}, fakeMapping{state: stateEnabled},
			nil, []string{"send q-iam"}, 0, "lambda GetEventSourceMapping", map[string]int{iam: 1}},
		{"busy for too long", fakeMapping{state: stateDisabling, inUse: mappingAttempts}, fakeMapping{state: stateEnabled},
			nil, []string{"send q-iam"}, mappingAttempts, "ResourceInUseException", map[string]int{iam: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeSQS{}
			ebsMapping, iamMapping := tt.ebs, tt.iam
			lambda := withLambda(fake, time.Time{}, map[string]*fakeMapping{"uuid-ebs": &ebsMapping, "uuid-iam": &iamMapping})
			o := &Orchestrator{Checks: testCatalog(), SQS: fake, Queues: queues, Mappings: mappings, Lambda: lambda, Regions: regions(3),
				Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}, sleep: noSleep}
			summary, err := o.Handle(context.Background(), events.EventBridgeEvent{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Handle error = %v, want %q", err, tt.wantErr)
			}
			var got []string
			seen := map[string]bool{}
			for _, line := range fake.log {
				if !seen[line] {
					got = append(got, line)
				}
				seen[line] = true
			}
			enables := got[:min(len(tt.wantEnables), len(got))]
			sends := slices.Sorted(slices.Values(got[len(enables):]))
			if !slices.Equal(enables, tt.wantEnables) || !slices.Equal(sends, tt.wantSends) {
				t.Errorf("calls = %q, want %q, then %q in any order", got, tt.wantEnables, tt.wantSends)
			}
			if lambda.updates != tt.wantUpdates {
				t.Errorf("UpdateEventSourceMapping calls = %d, want %d", lambda.updates, tt.wantUpdates)
			}
			if !reflect.DeepEqual(summary.Jobs, tt.wantJobs) {
				t.Errorf("jobs = %v, want %v", summary.Jobs, tt.wantJobs)
			}
		})
	}
}

// TestOrchestratorWithoutMappingsTouchesNone: no EVENT_SOURCE_MAPPINGS, no
// Lambda call (a nil client would panic).
func TestOrchestratorWithoutMappingsTouchesNone(t *testing.T) {
	t.Parallel()
	o := &Orchestrator{Checks: testCatalog(), SQS: &fakeSQS{counts: map[string][3]int{"q-ebs": {}, "q-iam": {}}}, Regions: regions(1),
		Queues:    map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"},
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}}
	if _, err := o.Handle(context.Background(), events.EventBridgeEvent{}); err != nil {
		t.Errorf("scan: %v", err)
	}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{DetailType: pipeline.SweepDetailType})
	if err != nil || summary.Sweep == nil || !reflect.DeepEqual(*summary.Sweep, SweepSummary{}) || summary.ScanID != "" {
		t.Errorf("sweep = %+v, %v; want an empty sweep and no scan", summary, err)
	}
}

// TestSendStopsACheckAtItsFirstFailure: a request SQS refuses (after the
// SDK's retries) ends that check's sending and fails the scan, naming it;
// the other checks are sent in full; an entry rejected as the sender's
// fault is not sent again.
func TestSendStopsACheckAtItsFirstFailure(t *testing.T) {
	t.Parallel()
	fake := &refusingSQS{fakeSQS: fakeSQS{}, refuse: "q-ebs"}
	o := &Orchestrator{Checks: testCatalog(), SQS: fake, Regions: regions(100), SendConcurrency: 4,
		Queues:    map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"},
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{})
	if err == nil || !strings.Contains(err.Error(), ebspublicsnapshots.Meta.ID+": sqs SendMessageBatch") {
		t.Errorf("Handle error = %v, want the EBS check's send failure", err)
	}
	if summary.Jobs[ebspublicsnapshots.Meta.ID] != 0 || summary.Jobs[iampasswordpolicy.Meta.ID] != 1 {
		t.Errorf("jobs = %v, want none for EBS and the IAM job", summary.Jobs)
	}
	// 10 batches of EBS jobs, 4 senders: the ones already in flight when
	// the first failed may still be tried, not the rest.
	if n := fake.refused.Load(); n > 4 {
		t.Errorf("%d requests to the refusing queue, want at most the 4 in flight", n)
	}

	rejecting := &fakeSQS{}
	o = &Orchestrator{Checks: testCatalog(), SQS: senderFault{rejecting}, Regions: regions(1),
		Queues:    map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", iampasswordpolicy.Meta.ID: "q-iam"},
		Discovery: Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}}
	if _, err := o.Handle(context.Background(), events.EventBridgeEvent{}); err == nil || !strings.Contains(err.Error(), "entry rejected: InvalidMessageContents") {
		t.Errorf("Handle with rejected entries: %v, want the rejection", err)
	}
	if n := rejecting.calls.Load(); n != 0 {
		t.Errorf("%d requests reached SQS through the rejecting wrapper, want none", n)
	}
}

// refusingSQS fails every request to one queue, as SQS does when the queue
// was deleted or the function may not send to it.
type refusingSQS struct {
	fakeSQS
	refuse  string
	refused atomic.Int64
}

func (r *refusingSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	if aws.ToString(in.QueueUrl) == r.refuse {
		r.refused.Add(1)
		time.Sleep(5 * time.Millisecond)
		return nil, apiError("AWS.SimpleQueueService.NonExistentQueue")
	}
	return r.fakeSQS.SendMessageBatch(ctx, in, opts...)
}

// senderFault answers every entry as failed by the sender's fault.
type senderFault struct{ *fakeSQS }

func (s senderFault) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InvalidMessageContents"), Message: aws.String("bad"), SenderFault: true})
	}
	return out, nil
}
