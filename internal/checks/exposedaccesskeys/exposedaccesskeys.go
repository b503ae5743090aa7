// Package exposedaccesskeys reports access keys that AWS has found exposed on
// the internet or suspects of being compromised. A leaked key lets anyone act
// as its owner until the key is deleted.
package exposedaccesskeys

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "12Fnkpl8Y5",
	Slug:        "exposed-access-keys",
	Name:        "Exposed Access Keys",
	Description: "Checks popular code repositories for access keys that have been exposed to the public and for irregular Amazon Elastic Compute Cloud (Amazon EC2) usage that could be the result of a compromised access key. An access key consists of an access key ID and the corresponding secret access key. Exposed access keys pose a security risk to your account and other users, could lead to excessive charges from unauthorized activity or abuse, and violate the AWS Customer Agreement.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "Potentially compromised – AWS has identified an access key ID and corresponding secret access key that have been exposed on the Internet and may have been compromised (used)."},
		{Status: check.Red, Text: "Exposed – AWS has identified an access key ID and corresponding secret access key that have been exposed on the Internet."},
		{Status: check.Red, Text: "Suspected - Irregular Amazon EC2 usage indicates that an access key may have been compromised, but it has not been identified as exposed on the Internet."},
	},
	RecommendedAction: "Delete the affected access key as soon as possible. If the key is associated with an IAM user, see Managing Access Keys for IAM Users. Check your account for unauthorized usage. Sign in to the AWS Management Console and check each service console for suspicious resources. Pay special attention to running Amazon EC2 instances, Spot Instance requests, access keys, and IAM users. You can also check overall usage on the Billing and Cost Management console.",
	Columns:           []string{"Access Key ID", "User Name (IAM or Root)", "Fraud Type", "Case ID", "Time Updated", "Location", "Deadline", "Usage (USD per Day)"},
	IAMActions:        []string{"iam:ListEntitiesForPolicy", "iam:ListAccessKeys", "health:DescribeEvents", "health:DescribeEventDetails"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 5): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
