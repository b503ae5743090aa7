// Package wellarchitected reports Well-Architected workloads that have active
// high risk issues (HRIs) in the security pillar. Each HRI is a known security
// weakness found during a workload review and not yet resolved.
package wellarchitected

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "Wxdfp4B1L3",
	Slug:        "well-architected-security-hri",
	Name:        "AWS Well-Architected high risk issues for security",
	Description: "Checks for high risk issues (HRIs) for your workloads in the security pillar. This check is based on your AWS-Well Architected reviews. Your check results depend on whether you completed the workload evaluation with AWS Well-Architected.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "At least one active high risk issue was identified in the security pillar for AWS Well-Architected."},
		{Status: check.Green, Text: "No active high risk issues were detected in the security pillar for AWS Well-Architected."},
	},
	RecommendedAction: "AWS Well-Architected detected high risk issues during your workload evaluation. These issues present opportunities to reduce risk and save money. Sign in to the AWS Well-Architected tool to review your answers and take action to resolve your active issues.",
	Columns:           []string{"Status", "Region", "Workload ARN", "Workload Name", "Reviewer Name", "Workload Type", "Workload Started Date", "Workload Last Modified Date", "Number of identified HRIs for Security", "Number of HRIs resolved for Security", "Number of questions for Security", "Total number of questions in Security pillar", "Last Updated Time"},
	IAMActions:        []string{"wellarchitected:ListWorkloads", "wellarchitected:GetWorkload", "wellarchitected:GetLensReview"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
