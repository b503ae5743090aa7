// Package rdspublicsnapshots finds RDS DB snapshots and DB cluster snapshots
// that are shared publicly. A public snapshot lets any AWS account restore a
// copy of the database and read all of its data.
package rdspublicsnapshots

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("rSs93HQwa1", check.Meta{
	Slug:       "rds-public-snapshots",
	IAMActions: []string{"rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes", "rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"},
	Scope:      check.Regional,
	// Triggers: sharing, unsharing or deleting a manual snapshot can make it
	// public or remove a public one; a new or copied snapshot is private, so
	// it waits for the schedule.
	Triggers: []check.Trigger{
		{Source: "rds.amazonaws.com", Names: []string{
			"ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute", "DeleteDBSnapshot", "DeleteDBClusterSnapshot",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the RDS client the check calls.
type API interface {
	rds.DescribeDBSnapshotsAPIClient
	rds.DescribeDBClusterSnapshotsAPIClient
	DescribeDBSnapshotAttributes(context.Context, *rds.DescribeDBSnapshotAttributesInput, ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error)
	DescribeDBClusterSnapshotAttributes(context.Context, *rds.DescribeDBClusterSnapshotAttributesInput, ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error)
}

var _ API = (*rds.Client)(nil)

const (
	// pageSize is the largest MaxRecords both snapshot listings accept.
	pageSize = 100
	// manual is the only snapshot type that can be shared: automated and
	// AWS Backup snapshots must be copied to a manual one first.
	manual = "manual"
	// restoreAttribute lists the accounts allowed to copy or restore a
	// snapshot; the value "all" makes it public.
	restoreAttribute = "restore"
	public           = "all"
)

// collectFrom collects for target with an RDS client of its account and region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, rds.NewFromConfig(target.Config))
}

// Snapshot is one manual DB snapshot or DB cluster snapshot and who may restore it.
type Snapshot struct {
	ID string
	// Source is the DB instance or DB cluster the snapshot was taken from.
	Source  string
	Cluster bool
	// RestoreAccounts are the values of the snapshot's "restore" attribute:
	// account IDs, or "all" when the snapshot is public.
	RestoreAccounts []string
	// AttributesErr is set when the snapshot's attributes could not be read,
	// with the operation that failed in AttributesOp.
	AttributesOp  string
	AttributesErr error
}

// Input is what the check evaluates: the account's manual snapshots in the region.
type Input struct {
	Snapshots []Snapshot
}

// attributeWorkers bounds the attribute requests one job keeps in flight.
// One after another, a region's requests wait on the network in turn (150
// snapshots, 150 round trips); 8 at once cut that eightfold and still leave
// a job of a few hundred snapshots inside RDS's request bucket of each
// account and region (300 requests in a burst, then 12 a second:
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html).
// Past the burst the SDK's adaptive retryer slows the job to the refill
// rate, as it would one request at a time.
const attributeWorkers = 8

// collect lists the manual DB snapshots and DB cluster snapshots, then reads
// each one's attributes. RDS has no filter for "public" among one's own
// snapshots (IncludePublic adds other accounts' public snapshots instead,
// and there is no owner filter), so one attributes request per manual
// snapshot is the fewest the API allows; automated snapshots are left out
// by the SnapshotType filter because they cannot be shared. The requests
// run on attributeWorkers goroutines, each snapshot into its own slot, so
// the snapshots keep the listing's order and each one's error stays its own.
func collect(ctx context.Context, api API) (Input, error) {
	listed, err := listSnapshots(ctx, api)
	if err != nil {
		return Input{}, err
	}
	vanished := make([]bool, len(listed))
	check.Parallel(len(listed), attributeWorkers, func(i int) {
		accounts, op, err := restoreAccounts(ctx, api, listed[i])
		switch {
		case awsx.Is(err, awsx.KindNotFound):
			vanished[i] = true // deleted since it was listed
		case err != nil:
			listed[i].AttributesOp, listed[i].AttributesErr = op, err
		default:
			listed[i].RestoreAccounts = accounts
		}
	})
	var in Input
	for i, snap := range listed {
		if !vanished[i] {
			in.Snapshots = append(in.Snapshots, snap)
		}
	}
	return in, nil
}

// listSnapshots lists the manual DB snapshots, then the manual DB cluster
// snapshots.
func listSnapshots(ctx context.Context, api API) ([]Snapshot, error) {
	var out []Snapshot
	instancePages := rds.NewDescribeDBSnapshotsPaginator(api, &rds.DescribeDBSnapshotsInput{
		SnapshotType: aws.String(manual),
		MaxRecords:   aws.Int32(pageSize),
	}, func(o *rds.DescribeDBSnapshotsPaginatorOptions) { o.StopOnDuplicateToken = true })
	instanceSnapshots, err := awsx.AllPages(ctx, instancePages, func(p *rds.DescribeDBSnapshotsOutput) []types.DBSnapshot { return p.DBSnapshots })
	if err != nil {
		return nil, check.WrapOp("rds DescribeDBSnapshots", err)
	}
	for _, s := range instanceSnapshots {
		out = append(out, Snapshot{ID: aws.ToString(s.DBSnapshotIdentifier), Source: aws.ToString(s.DBInstanceIdentifier)})
	}
	clusterPages := rds.NewDescribeDBClusterSnapshotsPaginator(api, &rds.DescribeDBClusterSnapshotsInput{
		SnapshotType: aws.String(manual),
		MaxRecords:   aws.Int32(pageSize),
	}, func(o *rds.DescribeDBClusterSnapshotsPaginatorOptions) { o.StopOnDuplicateToken = true })
	clusterSnapshots, err := awsx.AllPages(ctx, clusterPages, func(p *rds.DescribeDBClusterSnapshotsOutput) []types.DBClusterSnapshot { return p.DBClusterSnapshots })
	if err != nil {
		return nil, check.WrapOp("rds DescribeDBClusterSnapshots", err)
	}
	for _, s := range clusterSnapshots {
		out = append(out, Snapshot{ID: aws.ToString(s.DBClusterSnapshotIdentifier), Source: aws.ToString(s.DBClusterIdentifier), Cluster: true})
	}
	return out, nil
}

// restoreAccounts reads the values of snap's "restore" attribute with the
// attributes operation of its kind, which it returns for error findings.
func restoreAccounts(ctx context.Context, api API, snap Snapshot) (accounts []string, op string, err error) {
	if snap.Cluster {
		op = "rds DescribeDBClusterSnapshotAttributes"
		out, err := api.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: aws.String(snap.ID)})
		if err != nil || out.DBClusterSnapshotAttributesResult == nil {
			return nil, op, err
		}
		for _, a := range out.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes {
			if aws.ToString(a.AttributeName) == restoreAttribute {
				accounts = append(accounts, a.AttributeValues...)
			}
		}
		return accounts, op, nil
	}
	op = "rds DescribeDBSnapshotAttributes"
	out, err := api.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String(snap.ID)})
	if err != nil || out.DBSnapshotAttributesResult == nil {
		return nil, op, err
	}
	for _, a := range out.DBSnapshotAttributesResult.DBSnapshotAttributes {
		if aws.ToString(a.AttributeName) == restoreAttribute {
			accounts = append(accounts, a.AttributeValues...)
		}
	}
	return accounts, op, nil
}

