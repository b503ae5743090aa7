package orchestrator

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
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
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
)

// fakeSQS accepts batches, failing the entries named in failOnce once each.
type fakeSQS struct {
	mu       sync.Mutex
	failOnce map[string]bool // message body substrings to fail once
	bodies   map[string][]string
	calls    int
}

func (f *fakeSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(in.Entries) > 10 {
		return nil, fmt.Errorf("TooManyEntriesInBatchRequest: %d", len(in.Entries))
	}
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		body := aws.ToString(e.MessageBody)
		failed := false
		for marker := range f.failOnce {
			if strings.Contains(body, marker) {
				delete(f.failOnce, marker)
				failed = true
			}
		}
		if failed {
			out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), SenderFault: false})
			continue
		}
		if f.bodies == nil {
			f.bodies = map[string][]string{}
		}
		f.bodies[aws.ToString(in.QueueUrl)] = append(f.bodies[aws.ToString(in.QueueUrl)], body)
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

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
	fake := &fakeSQS{failOnce: map[string]bool{`"region":"xx-test-7"`: true}}
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
	if fake.calls != 5 {
		t.Errorf("SendMessageBatch calls = %d, want 5", fake.calls)
	}
	job, err := pipeline.DecodeJobMessage(fake.bodies["q-iam"][0])
	if err != nil || job.Region != check.GlobalRegion || job.ScanID != summary.ScanID || job.Account != "123456789012" {
		t.Errorf("IAM job = %+v, %v; want a global job of scan %s", job, err, summary.ScanID)
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

// TestNewReadsTheEnvironment: the queues must name checks of the catalog.
func TestNewReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"queues unset", map[string]string{}, pipeline.EnvCheckQueues + " is not set"},
		{"queues not an object", map[string]string{pipeline.EnvCheckQueues: "[1]"}, "not a JSON object"},
		{"unknown check", map[string]string{pipeline.EnvCheckQueues: `{"NoSuchCheck1":"q"}`}, "unknown check"},
		{"good", map[string]string{pipeline.EnvCheckQueues: `{"` + ebspublicsnapshots.Meta.ID + `":"q"}`, pipeline.EnvRegions: " eu-west-1, ,us-east-1"}, ""},
	}
	for _, tt := range tests {
		o, err := New(aws.Config{}, func(name string) string { return tt.env[name] })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: New error = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: New: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(o.Regions, []string{"eu-west-1", "us-east-1"}) || len(o.Checks) == 0 {
			t.Errorf("%s: regions %q, %d checks; want the two regions and the embedded catalog", tt.name, o.Regions, len(o.Checks))
		}
	}
}
