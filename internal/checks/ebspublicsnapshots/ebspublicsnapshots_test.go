package ebspublicsnapshots

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

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
			if len(got) != len(tt.want) {
				t.Fatalf("evaluate(%s) = %d findings, want %d", tt.name, len(got), len(tt.want))
			}
			for _, f := range got {
				if f.Status != tt.want[f.ResourceID] {
					t.Errorf("evaluate(%s) %s = %s, want %s", tt.name, f.ResourceID, f.Status, tt.want[f.ResourceID])
				}
				if f.Columns[colSnapshotID] != f.ResourceID || f.Columns[colVolumeID] == "" {
					t.Errorf("evaluate(%s) %s columns = %v, want snapshot and volume IDs", tt.name, f.ResourceID, f.Columns)
				}
			}
		})
	}
}

// seedSnapshots creates a volume with one private and one public snapshot in
// region, and returns their IDs.
func seedSnapshots(t *testing.T, cfg aws.Config, region string) (private, public string) {
	t.Helper()
	ctx := context.Background()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vol, err := client.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(1)})
	if err != nil {
		t.Fatalf("create volume: %v", err)
	}
	var ids []string
	for _, d := range []string{"private backup", "public share"} {
		s, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId, Description: aws.String(d)})
		if err != nil {
			t.Fatalf("create snapshot: %v", err)
		}
		ids = append(ids, aws.ToString(s.SnapshotId))
	}
	// The emulator applies only the legacy OperationType+GroupNames form.
	if _, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(ids[1]), Attribute: types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: types.OperationTypeAdd, GroupNames: []string{"all"},
	}); err != nil {
		t.Fatalf("make snapshot public: %v", err)
	}
	return ids[0], ids[1]
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	private, public := seedSnapshots(t, cfg, "eu-west-1")
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)

	findings := scan.Run(ctx, cfg, scan.Plan([]check.Check{Check}, []string{account}, []string{"eu-west-1", "us-east-1"}), scan.Options{Concurrency: 2})
	checktest.ColumnsWithin(t, Meta, findings)
	byID := checktest.ByResource(findings)
	if len(findings) != 2 {
		t.Fatalf("got %d findings, want 2 (one private, one public, nothing in us-east-1): %+v", len(findings), findings)
	}
	if got := byID[public]; got.Status != check.Red || got.Region != "eu-west-1" || got.Columns["Status"] != "Red" || got.Columns["Region"] != "eu-west-1" || got.Columns[colDescription] != "public share" {
		t.Errorf("public snapshot finding = %+v, want red in eu-west-1 with its columns", got)
	}
	if got := byID[private]; got.Status != check.Green {
		t.Errorf("private snapshot finding = %+v, want green", got)
	}
	// Two listings per region, each one page: all own snapshots, then the public ones.
	if got := recorder.Calls("EC2", "DescribeSnapshots"); got != 4 {
		t.Errorf("DescribeSnapshots calls = %d, want 4 (2 per region)", got)
	}
}

func TestAccessDeniedIsAnErrorFinding(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seedSnapshots(t, cfg, "us-east-1")
	denied := emutest.Deny(cfg, "DescribeSnapshots")
	findings := scan.RunJob(context.Background(), denied, scan.Job{Check: Check, Account: account, Region: "us-east-1"}, 0)
	if len(findings) != 1 || findings[0].Status != check.Error || findings[0].ResourceID != scan.WholeScope {
		t.Fatalf("findings = %+v, want one error finding for the whole region", findings)
	}
	if !strings.Contains(findings[0].Reason, "ec2 DescribeSnapshots") || !strings.Contains(findings[0].Reason, "AccessDenied") {
		t.Errorf("reason = %q, want the operation and the error code", findings[0].Reason)
	}
}
