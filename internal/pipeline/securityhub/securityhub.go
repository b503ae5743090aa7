// Package securityhub is the logic of the optional function on the findings
// table's stream (`cdk deploy -c securityHub=true`) that exports every
// change of a finding to AWS Security Hub as ASFF with BatchImportFindings:
// a new or changed finding is imported as it is now, a green one and a
// finding whose resource is gone (its item was deleted) as resolved
// (RecordState ARCHIVED, Compliance.Status PASSED). The finding's Id is
// stable (internal/asff), so Security Hub updates it in place.
//
// BatchImportFindings with the default product ARN of a custom integration
// accepts only findings whose AwsAccountId is the caller's account (see
// docs/serverless.md): the function exports the findings of its own account
// and logs, never imports, those of the other accounts it scans.
package securityhub

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/asff"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
)

// EnvPartition is the function's partition (aws, aws-cn, aws-us-gov…). The
// CDK stack sets it and pipeline.EnvAccount from the stack's pseudo
// parameters, so that the product ARN names the function's own partition and
// account.
const EnvPartition = "PARTITION"

// MaxBatch is BatchImportFindings' limit of findings per request
// (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
const MaxBatch = 100

// Retries of the findings a BatchImportFindings response lists as failed.
const (
	DefaultAttempts = 3
	DefaultBackoff  = 500 * time.Millisecond
)

