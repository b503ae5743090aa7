// Package localpipeline runs the serverless pipeline in-process against the
// local emulator, the way Lambda would drive it: the orchestrator's jobs are
// received from their SQS queues and handed to the check workers in batches,
// failed messages are redelivered until their queue moves them to the DLQ,
// the findings table's stream is read shard by shard and handed to the
// notifier, and alerts are read back from an SQS queue subscribed to the
// topic. `make demo` and the end-to-end tests use it; production uses the
// same handlers behind Lambda.
package localpipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/streamevent"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/orglist"
	"github.com/secadvisor/secadvisor/internal/pipeline/notifier"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
	"github.com/secadvisor/secadvisor/internal/pipeline/worker"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// MaxReceiveCount is the queues' redrive setting, as in the CDK stack.
const MaxReceiveCount = 3

// visibilityTimeout is short so that failed messages come back quickly.
const visibilityTimeout = 1

// Pipeline is the pipeline's resources in the emulator and its handlers.
type Pipeline struct {
	Table         string
	Queues        map[string]string // check ID → queue URL
	DLQs          map[string]string // check ID → dead-letter queue URL
	TopicARN      string
	AlertQueueURL string

	Orchestrator *orchestrator.Orchestrator
	Workers      map[string]*worker.Worker
	Notifier     *notifier.Notifier
	Store        *store.Store

	sqs     *sqs.Client
	ddb     *dynamodb.Client
	streams *dynamodbstreams.Client
	// shardPositions is the last stream record handed to the notifier, per shard.
	shardPositions map[string]string
}

// Options configure Setup.
type Options struct {
	// Name prefixes every resource (table, queues, topic).
	Name string
	// Account is the account the pipeline runs in: the workers' own
	// account, and the orchestrator's, as the stack sets it
	// (pipeline.EnvAccount).
	Account string
	Regions []string
	// Accounts are the accounts a scan covers, as the stack's accounts
	// context sets them (the own account when zero). Other accounts are
	// entered through the member role (org.DefaultRoleName).
	Accounts orchestrator.Accounts
	// NotifyResolved makes the notifier also report findings that stopped being red.
	NotifyResolved bool
	// EventWindow is the re-check window of CloudTrail events
	// (pipeline.DefaultEventWindow when zero); the demo uses a short one.
	EventWindow time.Duration
}

// Setup creates the table, one queue and DLQ per implemented check, the
// topic and a queue subscribed to it, and builds the handlers on them.
func Setup(ctx context.Context, cfg aws.Config, opts Options) (*Pipeline, error) {
	p := &Pipeline{
		Table:          opts.Name + "-findings",
		Queues:         map[string]string{},
		DLQs:           map[string]string{},
		Workers:        map[string]*worker.Worker{},
		sqs:            sqs.NewFromConfig(cfg),
		ddb:            dynamodb.NewFromConfig(cfg),
		streams:        dynamodbstreams.NewFromConfig(cfg),
		shardPositions: map[string]string{},
	}
	if err := store.CreateTable(ctx, p.ddb, p.Table); err != nil {
		return nil, fmt.Errorf("create findings table: %w", err)
	}
	p.Store = store.New(p.ddb, p.Table)
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		queue, dlq, err := p.createQueue(ctx, opts.Name+"-"+c.Meta.ID)
		if err != nil {
			return nil, err
		}
		p.Queues[c.Meta.ID], p.DLQs[c.Meta.ID] = queue, dlq
		p.Workers[c.Meta.ID] = &worker.Worker{Check: c, Account: opts.Account, Config: cfg, Store: p.Store}
	}
	snsClient := sns.NewFromConfig(cfg)
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(opts.Name + "-alerts")})
	if err != nil {
		return nil, fmt.Errorf("create topic: %w", err)
	}
	p.TopicARN = aws.ToString(topic.TopicArn)
	alerts, err := p.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(opts.Name + "-alert-inbox")})
	if err != nil {
		return nil, fmt.Errorf("create alert queue: %w", err)
	}
	p.AlertQueueURL = aws.ToString(alerts.QueueUrl)
	alertsARN, err := p.queueARN(ctx, p.AlertQueueURL)
	if err != nil {
		return nil, err
	}
	if _, err := snsClient.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(alertsARN)}); err != nil {
		return nil, fmt.Errorf("subscribe alert queue: %w", err)
	}
	p.Orchestrator = &orchestrator.Orchestrator{
		SQS:      p.sqs,
		Queues:   p.Queues,
		Regions:  opts.Regions,
		Accounts: opts.Accounts,
		// CloudTrail events re-check through the same table's window claims.
		Windows:     p.Store,
		EventWindow: opts.EventWindow,
		Discovery: orchestrator.Discovery{
			Account: func(context.Context) (string, error) { return opts.Account, nil },
			Regions: func(ctx context.Context) ([]string, error) { return scan.EnabledRegions(ctx, cfg) },
			Organization: func(ctx context.Context) ([]org.Account, error) {
				return orglist.ListActive(ctx, organizations.NewFromConfig(cfg))
			},
		},
	}
	p.Notifier = &notifier.Notifier{SNS: snsClient, TopicARN: p.TopicARN, Marks: p.Store, NotifyResolved: opts.NotifyResolved}
	return p, nil
}

