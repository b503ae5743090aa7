package digest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/store/storetest"
)

// fakeSource answers WeekItems with week (or err) and records since.
type fakeSource struct {
	week  Week
	err   error
	since time.Time
}

func (f *fakeSource) WeekItems(_ context.Context, since time.Time) (store.WeekItems, error) {
	f.since = since
	return f.week, f.err
}

// fakeSNS records what is published, or fails with err.
type fakeSNS struct {
	in  []*sns.PublishInput
	err error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.in = append(f.in, in)
	return &sns.PublishOutput{MessageId: aws.String("msg-1")}, nil
}

const topicARN = "arn:aws:sns:eu-west-1:111122223333:secadvisor-alerts"

func TestHandle(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	denied := &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not allowed"}
	tests := []struct {
		name      string
		event     events.EventBridgeEvent
		sourceErr error
		snsErr    error
		wantNow   time.Time // the week's end; zero when nothing is published
		wantErr   string
	}{
		{name: "the scheduled time ends the week", event: events.EventBridgeEvent{DetailType: "Scheduled Event", Time: now}, wantNow: now},
		{name: "an event without a time: the clock", event: events.EventBridgeEvent{}, wantNow: clock},
		{name: "the table cannot be read: nothing published", event: events.EventBridgeEvent{Time: now},
			sourceErr: errors.New("dynamodb Scan (weekly digest): AccessDenied"), wantErr: "read the week's findings: dynamodb Scan (weekly digest): AccessDenied"},
		{name: "publishing fails", event: events.EventBridgeEvent{Time: now}, snsErr: denied, wantErr: "sns Publish: access denied (AuthorizationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := &fakeSource{week: week(), err: tt.sourceErr}
			pub := &fakeSNS{err: tt.snsErr}
			h := &Handler{Source: src, SNS: pub, TopicARN: topicARN, Now: func() time.Time { return clock }}
			res, err := h.Handle(context.Background(), tt.event)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Handle(%+v) error = %v, want one saying %q", tt.event, err, tt.wantErr)
				}
				if len(pub.in) != 0 {
					t.Errorf("Handle(%+v) published %d messages after failing, want none", tt.event, len(pub.in))
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle(%+v): %v", tt.event, err)
			}
			if want := tt.wantNow.Add(-Period); !src.since.Equal(want) {
				t.Errorf("Handle(%+v) read since %v, want %v", tt.event, src.since, want)
			}
			if len(pub.in) != 1 {
				t.Fatalf("Handle(%+v) published %d messages, want 1", tt.event, len(pub.in))
			}
			in := pub.in[0]
			subject, body := Compose(week(), tt.wantNow)
			if aws.ToString(in.TopicArn) != topicARN || aws.ToString(in.Subject) != subject || aws.ToString(in.Message) != body {
				t.Errorf("published to %s subject %q, want %s and %q (the digest of the week to %v)", aws.ToString(in.TopicArn), aws.ToString(in.Subject), topicARN, subject, tt.wantNow)
			}
			if got := in.MessageAttributes["status"]; aws.ToString(got.StringValue) != StatusAttribute || aws.ToString(got.DataType) != "String" {
				t.Errorf("status attribute = %s %q, want String %q", aws.ToString(got.DataType), aws.ToString(got.StringValue), StatusAttribute)
			}
			if res != (Result{Subject: subject, MessageID: "msg-1", Bytes: len(body)}) {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestNewNeedsTheTableAndTheTopic(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env     map[string]string
		wantErr string
	}{
		{map[string]string{pipeline.EnvTableName: "t"}, pipeline.EnvTopicARN},
		{map[string]string{pipeline.EnvTopicARN: topicARN}, pipeline.EnvTableName},
		{map[string]string{pipeline.EnvTopicARN: topicARN, pipeline.EnvTableName: "t"}, ""},
	} {
		_, err := New(aws.Config{Region: "eu-west-1"}, func(k string) string { return tt.env[k] })
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("New(env %v) error = %v, want one naming %q", tt.env, err, tt.wantErr)
		}
	}
}

// TestHandlerOnTheEmulator runs the function's handler as the stack wires
// it (New from its environment) against the emulator: a scope stored by
// two scans, one resource turned red during the week; the digest arrives
// on a queue subscribed to the topic.
func TestHandlerOnTheEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	const table = "secadvisor-findings"
	st := storetest.Table(t, cfg, table)
	finding := func(resource string, status check.Status) check.Finding {
		return check.Finding{CheckID: sgCheck, Account: account, AccountName: "prod", Region: "eu-west-1", ResourceID: resource, Status: status,
			Reason: resource + " is " + string(status)}
	}
	for _, r := range []store.JobResult{
		{ScanID: "scan-1", ScanTime: now.Add(-20 * day), Findings: []check.Finding{finding("sg-a", check.Green), finding("sg-b", check.Red)}},
		{ScanID: "scan-2", ScanTime: now.Add(-2 * day), Findings: []check.Finding{finding("sg-a", check.Red), finding("sg-b", check.Red)}},
	} {
		r.Account, r.AccountName, r.CheckID, r.Region = account, "prod", sgCheck, "eu-west-1"
		if _, err := st.Apply(ctx, r); err != nil {
			t.Fatalf("Apply %s: %v", r.ScanID, err)
		}
	}

	alerts, inbox := pipelinetest.SubscribedQueue(t, cfg, "alerts")

	env := map[string]string{pipeline.EnvTableName: table, pipeline.EnvTopicARN: alerts}
	h, err := New(cfg, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, err := h.Handle(ctx, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: now})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if want := "secadvisor weekly digest 2026-11-30: 2 red (1 new), 0 resolved"; res.Subject != want {
		t.Errorf("subject = %q, want %q", res.Subject, want)
	}

	out, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(inbox), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages on the subscribed queue, want the one digest", len(out.Messages))
	}
	var envelope struct {
		Subject, Message  string
		MessageAttributes map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &envelope); err != nil {
		t.Fatalf("message is not an SNS envelope: %v", err)
	}
	if envelope.Subject != res.Subject || envelope.MessageAttributes["status"].Value != StatusAttribute {
		t.Errorf("received subject %q, attributes %v; want %q and status %s", envelope.Subject, envelope.MessageAttributes, res.Subject, StatusAttribute)
	}
	turned := section(envelope.Message, "Turned red this week (1)")
	if len(turned) == 0 || turned[0] != "* sg-a" {
		t.Errorf("turned red this week = %q, want sg-a\nmessage:\n%s", turned, envelope.Message)
	}
	if got := section(envelope.Message, "By account and check"); len(got) == 0 || got[0] != "prod ("+account+"): 2 red" {
		t.Errorf("counts = %q, want prod with 2 red\nmessage:\n%s", got, envelope.Message)
	}
}
