// Package iamaccesskeyrotation finds active IAM access keys that have not been
// rotated recently. The longer a key lives, the longer a leaked copy of it can
// be used without anyone noticing.
package iamaccesskeyrotation

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "DqdJqYeRm5",
	Slug:        "iam-access-key-rotation",
	Name:        "IAM Access Key Rotation",
	Description: "Checks for active IAM access keys that have not been rotated in the last 90 days. When you rotate your access keys regularly, you reduce the chance that a compromised key could be used without your knowledge to access resources. For the purposes of this check, the last rotation date and time is when the access key was created or most recently activated. The access key number and date come from the access_key_1_last_rotated and access_key_2_last_rotated information in the most recent IAM credential report.",
	Criteria: []check.Criterion{
		{Status: check.Green, Text: "The access key is active and has been rotated in the last 90 days."},
		{Status: check.Yellow, Text: "The access key is active and has been rotated in the last 2 years, but more than 90 days ago."},
		{Status: check.Red, Text: "The access key is active and has not been rotated in the last 2 years."},
	},
	RecommendedAction: "Rotate access keys on a regular basis. See Rotating Access Keys and Managing Access Keys for IAM Users.",
	Columns:           []string{"Status", "IAM user", "Access Key", "Key Last Rotated", "Reason"},
	IAMActions:        []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 5): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
