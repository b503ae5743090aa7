package localpipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/dev/faultinject"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
)

// TestPipelineEndToEnd drives schedule → orchestrator → SQS → check workers
// → DynamoDB → stream → notifier → SNS → subscribed queue on the emulator,
// then re-scans the unchanged account and then a fixed one.
func TestPipelineEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	region := "eu-west-1"
	_, public := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, region) // the private one stays green throughout

	recorder := awsx.NewRecorder()
	counted := recorder.Counting(cfg)
	p, err := Setup(ctx, counted, Options{Name: "e2e", Account: account, Regions: []string{region}, NotifyResolved: true})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}

	// First scan: the public snapshot is a new red finding → one alert.
	run := runScan(t, p, Scheduled(time.Now()), "first scan")
	ebsAlerts := alertsFor(run.Alerts, ebspublicsnapshots.Meta.ID)
	if len(ebsAlerts) != 1 || !strings.Contains(ebsAlerts[0].Body, public) || ebsAlerts[0].Attributes["status"] != "red" || ebsAlerts[0].Attributes["account"] != account {
		t.Fatalf("first scan EBS alerts = %+v, want one red alert naming %s", ebsAlerts, public)
	}
	red, err := p.Store.Query(ctx, store.Filter{Status: check.Red, Account: account, CheckID: ebspublicsnapshots.Meta.ID})
	if err != nil || len(red) != 1 || red[0].ResourceID != public {
		t.Fatalf("red index = %+v, %v; want %s", red, err, public)
	}

	// Second scan of the unchanged account: no finding written, no alert.
	before := recorder.Calls("DynamoDB", "BatchWriteItem")
	run = runScan(t, p, Scheduled(time.Now()), "second scan")
	if got := recorder.Calls("DynamoDB", "BatchWriteItem") - before; got != 0 {
		t.Errorf("unchanged re-scan made %d BatchWriteItem calls, want 0", got)
	}
	if len(run.Alerts) != 0 {
		t.Errorf("unchanged re-scan alerted: %+v", run.Alerts)
	}

	// Fix the snapshot: a resolved alert, and it leaves the red index.
	ebspublicsnapshotstest.SetPublic(t, cfg, region, public, false)
	run = runScan(t, p, Scheduled(time.Now()), "third scan")
	ebsAlerts = alertsFor(run.Alerts, ebspublicsnapshots.Meta.ID)
	if len(ebsAlerts) != 1 || ebsAlerts[0].Attributes["status"] != "resolved" || !strings.Contains(ebsAlerts[0].Subject, "no longer red") {
		t.Errorf("after the fix, EBS alerts = %+v, want one resolved alert", ebsAlerts)
	}
	red, err = p.Store.Query(ctx, store.Filter{Status: check.Red, Account: account, CheckID: ebspublicsnapshots.Meta.ID})
	if err != nil || len(red) != 0 {
		t.Errorf("red index after the fix = %+v, %v; want empty", red, err)
	}
}

