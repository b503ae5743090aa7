package orchestrator

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// FuzzRefreshDetail hands the orchestrator arbitrary refresh-event details,
// as anyone allowed to put events on the bus can. It must never panic; a
// detail it accepts must yield only jobs the check worker accepts, as many as
// the summary says.
func FuzzRefreshDetail(f *testing.F) {
	f.Add([]byte(`{"checks":["ebs-public-snapshots"],"regions":["eu-west-1"]}`))
	f.Add([]byte(`{"checks":["Yw2K9puPzl"]}`))
	f.Add([]byte(`{"regions":[]}`))
	f.Add([]byte(`{"checks":["no-such-check"]}`))
	f.Add([]byte(`{"checks":"ebs-public-snapshots"}`))
	f.Add([]byte(`{"unknown":1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"checks":null,"regions":["",""]}`))
	f.Add([]byte(`[1,2`))
	f.Fuzz(func(t *testing.T, detail []byte) {
		catalog := testCatalog()
		queues := map[string]string{}
		for _, c := range catalog {
			queues[c.ID] = "https://sqs.test/" + c.ID
		}
		sqs := &fakeSQS{keepBodies: true}
		o := &Orchestrator{
			Checks: catalog, SQS: sqs, Queues: queues,
			Discovery: Discovery{
				Account: func(context.Context) (string, error) { return "123456789012", nil },
				Regions: func(context.Context) ([]string, error) { return regions(2), nil },
			},
			Now: func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		}
		event := events.EventBridgeEvent{DetailType: pipeline.RefreshDetailType, Source: "secadvisor", Detail: json.RawMessage(detail)}
		summary, err := o.Handle(context.Background(), event)
		checkSentJobs(t, detail, sqs, summary, err)
	})
}

// checkSentJobs fails t unless every message the orchestrator sent for
// detail is a job the check worker accepts and, when Handle succeeded, the
// summary counts as many jobs as were sent.
func checkSentJobs(t *testing.T, detail []byte, sqs *fakeSQS, summary ScanSummary, handleErr error) {
	t.Helper()
	sent := 0
	for _, bodies := range sqs.bodies {
		for _, body := range bodies {
			sent++
			if _, err := pipeline.DecodeJobMessage(body); err != nil {
				t.Errorf("detail %q: the orchestrator sent a job the worker rejects: %v\n%s", detail, err, body)
			}
		}
	}
	if handleErr != nil {
		return
	}
	want := 0
	for _, n := range summary.Jobs {
		want += n
	}
	if sent != want {
		t.Errorf("detail %q: %d messages sent, the summary counts %d", detail, sent, want)
	}
}
