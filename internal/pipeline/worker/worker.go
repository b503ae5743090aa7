// Package worker is the logic of a check's function: it runs the jobs SQS
// delivers for its one check and writes their findings through the store.
// Each check's function links only its own check.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// New builds the worker of check c from the function's environment. Each
// check's function is its own bootstrap that links only its check (make
// build-lambdas generates its main), so c comes from the caller, not from a
// catalog lookup. It asks STS once, at cold start, which account it runs in.
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
	account, err := scan.CallerAccount(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Worker{
		Check:      c,
		Account:    account,
		Config:     cfg,
		Store:      store.New(dynamodb.NewFromConfig(cfg), table),
		JobTimeout: timeout,
	}, nil
}

// FindingsWriter stores one job's findings; *store.Store in production.
type FindingsWriter interface {
	Apply(ctx context.Context, r store.JobResult) (store.ApplyStats, error)
}

// Worker runs the jobs of one check, delivered in SQS batches.
type Worker struct {
	Check check.Check
	// Account is the account the worker's credentials belong to; a job for
	// another account is rejected (cross-account scanning needs a role to assume).
	Account string
	Config  aws.Config
	Store   FindingsWriter
	// JobTimeout bounds one job (scan.DefaultJobTimeout when zero).
	JobTimeout time.Duration
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
	if job.Account != w.Account {
		return fmt.Errorf("reject message: job for account %s, this function scans %s", job.Account, w.Account)
	}
	wantGlobal := w.Check.Meta.Scope == check.Global
	if (job.Region == check.GlobalRegion) != wantGlobal {
		return fmt.Errorf("reject message: region %q does not fit the %s check %s", job.Region, w.Check.Meta.Scope, job.CheckID)
	}
	findings := scan.RunJob(ctx, w.Config, scan.Job{Check: w.Check, Account: job.Account, Region: job.Region, ScanTime: job.ScanTime}, w.JobTimeout)
	stats, err := w.Store.Apply(ctx, store.JobResult{
		Account: job.Account, CheckID: job.CheckID, Region: job.Region,
		ScanID: job.ScanID, ScanTime: job.ScanTime, Findings: findings,
	})
	if err != nil {
		return fmt.Errorf("store findings of %s %s/%s: %w", job.CheckID, job.Account, job.Region, err)
	}
	slog.Info("job done", "check_id", job.CheckID, "account", job.Account, "region", job.Region, "scan_id", job.ScanID,
		"findings", len(findings), "put", stats.Put, "deleted", stats.Deleted, "unchanged", stats.Unchanged, "stale", stats.Stale)
	return nil
}
