// Package rootmfa checks that multi-factor authentication is enabled on the
// root user. The root user can do anything in the account, so a stolen root
// password without MFA means a complete takeover. A root user whose
// credentials are removed (centralized root access, for organization member
// accounts) has no password to steal, and passes.
package rootmfa

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/credreport"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("7DAFEmoDos", check.Meta{
	Slug:       "mfa-on-root-account",
	IAMActions: append([]string{"iam:GetAccountSummary"}, credreport.IAMActions...),
	Scope:      check.Global,
	BeyondSpec: "Two sources: the account summary's AccountMFAEnabled (live) and the credential report's <root_account> row " +
		"(up to 4 hours old). Green when that row shows no password (password_enabled false) and no active access key: the root " +
		"credentials are removed, as centralized root access does for organization member accounts, and there is nothing for MFA " +
		"to protect (Trusted Advisor looks only at MFA). Otherwise red when either source says MFA is off, green only when every " +
		"source that answered says it is on. A source that could not be read is reported as its own error finding, never as green; " +
		"when the summary says MFA is off and the report could not be read, the finding is an error, since the report could have " +
		"shown the root credentials removed.",
	// Triggers: deactivating an MFA device turns the account summary's
	// AccountMFAEnabled off at once, and enabling one turns the finding green
	// once the credential report (regenerated at most every four hours)
	// agrees; removed root credentials show only in that report, so they wait
	// for the schedule.
	Triggers: []check.Trigger{
		{Source: "iam.amazonaws.com", Names: []string{"EnableMFADevice", "DeactivateMFADevice"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

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

// Input is what the check evaluates: each source's answer or its error.
type Input struct {
	// Summary is GetAccountSummary's SummaryMap.
	Summary    map[string]int32
	SummaryErr error
	Report     *credreport.Report
	ReportErr  error
}

// collectFrom collects with an IAM client for target. It never fails as a
// whole: each source's error is part of the Input.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, iam.NewFromConfig(target.Config)), nil
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

// evaluate judges the root user's MFA from both sources, and goes beyond the
// specification in one case: a root user without credentials.
//
//   - The report's <root_account> row shows no password (password_enabled
//     false) and no active access key: the root credentials are removed, as
//     centralized root access does for organization member accounts (which
//     then have no MFA device either). Green whatever MFA says: there is
//     nothing for MFA to protect. A report without a root row, or a classic
//     row (password_enabled not_supported), never shows this.
//   - Otherwise red when any source that answered says MFA is off, green when
//     every source that answered says it is on. The sources can disagree: the
//     report is regenerated at most every 4 hours, so just after MFA is
//     enabled or removed they differ; red then is the safe reading, and it
//     clears with the next report.
//   - Only the account summary answered, saying MFA is off, because the report
//     could not be read: error, not red, since the report could have shown
//     the root credentials removed. When neither answered: error.
//
// A source that could not be read while the verdict stands on the other is
// reported as its own error finding.
func evaluate(target check.Target, in Input) []check.Finding {
	var answers []sourceAnswer
	var notes, failures []string
	var sourceErrors []check.Finding
	switch {
	case in.SummaryErr != nil:
		failures = append(failures, in.SummaryErr.Error())
		sourceErrors = append(sourceErrors, Meta.Unevaluated(target, summaryResource, in.SummaryErr.Error(), nil))
	default:
		if v, ok := in.Summary[summaryMFAKey]; ok {
			answers = append(answers, sourceAnswer{"the account summary (AccountMFAEnabled)", v == 1})
		} else {
			notes = append(notes, "the account summary has no AccountMFAEnabled value")
		}
	}
	// rootHeld lists the root credentials the report's root row shows, when
	// the report has a root row (rootRow).
	var rootHeld []string
	rootRow := false
	generated := ""
	switch {
	case in.ReportErr != nil:
		failures = append(failures, in.ReportErr.Error())
		sourceErrors = append(sourceErrors, Meta.Unevaluated(target, reportResource, in.ReportErr.Error(), nil))
	default:
		if !in.Report.GeneratedTime.IsZero() {
			generated = ", generated " + in.Report.GeneratedTime.Format("2006-01-02T15:04:05Z")
		}
		root, ok := in.Report.Root()
		if ok {
			rootRow = true
			rootHeld = rootCredentials(root)
		}
		switch {
		case !ok:
			notes = append(notes, "the credential report has no <root_account> row, so it cannot show the root credentials removed")
		case root.MFAActive == credreport.Unknown:
			notes = append(notes, "the credential report's <root_account> row does not say whether MFA is active")
		default:
			answers = append(answers, sourceAnswer{"the credential report (<root_account> mfa_active" + generated + ")", root.MFAActive == credreport.Yes})
		}
	}
	if rootRow && len(rootHeld) == 0 {
		removed := Meta.NewFinding(target, ResourceID, check.Green, "The root credentials are removed: the credential report (<root_account> row"+generated+")"+
			" shows no password (password_enabled false) and no active access key, so MFA has nothing to protect. "+
			"Beyond the Trusted Advisor spec: Trusted Advisor looks only at MFA, which an account without root credentials "+
			"(centralized root access for organization member accounts) neither has nor needs.", nil)
		return slices.Concat([]check.Finding{removed}, sourceErrors)
	}
	if len(answers) == 0 {
		why := "no source says whether the root user has MFA"
		if len(failures) > 0 {
			why = strings.Join(failures, "; ")
		}
		if len(notes) > 0 {
			why += " (" + strings.Join(notes, "; ") + ")"
		}
		return []check.Finding{Meta.Unevaluated(target, ResourceID, why, nil)}
	}
	var on, off []string
	for _, a := range answers {
		if a.enabled {
			on = append(on, a.source)
		} else {
			off = append(off, a.source)
		}
	}
	if len(off) > 0 && rootRow {
		notes = append(notes, "the credential report shows the root user still has "+strings.Join(rootHeld, " and "))
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
	case len(off) > 0 && in.ReportErr != nil:
		// Red would be a guess: the unread report could show the root
		// credentials removed. The reason carries the report's error.
		return []check.Finding{Meta.Unevaluated(target, ResourceID, fmt.Sprintf(
			"MFA is not enabled on the root account (per %s), but whether the root credentials are removed "+
				"could not be read: %s.%s", strings.Join(off, " and "), in.ReportErr.Error(), suffix), nil)}
	case len(off) > 0:
		main = Meta.NewFinding(target, ResourceID, check.Red, "MFA is not enabled on the root account (per "+strings.Join(off, " and ")+")."+suffix, nil)
	default:
		main = Meta.NewFinding(target, ResourceID, check.Green, "MFA is enabled on the root account (per "+strings.Join(on, " and ")+")."+suffix, nil)
	}
	return slices.Concat([]check.Finding{main}, sourceErrors)
}

// rootCredentials lists the credentials the report's root row shows the root
// user still has; empty when it shows none. Only false counts as absent: the
// classic report's not_supported (the root user always has a password there)
// and a key slot of unknown status are held.
func rootCredentials(root credreport.User) []string {
	var held []string
	switch root.PasswordEnabled {
	case credreport.Yes:
		held = append(held, "a password (password_enabled true)")
	case credreport.Unknown:
		held = append(held, "a password (password_enabled not false: the classic report says not_supported for the root user, who always has one there)")
	}
	for _, k := range root.AccessKeys {
		switch k.Active {
		case credreport.Yes:
			held = append(held, fmt.Sprintf("an active access key (access_key_%d_active true)", k.Slot))
		case credreport.Unknown:
			held = append(held, fmt.Sprintf("possibly an active access key (access_key_%d_active not true or false)", k.Slot))
		}
	}
	return held
}
