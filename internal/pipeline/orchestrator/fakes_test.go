package orchestrator

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// SendMessageBatch's limits, as SQS enforces them.
const (
	sqsMaxEntries    = 10
	sqsMaxBatchBytes = 256 * 1024
)

var sqsEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// fakeSQS is an in-process SQS that applies SendMessageBatch's rules (at
// most ten entries, distinct and well-formed IDs, at most 256 KiB in all),
// counts requests and the most in flight at once, and can wait latency per
// request and fail entries: those whose body contains a failOnce marker,
// and one body in failOneIn (by hash), each once, as SQS fails entries of
// a successful batch with SenderFault false.
type fakeSQS struct {
	latency   time.Duration
	failOneIn uint32
	// keepBodies keeps every body, by queue; otherwise only counts and
	// the distinct jobs are kept (a 196,000-job scan).
	keepBodies bool
	// counts are the queues' approximate numbers of messages (visible, in
	// flight, delayed) GetQueueAttributes answers; attrErr fails it.
	counts  map[string][3]int
	attrErr map[string]error

	calls, inFlight, maxInFlight atomic.Int64

	mu       sync.Mutex
	failOnce map[string]bool // message body substrings to fail once
	failed   map[string]bool // bodies failed by failOneIn
	bodies   map[string][]string
	sent     map[string]int     // queue → messages accepted
	jobs     map[string]int     // check/account/region → times accepted
	delays   map[string][]int32 // check/account/region → DelaySeconds of each accepted
	bad      []string           // bodies that are no valid job
	log      []string           // "send <queue>", in order
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake: " + code, Fault: smithy.FaultClient}
}

func (f *fakeSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	switch {
	case len(in.Entries) == 0:
		return nil, apiError("AWS.SimpleQueueService.EmptyBatchRequest")
	case len(in.Entries) > sqsMaxEntries:
		return nil, apiError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
	}
	ids, size := map[string]bool{}, 0
	for _, e := range in.Entries {
		id := aws.ToString(e.Id)
		if !sqsEntryID.MatchString(id) {
			return nil, apiError("AWS.SimpleQueueService.InvalidBatchEntryId")
		}
		if ids[id] {
			return nil, apiError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
		}
		ids[id] = true
		size += len(aws.ToString(e.MessageBody))
	}
	if size > sqsMaxBatchBytes {
		return nil, apiError("AWS.SimpleQueueService.BatchRequestTooLong")
	}

	queue := aws.ToString(in.QueueUrl)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, "send "+queue)
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		body := aws.ToString(e.MessageBody)
		if f.failEntry(body) {
			out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), SenderFault: false})
			continue
		}
		if f.sent == nil {
			f.sent, f.jobs, f.bodies, f.delays = map[string]int{}, map[string]int{}, map[string][]string{}, map[string][]int32{}
		}
		f.sent[queue]++
		if f.keepBodies {
			f.bodies[queue] = append(f.bodies[queue], body)
		}
		if job, err := pipeline.DecodeJobMessage(body); err != nil {
			f.bad = append(f.bad, body)
		} else {
			key := job.CheckID + "/" + job.Account + "/" + job.Region
			f.jobs[key]++
			f.delays[key] = append(f.delays[key], e.DelaySeconds)
		}
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("m")})
	}
	return out, nil
}

func (f *fakeSQS) failEntry(body string) bool {
	for marker := range f.failOnce {
		if strings.Contains(body, marker) {
			delete(f.failOnce, marker)
			return true
		}
	}
	if f.failOneIn == 0 || f.failed[body] {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(body))
	if h.Sum32()%f.failOneIn != 0 {
		return false
	}
	if f.failed == nil {
		f.failed = map[string]bool{}
	}
	f.failed[body] = true
	return true
}

func (f *fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	queue := aws.ToString(in.QueueUrl)
	if err := f.attrErr[queue]; err != nil {
		return nil, err
	}
	counts, ok := f.counts[queue]
	if !ok {
		return nil, apiError("AWS.SimpleQueueService.NonExistentQueue")
	}
	attrs := map[string]string{}
	for i, name := range []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
	} {
		for _, asked := range in.AttributeNames {
			// A negative count stands for an attribute SQS left out.
			if asked == name && counts[i] >= 0 {
				attrs[string(name)] = strconv.Itoa(counts[i])
			}
		}
	}
	return &sqs.GetQueueAttributesOutput{Attributes: attrs}, nil
}

// fakeMapping is one event source mapping of fakeLambda.
type fakeMapping struct {
	state        string
	lastModified time.Time
	// inUse answers that many updates with ResourceInUseException.
	inUse     int
	getErr    error
	updateErr error
}

// fakeLambda holds event source mappings by UUID. An update settles the
// state at once (AWS passes through Enabling/Disabling for seconds) and
// logs "enable <uuid>" or "disable <uuid>" into log, shared with a fakeSQS
// so tests see the order of calls.
type fakeLambda struct {
	now      time.Time
	mu       *sync.Mutex
	log      *[]string
	mappings map[string]*fakeMapping
	updates  int
}

func (f *fakeLambda) GetEventSourceMapping(_ context.Context, in *lambda.GetEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.mappings[aws.ToString(in.UUID)]
	if !ok {
		return nil, apiError("ResourceNotFoundException")
	}
	if m.getErr != nil {
		return nil, m.getErr
	}
	return &lambda.GetEventSourceMappingOutput{UUID: in.UUID, State: aws.String(m.state), LastModified: aws.Time(m.lastModified)}, nil
}

func (f *fakeLambda) UpdateEventSourceMapping(_ context.Context, in *lambda.UpdateEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	uuid := aws.ToString(in.UUID)
	m, ok := f.mappings[uuid]
	if !ok {
		return nil, apiError("ResourceNotFoundException")
	}
	if m.inUse > 0 {
		m.inUse--
		return nil, apiError("ResourceInUseException")
	}
	if m.updateErr != nil {
		return nil, m.updateErr
	}
	if in.Enabled == nil {
		return nil, fmt.Errorf("fake: update without Enabled")
	}
	m.state, m.lastModified = stateDisabled, f.now
	verb := "disable"
	if *in.Enabled {
		m.state, verb = stateEnabled, "enable"
	}
	*f.log = append(*f.log, verb+" "+uuid)
	return &lambda.UpdateEventSourceMappingOutput{UUID: in.UUID, State: aws.String(m.state)}, nil
}

func (f *fakeLambda) state(uuid string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mappings[uuid].state
}

// withLambda returns a fakeLambda over mappings that logs into sqs's log.
func withLambda(sqs *fakeSQS, now time.Time, mappings map[string]*fakeMapping) *fakeLambda {
	return &fakeLambda{now: now, mu: &sqs.mu, log: &sqs.log, mappings: mappings}
}

// noSleep makes retries immediate.
func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }
