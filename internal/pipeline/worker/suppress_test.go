package worker

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// redRunner finds two public snapshots, and counts its runs.
type redRunner struct{ runs atomic.Int32 }

func (r *redRunner) Run(_ context.Context, t check.Target) ([]check.Finding, error) {
	r.runs.Add(1)
	return []check.Finding{
		ebspublicsnapshots.Meta.NewFinding(t, "snap-accepted", check.Red, "public", nil),
		ebspublicsnapshots.Meta.NewFinding(t, "snap-expired", check.Red, "public", nil),
	}, nil
}

// jobEvent is one SQS message with the EBS job of account in eu-west-1 at scanTime.
func jobEvent(id string, scanTime time.Time) events.SQSEvent {
	j := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: id, ScanTime: scanTime, CheckID: ebspublicsnapshots.Meta.ID, Account: "123456789012", Region: "eu-west-1"}
	return events.SQSEvent{Records: []events.SQSMessage{{MessageId: id, Body: j.Encode()}}}
}

// TestWorkerAppliesStoredSuppressions: the stored rules active on the
// job's scan day suppress its findings before they are written; the rules
// are read once per RulesTTL; a failed read fails the job before the check
// runs, and is tried again by the next job.
func TestWorkerAppliesStoredSuppressions(t *testing.T) {
	t.Parallel()
	scanTime := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	newRule := func(id, resource, expires string) suppress.Rule {
		r, err := suppress.New(id, "ebs-public-snapshots", "123456789012", "*", resource, "accepted", "ops", expires, scanTime.AddDate(0, -1, 0), suppress.DefaultMaxAhead)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	fs := &fakeStore{rules: []suppress.Rule{
		newRule("sup-accepted", "snap-accepted", "2026-11-28"), // its last day
		newRule("sup-expired", "snap-expired", "2026-11-27"),
	}}
	runner := &redRunner{}
	clock := scanTime
	w := &Worker{Check: check.Check{Meta: ebspublicsnapshots.Meta, Runner: runner}, Account: "123456789012", Accounts: &fakeAccounts{own: "123456789012"},
		Store: fs, now: func() time.Time { return clock }}

	resp, err := w.Handle(context.Background(), jobEvent("j1", scanTime))
	if err != nil || len(resp.BatchItemFailures) != 0 || len(fs.applied) != 1 {
		t.Fatalf("Handle = %+v, %v, %d results stored; want the job stored", resp, err, len(fs.applied))
	}
	got := map[string]string{}
	for _, f := range fs.applied[0].Findings {
		got[f.ResourceID] = fmt.Sprintf("%s suppressed=%v", f.Status, f.Suppressed)
		if f.Suppressed && (f.Suppression == nil || f.Suppression.Rule != "sup-accepted" || f.Suppression.Expires != "2026-11-28") {
			t.Errorf("%s suppression = %+v, want rule sup-accepted until 2026-11-28", f.ResourceID, f.Suppression)
		}
	}
	want := map[string]string{"snap-accepted": "red suppressed=true", "snap-expired": "red suppressed=false"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored findings = %v, want %v", got, want)
	}

	// Within RulesTTL the rules are not read again; after it, they are.
	for i, step := range []struct {
		advance   time.Duration
		wantReads int
	}{{RulesTTL - time.Second, 1}, {time.Second, 2}} {
		clock = clock.Add(step.advance)
		if _, err := w.Handle(context.Background(), jobEvent(fmt.Sprint("j", i+2), scanTime)); err != nil {
			t.Fatal(err)
		}
		if fs.rulesReads != step.wantReads {
			t.Errorf("%v after the first read: %d rule reads, want %d", clock.Sub(scanTime), fs.rulesReads, step.wantReads)
		}
	}

	// The rules cannot be read: the job fails, the check does not run, nothing is written.
	clock = clock.Add(RulesTTL)
	fs.rulesErr = errors.New("dynamodb Query (suppressions): AccessDeniedException")
	runs, stored := runner.runs.Load(), len(fs.applied)
	resp, err = w.Handle(context.Background(), jobEvent("j-fail", scanTime))
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "j-fail" {
		t.Errorf("Handle with unreadable rules = %+v, %v; want the message failed, for SQS to retry", resp, err)
	}
	if runner.runs.Load() != runs || len(fs.applied) != stored {
		t.Errorf("with unreadable rules the check ran %d times and %d results were stored; want neither", runner.runs.Load()-runs, len(fs.applied)-stored)
	}
	// The failure is not cached: the next job reads again and goes through.
	fs.rulesErr = nil
	reads := fs.rulesReads
	if resp, err := w.Handle(context.Background(), jobEvent("j-retry", scanTime)); err != nil || len(resp.BatchItemFailures) != 0 || fs.rulesReads != reads+1 {
		t.Errorf("retry = %+v, %v, %d new reads; want success after one read", resp, err, fs.rulesReads-reads)
	}
}
