package awsx

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Recorder counts API calls per service and operation. It is safe for
// concurrent use; one Recorder serves every client of a scan.
type Recorder struct {
	mu     sync.Mutex
	counts map[OpKey]*OpCount
}

// OpKey names one API operation.
type OpKey struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
}

// OpCount is what the recorder saw of one operation: Calls are SDK operation
// invocations (one per page), Attempts are HTTP requests including retries.
// NotFound counts calls answered "no such thing" (no password policy, no
// bucket policy): checks read that as an answer, so it is not an error.
// Errors counts the calls that failed otherwise.
type OpCount struct {
	OpKey
	Calls    int `json:"calls"`
	Attempts int `json:"attempts"`
	NotFound int `json:"notFound"`
	Errors   int `json:"errors"`
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{counts: map[OpKey]*OpCount{}}
}

// Counting returns a copy of cfg whose clients r counts. The copy's
// APIOptions are its own, so that adding r never changes the clients of cfg
// or of another copy made from it.
func (r *Recorder) Counting(cfg aws.Config) aws.Config {
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), r.Middleware)
	return cfg
}

// Middleware installs the recorder on a client's middleware stack; add it to
// aws.Config.APIOptions (Counting does).
func (r *Recorder) Middleware(stack *middleware.Stack) error {
	// At the end of Initialize, after the client has registered its service
	// metadata (some clients, e.g. CloudTrail, do it only there), and before
	// the retry loop, so that one call counts once.
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("secadvisorRecordCall",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			r.add(ctx, func(c *OpCount) {
				c.Calls++
				switch {
				case err == nil:
				case Is(err, KindNotFound):
					c.NotFound++
				default:
					c.Errors++
				}
			})
			return out, md, err
		}), middleware.After); err != nil {
		return err
	}
	// The retry middleware sits in Finalize; counting in Deserialize sees
	// every attempt that went on the wire.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("secadvisorRecordAttempt",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			r.add(ctx, func(c *OpCount) { c.Attempts++ })
			return next.HandleDeserialize(ctx, in)
		}), middleware.Before)
}

func (r *Recorder) add(ctx context.Context, f func(*OpCount)) {
	service, operation := Operation(ctx)
	key := OpKey{Service: service, Operation: operation}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counts[key]
	if !ok {
		c = &OpCount{OpKey: key}
		r.counts[key] = c
	}
	f(c)
}

// Counts returns what was recorded, sorted by service then operation.
func (r *Recorder) Counts() []OpCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]OpCount, 0, len(r.counts))
	for _, c := range r.counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Operation < out[j].Operation
	})
	return out
}

// Calls returns the number of calls recorded for one operation.
func (r *Recorder) Calls(service, operation string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.counts[OpKey{service, operation}]; ok {
		return c.Calls
	}
	return 0
}

// Operation names the service and operation a middleware is running for.
// Call it from Initialize (at middleware.After) or a later step: only then
// has every client registered its service metadata.
func Operation(ctx context.Context) (service, operation string) {
	operation = middleware.GetOperationName(ctx)
	if operation == "" {
		operation = awsmiddleware.GetOperationName(ctx)
	}
	return awsmiddleware.GetServiceID(ctx), operation
}
