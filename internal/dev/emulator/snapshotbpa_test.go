package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestSnapshotBlockPublicAccessFake sets the state through the SDK, as an
// account owner would, and reads it back per region.
func TestSnapshotBlockPublicAccessFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	eu := ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
	us := ec2.NewFromConfig(awsx.InRegion(cfg, "us-east-1"))
	state := func(client *ec2.Client) types.SnapshotBlockPublicAccessState {
		t.Helper()
		out, err := client.GetSnapshotBlockPublicAccessState(ctx, &ec2.GetSnapshotBlockPublicAccessStateInput{})
		if err != nil {
			t.Fatalf("GetSnapshotBlockPublicAccessState: %v", err)
		}
		if out.ManagedBy != types.ManagedByAccount {
			t.Errorf("ManagedBy = %q, want %q", out.ManagedBy, types.ManagedByAccount)
		}
		return out.State
	}
	if got := state(eu); got != types.SnapshotBlockPublicAccessStateUnblocked {
		t.Fatalf("state of a new account = %q, want unblocked", got)
	}
	enable := func(state types.SnapshotBlockPublicAccessState) func() (types.SnapshotBlockPublicAccessState, error) {
		return func() (types.SnapshotBlockPublicAccessState, error) {
			out, err := eu.EnableSnapshotBlockPublicAccess(ctx, &ec2.EnableSnapshotBlockPublicAccessInput{State: state})
			if err != nil {
				return "", err
			}
			return out.State, nil
		}
	}
	steps := []struct {
		name string
		set  func() (types.SnapshotBlockPublicAccessState, error)
		want types.SnapshotBlockPublicAccessState
	}{
		{"enable block-all-sharing", enable(types.SnapshotBlockPublicAccessStateBlockAllSharing), types.SnapshotBlockPublicAccessStateBlockAllSharing},
		{"change to block-new-sharing", enable(types.SnapshotBlockPublicAccessStateBlockNewSharing), types.SnapshotBlockPublicAccessStateBlockNewSharing},
		{"disable", func() (types.SnapshotBlockPublicAccessState, error) {
			out, err := eu.DisableSnapshotBlockPublicAccess(ctx, &ec2.DisableSnapshotBlockPublicAccessInput{})
			if err != nil {
				return "", err
			}
			return out.State, nil
		}, types.SnapshotBlockPublicAccessStateUnblocked},
	}
	for _, step := range steps {
		got, err := step.set()
		if err != nil || got != step.want {
			t.Fatalf("%s = %q, %v; want %q", step.name, got, err, step.want)
		}
		if got := state(eu); got != step.want {
			t.Errorf("after %s: state = %q, want %q", step.name, got, step.want)
		}
		if got := state(us); got != types.SnapshotBlockPublicAccessStateUnblocked {
			t.Errorf("after %s in eu-west-1: us-east-1 state = %q, want unblocked (the setting is per region)", step.name, got)
		}
	}
	if _, err := eu.EnableSnapshotBlockPublicAccess(ctx, &ec2.EnableSnapshotBlockPublicAccessInput{State: types.SnapshotBlockPublicAccessStateUnblocked}); awsx.Code(err) != "InvalidParameterValue" {
		t.Errorf("Enable(unblocked) error = %v, want InvalidParameterValue", err)
	}
	other, _ := emutest.Config(t)
	if got := state(ec2.NewFromConfig(awsx.InRegion(other, "eu-west-1"))); got != types.SnapshotBlockPublicAccessStateUnblocked {
		t.Errorf("another account's state = %q, want unblocked (the setting is per account)", got)
	}
}
