package digest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
)

// PublishAPI is the part of the SNS client the digest calls.
type PublishAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ PublishAPI = (*sns.Client)(nil)

// StatusAttribute is the value of the message attribute "status" of a
// digest: the notifier's alerts carry "red" or "resolved" there, so a
// subscription filter policy on it takes or leaves the digest.
const StatusAttribute = "digest"

// Handler is the scheduled function: it reads the week from the findings
// table and publishes one digest to the alert topic.
type Handler struct {
	Source   Source
	SNS      PublishAPI
	TopicARN string
	// Now is the clock for an event without a time (a manual invoke).
	Now func() time.Time
}

// New builds the handler from its environment: the findings table
// (pipeline.EnvTableName) and the alert topic (pipeline.EnvTopicARN).
func New(cfg aws.Config, getenv pipeline.Getenv) (*Handler, error) {
	topic, table, err := pipeline.TopicAndTable(getenv)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Source:   store.New(dynamodb.NewFromConfig(cfg), table),
		SNS:      sns.NewFromConfig(cfg),
		TopicARN: topic,
		Now:      time.Now,
	}, nil
}

// Result is what one run published, for the function's response and log.
type Result struct {
	Subject   string `json:"subject"`
	MessageID string `json:"messageId"`
	Bytes     int    `json:"bytes"`
}

// Handle publishes the digest of the week ending at the event's time: the
// time EventBridge scheduled it, so that a retried invocation sends the same
// week. A failure to read or to publish is returned: EventBridge retries the
// invocation, and the function's errors alarm goes to the operations topic.
// Nothing is published from a table that could not be read: a digest of
// what could be read would read as "all clear".
func (h *Handler) Handle(ctx context.Context, event events.EventBridgeEvent) (Result, error) {
	now := event.Time
	if now.IsZero() {
		now = h.Now()
	}
	week, err := Collect(ctx, h.Source, now)
	if err != nil {
		return Result{}, err
	}
	subject, body := Compose(week, now)
	out, err := h.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(h.TopicARN),
		Subject:  aws.String(subject),
		Message:  aws.String(body),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"status": {DataType: aws.String("String"), StringValue: aws.String(StatusAttribute)},
		},
	})
	if err != nil {
		return Result{}, fmt.Errorf("publish the weekly digest: %w", check.WrapOp("sns Publish", err))
	}
	r := Result{Subject: subject, MessageID: aws.ToString(out.MessageId), Bytes: len(body)}
	slog.Info("digest sent", "subject", r.Subject, "bytes", r.Bytes, "accounts", accountsOf(week))
	return r, nil
}

// accountsOf is how many accounts the week's summaries cover.
func accountsOf(w Week) int {
	seen := map[string]bool{}
	for _, s := range w.Summaries {
		seen[s.Account] = true
	}
	return len(seen)
}