// evaluate reports each snapshot: red when its restore attribute names
// "all", green otherwise (sharing with named accounts is not public), and
// error when its attributes could not be read.
func evaluate(target check.Target, in Input) []check.Finding {
	findings := make([]check.Finding, 0, len(in.Snapshots))
	for _, s := range in.Snapshots {
		if s.AttributesErr != nil {
			f := Meta.ErrorFinding(target, s.ID, s.AttributesOp, s.AttributesErr)
			f.Columns = map[string]string{"DB Instance or Cluster ID": s.Source, "Snapshot ID": s.ID}
			findings = append(findings, f)
			continue
		}
		kind := "DB snapshot"
		if s.Cluster {
			kind = "DB cluster snapshot"
		}
		columns := map[string]string{"DB Instance or Cluster ID": s.Source, "Snapshot ID": s.ID}
		switch {
		case slices.Contains(s.RestoreAccounts, public):
			findings = append(findings, Meta.NewFinding(target, s.ID, check.Red,
				"The "+kind+" is marked as public: any AWS account can copy or restore it.", columns))
		case len(s.RestoreAccounts) > 0:
			findings = append(findings, Meta.NewFinding(target, s.ID, check.Green,
				"The "+kind+" is shared with specific accounts only, not public.", columns))
		default:
			findings = append(findings, Meta.NewFinding(target, s.ID, check.Green,
				"The "+kind+" is private.", columns))
		}
	}
	return findings
}
