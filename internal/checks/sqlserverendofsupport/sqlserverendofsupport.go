// Package sqlserverendofsupport finds EC2 instances running a Microsoft SQL
// Server version that is at or near its end of support. An unsupported version
// no longer gets security updates, which leaves the database exposed.
package sqlserverendofsupport

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "Qsdfp3A4L3",
	Slug:        "ec2-sql-server-end-of-support",
	Name:        "Amazon EC2 instances with Microsoft SQL Server end of support",
	Description: "Checks the SQL Server versions for Amazon Elastic Compute Cloud (Amazon EC2) instances running in the past 24 hours. This check alerts you if the versions are near or have reached the end of support. Each SQL Server version offers 10 years of support, including 5 years of mainstream support and 5 years of extended support. After the end of support, the SQL Server version won’t receive regular security updates. Running applications with unsupported SQL Server versions can bring security or compliance risks.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "An EC2 instance has an SQL Server version that reached the end of support."},
		{Status: check.Yellow, Text: "An EC2 instance has an SQL Server version that will reach the end of support in 12 months."},
	},
	RecommendedAction: "To modernize your SQL Server workloads, consider refactoring to AWS Cloud native databases like Amazon Aurora. For more information, see Modernize Windows Workloads with AWS. To move to a fully managed database, consider replatforming to Amazon Relational Database Service (Amazon RDS). For more information, see Amazon RDS for SQL Server. To upgrade your SQL Server on Amazon EC2, consider using the automation runbook to simplify your upgrade. For more information, see the AWS Systems Manager documentation. If you can’t upgrade your SQL Server on Amazon EC2, consider the End-of-Support Migration Program (EMP) for Windows Server. For more information, see the EMP Website",
	Columns:           []string{"Status", "Region", "Instance ID", "SQL Server Version", "Support Cycle", "End of Support", "Last Updated Time"},
	IAMActions:        []string{"ec2:DescribeInstances", "ec2:DescribeImages", "ssm:ListInventoryEntries"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
