package ebspublicsnapshots

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func snapshot(id, volume, description string) types.Snapshot {
	return types.Snapshot{SnapshotId: aws.String(id), VolumeId: aws.String(volume), Description: aws.String(description)}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Input
		want map[string]check.Status
	}{
		{"no snapshots: nothing to evaluate", Input{}, map[string]check.Status{}},
		{"private snapshot", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "")}}, map[string]check.Status{"snap-1": check.Green}},
		{"public snapshot", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")}, Public: map[string]bool{"snap-1": true}},
			map[string]check.Status{"snap-1": check.Red}},
		{"public, block-all-sharing: EBS treats it as private", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")}, Public: map[string]bool{"snap-1": true},
			BlockPublicAccess: types.SnapshotBlockPublicAccessStateBlockAllSharing}, map[string]check.Status{"snap-1": check.Yellow}},
		{"public, block-new-sharing: existing public snapshots stay public", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")}, Public: map[string]bool{"snap-1": true},
			BlockPublicAccess: types.SnapshotBlockPublicAccessStateBlockNewSharing}, map[string]check.Status{"snap-1": check.Red}},
		{"public, unblocked", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")}, Public: map[string]bool{"snap-1": true},
			BlockPublicAccess: types.SnapshotBlockPublicAccessStateUnblocked}, map[string]check.Status{"snap-1": check.Red}},
		{"public, block public access unreadable", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")}, Public: map[string]bool{"snap-1": true},
			BlockPublicAccessErr: errors.New("AccessDenied")}, map[string]check.Status{"snap-1": check.Red}},
		{"private, block-all-sharing", Input{Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", "x")},
			BlockPublicAccess: types.SnapshotBlockPublicAccessStateBlockAllSharing}, map[string]check.Status{"snap-1": check.Green}},
		{"one public among private", Input{
			Snapshots: []types.Snapshot{snapshot("snap-1", "vol-1", ""), snapshot("snap-2", "vol-1", ""), snapshot("snap-3", "vol-2", "")},
			Public:    map[string]bool{"snap-2": true}},
			map[string]check.Status{"snap-1": check.Green, "snap-2": check.Red, "snap-3": check.Green}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target("eu-west-1"), tt.in)
			checktest.ColumnsWithin(t, Meta, got)
			checktest.WantStatuses(t, "evaluate("+tt.name+")", got, tt.want)
			for _, f := range got {
				if f.Columns["Snapshot ID"] != f.ResourceID || f.Columns["Volume ID"] == "" {
					t.Errorf("evaluate(%s) %s columns = %v, want snapshot and volume IDs", tt.name, f.ResourceID, f.Columns)
				}
			}
		})
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	private, public := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	byID := checktest.ByResource(findings)
	if len(findings) != 2 {
		t.Fatalf("got %d findings, want 2 (one private, one public, nothing in us-east-1): %+v", len(findings), findings)
	}
	if got := byID[public]; got.Status != check.Red || got.Region != "eu-west-1" || got.Columns["Status"] != "Red" || got.Columns["Region"] != "eu-west-1" || got.Columns["Description"] != "public share" {
		t.Errorf("public snapshot finding = %+v, want red in eu-west-1 with its columns", got)
	}
	if got := byID[private]; got.Status != check.Green {
		t.Errorf("private snapshot finding = %+v, want green", got)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("EC2", "DescribeSnapshots", 4, "two listings per region, each one page: all own snapshots, then the public ones"),
		checktest.Call("EC2", "GetSnapshotBlockPublicAccessState", 1, "only the region with a public snapshot: eu-west-1"))
}

