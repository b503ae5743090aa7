// Package iamuse checks that the account has at least one IAM user. An
// account without IAM users is likely operated with root credentials, which
// have unlimited power and cannot be restricted.
package iamuse

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "zXCkfM1nI3",
	Slug:        "iam-use",
	Name:        "IAM Use",
	Description: "Checks for your use of IAM. You can use IAM to create users, groups, and roles in AWS. You can also use permissions to control access to AWS resources. This check is intended to discourage the use of root access by checking for existence of at least one IAM user. You can ignore the alert if you are following best practice of centralizing identities and configuring users in an external identity provider or AWS IAM Identity Center (successor to AWS Single Sign-On).",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "No IAM users have been created for this account."},
	},
	RecommendedAction: "Create an IAM user or use AWS IAM Identity Center (successor to AWS Single Sign-On) to create additional users whose permissions are limited to perform specific tasks in your AWS environment.",
	IAMActions:        []string{"iam:ListUsers"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 5): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
