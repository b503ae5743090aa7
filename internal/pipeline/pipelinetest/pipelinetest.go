// Package pipelinetest holds what the tests of the functions' packages
// share: the sample events of events/ and the raw payloads every handler
// must survive.
package pipelinetest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// ReadEvent decodes a sample payload of events/ into the real Lambda event
// type, rejecting fields the type does not have. It is called from the tests
// of internal/pipeline/<function>, three levels below the module root.
func ReadEvent(t *testing.T, name string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "events", name))
	if err != nil {
		t.Fatalf("read sample event: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("decode %s as %T: %v", name, into, err)
	}
}

// The functions, as RawPayloads names them.
const (
	Orchestrator = "orchestrator"
	Worker       = "worker"
	Notifier     = "notifier"
)

// RawPayloads hands the handler of function (Orchestrator, Worker or
// Notifier) raw payloads as the Lambda runtime would: malformed, truncated,
// oversized or of the wrong type. Each answers with a clear error (or, for a
// well-formed but empty event, does nothing) — never a panic.
func RawPayloads(t *testing.T, function string, handler any) {
	t.Helper()
	h := lambda.NewHandler(handler)
	oversized := `{"Records":[` + strings.Repeat(`{"messageId":"x","body":"`+strings.Repeat("y", 1000)+`"},`, 2000) + `{}]}`
	all := map[string]bool{Orchestrator: true, Worker: true, Notifier: true}
	tests := []struct {
		name    string
		payload string
		wantErr map[string]bool // per function: an error is expected
	}{
		{"not json", `hello`, all},
		{"truncated", `{"Records":[{"messageId":"a","bo`, all},
		{"wrong type: string", `"Records"`, all},
		// Any event that is not a refresh is a full scan (what the schedule sends,
		// or `aws lambda invoke --payload '{}'`), so the orchestrator accepts it.
		{"wrong type: records not a list", `{"Records":"x","detail":7}`, map[string]bool{Worker: true, Notifier: true}},
		{"empty object", `{}`, map[string]bool{}},
		{"refresh with a bad detail", `{"detail-type":"secadvisor refresh","detail":{"checks":"all"}}`, map[string]bool{Orchestrator: true}},
		{"record of the wrong shape", `{"Records":[{"messageId":"m1","body":"not a job","dynamodb":{"NewImage":{"status":{"S":"red"}}}}]}`, map[string]bool{}},
		{"oversized batch", oversized, map[string]bool{}},
	}
	for _, tt := range tests {
		out, err := h.Invoke(context.Background(), []byte(tt.payload))
		if got := err != nil; got != tt.wantErr[function] {
			t.Errorf("%s given %s: error = %v (output %.200s), want error %v", function, tt.name, err, out, tt.wantErr[function])
		}
	}
}
