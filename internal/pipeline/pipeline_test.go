package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/store"
)

// readEvent decodes a sample payload of events/ into the real Lambda event type.
func readEvent(t *testing.T, name string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatalf("read sample event: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("decode %s as %T: %v", name, into, err)
	}
}

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
func testCatalog() []check.Check {
	return []check.Check{
		{Meta: ebspublicsnapshots.Meta, Runner: fakeRunner{}},
		{Meta: iampasswordpolicy.Meta, Runner: fakeRunner{}},
		{Meta: check.Meta{ID: "NotYet0001", Slug: "not-yet", Scope: check.Regional}},
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
	readEvent(t, "scheduled.json", &event)
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
	job, err := DecodeJob(fake.bodies["q-iam"][0])
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
	readEvent(t, "refresh.json", &event)
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
		{DetailType: RefreshDetailType, Detail: json.RawMessage(`{"checks":["no-such-check"]}`)},
		{DetailType: RefreshDetailType, Detail: json.RawMessage(`{"checks":"ebs"}`)},
		{DetailType: RefreshDetailType, Detail: json.RawMessage(`{"accounts":["1"]}`)},
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

// fakeStore records Apply calls and fails those for failRegion.
type fakeStore struct {
	mu         sync.Mutex
	applied    []store.JobResult
	failRegion string
}

func (f *fakeStore) Apply(_ context.Context, r store.JobResult) (store.ApplyStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Region == f.failRegion {
		return store.ApplyStats{}, errors.New("ProvisionedThroughputExceededException")
	}
	f.applied = append(f.applied, r)
	return store.ApplyStats{Put: len(r.Findings)}, nil
}

// fakeRunner makes the check runnable without AWS.
type fakeRunner struct{}

func (fakeRunner) Run(_ context.Context, t check.Target) ([]check.Finding, error) {
	return []check.Finding{ebspublicsnapshots.Meta.NewFinding(t, "snap-1", check.Green, "fine", nil)}, nil
}

func TestWorkerRejectsBadMessagesAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	var sample events.SQSEvent
	readEvent(t, "sqs-jobs.json", &sample)
	job := func(mutate func(*Job)) events.SQSMessage {
		j := Job{Version: JobVersion, ScanID: "s1", ScanTime: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), CheckID: ebspublicsnapshots.Meta.ID, Account: "123456789012", Region: "eu-west-1"}
		mutate(&j)
		return events.SQSMessage{MessageId: j.Region + "/" + j.CheckID + "/" + j.Account, Body: j.Encode()}
	}
	event := events.SQSEvent{Records: append(sample.Records, // the sample: one good job, one truncated
		job(func(j *Job) { j.CheckID = iampasswordpolicy.Meta.ID }),            // another check's job
		job(func(j *Job) { j.Account = "210987654321" }),                       // another account
		job(func(j *Job) { j.Region = check.GlobalRegion }),                    // global job for a regional check
		job(func(j *Job) { j.Region = "us-east-1" }),                           // good
		job(func(j *Job) { j.Region = "ap-south-1" }),                          // store fails
		events.SQSMessage{MessageId: "wrong-type", Body: `{"v":"one"}`},        // wrong types
		events.SQSMessage{MessageId: "empty", Body: ``},                        // empty
		events.SQSMessage{MessageId: "huge", Body: strings.Repeat("x", 1<<20)}, // oversized
	)}
	fs := &fakeStore{failRegion: "ap-south-1"}
	w := &Worker{Check: check.Check{Meta: ebspublicsnapshots.Meta, Runner: fakeRunner{}}, Account: "123456789012", Store: fs}
	resp, err := w.Handle(context.Background(), event)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	want := []string{
		"5a1e0c77-0d4b-4a8a-8f7e-aa0000000bad",
		"eu-west-1/" + iampasswordpolicy.Meta.ID + "/123456789012",
		"eu-west-1/" + ebspublicsnapshots.Meta.ID + "/210987654321",
		"global/" + ebspublicsnapshots.Meta.ID + "/123456789012",
		"ap-south-1/" + ebspublicsnapshots.Meta.ID + "/123456789012",
		"wrong-type", "empty", "huge",
	}
	if !reflect.DeepEqual(failed, want) {
		t.Errorf("batch item failures = %q,\nwant %q", failed, want)
	}
	if len(fs.applied) != 2 || fs.applied[0].Region != "eu-west-1" || fs.applied[1].Region != "us-east-1" {
		t.Errorf("stored = %+v, want the two good jobs", fs.applied)
	}
	if got := fs.applied[0]; got.ScanID != "scan-20261128T120000Z-5f1d2c3b" || got.Findings[0].Columns["Status"] != "Green" {
		t.Errorf("stored job = %+v, want the sample's scan with completed columns", got)
	}
}
