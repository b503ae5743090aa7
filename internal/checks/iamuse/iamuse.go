// Package iamuse checks that the account has at least one IAM user. An
// account without IAM users is likely operated with root credentials, which
// have unlimited power and cannot be restricted.
package iamuse

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("zXCkfM1nI3", check.Meta{
	Slug:       "iam-use",
	IAMActions: []string{"iam:ListUsers"},
	Scope:      check.Global,
	BeyondSpec: "A green finding is reported when the account has an IAM user.",
	// Triggers: creating the first IAM user or deleting the last one changes
	// the result.
	Triggers: []check.Trigger{
		{Source: "iam.amazonaws.com", Names: []string{"CreateUser", "DeleteUser"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// ResourceID names the one resource this check reports on.
const ResourceID = "iam-users"

// API is the part of the IAM client the check calls.
type API interface {
	iam.ListUsersAPIClient
}

var _ API = (*iam.Client)(nil)

// collectFrom collects with an IAM client for target.
func collectFrom(ctx context.Context, target check.Target) (bool, error) {
	return collect(ctx, iam.NewFromConfig(target.Config))
}

// collect reports whether the account has at least one IAM user. Only
// existence matters, so it asks for one user per page and stops at the first
// user: one request in practice. It still follows the marker, because IAM may
// answer a page with fewer items than asked (even none) and IsTruncated set.
func collect(ctx context.Context, api API) (bool, error) {
	pages := iam.NewListUsersPaginator(api, &iam.ListUsersInput{MaxItems: aws.Int32(1)},
		func(o *iam.ListUsersPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return false, check.WrapOp("iam ListUsers", err)
		}
		if len(page.Users) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// evaluate is yellow when the account has no IAM user, green otherwise.
func evaluate(target check.Target, hasUser bool) []check.Finding {
	if !hasUser {
		return []check.Finding{Meta.NewFinding(target, ResourceID, check.Yellow,
			"No IAM users have been created for this account. If people sign in through an external identity provider "+
				"(SAML or OIDC federation) or AWS IAM Identity Center, this is the recommended setup and you can ignore this alert; "+
				"otherwise the account is likely used with its root user's credentials.", nil)}
	}
	return []check.Finding{Meta.NewFinding(target, ResourceID, check.Green,
		"At least one IAM user exists in this account.", nil)}
}
