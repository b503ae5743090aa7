package credreport

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// IAMActions are the IAM actions Fetch calls, for the Meta of checks that use it.
var IAMActions = []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}

// API is the part of the IAM client Fetch calls.
type API interface {
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
}

var _ API = (*iam.Client)(nil)

// IAM error codes of the credential report operations.
const (
	codeNotPresent      = "ReportNotPresent"
	codeInProgress      = "ReportInProgress"
	codeExpired         = "ReportExpired"
	codeGenerationLimit = "ReportGenerationLimitExceeded"
)

// backoff bounds the wait for a report being generated.
type backoff struct {
	first, max, total time.Duration
}

// defaultBackoff waits 0.2 s, 0.4 s, … up to 8 s between polls, and gives up
// after 3 minutes: AWS builds a report for a few thousand users in seconds,
// and a scan job is bounded by 5 minutes (scan.DefaultJobTimeout).
var defaultBackoff = backoff{first: 200 * time.Millisecond, max: 8 * time.Second, total: 3 * time.Minute}

// Fetch asks IAM to generate the credential report, waits until it is
// ready and returns it parsed. IAM returns the existing report when one was
// generated in the last four hours, so calling Fetch from several checks of
// one scan costs one generation.
func Fetch(ctx context.Context, api API) (*Report, error) {
	return fetch(ctx, api, defaultBackoff)
}

// fetch polls GenerateCredentialReport until it answers COMPLETE, then gets
// the report. The SDK has no waiter for the credential report (IAM defines
// none), so this is a small bounded loop: exponential backoff, a deadline,
// and the context's own deadline honoured.
func fetch(ctx context.Context, api API, b backoff) (*Report, error) {
	deadline := time.Now().Add(b.total)
	delay := b.first
	for {
		ready, err := generate(ctx, api)
		if err != nil {
			return nil, err
		}
		if ready {
			report, err := get(ctx, api)
			switch {
			case err == nil:
				return report, nil
			// Generated but not yet readable, or expired in between: wait and ask again.
			case awsx.Code(err) == codeInProgress, awsx.Code(err) == codeNotPresent, awsx.Code(err) == codeExpired:
			default:
				return nil, err
			}
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("iam GenerateCredentialReport: the report was not ready within %s", b.total)
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("iam GenerateCredentialReport: waiting for the report: %w", ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, b.max)
	}
}

// generate starts (or confirms) a report generation and reports whether the
// report is complete.
func generate(ctx context.Context, api API) (bool, error) {
	out, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if awsx.Code(err) == codeGenerationLimit {
		// Too many generations lately: a recent report exists; read it.
		return true, nil
	}
	if err != nil {
		return false, check.WrapOp("iam GenerateCredentialReport", err)
	}
	return out.State == types.ReportStateTypeComplete, nil
}

func get(ctx context.Context, api API) (*Report, error) {
	out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, check.WrapOp("iam GetCredentialReport", err)
	}
	if out.ReportFormat != "" && out.ReportFormat != types.ReportFormatTypeTextCsv {
		return nil, fmt.Errorf("iam GetCredentialReport: report format %q, want %q", out.ReportFormat, types.ReportFormatTypeTextCsv)
	}
	report, err := Parse(out.Content)
	if err != nil {
		return nil, fmt.Errorf("iam GetCredentialReport: %w", err)
	}
	report.GeneratedTime = aws.ToTime(out.GeneratedTime).UTC()
	return report, nil
}
