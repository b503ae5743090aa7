// Package pipelinetest holds what the tests of the functions' packages
// share: the sample events of events/, the raw payloads every handler must
// survive, a topic whose messages a test can read and a log buffer.
package pipelinetest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
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

// SubscribedQueue creates, through cfg, an SNS topic and an SQS queue
// subscribed to it, both named name, and returns the topic's ARN and the
// queue's URL: the test reads from the queue what was published to the topic.
func SubscribedQueue(t *testing.T, cfg aws.Config, name string) (topicARN, queueURL string) {
	t.Helper()
	ctx := context.Background()
	snsc, sqsc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	queue, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	arn := string(sqstypes.QueueAttributeNameQueueArn)
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("ARN of queue %s: %v", name, err)
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes[arn])}); err != nil {
		t.Fatalf("subscribe queue %s to its topic: %v", name, err)
	}
	return aws.ToString(topic.TopicArn), aws.ToString(queue.QueueUrl)
}

// SyncBuffer is a bytes.Buffer that many goroutines may write, for the logs
// of a handler or of a process under test.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
