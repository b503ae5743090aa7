// Package worker is the logic of a check's function: it runs the jobs SQS
// delivers for its one check and writes their findings through the store.
// Each check's function links only its own check.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/member"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// New builds the worker of check c from the function's environment. Each
// check's function is its own bootstrap that links only its check (make
// build-lambdas generates its main), so c comes from the caller, not from a
// catalog lookup. It asks STS once, at cold start, which account and
// partition it runs in.
func New(ctx context.Context, cfg aws.Config, c check.Check, getenv pipeline.Getenv) (*Worker, error) {
	if !c.Implemented() {
		return nil, fmt.Errorf("check %s is not implemented", c.Meta.ID)
	}
	table, err := pipeline.Required(getenv, pipeline.EnvTableName)
	if err != nil {
		return nil, err
	}
	timeout := scan.DefaultJobTimeout
	if v := getenv(pipeline.EnvJobTimeout); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("%s %q is not a positive duration", pipeline.EnvJobTimeout, v)
		}
	}
	caller, err := member.CallerOf(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The member role allows every check's actions; the session policy
	// keeps this function to its own check's in every account.
	policy, err := org.SessionPolicy(c.Meta.IAMActions)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", c.Meta.ID, err)
	}
	return &Worker{
		Check:   c,
		Account: caller.Account,
		Config:  cfg,
		Accounts: member.NewAccounts(member.Entry{
			Base: cfg, Own: caller.Account, Partition: caller.Partition,
			RoleName:      strings.TrimSpace(getenv(pipeline.EnvMemberRoleName)),
			ExternalID:    strings.TrimSpace(getenv(pipeline.EnvExternalID)),
			SessionPolicy: policy,
		}),
		Store:      store.New(dynamodb.NewFromConfig(cfg), table),
		JobTimeout: timeout,
	}, nil
}

// AccountConfigs hands out the configuration that reaches an account, and
// enters it first (assumes the member role there); *member.Accounts.
type AccountConfigs interface {
	Config(account string) aws.Config
	Enter(ctx context.Context, account string) error
}

var _ AccountConfigs = (*member.Accounts)(nil)

// FindingsWriter stores one job's findings, and holds the suppression
// rules applied to them first; *store.Store in production.
type FindingsWriter interface {
	Apply(ctx context.Context, r store.JobResult) (store.ApplyStats, error)
	Suppressions(ctx context.Context) ([]suppress.Rule, error)
}

// RulesTTL is how long a warm function keeps the suppression rules it read
// before reading them again: one Query per minute rather than per job, and
// a rule added or removed reaches the functions within a minute (the
// `suppress` command updates the stored findings at once).
const RulesTTL = 60 * time.Second

// Worker runs the jobs of one check, delivered in SQS batches.
type Worker struct {
	Check check.Check
	// Account is the account the worker's credentials belong to: its jobs
	// run with Config itself.
	Account string
	Config  aws.Config
	// Accounts reaches the other accounts' jobs by assuming the member role
	// there; one per warm function, so credentials are cached per account.
	// When nil, the default member role is assumed, in partition aws,
	// without external ID.
	Accounts AccountConfigs
	Store    FindingsWriter
	// JobTimeout bounds one job (scan.DefaultJobTimeout when zero).
	JobTimeout time.Duration

	defaultAccounts sync.Once

	// The suppression rules read at rulesRead, by the clock now (time.Now when nil).
	rulesMu   sync.Mutex
	rules     []suppress.Rule
	rulesRead time.Time
	now       func() time.Time
}

