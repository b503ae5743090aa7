// Package iampasswordpolicy verifies that the account has an IAM password
// policy and that it requires every kind of character. Weak or missing
// password rules make console passwords of IAM users easy to guess.
package iampasswordpolicy

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("Yw2K9puPzl", check.Meta{
	Slug:       "iam-password-policy",
	IAMActions: []string{"iam:GetAccountPasswordPolicy"},
	Scope:      check.Global,
	// Triggers: updating or deleting the account password policy is the only
	// way to change it.
	Triggers: []check.Trigger{
		{Source: "iam.amazonaws.com", Names: []string{"UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// ResourceID names the one resource this check reports on.
const ResourceID = "password-policy"

// API is the part of the IAM client the check calls.
type API interface {
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
}

var _ API = (*iam.Client)(nil)

// collectFrom collects with an IAM client for target.
func collectFrom(ctx context.Context, target check.Target) (*types.PasswordPolicy, error) {
	return collect(ctx, iam.NewFromConfig(target.Config))
}

// collect returns the account's password policy, or nil when the account has
// none (IAM answers NoSuchEntity).
func collect(ctx context.Context, api API) (*types.PasswordPolicy, error) {
	out, err := api.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if awsx.Is(err, awsx.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, check.WrapOp("iam GetAccountPasswordPolicy", err)
	}
	return out.PasswordPolicy, nil
}

// evaluate judges the policy: none is red, one missing any of the four
// content requirements is yellow, all four is green.
func evaluate(target check.Target, policy *types.PasswordPolicy) []check.Finding {
	if policy == nil {
		return []check.Finding{Meta.NewFinding(target, ResourceID, check.Red,
			"No password policy is enabled.",
			map[string]string{"Password Policy": "Disabled", "Uppercase": "Disabled", "Lowercase": "Disabled", "Number": "Disabled", "Non-alphanumeric": "Disabled"})}
	}
	requirements := []struct {
		column  string
		enabled bool
	}{
		{"Uppercase", policy.RequireUppercaseCharacters},
		{"Lowercase", policy.RequireLowercaseCharacters},
		{"Number", policy.RequireNumbers},
		{"Non-alphanumeric", policy.RequireSymbols},
	}
	columns := map[string]string{"Password Policy": "Enabled"}
	var missing []string
	for _, r := range requirements {
		columns[r.column] = enabledText(r.enabled)
		if !r.enabled {
			missing = append(missing, r.column)
		}
	}
	if len(missing) > 0 {
		return []check.Finding{Meta.NewFinding(target, ResourceID, check.Yellow,
			"A password policy is enabled, but these content requirements are not: "+strings.Join(missing, ", ")+".", columns)}
	}
	return []check.Finding{Meta.NewFinding(target, ResourceID, check.Green,
		"A password policy is enabled with every content requirement (uppercase, lowercase, number, non-alphanumeric).", columns)}
}

func enabledText(on bool) string {
	if on {
		return "Enabled"
	}
	return "Disabled"
}