func (p *Pipeline) createQueue(ctx context.Context, name string) (queueURL, dlqURL string, err error) {
	dlq, err := p.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s-dlq: %w", name, err)
	}
	dlqARN, err := p.queueARN(ctx, aws.ToString(dlq.QueueUrl))
	if err != nil {
		return "", "", err
	}
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": strconv.Itoa(MaxReceiveCount)})
	q, err := p.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(name),
		Attributes: map[string]string{
			string(sqstypes.QueueAttributeNameRedrivePolicy):     string(redrive),
			string(sqstypes.QueueAttributeNameVisibilityTimeout): strconv.Itoa(visibilityTimeout),
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return aws.ToString(q.QueueUrl), aws.ToString(dlq.QueueUrl), nil
}

func (p *Pipeline) queueARN(ctx context.Context, url string) (string, error) {
	out, err := p.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", fmt.Errorf("queue ARN of %s: %w", url, err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// Scheduled returns the event EventBridge sends on the schedule.
func Scheduled(now time.Time) events.EventBridgeEvent {
	return events.EventBridgeEvent{Version: "0", ID: "local-" + strconv.FormatInt(now.UnixNano(), 10), DetailType: "Scheduled Event",
		Source: "aws.events", Time: now.UTC(), Region: "us-east-1", Detail: json.RawMessage(`{}`)}
}

// Run is what one scan did.
type Run struct {
	Summary orchestrator.ScanSummary
	// Failed counts messages a worker reported failed (redelivered or sent to the DLQ).
	Failed int
	Alerts []Alert
}

// Alert is a message read back from the topic's subscribed queue.
type Alert struct {
	Subject    string
	Body       string
	Attributes map[string]string
}

// Scan sends event to the orchestrator — a schedule, a refresh or a
// CloudTrail event, as the stack's rules deliver them — then drives the
// queues (waiting out a re-check's delay), the stream and the notifier until
// the work is done, and reads the alerts.
func (p *Pipeline) Scan(ctx context.Context, event events.EventBridgeEvent) (Run, error) {
	summary, err := p.Orchestrator.Handle(ctx, event)
	if err != nil {
		return Run{}, fmt.Errorf("orchestrator: %w", err)
	}
	run, err := p.Settle(ctx)
	run.Summary = summary
	return run, err
}

// Settle drives the queues, the stream and the notifier until the work sent
// so far is done (re-check jobs once their delay has passed), and reads the
// alerts.
func (p *Pipeline) Settle(ctx context.Context) (Run, error) {
	var run Run
	var err error
	if run.Failed, err = p.DrainQueues(ctx); err != nil {
		return run, err
	}
	if err := p.PumpStream(ctx); err != nil {
		return run, err
	}
	run.Alerts, err = p.ReadAlerts(ctx)
	return run, err
}

// DrainQueues hands every message of every check queue to its worker, as the
// SQS event source does, until the queues are empty (failed messages come
// back after the visibility timeout and end in the DLQ after MaxReceiveCount;
// delayed ones, re-check jobs, once their delay has passed).
func (p *Pipeline) DrainQueues(ctx context.Context) (failed int, err error) {
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range sortedIDs(p.Queues) {
		for {
			if time.Now().After(deadline) {
				return failed, fmt.Errorf("queues not drained within 2 minutes")
			}
			out, err := p.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
				QueueUrl: aws.String(p.Queues[id]), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
			})
			if err != nil {
				return failed, fmt.Errorf("receive from %s: %w", id, err)
			}
			if len(out.Messages) == 0 {
				pending, err := p.inFlight(ctx, p.Queues[id])
				if err != nil {
					return failed, err
				}
				if pending == 0 {
					break
				}
				time.Sleep(250 * time.Millisecond) // wait for failed messages to become visible again
				continue
			}
			n, err := p.deliver(ctx, id, out.Messages)
			failed += n
			if err != nil {
				return failed, err
			}
		}
	}
	return failed, nil
}

func (p *Pipeline) deliver(ctx context.Context, checkID string, msgs []sqstypes.Message) (failed int, err error) {
	event := events.SQSEvent{}
	for _, m := range msgs {
		event.Records = append(event.Records, events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
			Attributes: m.Attributes, EventSource: "aws:sqs",
		})
	}
	resp, err := p.Workers[checkID].Handle(ctx, event)
	if err != nil {
		return len(msgs), fmt.Errorf("worker %s: %w", checkID, err)
	}
	failedIDs := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failedIDs[f.ItemIdentifier] = true
	}
	var done []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range msgs {
		if !failedIDs[aws.ToString(m.MessageId)] {
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(done) > 0 {
		if _, err := p.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.Queues[checkID]), Entries: done}); err != nil {
			return len(failedIDs), fmt.Errorf("delete handled messages: %w", err)
		}
	}
	return len(failedIDs), nil
}

