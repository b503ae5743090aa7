package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
)

// TestRawPayloadsThroughTheLambdaHandler hands each function's handler raw
// payloads as the Lambda runtime would: malformed, truncated, oversized or of
// the wrong type. Each answers with a clear error (or, for a well-formed but
// empty event, does nothing) — never a panic.
func TestRawPayloadsThroughTheLambdaHandler(t *testing.T) {
	t.Parallel()
	account := Discovery{Account: func(context.Context) (string, error) { return "123456789012", nil }}
	orchestrator := &Orchestrator{Checks: testCatalog(), SQS: &fakeSQS{}, Regions: regions(1), Discovery: account,
		Queues: map[string]string{ebspublicsnapshots.Meta.ID: "q-ebs", "Yw2K9puPzl": "q-iam"}}
	worker := &Worker{Check: check.Check{Meta: ebspublicsnapshots.Meta, Runner: fakeRunner{}}, Account: "123456789012", Store: &fakeStore{}}
	notifier := &Notifier{SNS: &fakeSNS{}, TopicARN: "t", Marks: &fakeMarks{}}
	handlers := map[string]lambda.Handler{
		"orchestrator": lambda.NewHandler(orchestrator.Handle),
		"worker":       lambda.NewHandler(worker.Handle),
		"notifier":     lambda.NewHandler(notifier.Handle),
	}
	oversized := `{"Records":[` + strings.Repeat(`{"messageId":"x","body":"`+strings.Repeat("y", 1000)+`"},`, 2000) + `{}]}`
	tests := []struct {
		name    string
		payload string
		wantErr map[string]bool // per handler: an error is expected
	}{
		{"not json", `hello`, map[string]bool{"orchestrator": true, "worker": true, "notifier": true}},
		{"truncated", `{"Records":[{"messageId":"a","bo`, map[string]bool{"orchestrator": true, "worker": true, "notifier": true}},
		{"wrong type: string", `"Records"`, map[string]bool{"orchestrator": true, "worker": true, "notifier": true}},
		// Any event that is not a refresh is a full scan (what the schedule sends,
		// or `aws lambda invoke --payload '{}'`), so the orchestrator accepts it.
		{"wrong type: records not a list", `{"Records":"x","detail":7}`, map[string]bool{"worker": true, "notifier": true}},
		{"empty object", `{}`, map[string]bool{}},
		{"refresh with a bad detail", `{"detail-type":"secadvisor refresh","detail":{"checks":"all"}}`, map[string]bool{"orchestrator": true}},
		{"record of the wrong shape", `{"Records":[{"messageId":"m1","body":"not a job","dynamodb":{"NewImage":{"status":{"S":"red"}}}}]}`, map[string]bool{}},
		{"oversized batch", oversized, map[string]bool{}},
	}
	for _, tt := range tests {
		for name, h := range handlers {
			out, err := h.Invoke(context.Background(), []byte(tt.payload))
			if got := err != nil; got != tt.wantErr[name] {
				t.Errorf("%s given %s: error = %v (output %.200s), want error %v", name, tt.name, err, out, tt.wantErr[name])
			}
		}
	}
	// The worker reports every unreadable message of a well-formed batch as failed.
	out, err := handlers["worker"].Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","body":"not a job"},{"messageId":"m2","body":""}]}`))
	if err != nil || !strings.Contains(string(out), `"itemIdentifier":"m1"`) || !strings.Contains(string(out), `"itemIdentifier":"m2"`) {
		t.Errorf("worker on unreadable messages = %s, %v; want both reported as batch item failures", out, err)
	}
}
