// Package ebspublicsnapshotstest seeds an emulated account with EBS
// snapshots, private and public, for the tests of the EBS Public Snapshots
// check and of what runs it (the CLI, the local pipeline).
//
// A snapshot is made public or private again with ModifySnapshotAttribute in
// its legacy form (OperationType with GroupNames "all"), which AWS also
// accepts, because the emulator applies only that form; docs/development.md
// lists the emulator's gaps.
//
// It does not import ebspublicsnapshots, so that package's own tests can use it.
package ebspublicsnapshotstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Public creates, through cfg in region, a volume and a snapshot of it
// ("public share") that anyone can restore, and returns the snapshot's ID.
func Public(t testing.TB, cfg aws.Config, region string) string {
	t.Helper()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	id := snapshotOf(t, client, createVolume(t, client, region), "public share")
	SetPublic(t, cfg, region, id, true)
	return id
}

// PrivateAndPublic creates, through cfg in region, a volume with two
// snapshots of it, a private one ("nightly backup") and a public one
// ("public share"), and returns their IDs.
func PrivateAndPublic(t testing.TB, cfg aws.Config, region string) (private, public string) {
	t.Helper()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	volume := createVolume(t, client, region)
	private = snapshotOf(t, client, volume, "nightly backup")
	public = snapshotOf(t, client, volume, "public share")
	SetPublic(t, cfg, region, public, true)
	return private, public
}

// SetPublic lets anyone restore snapshot id in region (public), or no
// longer (!public).
func SetPublic(t testing.TB, cfg aws.Config, region, id string, public bool) {
	t.Helper()
	op := types.OperationTypeAdd
	if !public {
		op = types.OperationTypeRemove
	}
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	if _, err := client.ModifySnapshotAttribute(context.Background(), &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: op, GroupNames: []string{"all"},
	}); err != nil {
		t.Fatalf("modify snapshot attribute %s (%s group all): %v", id, op, err)
	}
}

// createVolume creates, with client, a 1 GiB volume in region's first
// availability zone and returns its ID.
func createVolume(t testing.TB, client *ec2.Client, region string) *string {
	t.Helper()
	out, err := client.CreateVolume(context.Background(), &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(1)})
	if err != nil {
		t.Fatalf("create volume in %s: %v", region, err)
	}
	return out.VolumeId
}

// snapshotOf creates, with client, a snapshot of volume with description
// and returns its ID.
func snapshotOf(t testing.TB, client *ec2.Client, volume *string, description string) string {
	t.Helper()
	out, err := client.CreateSnapshot(context.Background(), &ec2.CreateSnapshotInput{VolumeId: volume, Description: aws.String(description)})
	if err != nil {
		t.Fatalf("create snapshot %q of %s: %v", description, aws.ToString(volume), err)
	}
	return aws.ToString(out.SnapshotId)
}
