// Package rootmfa checks that multi-factor authentication is enabled on the
// root user. The root user can do anything in the account, so a stolen root
// password without MFA means a complete takeover.
package rootmfa

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/credreport"
)

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "7DAFEmoDos",
	Slug:        "mfa-on-root-account",
	Name:        "MFA on Root Account",
	Description: "Checks the root account and warns if multi-factor authentication (MFA) is not enabled. For increased security, we recommend that you protect your account by using MFA, which requires a user to enter a unique authentication code from their MFA hardware or virtual device when interacting with the AWS Management Console and associated websites.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "MFA is not enabled on the root account."},
	},
	RecommendedAction: "Log in to your root account and activate an MFA device. See Checking MFA Status and Setting Up an MFA Device.",
	IAMActions:        append([]string{"iam:GetAccountSummary"}, credreport.IAMActions...),
	Scope:             check.Global,
	BeyondSpec: "Two sources: the account summary's AccountMFAEnabled (live) and the mfa_active field of the credential report's " +
		"<root_account> row (up to 4 hours old). Red when either says MFA is off, green only when every source that answered says " +
		"it is on; a source that could not be read is reported as its own error finding, never as green.",
}

// Check is the catalog entry.
var Check = check.Check{Meta: Meta, Runner: runner{}}

// Resource IDs: the root user's MFA state, and each source when it could
// not be read while the other one could.
const (
	ResourceID       = "root-account"
	summaryResource  = "account-summary"
	reportResource   = "credential-report"
	summaryMFAKey    = "AccountMFAEnabled"
	summaryOperation = "iam GetAccountSummary"
)

// API is the part of the IAM client the check calls.
type API interface {
	credreport.API
	GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

var _ API = (*iam.Client)(nil)

type runner struct{}

func (runner) Run(ctx context.Context, target check.Target) ([]check.Finding, error) {
	return evaluate(target, collect(ctx, iam.NewFromConfig(target.Config))), nil
}

// Input is what the check evaluates: each source's answer or its error.
type Input struct {
	// Summary is GetAccountSummary's SummaryMap.
	Summary    map[string]int32
	SummaryErr error
	Report     *credreport.Report
	ReportErr  error
}

// collect reads both sources; one failing does not stop the other.
func collect(ctx context.Context, api API) Input {
	var in Input
	out, err := api.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		in.SummaryErr = check.WrapOp(summaryOperation, err)
	} else {
		in.Summary = out.SummaryMap
	}
	in.Report, in.ReportErr = credreport.Fetch(ctx, api)
	return in
}

// sourceAnswer is one source's word on root MFA.
type sourceAnswer struct {
	source  string
	enabled bool
}

// evaluate is red when any source that answered says MFA is off, green when
// every source that answered says it is on. The sources can disagree: the
// report is regenerated at most every 4 hours, so just after MFA is enabled
// or removed they differ; red then is the safe reading, and it clears with
// the next report. When neither answered, the finding is an error.
func evaluate(target check.Target, in Input) []check.Finding {
	var answers []sourceAnswer
	var notes, failures []string
	var sourceErrors []check.Finding
	switch {
	case in.SummaryErr != nil:
		failures = append(failures, in.SummaryErr.Error())
		sourceErrors = append(sourceErrors, Meta.NewFinding(target, summaryResource, check.Error, "could not evaluate: "+in.SummaryErr.Error(), nil))
	default:
		if v, ok := in.Summary[summaryMFAKey]; ok {
			answers = append(answers, sourceAnswer{"the account summary (AccountMFAEnabled)", v == 1})
		} else {
			notes = append(notes, "the account summary has no AccountMFAEnabled value")
		}
	}
	switch {
	case in.ReportErr != nil:
		failures = append(failures, in.ReportErr.Error())
		sourceErrors = append(sourceErrors, Meta.NewFinding(target, reportResource, check.Error, "could not evaluate: "+in.ReportErr.Error(), nil))
	default:
		root, ok := in.Report.Root()
		switch {
		case !ok:
			notes = append(notes, "the credential report has no <root_account> row")
		case root.MFAActive == credreport.Unknown:
			notes = append(notes, "the credential report's <root_account> row does not say whether MFA is active")
		default:
			generated := ""
			if !in.Report.GeneratedTime.IsZero() {
				generated = ", generated " + in.Report.GeneratedTime.Format("2006-01-02T15:04:05Z")
			}
			answers = append(answers, sourceAnswer{"the credential report (<root_account> mfa_active" + generated + ")", root.MFAActive == credreport.Yes})
		}
	}
	if len(answers) == 0 {
		reason := "could not evaluate: no source says whether the root user has MFA"
		if len(failures) > 0 {
			reason = "could not evaluate: " + strings.Join(failures, "; ")
		}
		if len(notes) > 0 {
			reason += " (" + strings.Join(notes, "; ") + ")"
		}
		return []check.Finding{Meta.NewFinding(target, ResourceID, check.Error, reason, nil)}
	}
	var on, off []string
	for _, a := range answers {
		if a.enabled {
			on = append(on, a.source)
		} else {
			off = append(off, a.source)
		}
	}
	suffix := ""
	if len(notes) > 0 {
		suffix = " Note: " + strings.Join(notes, "; ") + "."
	}
	var main check.Finding
	switch {
	case len(off) > 0 && len(on) > 0:
		main = Meta.NewFinding(target, ResourceID, check.Red, fmt.Sprintf(
			"MFA is not enabled on the root account according to %s, while %s says it is. The credential report can be up to 4 hours old: "+
				"if MFA was just changed, this clears when the report is regenerated; otherwise verify the root user's MFA devices.%s",
			strings.Join(off, " and "), strings.Join(on, " and "), suffix), nil)
	case len(off) > 0:
		main = Meta.NewFinding(target, ResourceID, check.Red, "MFA is not enabled on the root account (per "+strings.Join(off, " and ")+")."+suffix, nil)
	default:
		main = Meta.NewFinding(target, ResourceID, check.Green, "MFA is enabled on the root account (per "+strings.Join(on, " and ")+")."+suffix, nil)
	}
	return slices.Concat([]check.Finding{main}, sourceErrors)
}
