package orchestrator

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// MappingAPI is the part of the Lambda client that turns the checks' SQS
// event source mappings on and off.
type MappingAPI interface {
	GetEventSourceMapping(context.Context, *lambda.GetEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error)
	UpdateEventSourceMapping(context.Context, *lambda.UpdateEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
}

var _ MappingAPI = (*lambda.Client)(nil)

// Event source mapping states, as GetEventSourceMapping reports them.
const (
	stateEnabled   = "Enabled"
	stateEnabling  = "Enabling"
	stateDisabled  = "Disabled"
	stateDisabling = "Disabling"
)

// mappingAttempts bounds how often a mapping is updated while Lambda
// answers ResourceInUseException: a mapping being created, updated or
// turned off (by a sweep running at the same time) cannot be updated until
// it settles, which takes seconds.
const mappingAttempts = 6

// sweepGrace is how long after it was last switched a mapping is left on by
// Sweep although its queue looks empty: the scan that enabled it may still
// be sending (an orchestrator run lasts at most 15 minutes, Lambda's limit),
// and SQS's approximate counts lag the messages sent by about a minute.
const sweepGrace = 20 * time.Minute

// enableMapping turns on the event source mapping of check id, if it has
// one, unless it is already on or turning on.
func (o *Orchestrator) enableMapping(ctx context.Context, id string) error {
	uuid, ok := o.Mappings[id]
	if !ok {
		return nil
	}
	for attempt := 1; ; attempt++ {
		state, _, err := o.mappingState(ctx, uuid)
		if err != nil {
			return err
		}
		if state == stateEnabled || state == stateEnabling {
			return nil
		}
		_, err = o.Lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(true)})
		if err == nil {
			slog.Info("event source mapping enabled", "check_id", id, "mapping", uuid, "was", state)
			return nil
		}
		if awsx.Code(err) != "ResourceInUseException" || attempt == mappingAttempts {
			return fmt.Errorf("enable event source mapping %s: %w", uuid, check.WrapOp("lambda UpdateEventSourceMapping", err))
		}
		if err := o.wait(ctx, time.Duration(attempt)*time.Second); err != nil {
			return fmt.Errorf("enable event source mapping %s: %w", uuid, err)
		}
	}
}

// mappingState returns the mapping's state and when it last changed.
func (o *Orchestrator) mappingState(ctx context.Context, uuid string) (string, time.Time, error) {
	out, err := o.Lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("event source mapping %s: %w", uuid, check.WrapOp("lambda GetEventSourceMapping", err))
	}
	return aws.ToString(out.State), aws.ToTime(out.LastModified), nil
}

// SweepSummary is what a sweep did, by check ID.
type SweepSummary struct {
	// Disabled are the checks whose mapping was turned off: their queues
	// hold no message, visible, in flight or delayed.
	Disabled []string `json:"disabled,omitempty"`
	// Enabled are the checks whose mapping was off while messages waited
	// in their queue (a sweep crossed a scan): it was turned on again.
	Enabled []string `json:"enabled,omitempty"`
	// Busy are the checks whose queue holds messages, mapping on.
	Busy []string `json:"busy,omitempty"`
	// Recent are the checks whose queue looks empty but whose mapping was
	// switched less than sweepGrace ago: left as it is.
	Recent []string `json:"recent,omitempty"`
	// Failed are the checks the sweep could not look at or switch.
	Failed []string `json:"failed,omitempty"`
}

// queueCountAttributes are the counts that together say whether a queue
// holds anything a check function still has to process.
var queueCountAttributes = []sqstypes.QueueAttributeName{
	sqstypes.QueueAttributeNameApproximateNumberOfMessages,
	sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
	sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
}

// Sweep turns off the event source mapping of every check whose queue is
// drained, so that idle mappings do not long-poll SQS (20 idle mappings
// cost about $5 a month), and turns on again any that is off while
// messages wait. It runs on pipeline.SweepDetailType events, every 15
// minutes. A queue that could not be read keeps its mapping as it is; a
// mapping that could not be switched is logged, the others are still
// swept, and the sweep returns an error naming them.
func (o *Orchestrator) Sweep(ctx context.Context) (SweepSummary, error) {
	var summary SweepSummary
	var failures []string
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	for _, id := range sortedKeys(o.Mappings) {
		outcome, err := o.sweepOne(ctx, id, o.Mappings[id], now())
		if err != nil {
			slog.Error("sweep", "check_id", id, "op", check.OpOf(err), "err", err.Error())
			summary.Failed = append(summary.Failed, id)
			failures = append(failures, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		switch outcome {
		case swept:
			summary.Disabled = append(summary.Disabled, id)
		case healed:
			summary.Enabled = append(summary.Enabled, id)
		case busy:
			summary.Busy = append(summary.Busy, id)
		case recent:
			summary.Recent = append(summary.Recent, id)
		}
	}
	slog.Info("sweep done", "disabled", len(summary.Disabled), "enabled", len(summary.Enabled), "busy", len(summary.Busy),
		"recent", len(summary.Recent), "failed", len(summary.Failed))
	if len(failures) > 0 {
		return summary, fmt.Errorf("sweep: %s", strings.Join(failures, "; "))
	}
	return summary, nil
}

type sweepOutcome int

const (
	idle   sweepOutcome = iota // empty queue, mapping already off
	swept                      // empty queue, mapping turned off
	healed                     // messages waiting, mapping turned on
	busy                       // messages waiting, mapping on
	recent                     // empty queue, mapping switched within sweepGrace
)

func (o *Orchestrator) sweepOne(ctx context.Context, id, uuid string, now time.Time) (sweepOutcome, error) {
	messages, err := o.queueMessages(ctx, o.Queues[id])
	if err != nil {
		return 0, err
	}
	state, lastModified, err := o.mappingState(ctx, uuid)
	if err != nil {
		return 0, err
	}
	off := state == stateDisabled || state == stateDisabling
	switch {
	case messages > 0 && off:
		if err := o.enableMapping(ctx, id); err != nil {
			return 0, err
		}
		return healed, nil
	case messages > 0:
		return busy, nil
	case off:
		return idle, nil
	case now.Sub(lastModified) < sweepGrace:
		return recent, nil
	}
	if _, err := o.Lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)}); err != nil {
		return 0, fmt.Errorf("disable event source mapping %s: %w", uuid, check.WrapOp("lambda UpdateEventSourceMapping", err))
	}
	slog.Info("event source mapping disabled", "check_id", id, "mapping", uuid)
	return swept, nil
}

// queueMessages is how many messages the queue holds: visible, in flight
// (received, not yet deleted) and delayed.
func (o *Orchestrator) queueMessages(ctx context.Context, queueURL string) (int, error) {
	out, err := o.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL), AttributeNames: queueCountAttributes})
	if err != nil {
		return 0, fmt.Errorf("queue %s: %w", queueURL, check.WrapOp("sqs GetQueueAttributes", err))
	}
	total := 0
	for _, name := range queueCountAttributes {
		// A count SQS did not give cannot be taken for zero.
		n, err := strconv.Atoi(out.Attributes[string(name)])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("queue %s: sqs GetQueueAttributes: %s is %q, not a count", queueURL, name, out.Attributes[string(name)])
		}
		total += n
	}
	return total, nil
}
