// Package rdspublicsnapshots finds RDS DB snapshots and DB cluster snapshots
// that are shared publicly. A public snapshot lets any AWS account restore a
// copy of the database and read all of its data.
package rdspublicsnapshots

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "rSs93HQwa1",
	Slug:        "rds-public-snapshots",
	Name:        "Amazon RDS Public Snapshots",
	Description: "Checks the permission settings for your Amazon Relational Database Service (Amazon RDS) DB snapshots and alerts you if any snapshots are marked as public. When you make a snapshot public, you give all AWS accounts and users access to all the data on the snapshot. If you want to share a snapshot only with specific users or accounts, mark the snapshot as private. Then, specify the user or accounts you want to share the snapshot data with.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "The Amazon RDS snapshot is marked as public."},
	},
	RecommendedAction: "Unless you are certain you want to share all the data in the snapshot with all AWS accounts and users, modify the permissions: mark the snapshot as private, and then specify the accounts that you want to give permissions to. For more information, see Sharing a DB Snapshot or DB Cluster Snapshot. This check can't be excluded from view in the Trusted Advisor console. To modify permissions for your snapshots directly, you can use a runbook in the AWS Systems Manager console. For more information, see AWSSupport-ModifyRDSSnapshotPermission.",
	Columns:           []string{"Status", "Region", "DB Instance or Cluster ID", "Snapshot ID"},
	IAMActions:        []string{"rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes", "rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 4): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
