// Package lambdaruntimes finds Lambda functions configured with a runtime that
// is deprecated or will be soon. Deprecated runtimes get no security updates
// or technical support.
package lambdaruntimes

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "L4dfs2Q4C5",
	Slug:        "lambda-deprecated-runtimes",
	Name:        "AWS Lambda Functions Using Deprecated Runtimes",
	Description: "Checks for Lambda functions that are configured to use a runtime that is approaching deprecation, or is deprecated. Deprecated runtimes are not eligible for security updates or technical support.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "The function is running on a runtime that is already deprecated."},
		{Status: check.Yellow, Text: "The function is running on a runtime that will be deprecated within 120 days."},
	},
	RecommendedAction: "If you have functions that are running on a runtime that is approaching deprecation, you should prepare for migration to a supported runtime. For more information, see Runtime support policy. We recommend that you delete earlier function versions that you’re no longer using.",
	Columns:           []string{"Status", "Region", "Function ARN", "Runtime", "Days to Deprecation", "Deprecation Date", "Average Daily Invokes", "Last Updated Time"},
	IAMActions:        []string{"lambda:ListFunctions", "cloudwatch:GetMetricData"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