func (p *Pipeline) inFlight(ctx context.Context, url string) (int, error) {
	out, err := p.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
	}})
	if err != nil {
		return 0, fmt.Errorf("queue attributes of %s: %w", url, err)
	}
	// Delayed messages count: a re-check job waits out its window.
	pending := 0
	for _, attr := range []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible, sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed} {
		n, _ := strconv.Atoi(out.Attributes[string(attr)])
		pending += n
	}
	return pending, nil
}

// PumpStream hands the table's new stream records to the notifier, batch by
// batch, as the DynamoDB event source does; a reported failure makes it
// hand the batch again from the failed record, a bounded number of times.
func (p *Pipeline) PumpStream(ctx context.Context) error {
	table, err := p.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(p.Table)})
	if err != nil {
		return fmt.Errorf("describe table: %w", err)
	}
	streamARN := table.Table.LatestStreamArn
	stream, err := p.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: streamARN})
	if err != nil {
		return fmt.Errorf("describe stream: %w", err)
	}
	for _, shard := range stream.StreamDescription.Shards {
		if err := p.pumpShard(ctx, streamARN, aws.ToString(shard.ShardId)); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) pumpShard(ctx context.Context, streamARN *string, shardID string) error {
	const maxRetries = 3
	for retries := 0; ; {
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: streamARN, ShardId: aws.String(shardID), ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
		if last := p.shardPositions[shardID]; last != "" {
			in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeAfterSequenceNumber, aws.String(last)
		}
		it, err := p.streams.GetShardIterator(ctx, in)
		if err != nil {
			return fmt.Errorf("stream shard iterator: %w", err)
		}
		out, err := p.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(100)})
		if err != nil {
			return fmt.Errorf("stream records: %w", err)
		}
		if len(out.Records) == 0 {
			return nil
		}
		event := events.DynamoDBEvent{}
		for _, r := range out.Records {
			event.Records = append(event.Records, streamevent.FromStreamRecord(r))
		}
		resp, err := p.Notifier.Handle(ctx, event)
		if err != nil {
			return fmt.Errorf("notifier: %w", err)
		}
		if len(resp.BatchItemFailures) == 0 {
			p.shardPositions[shardID] = aws.ToString(out.Records[len(out.Records)-1].Dynamodb.SequenceNumber)
			continue
		}
		if retries++; retries > maxRetries {
			return fmt.Errorf("notifier kept failing from stream record %s", resp.BatchItemFailures[0].ItemIdentifier)
		}
		// Resume from just before the failed record.
		failedAt := resp.BatchItemFailures[0].ItemIdentifier
		for i, r := range out.Records {
			if aws.ToString(r.Dynamodb.SequenceNumber) == failedAt {
				if i > 0 {
					p.shardPositions[shardID] = aws.ToString(out.Records[i-1].Dynamodb.SequenceNumber)
				}
				break
			}
		}
	}
}

// ReadAlerts receives every alert waiting in the subscribed queue.
func (p *Pipeline) ReadAlerts(ctx context.Context) ([]Alert, error) {
	var alerts []Alert
	for {
		out, err := p.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.AlertQueueURL), MaxNumberOfMessages: 10})
		if err != nil {
			return alerts, fmt.Errorf("receive alerts: %w", err)
		}
		if len(out.Messages) == 0 {
			return alerts, nil
		}
		for _, m := range out.Messages {
			// SNS wraps the message in its JSON envelope for SQS subscribers.
			var envelope struct {
				Subject           string
				Message           string
				MessageAttributes map[string]struct{ Type, Value string }
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope); err != nil {
				return alerts, fmt.Errorf("alert is not an SNS envelope: %w", err)
			}
			a := Alert{Subject: envelope.Subject, Body: envelope.Message, Attributes: map[string]string{}}
			for k, v := range envelope.MessageAttributes {
				a.Attributes[k] = v.Value
			}
			alerts = append(alerts, a)
			if _, err := p.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(p.AlertQueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return alerts, fmt.Errorf("delete alert: %w", err)
			}
		}
	}
}

// Findings returns what the table holds, for printing.
func (p *Pipeline) Findings(ctx context.Context, f store.Filter) ([]check.Finding, error) {
	return p.Store.Query(ctx, f)
}

func sortedIDs(m map[string]string) []string {
	var ids []string
	for _, c := range checks.All() {
		if _, ok := m[c.Meta.ID]; ok {
			ids = append(ids, c.Meta.ID)
		}
	}
	return ids
}
