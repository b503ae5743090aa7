// Package rootmfa checks that multi-factor authentication is enabled on the
// root user. The root user can do anything in the account, so a stolen root
// password without MFA means a complete takeover.
package rootmfa

import "github.com/secadvisor/secadvisor/internal/check"

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
	IAMActions:        []string{"iam:GetAccountSummary", "iam:GenerateCredentialReport", "iam:GetCredentialReport"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 5): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
