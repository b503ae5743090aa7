// Package ebspublicsnapshots finds EBS volume snapshots that anyone can
// restore. A public snapshot gives every AWS account a full copy of the
// volume's data.
//
// A snapshot marked public is red, unless the region's block public access
// for snapshots is in block-all-sharing mode: EBS then treats it as private
// (its permissions still say public, and it is public again as soon as the
// setting is turned off), so it is yellow, beyond the specification.
// block-new-sharing only stops new sharing: existing public snapshots stay
// public, and red. When the setting cannot be read, public snapshots stay red
// and say so.
package ebspublicsnapshots

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("ePs02jT06w", check.Meta{
	Slug:       "ebs-public-snapshots",
	IAMActions: []string{"ec2:DescribeSnapshots", "ec2:GetSnapshotBlockPublicAccessState"},
	Scope:      check.Regional,
	BeyondSpec: "A public snapshot in a region whose block public access for snapshots is in block-all-sharing mode is yellow, not red: EBS treats it as private until the setting is turned off. In block-new-sharing mode, or when the setting cannot be read, it stays red and the reason says so.",
	// Triggers: sharing, unsharing or deleting a snapshot, or changing the
	// region's block public access for snapshots, can make a snapshot public
	// or private; a new or copied snapshot is private, so it waits for the
	// schedule.
	Triggers: []check.Trigger{
		{Source: "ec2.amazonaws.com", Names: []string{
			"ModifySnapshotAttribute", "ResetSnapshotAttribute", "DeleteSnapshot",
			"EnableSnapshotBlockPublicAccess", "DisableSnapshotBlockPublicAccess",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the EC2 client the check calls.
type API interface {
	ec2.DescribeSnapshotsAPIClient
	GetSnapshotBlockPublicAccessState(context.Context, *ec2.GetSnapshotBlockPublicAccessStateInput, ...func(*ec2.Options)) (*ec2.GetSnapshotBlockPublicAccessStateOutput, error)
}

var _ API = (*ec2.Client)(nil)

// pageSize is DescribeSnapshots' largest page.
const pageSize = 1000

// collectFrom collects for target with an EC2 client of its account and region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, ec2.NewFromConfig(target.Config))
}

// Input is what the check evaluates: the account's own snapshots in the
// region, the IDs of those that are restorable by all accounts, and the
// region's block public access for snapshots, read only when a snapshot is
// public.
type Input struct {
	Snapshots []types.Snapshot
	Public    map[string]bool
	// BlockPublicAccess is the region's state ("" when not read).
	BlockPublicAccess types.SnapshotBlockPublicAccessState
	// BlockPublicAccessErr is why the state could not be read.
	BlockPublicAccessErr error
}

// collect lists the account's snapshots, then asks EC2 for those restorable
// by "all": the second call returns exactly the public ones, one request per
// page instead of one DescribeSnapshotAttribute per snapshot. When one is
// public, it reads the region's block public access for snapshots, which
// decides whether EBS honours that permission.
func collect(ctx context.Context, api API) (Input, error) {
	snapshots, err := listSnapshots(ctx, api, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	if err != nil {
		return Input{}, err
	}
	public, err := listSnapshots(ctx, api, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, RestorableByUserIds: []string{"all"}})
	if err != nil {
		return Input{}, err
	}
	in := Input{Snapshots: snapshots, Public: map[string]bool{}}
	for _, s := range public {
		in.Public[aws.ToString(s.SnapshotId)] = true
	}
	// A snapshot created and made public between the two calls is still reported.
	listed := make(map[string]bool, len(snapshots))
	for _, s := range snapshots {
		listed[aws.ToString(s.SnapshotId)] = true
	}
	for _, s := range public {
		if !listed[aws.ToString(s.SnapshotId)] {
			in.Snapshots = append(in.Snapshots, s)
		}
	}
	if len(in.Public) == 0 {
		return in, nil
	}
	// Any error is kept, not returned: the state can only make a public
	// snapshot less exposed, so without it the snapshot is judged public.
	state, err := api.GetSnapshotBlockPublicAccessState(ctx, &ec2.GetSnapshotBlockPublicAccessStateInput{})
	if err != nil {
		in.BlockPublicAccessErr = check.WrapOp("ec2 GetSnapshotBlockPublicAccessState", err)
		return in, nil
	}
	in.BlockPublicAccess = state.State
	return in, nil
}

func listSnapshots(ctx context.Context, api API, input *ec2.DescribeSnapshotsInput) ([]types.Snapshot, error) {
	input.MaxResults = aws.Int32(pageSize)
	pages := ec2.NewDescribeSnapshotsPaginator(api, input, func(o *ec2.DescribeSnapshotsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	out, err := awsx.AllPages(ctx, pages, func(p *ec2.DescribeSnapshotsOutput) []types.Snapshot { return p.Snapshots })
	return out, check.WrapOp("ec2 DescribeSnapshots", err)
}

// publicText is the reason of a snapshot whose public permission is in effect.
const publicText = "The EBS volume snapshot is marked as public: any AWS account can create a volume from it."

// evaluate reports each snapshot: red when public, yellow when public but
// blocked by block-all-sharing, green otherwise.
func evaluate(target check.Target, in Input) []check.Finding {
	findings := make([]check.Finding, 0, len(in.Snapshots))
	for _, s := range in.Snapshots {
		id := aws.ToString(s.SnapshotId)
		columns := map[string]string{
			"Volume ID":   aws.ToString(s.VolumeId),
			"Snapshot ID": id,
			"Description": aws.ToString(s.Description),
		}
		if in.Public[id] {
			status, reason := judgePublic(in)
			findings = append(findings, Meta.NewFinding(target, id, status, reason, columns))
			continue
		}
		findings = append(findings, Meta.NewFinding(target, id, check.Green,
			"The snapshot is not public.", columns))
	}
	return findings
}

// judgePublic rates a snapshot marked public by the region's block public
// access for snapshots.
func judgePublic(in Input) (check.Status, string) {
	switch {
	case in.BlockPublicAccessErr != nil:
		return check.Red, fmt.Sprintf("%s Block Public Access for snapshots could not be read (%v); the snapshot is reported as public.", publicText, in.BlockPublicAccessErr)
	case in.BlockPublicAccess == types.SnapshotBlockPublicAccessStateBlockAllSharing:
		return check.Yellow, "Beyond the Trusted Advisor spec: the EBS volume snapshot is marked as public, but block public access for snapshots is in block-all-sharing mode in this region, so EBS treats it as private; it becomes public again if the setting is turned off or changed to block-new-sharing."
	case in.BlockPublicAccess == types.SnapshotBlockPublicAccessStateBlockNewSharing:
		return check.Red, publicText + " Block public access for snapshots is in block-new-sharing mode, which only prevents new public sharing: snapshots already public stay public."
	}
	return check.Red, publicText
}
