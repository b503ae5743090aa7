package worker

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/org/member"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// fakeStore records Apply calls and fails those for failRegion; it holds
// rules (or fails to read them with rulesErr) and counts their reads.
type fakeStore struct {
	mu         sync.Mutex
	applied    []store.JobResult
	failRegion string
	rules      []suppress.Rule
	rulesErr   error
	rulesReads int
}

func (f *fakeStore) Suppressions(context.Context) ([]suppress.Rule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rulesReads++
	return f.rules, f.rulesErr
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
	pipelinetest.ReadEvent(t, "sqs-jobs.json", &sample)
	job := func(mutate func(*pipeline.JobMessage)) events.SQSMessage {
		j := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: "s1", ScanTime: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), CheckID: ebspublicsnapshots.Meta.ID, Account: "123456789012", Region: "eu-west-1"}
		mutate(&j)
		return events.SQSMessage{MessageId: j.Region + "/" + j.CheckID + "/" + j.Account, Body: j.Encode()}
	}
	event := events.SQSEvent{Records: append(sample.Records, // the sample: one good job, one truncated
		job(func(j *pipeline.JobMessage) { j.CheckID = iampasswordpolicy.Meta.ID }),                 // another check's job
		job(func(j *pipeline.JobMessage) { j.Account = "210987654321" }),                            // another account, entered
		job(func(j *pipeline.JobMessage) { j.Account = "999988887777"; j.AccountName = "sandbox" }), // another account, not entered
		job(func(j *pipeline.JobMessage) { j.Region = check.GlobalRegion }),                         // global job for a regional check
		job(func(j *pipeline.JobMessage) { j.Region = "us-east-1" }),                                // good
		job(func(j *pipeline.JobMessage) { j.Region = "ap-south-1" }),                               // store fails
		events.SQSMessage{MessageId: "wrong-type", Body: `{"v":"one"}`},                             // wrong types
		events.SQSMessage{MessageId: "empty", Body: ``},                                             // empty
		events.SQSMessage{MessageId: "huge", Body: strings.Repeat("x", 1<<20)},                      // oversized
	)}
	fs := &fakeStore{failRegion: "ap-south-1"}
	accounts := &fakeAccounts{own: "123456789012", deny: map[string]bool{"999988887777": true}}
	w := &Worker{Check: check.Check{Meta: ebspublicsnapshots.Meta, Runner: fakeRunner{}}, Account: "123456789012", Accounts: accounts, Store: fs}
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
		"global/" + ebspublicsnapshots.Meta.ID + "/123456789012",
		"ap-south-1/" + ebspublicsnapshots.Meta.ID + "/123456789012",
		"wrong-type", "empty", "huge",
	}
	if !reflect.DeepEqual(failed, want) {
		t.Errorf("batch item failures = %q,\nwant %q", failed, want)
	}
	// The good jobs, in order: own account, the entered account, the
	// account not entered (one error finding, stored), us-east-1.
	var stored []string
	for _, r := range fs.applied {
		stored = append(stored, r.Account+"/"+r.Region)
	}
	if want := []string{"123456789012/eu-west-1", "210987654321/eu-west-1", "999988887777/eu-west-1", "123456789012/us-east-1"}; !reflect.DeepEqual(stored, want) {
		t.Fatalf("stored = %q, want %q", stored, want)
	}
	if got := fs.applied[0]; got.ScanID != "scan-20261128T120000Z-5f1d2c3b" || got.Findings[0].Columns["Status"] != "Green" {
		t.Errorf("stored job = %+v, want the sample's scan with completed columns", got)
	}
	if f := fs.applied[1].Findings; len(f) != 1 || f[0].Status != check.Green || f[0].Account != "210987654321" {
		t.Errorf("findings of the entered account = %+v, want the check's green finding for it", f)
	}
	denied := fs.applied[2].Findings
	if len(denied) != 1 || denied[0].Status != check.Error || denied[0].ResourceID != check.WholeScope || denied[0].AccountName != "sandbox" ||
		!strings.Contains(denied[0].Reason, "arn:aws:iam::999988887777:role/secadvisor-member") || !strings.Contains(denied[0].Reason, "AccessDenied") ||
		denied[0].Columns["Status"] != "Error" {
		t.Errorf("findings of the account not entered = %+v, want one error finding for (all) naming the role and AccessDenied", denied)
	}
	if want := []string{"210987654321", "999988887777"}; !reflect.DeepEqual(accounts.entered, want) {
		t.Errorf("entered %q, want %q (every job for another account)", accounts.entered, want)
	}
}

// fakeAccounts enters every account but those in deny, as member.Accounts
// would answer them.
type fakeAccounts struct {
	own     string
	deny    map[string]bool
	mu      sync.Mutex
	entered []string
}

func (f *fakeAccounts) Config(string) aws.Config { return aws.Config{} }

func (f *fakeAccounts) Enter(_ context.Context, account string) error {
	if account == f.own {
		return nil
	}
	f.mu.Lock()
	f.entered = append(f.entered, account)
	f.mu.Unlock()
	if f.deny[account] {
		real := member.NewAccounts(member.Entry{Own: f.own})
		return real.EnterError(account, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: sts:AssumeRole"})
	}
	return nil
}

// TestRawPayloadsThroughTheLambdaHandler: see pipelinetest.RawPayloads. The
// worker also reports every unreadable message of a well-formed batch as failed.
func TestRawPayloadsThroughTheLambdaHandler(t *testing.T) {
	t.Parallel()
	w := &Worker{Check: check.Check{Meta: ebspublicsnapshots.Meta, Runner: fakeRunner{}}, Account: "123456789012", Store: &fakeStore{}}
	pipelinetest.RawPayloads(t, pipelinetest.Worker, w.Handle)
	out, err := lambda.NewHandler(w.Handle).Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","body":"not a job"},{"messageId":"m2","body":""}]}`))
	if err != nil || !strings.Contains(string(out), `"itemIdentifier":"m1"`) || !strings.Contains(string(out), `"itemIdentifier":"m2"`) {
		t.Errorf("worker on unreadable messages = %s, %v; want both reported as batch item failures", out, err)
	}
}