// TestEBSSnapshotBlockPublicAccess sets the region's block public access for
// snapshots through the SDK, as an account owner would, and scans: only
// block-all-sharing stops EBS honouring a public permission (yellow);
// block-new-sharing leaves existing public snapshots public (red).
func TestEBSSnapshotBlockPublicAccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state      types.SnapshotBlockPublicAccessState // "" leaves the region as a new account has it
		want       check.Status
		wantReason string
	}{
		{"", check.Red, "marked as public"},
		{types.SnapshotBlockPublicAccessStateBlockNewSharing, check.Red, "snapshots already public stay public"},
		{types.SnapshotBlockPublicAccessStateBlockAllSharing, check.Yellow, "block-all-sharing"},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg, account := emutest.Config(t)
			private, public := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, "eu-west-1")
			if tt.state != "" {
				client := ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
				if _, err := client.EnableSnapshotBlockPublicAccess(ctx, &ec2.EnableSnapshotBlockPublicAccessInput{State: tt.state}); err != nil {
					t.Fatalf("EnableSnapshotBlockPublicAccess(%s): %v", tt.state, err)
				}
			}
			findings := scan.RunJob(ctx, cfg, scan.Job{Check: Check, Account: account, Region: "eu-west-1"}, 0)
			byID := checktest.ByResource(findings)
			if got := byID[public]; got.Status != tt.want || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("state %q: public snapshot = %s (%s), want %s with %q in the reason", tt.state, got.Status, got.Reason, tt.want, tt.wantReason)
			}
			if got := byID[private]; got.Status != check.Green {
				t.Errorf("state %q: private snapshot = %s (%s), want green", tt.state, got.Status, got.Reason)
			}
		})
	}
}

// TestBlockPublicAccessUnreadable: without the permission to read block
// public access, a public snapshot is judged public (red) and says why; a
// private one does not depend on it.
func TestBlockPublicAccessUnreadable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	private, public := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, "eu-west-1")
	if _, err := ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1")).EnableSnapshotBlockPublicAccess(ctx,
		&ec2.EnableSnapshotBlockPublicAccessInput{State: types.SnapshotBlockPublicAccessStateBlockAllSharing}); err != nil {
		t.Fatalf("EnableSnapshotBlockPublicAccess: %v", err)
	}
	denied := emutest.Deny(cfg, "GetSnapshotBlockPublicAccessState")
	byID := checktest.ByResource(scan.RunJob(ctx, denied, scan.Job{Check: Check, Account: account, Region: "eu-west-1"}, 0))
	if got := byID[public]; got.Status != check.Red ||
		!strings.Contains(got.Reason, "Block Public Access for snapshots could not be read") || !strings.Contains(got.Reason, "AccessDenied") {
		t.Errorf("public snapshot with block public access unreadable = %s (%s), want red naming the unread setting and AccessDenied", got.Status, got.Reason)
	}
	if got := byID[private]; got.Status != check.Green {
		t.Errorf("private snapshot = %s (%s), want green", got.Status, got.Reason)
	}
}

// pagedEC2 answers DescribeSnapshots in the pages given, shaped like EC2's
// answers: the account's own snapshots, or, when asked for those restorable
// by "all", the public ones. Block public access is off.
type pagedEC2 struct {
	own, public [][]types.Snapshot
}

func (f pagedEC2) DescribeSnapshots(_ context.Context, in *ec2.DescribeSnapshotsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
	pages := f.own
	if slices.Contains(in.RestorableByUserIds, "all") {
		pages = f.public
	}
	snapshots, next := checktest.Page(pages, in.NextToken)
	return &ec2.DescribeSnapshotsOutput{Snapshots: snapshots, NextToken: next}, nil
}

func (pagedEC2) GetSnapshotBlockPublicAccessState(context.Context, *ec2.GetSnapshotBlockPublicAccessStateInput, ...func(*ec2.Options)) (*ec2.GetSnapshotBlockPublicAccessStateOutput, error) {
	return &ec2.GetSnapshotBlockPublicAccessStateOutput{State: types.SnapshotBlockPublicAccessStateUnblocked}, nil
}

// TestCollectReadsEveryPage: the emulator answers in one page; real accounts
// with many snapshots get several. The snapshot that matters is on the
// second page of each listing, so reading only the first fails.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	private, public := snapshot("snap-1", "vol-1", ""), snapshot("snap-2", "vol-2", "")
	tests := []struct {
		name string
		api  pagedEC2
		want map[string]check.Status
	}{
		{"public snapshot on the second page", pagedEC2{
			own:    [][]types.Snapshot{{private}, {public}},
			public: [][]types.Snapshot{{}, {public}},
		}, map[string]check.Status{"snap-1": check.Green, "snap-2": check.Red}},
		{"private snapshot on the second page", pagedEC2{
			own:    [][]types.Snapshot{{public}, {private}},
			public: [][]types.Snapshot{{public}},
		}, map[string]check.Status{"snap-1": check.Green, "snap-2": check.Red}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := collect(context.Background(), tt.api)
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			checktest.WantStatuses(t, "evaluate(collect)", evaluate(checktest.Target("eu-west-1"), in), tt.want)
		})
	}
}
