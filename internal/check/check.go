// Package check defines the contract every secadvisor check follows: its
// metadata (taken from the Trusted Advisor specification), the statuses a
// finding can have, the finding itself, and the Runner that produces findings
// for one (account, region) target.
package check

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Status is the outcome for one resource, as Trusted Advisor shows it, plus
// Error for "the check could not look" and Unavailable for "the data cannot
// exist here".
type Status string

// The statuses. Error is never shown as green: it means the scanner could not
// evaluate the resource (access denied, throttled past retries, timed out).
// Unavailable means AWS says the data cannot exist for this account or region
// (the service is not offered there, the support plan lacks it, the region is
// not opted in); it is never green either, but it is no fault: it does not
// fail a pipeline and never alerts.
const (
	Green       Status = "green"
	Yellow      Status = "yellow"
	Red         Status = "red"
	Error       Status = "error"
	Unavailable Status = "unavailable"
)

// Statuses lists every status in reading order: what needs action first
// (red, then error: a check that could not look may hide a red), then
// yellow, unavailable and green.
var Statuses = []Status{Red, Error, Yellow, Unavailable, Green}

// Severity orders statuses: green < unavailable < yellow < red < error. Error
// is ranked above red so that "fail on red" also fails when a check could not
// look; unavailable ranks above green so that it is never hidden behind a
// green, but below yellow so that it never fails "--fail-on yellow|red".
func (s Status) Severity() int {
	switch s {
	case Green:
		return 0
	case Unavailable:
		return 1
	case Yellow:
		return 2
	case Red:
		return 3
	case Error:
		return 4
	}
	return -1
}

// Fails reports whether a finding of status s fails a threshold: error always
// fails (a check that could not look must not let a pipeline pass);
// unavailable never does (the data cannot exist there).
func (s Status) Fails(threshold Status) bool {
	switch s {
	case Error:
		return true
	case Unavailable:
		return false
	}
	return s.Severity() >= threshold.Severity()
}

// Scope says whether a check runs once per account or once per region.
type Scope string

// The scopes.
const (
	Global   Scope = "global"
	Regional Scope = "regional"
)

// GlobalRegion is the region recorded on findings of global checks.
const GlobalRegion = "global"

// WholeScope is the resource ID of an error finding that stands for every
// resource of a job: the check could not look at the region (or account) at all.
const WholeScope = "(all)"

// AllRegions is the region of a finding that stands for every region of an
// account: the account could not be entered at all.
const AllRegions = "(all)"

// Criterion is one line of a check's alert criteria.
type Criterion struct {
	Status Status
	Text   string
}

// Meta is a check's description, taken from the specification. It is data:
// the CLI catalog, the IAM policy, the CDK stack and the README derive from it.
type Meta struct {
	// ID is the Trusted Advisor check ID, the canonical identifier.
	ID string
	// Slug is a readable, stable identifier for the CLI and logs.
	Slug              string
	Name              string
	Description       string
	Criteria          []Criterion
	RecommendedAction string
	// Columns are the spec's report columns, in the spec's order, named exactly.
	Columns []string
	// IAMActions are the read-only IAM actions the check's collector calls.
	IAMActions []string
	Scope      Scope
	// BeyondSpec says, for the README and reasons, where the check goes
	// further than the Trusted Advisor specification. Empty when it does not.
	BeyondSpec string
	// Triggers are the CloudTrail management events whose success can
	// change the check's result: the stack re-checks the event's (account,
	// region, check) within minutes of one, instead of waiting for the next
	// scheduled scan. A check whose result changes only with time (a
	// certificate expiring, a runtime reaching its deprecation date) has
	// none and is judged on the schedule only.
	Triggers []Trigger
	// Data lists the data files that age (lifecycle dates, policy lists,
	// region lists) the check judges by, so `secadvisor checks` and
	// `secadvisor version` show how fresh they are.
	Data []Dataset
}

// Trigger is a set of CloudTrail events of one AWS service: its event
// source ("ec2.amazonaws.com") and the event names (API operations,
// "AuthorizeSecurityGroupIngress") as CloudTrail records them.
type Trigger struct {
	Source string   `json:"source"`
	Names  []string `json:"names"`
}

// Dataset describes one embedded data file that ages: what it holds, where
// it was read from, and the date it was read.
type Dataset struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	AsOf   string `json:"asOf"`
}