// ImportAPI is the part of the Security Hub client the function calls;
// IAM action securityhub:BatchImportFindings on the product ARN.
type ImportAPI interface {
	BatchImportFindings(context.Context, *securityhub.BatchImportFindingsInput, ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

var _ ImportAPI = (*securityhub.Client)(nil)

// Exporter imports the findings table's stream into Security Hub.
type Exporter struct {
	Hub ImportAPI
	// Partition, Region and Account name the hub: the function's own
	// partition, region and account (asff.ProductARN).
	Partition, Region, Account string
	// Attempts bounds the BatchImportFindings calls that carry one finding
	// (DefaultAttempts when zero); Backoff is the wait before the first
	// retry, doubled before each next one (DefaultBackoff when zero).
	Attempts int
	Backoff  time.Duration
	// Sleep waits between attempts (a context-aware time.Sleep when nil).
	Sleep func(context.Context, time.Duration) error
}

// New builds the exporter from its environment: the function's region (from
// cfg), partition (EnvPartition) and account (pipeline.EnvAccount), whose
// Security Hub receives the findings.
func New(cfg aws.Config, getenv pipeline.Getenv) (*Exporter, error) {
	partition, err := pipeline.Required(getenv, EnvPartition)
	if err != nil {
		return nil, err
	}
	account, err := pipeline.Required(getenv, pipeline.EnvAccount)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, errors.New("securityhub exporter: no region in the AWS configuration")
	}
	return &Exporter{Hub: securityhub.NewFromConfig(cfg), Partition: partition, Region: cfg.Region, Account: account}, nil
}

// Import is one finding to import and the stream record it comes from.
type Import struct {
	Finding        types.AwsSecurityFinding
	CheckID        string
	Account        string
	SequenceNumber string
}

// Unexported is a stream record whose finding is not imported.
type Unexported struct {
	SequenceNumber string
	CheckID        string
	Account        string
	Err            error
}

// Conversion is what Convert draws from a batch of stream records.
type Conversion struct {
	// Imports holds one finding per Id: the latest record of a finding
	// that changed twice in the batch supersedes the earlier one.
	Imports []Import
	// Unreadable are records whose images cannot be decoded: reported
	// failed, so that they reach the event source's failure destination
	// rather than vanish.
	Unreadable []Unexported
	// OtherAccounts are findings of accounts other than the hub's, which
	// BatchImportFindings does not accept from it: logged, not retried.
	OtherAccounts []Unexported
}

// Convert turns stream records into ASFF findings. INSERT and MODIFY import
// the new image (resolved when it is green), REMOVE imports the old image
// resolved: the resource is gone. Records of other items (summaries, alert
// markers, suppression rules) are skipped. UpdatedAt is the record's time,
// so a retried record imports the same finding and an older record never
// overwrites a newer one (Security Hub ignores an update whose UpdatedAt is
// older than the finding's).
func (e *Exporter) Convert(records []events.DynamoDBEventRecord) Conversion {
	var c Conversion
	byID := map[string]int{}
	seen := map[string]bool{}
	for _, r := range records {
		// A stream can deliver the same record twice in one batch.
		if seen[r.EventID] {
			continue
		}
		seen[r.EventID] = true
		image, resolved := r.Change.NewImage, false
		if r.EventName == string(events.DynamoDBOperationTypeRemove) || len(image) == 0 {
			image, resolved = r.Change.OldImage, true
		}
		if len(image) == 0 {
			continue
		}
		rec, kind, err := store.RecordFromImage(image)
		if err == nil && kind == store.KindFinding && rec.Status.Severity() < 0 {
			err = fmt.Errorf("finding %s has unknown status %q", rec.ResourceID, rec.Status)
		}
		if err != nil {
			c.Unreadable = append(c.Unreadable, Unexported{SequenceNumber: r.Change.SequenceNumber,
				Err: fmt.Errorf("stream record %s: %w", r.EventID, err)})
			continue
		}
		if kind != store.KindFinding {
			continue
		}
		if rec.Account != e.Account {
			c.OtherAccounts = append(c.OtherAccounts, Unexported{SequenceNumber: r.Change.SequenceNumber, CheckID: rec.CheckID, Account: rec.Account,
				Err: fmt.Errorf("finding of account %s: BatchImportFindings accepts from account %s only its own findings", rec.Account, e.Account)})
			continue
		}
		now := r.Change.ApproximateCreationDateTime.UTC()
		firstSeen := rec.FirstSeen
		if firstSeen.IsZero() || firstSeen.After(now) {
			firstSeen = now
		}
		af := asff.Finding(rec.Finding, catalog.EntryFor(rec.CheckID, rec.CheckName), e.Partition, e.Region, e.Account, firstSeen, now)
		if resolved || rec.Status == check.Green {
			af = asff.Resolved(af)
		}
		imp := Import{Finding: af, CheckID: rec.CheckID, Account: rec.Account, SequenceNumber: r.Change.SequenceNumber}
		id := aws.ToString(af.Id)
		if i, ok := byID[id]; ok {
			c.Imports[i] = imp
			continue
		}
		byID[id] = len(c.Imports)
		c.Imports = append(c.Imports, imp)
	}
	return c
}

// Failure is a finding that could not be imported after every attempt.
type Failure struct {
	Import
	Err error
}

// ImportAll imports the findings in batches of MaxBatch and retries those
// that failed — listed in the response's FailedFindings, or in a call that
// failed as a whole after the SDK's own retries — up to e.Attempts calls
// each, with a doubling backoff. It returns the findings still failed.
func (e *Exporter) ImportAll(ctx context.Context, imports []Import) []Failure {
	attempts := cmp.Or(e.Attempts, DefaultAttempts)
	wait := cmp.Or(e.Backoff, DefaultBackoff)
	sleep := e.Sleep
	if sleep == nil {
		sleep = pipeline.Sleep
	}
	todo := make([]Failure, len(imports))
	for i, imp := range imports {
		todo[i] = Failure{Import: imp}
	}
	for attempt := 1; attempt <= attempts && len(todo) > 0; attempt++ {
		if attempt > 1 {
			if err := sleep(ctx, wait); err != nil {
				break
			}
			wait *= 2
		}
		var failed []Failure
		for chunk := range slices.Chunk(todo, MaxBatch) {
			failed = append(failed, e.importBatch(ctx, chunk)...)
		}
		todo = failed
	}
	return todo
}

// importBatch is one BatchImportFindings call; it returns the findings of
// chunk that failed, each with its error.
func (e *Exporter) importBatch(ctx context.Context, chunk []Failure) []Failure {
	in := &securityhub.BatchImportFindingsInput{Findings: make([]types.AwsSecurityFinding, len(chunk))}
	for i, f := range chunk {
		in.Findings[i] = f.Finding
	}
	out, err := e.Hub.BatchImportFindings(ctx, in)
	if err != nil {
		err = check.WrapOp("securityhub BatchImportFindings", err)
		failed := make([]Failure, len(chunk))
		for i, f := range chunk {
			failed[i] = Failure{Import: f.Import, Err: err}
		}
		return failed
	}
	reasons := map[string]error{}
	for _, ff := range out.FailedFindings {
		reasons[aws.ToString(ff.Id)] = check.WrapOp("securityhub BatchImportFindings",
			&smithy.GenericAPIError{Code: aws.ToString(ff.ErrorCode), Message: aws.ToString(ff.ErrorMessage)})
	}
	var failed []Failure
	for _, f := range chunk {
		if err, ok := reasons[aws.ToString(f.Finding.Id)]; ok {
			failed = append(failed, Failure{Import: f.Import, Err: err})
		}
	}
	return failed
}

// Handle imports a batch of stream records. Records that could not be
// imported after the retries, and records that cannot be read, are
// reported as batch item failures by sequence number: the event source
// retries from the earliest of them (findings already imported are
// imported again, in place), and after its own retries sends the batch to
// its failure queue, whose depth alarms. Nothing is dropped silently.
func (e *Exporter) Handle(ctx context.Context, event events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	c := e.Convert(event.Records)
	var failedSeqs []string
	for _, u := range c.Unreadable {
		slog.Error("unreadable stream record", "op", "securityhub export", "err", u.Err.Error())
		failedSeqs = append(failedSeqs, u.SequenceNumber)
	}
	for _, u := range c.OtherAccounts {
		slog.Warn("finding of another account not exported", "op", "securityhub BatchImportFindings", "check_id", u.CheckID, "account", u.Account, "err", u.Err.Error())
	}
	failures := e.ImportAll(ctx, c.Imports)
	for _, f := range failures {
		slog.Error("finding not imported", "op", "securityhub BatchImportFindings", "check_id", f.CheckID, "account", f.Account,
			"region", e.Region, "finding_id", aws.ToString(f.Finding.Id), "err", f.Err.Error())
		failedSeqs = append(failedSeqs, f.SequenceNumber)
	}
	slog.Info("security hub export", "records", len(event.Records), "imported", len(c.Imports)-len(failures),
		"failed", len(failures), "unreadable", len(c.Unreadable), "other_accounts", len(c.OtherAccounts))
	slices.SortFunc(failedSeqs, compareSequence)
	failedSeqs = slices.Compact(failedSeqs)
	var resp events.DynamoDBEventResponse
	for _, s := range failedSeqs {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: s})
	}
	return resp, nil
}

// compareSequence orders stream sequence numbers: decimal strings of up to 40 digits.
func compareSequence(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
}