// Handle runs every job of the batch and reports the messages that failed,
// so SQS redelivers only those (and moves them to the DLQ after the
// configured receive count). One bad message never fails its batch-mates.
func (w *Worker) Handle(ctx context.Context, event events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, msg := range event.Records {
		if err := w.handleMessage(ctx, msg); err != nil {
			slog.Error("job failed", "check_id", w.Check.Meta.ID, "message_id", msg.MessageId, "err", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (w *Worker) handleMessage(ctx context.Context, msg events.SQSMessage) error {
	job, err := pipeline.DecodeJobMessage(msg.Body)
	if err != nil {
		return fmt.Errorf("reject message: %w", err)
	}
	if job.CheckID != w.Check.Meta.ID {
		return fmt.Errorf("reject message: job for check %s sent to the function of check %s", job.CheckID, w.Check.Meta.ID)
	}
	wantGlobal := w.Check.Meta.Scope == check.Global
	if (job.Region == check.GlobalRegion) != wantGlobal {
		return fmt.Errorf("reject message: region %q does not fit the %s check %s", job.Region, w.Check.Meta.Scope, job.CheckID)
	}
	// Rules that cannot be read fail the job before the check runs (SQS
	// retries it, then moves it to the DLQ, whose alarm fires): writing the
	// findings unsuppressed would alert on risks a team accepted, and
	// keeping the last rules read would go on hiding what a removed rule
	// no longer covers.
	rules, err := w.suppressions(ctx)
	if err != nil {
		return fmt.Errorf("job %s %s/%s: %w", job.CheckID, job.Account, job.Region, err)
	}
	findings := w.run(ctx, job)
	outcome := suppress.Apply(findings, rules, job.ScanTime, nil)
	stats, err := w.Store.Apply(ctx, store.JobResult{
		Account: job.Account, AccountName: job.AccountName, CheckID: job.CheckID, Region: job.Region,
		ScanID: job.ScanID, ScanTime: job.ScanTime, Findings: findings,
	})
	if err != nil {
		return fmt.Errorf("store findings of %s %s/%s: %w", job.CheckID, job.Account, job.Region, err)
	}
	slog.Info("job done", "check_id", job.CheckID, "account", job.Account, "region", job.Region, "scan_id", job.ScanID,
		"findings", len(findings), "suppressed", outcome.Suppressed, "put", stats.Put, "deleted", stats.Deleted, "unchanged", stats.Unchanged, "stale", stats.Stale)
	return nil
}

// run runs the job in its account. An account that cannot be entered (the
// role is missing, AssumeRole is denied, the account is suspended) gives the
// job's one error finding, naming the role and the error code: it is stored
// like any finding, so the account never reads as green.
func (w *Worker) run(ctx context.Context, job pipeline.JobMessage) []check.Finding {
	timeout := w.JobTimeout
	if timeout <= 0 {
		timeout = scan.DefaultJobTimeout
	}
	sj := scan.Job{Check: w.Check, Account: job.Account, AccountName: job.AccountName, Region: job.Region, ScanTime: job.ScanTime}
	accounts := w.accounts()
	enterCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := accounts.Enter(enterCtx, job.Account); err != nil {
		slog.Warn("account not entered", "check_id", job.CheckID, "account", job.Account, "region", job.Region, "op", "sts AssumeRole", "err", err.Error())
		f := w.Check.Meta.Unevaluated(check.Target{Account: job.Account, Region: job.Region, ScanTime: job.ScanTime.UTC()}, check.WholeScope, err.Error(), nil)
		w.Check.Meta.Complete(&f)
		f.AccountName = job.AccountName
		return []check.Finding{f}
	}
	return scan.RunJob(ctx, accounts.Config(job.Account), sj, timeout)
}

// suppressions returns the stored suppression rules, read again once they
// are RulesTTL old. A failed read is not cached: the next job tries again.
func (w *Worker) suppressions(ctx context.Context) ([]suppress.Rule, error) {
	now := time.Now
	if w.now != nil {
		now = w.now
	}
	w.rulesMu.Lock()
	defer w.rulesMu.Unlock()
	if !w.rulesRead.IsZero() && now().Sub(w.rulesRead) < RulesTTL {
		return w.rules, nil
	}
	rules, err := w.Store.Suppressions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read suppression rules: %w", err)
	}
	w.rules, w.rulesRead = rules, now()
	return rules, nil
}

func (w *Worker) accounts() AccountConfigs {
	w.defaultAccounts.Do(func() {
		if w.Accounts == nil {
			policy, _ := org.SessionPolicy(w.Check.Meta.IAMActions) // none: the role's own policy
			w.Accounts = member.NewAccounts(member.Entry{Base: w.Config, Own: w.Account, SessionPolicy: policy})
		}
	})
	return w.Accounts
}