// Finding is the state of one resource as one check sees it.
type Finding struct {
	CheckID   string `json:"checkId"`
	Slug      string `json:"slug"`
	CheckName string `json:"checkName"`
	Account   string `json:"account"`
	// AccountName is the account's name in its organization, when known.
	AccountName string `json:"accountName,omitempty"`
	Region      string `json:"region"`
	ResourceID  string `json:"resourceId"`
	Status      Status `json:"status"`
	Reason      string `json:"reason"`
	// Columns holds report-column values keyed by the spec's column names.
	Columns map[string]string `json:"columns"`
	// Suppressed says a suppression rule accepts this red or yellow
	// finding on purpose: it keeps its status, but fails no pipeline and
	// sends no alert. Suppression says which rule, why, who and until when.
	Suppressed  bool         `json:"suppressed,omitempty"`
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression is the rule that suppresses a finding.
type Suppression struct {
	// Rule names the rule: "<file>:<line>" for a file's rule, its ID for a
	// rule stored in the findings table.
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
	// Expires is the last day (UTC, YYYY-MM-DD) the rule applies.
	Expires string `json:"expires"`
}

// Target is what one job scans: one account in one region. Config is an AWS
// configuration for that account with Region set to the region to call.
type Target struct {
	Account string
	// Region is the region recorded on findings (GlobalRegion for global checks).
	Region string
	Config aws.Config
	// ScanTime is when the scan started: evaluators judge ages and deadlines
	// against it, never the wall clock, so that a job redelivered an hour
	// later is judged as of the scan it belongs to.
	ScanTime time.Time
}

// Runner collects and evaluates one check for one target. A returned error
// means the check could not look at the target at all; the scan engine turns
// it into an error finding. Errors limited to one resource are returned as
// error findings by the check itself.
type Runner interface {
	Run(ctx context.Context, target Target) ([]Finding, error)
}

// New returns the catalog entry of a check written in two stages: collect
// reads what the check needs from AWS (returning an error when it could not
// look at the target at all), and evaluate, a pure function, judges it.
func New[In any](meta Meta, collect func(context.Context, Target) (In, error), evaluate func(Target, In) []Finding) Check {
	return Check{Meta: meta, Runner: stages[In]{collect: collect, evaluate: evaluate}}
}

type stages[In any] struct {
	collect  func(context.Context, Target) (In, error)
	evaluate func(Target, In) []Finding
}

func (s stages[In]) Run(ctx context.Context, target Target) ([]Finding, error) {
	in, err := s.collect(ctx, target)
	if err != nil {
		return nil, err
	}
	return s.evaluate(target, in), nil
}

// Check is one entry of the catalog. A nil Runner means the check is
// specified but not implemented yet: it is reported as such, never as green.
type Check struct {
	Meta   Meta
	Runner Runner
}

// Implemented reports whether the check can run.
func (c Check) Implemented() bool { return c.Runner != nil }

// NewFinding returns a finding of meta's check for target, with the metadata
// fields filled in.
func (m Meta) NewFinding(target Target, resourceID string, status Status, reason string, columns map[string]string) Finding {
	return Finding{
		CheckID:    m.ID,
		Slug:       m.Slug,
		CheckName:  m.Name,
		Account:    target.Account,
		Region:     target.Region,
		ResourceID: resourceID,
		Status:     status,
		Reason:     reason,
		Columns:    columns,
	}
}

// CouldNotEvaluate is the reason of every error finding: why the resource
// could not be evaluated, after one fixed prefix that people and filters
// recognise.
func CouldNotEvaluate(why string) string { return "could not evaluate: " + why }

// Unevaluated returns an error finding: resourceID could not be evaluated,
// for why (columns may be nil).
func (m Meta) Unevaluated(target Target, resourceID, why string, columns map[string]string) Finding {
	return m.NewFinding(target, resourceID, Error, CouldNotEvaluate(why), columns)
}

// ErrorFinding returns the finding that stands for "could not evaluate
// resourceID": status Error, with the failed operation and the classified
// error code in the reason.
func (m Meta) ErrorFinding(target Target, resourceID, op string, err error) Finding {
	return m.Unevaluated(target, resourceID, fmt.Sprintf("%s: %s", op, awsx.Describe(err)), nil)
}

// UnavailableFinding returns the finding that stands for "this data cannot
// exist for this account or region": status Unavailable with AWS's reason
// (the service is not offered in the region, the support plan lacks it).
func (m Meta) UnavailableFinding(target Target, resourceID, reason string) Finding {
	return m.NewFinding(target, resourceID, Unavailable, "unavailable: "+reason, nil)
}

// OpError wraps err with the API operation that failed, e.g.
// "iam GetAccountPasswordPolicy", so error findings name it.
type OpError struct {
	Op  string
	Err error
}

func (e *OpError) Error() string { return e.Op + ": " + awsx.Describe(e.Err) }

func (e *OpError) Unwrap() error { return e.Err }

// WrapOp returns err wrapped with op, or nil when err is nil.
func WrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Err: err}
}

// OpOf returns the operation err was wrapped with (WrapOp), or "" when it
// carries none.
func OpOf(err error) string {
	var opErr *OpError
	if errors.As(err, &opErr) {
		return opErr.Op
	}
	return ""
}

// Parallel calls do(i) for every i from 0 to n-1 on at most workers
// goroutines (at least one) and returns when every call has returned. A
// collector uses it to read many resources at once, each call writing only
// its own slot i of a slice, so the results keep the listing's order
// without a lock.
func Parallel(n, workers int, do func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(min(workers, n), 1) {
		wg.Go(func() {
			for i := range next {
				do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// StatusText is how a status reads in the "Status" report column.
func (s Status) StatusText() string {
	switch s {
	case Green:
		return "Green"
	case Yellow:
		return "Yellow"
	case Red:
		return "Red"
	case Error:
		return "Error"
	case Unavailable:
		return "Unavailable"
	}
	return string(s)
}

// Complete fills the report columns that every check shares and that the
// finding itself knows: "Status" and, unless the check set it, "Region".
func (m Meta) Complete(f *Finding) {
	for _, c := range m.Columns {
		switch c {
		case "Status":
			if f.Columns == nil {
				f.Columns = map[string]string{}
			}
			f.Columns[c] = f.Status.StatusText()
		case "Region":
			if f.Columns == nil {
				f.Columns = map[string]string{}
			}
			if f.Columns[c] == "" {
				f.Columns[c] = f.Region
			}
		}
	}
}