// TestPoisonMessagesEndInTheDLQ sends a malformed message, a job for another
// check and one for an unknown check to a check's queue next to a good job: the good job is
// stored, the bad ones go to the DLQ after MaxReceiveCount receives.
func TestPoisonMessagesEndInTheDLQ(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	p, err := Setup(ctx, cfg, Options{Name: "poison", Account: account, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	queue := p.Queues[ebspublicsnapshots.Meta.ID]
	client := sqs.NewFromConfig(cfg)
	good := `{"v":1,"scanId":"s1","scanTime":"2026-11-28T12:00:00Z","checkId":"ePs02jT06w","account":"` + account + `","region":"us-east-1"}`
	otherCheck := strings.Replace(good, "ePs02jT06w", "Yw2K9puPzl", 1)
	unknownCheck := strings.Replace(good, "ePs02jT06w", "NoSuchCheck1", 1)
	for _, body := range []string{"{not json", good, otherCheck, unknownCheck} {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	failed, err := p.DrainQueues(ctx)
	if err != nil {
		t.Fatalf("DrainQueues: %v", err)
	}
	if failed != 3*MaxReceiveCount {
		t.Errorf("failed deliveries = %d, want %d (3 bad messages × %d receives)", failed, 3*MaxReceiveCount, MaxReceiveCount)
	}
	dead, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.DLQs[ebspublicsnapshots.Meta.ID]), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatalf("receive DLQ: %v", err)
	}
	if len(dead.Messages) != 3 {
		t.Errorf("DLQ holds %d messages, want the 3 bad ones", len(dead.Messages))
	}
	// DrainQueues returned with the queue empty: the good job was handled and deleted.
}

func alertsFor(alerts []Alert, checkID string) []Alert {
	var out []Alert
	for _, a := range alerts {
		if a.Attributes["checkId"] == checkID {
			out = append(out, a)
		}
	}
	return out
}

// TestPipelineUnderFaultsAndRedelivery runs the pipeline with 20 % transient
// faults on every AWS call it makes (SQS, DynamoDB, the stream, SNS),
// retried by the production retryer: the public snapshot still gives exactly
// one stored red finding and exactly one alert. Then the same job is
// delivered again: nothing is written and nobody is alerted twice.
func TestPipelineUnderFaultsAndRedelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	region := "us-east-1"
	snap := ebspublicsnapshotstest.Public(t, cfg, region)

	transport := faultinject.New(nil, faultinject.Options{Rate: 0.2, Seed: 42})
	faulty := cfg.Copy()
	faulty.HTTPClient = transport.Client()
	faulty.Retryer = awsx.Retryer
	recorder := awsx.NewRecorder()
	faulty = recorder.Counting(faulty)
	p, err := Setup(ctx, faulty, Options{Name: "faults", Account: account, Regions: []string{region}})
	if err != nil {
		t.Fatalf("Setup under faults: %v", err)
	}
	// The SDK retries transient faults: no job message may fail.
	run := runScan(t, p, refreshPublicSnapshots(), "scan under faults")
	t.Logf("faults injected: %v over %d requests", transport.Injected(), transport.Requests())
	if transport.Total() == 0 {
		t.Fatal("no fault was injected: the test proves nothing")
	}
	if len(run.Alerts) != 1 || !strings.Contains(run.Alerts[0].Body, snap) {
		t.Fatalf("alerts = %+v, want exactly one naming %s", run.Alerts, snap)
	}
	red, err := p.Store.Query(ctx, store.Filter{Status: check.Red, Account: account, CheckID: ebspublicsnapshots.Meta.ID})
	if err != nil || len(red) != 1 {
		t.Fatalf("red findings = %+v, %v; want exactly the public snapshot", red, err)
	}

	// SQS delivers the same job again (at-least-once delivery).
	job := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: run.Summary.ScanID, ScanTime: run.Summary.ScanTime,
		CheckID: ebspublicsnapshots.Meta.ID, Account: account, Region: region}
	if _, err := sqs.NewFromConfig(faulty).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(p.Queues[ebspublicsnapshots.Meta.ID]), MessageBody: aws.String(job.Encode())}); err != nil {
		t.Fatalf("redeliver: %v", err)
	}
	writes := recorder.Calls("DynamoDB", "BatchWriteItem")
	if failed, err := p.DrainQueues(ctx); err != nil || failed != 0 {
		t.Fatalf("redelivered job: %d failed, %v", failed, err)
	}
	alerts := streamAlerts(t, p)
	if got := recorder.Calls("DynamoDB", "BatchWriteItem") - writes; got != 0 || len(alerts) != 0 {
		t.Errorf("redelivered job: %d BatchWriteItem calls and %d alerts, want none", got, len(alerts))
	}
}

// runScan runs one scan of the pipeline, to its alerts, and requires that no
// job message failed; what names the scan in failures.
func runScan(t *testing.T, p *Pipeline, event events.EventBridgeEvent, what string) Run {
	t.Helper()
	run, err := p.Scan(context.Background(), event)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if run.Failed != 0 {
		t.Errorf("%s: %d failed job messages, want 0", what, run.Failed)
	}
	return run
}

// refreshPublicSnapshots is the refresh event that re-runs EBS Public
// Snapshots only.
func refreshPublicSnapshots() events.EventBridgeEvent {
	refresh := Scheduled(time.Now())
	refresh.DetailType, refresh.Detail = pipeline.RefreshDetailType, []byte(`{"checks":["`+ebspublicsnapshots.Meta.Slug+`"]}`)
	return refresh
}

// streamAlerts delivers the table's stream to the notifier and returns the
// alerts it published.
func streamAlerts(t *testing.T, p *Pipeline) []Alert {
	t.Helper()
	ctx := context.Background()
	if err := p.PumpStream(ctx); err != nil {
		t.Fatalf("pump stream: %v", err)
	}
	alerts, err := p.ReadAlerts(ctx)
	if err != nil {
		t.Fatalf("read alerts: %v", err)
	}
	return alerts
}
