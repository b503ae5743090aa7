package rdspublicsnapshots

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	tests := []struct {
		name string
		in   Snapshot
		want check.Status
	}{
		{"private DB snapshot", Snapshot{ID: "s1", Source: "db1"}, check.Green},
		{"DB snapshot shared with one account", Snapshot{ID: "s1", Source: "db1", RestoreAccounts: []string{"444455556666"}}, check.Green},
		{"public DB snapshot", Snapshot{ID: "s1", Source: "db1", RestoreAccounts: []string{"all"}}, check.Red},
		{"public and shared DB snapshot", Snapshot{ID: "s1", Source: "db1", RestoreAccounts: []string{"444455556666", "all"}}, check.Red},
		{"private cluster snapshot", Snapshot{ID: "c1", Source: "cl1", Cluster: true}, check.Green},
		{"public cluster snapshot", Snapshot{ID: "c1", Source: "cl1", Cluster: true, RestoreAccounts: []string{"all"}}, check.Red},
		{"account ID that merely contains all is not public", Snapshot{ID: "s1", Source: "db1", RestoreAccounts: []string{"allaccounts"}}, check.Green},
		{"attributes unreadable", Snapshot{ID: "s1", Source: "db1", AttributesOp: "rds DescribeDBSnapshotAttributes", AttributesErr: denied}, check.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target("eu-west-1"), Input{Snapshots: []Snapshot{tt.in}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%+v) = %d findings, want 1", tt.in, len(got))
			}
			f := got[0]
			if f.Status != tt.want {
				t.Errorf("evaluate(%+v) status = %s (%s), want %s", tt.in, f.Status, f.Reason, tt.want)
			}
			if f.ResourceID != tt.in.ID || f.Columns["Snapshot ID"] != tt.in.ID || f.Columns["DB Instance or Cluster ID"] != tt.in.Source {
				t.Errorf("evaluate(%+v) = resource %q columns %v, want the snapshot and its source", tt.in, f.ResourceID, f.Columns)
			}
			if tt.want == check.Error && !strings.Contains(f.Reason, "DescribeDBSnapshotAttributes") {
				t.Errorf("evaluate(%+v) reason = %q, want the failed operation", tt.in, f.Reason)
			}
		})
	}
	if got := evaluate(checktest.Target("eu-west-1"), Input{}); len(got) != 0 {
		t.Errorf("evaluate(no snapshots) = %+v, want nothing", got)
	}
}

// seedSnapshots creates, in region, a DB instance with a private, a shared
// and a public manual snapshot, and an Aurora cluster with a private and a
// public cluster snapshot. The instance's automated snapshot is there too,
// as in a real account.
func seedSnapshots(t *testing.T, cfg aws.Config, region string) {
	t.Helper()
	ctx := context.Background()
	client := rds.NewFromConfig(awsx.InRegion(cfg, region))
	if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders-db"), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("correct-horse-battery"),
		BackupRetentionPeriod: aws.Int32(7),
	}); err != nil {
		t.Fatalf("create DB instance: %v", err)
	}
	for _, id := range []string{"orders-private", "orders-shared", "orders-public"} {
		if _, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders-db"), DBSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatalf("create DB snapshot %s: %v", id, err)
		}
	}
	share := map[string]string{"orders-shared": "444455556666", "orders-public": "all"}
	for id, value := range share {
		if _, err := client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
			DBSnapshotIdentifier: aws.String(id), AttributeName: aws.String("restore"), ValuesToAdd: []string{value},
		}); err != nil {
			t.Fatalf("share DB snapshot %s: %v", id, err)
		}
	}
	if _, err := client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("ledger"), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("correct-horse-battery"),
	}); err != nil {
		t.Fatalf("create DB cluster: %v", err)
	}
	for _, id := range []string{"ledger-private", "ledger-public"} {
		if _, err := client.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("ledger"), DBClusterSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatalf("create DB cluster snapshot %s: %v", id, err)
		}
	}
	if _, err := client.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{
		DBClusterSnapshotIdentifier: aws.String("ledger-public"), AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"},
	}); err != nil {
		t.Fatalf("make cluster snapshot public: %v", err)
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seedSnapshots(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	want := map[string]struct {
		status check.Status
		source string
	}{
		"orders-private": {check.Green, "orders-db"},
		"orders-shared":  {check.Green, "orders-db"},
		"orders-public":  {check.Red, "orders-db"},
		"ledger-private": {check.Green, "ledger"},
		"ledger-public":  {check.Red, "ledger"},
	}
	if len(findings) != len(want) {
		t.Fatalf("got %d findings, want %d (manual snapshots only, nothing in us-east-1): %+v", len(findings), len(want), findings)
	}
	for id, f := range checktest.ByResource(findings) {
		w, ok := want[id]
		if !ok {
			t.Errorf("unexpected finding %+v", f)
			continue
		}
		if f.Status != w.status || f.Region != "eu-west-1" || f.Columns["DB Instance or Cluster ID"] != w.source || f.Columns["Snapshot ID"] != id || f.Columns["Region"] != "eu-west-1" {
			t.Errorf("finding %s = %+v, want %s in eu-west-1 from %s", id, f, w.status, w.source)
		}
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("RDS", "DescribeDBSnapshotAttributes", 3, "one per manual snapshot, none for automated ones"),
		checktest.Call("RDS", "DescribeDBClusterSnapshotAttributes", 2, "one per manual cluster snapshot"))
}

// TestAttributesDenied: when the attributes of one kind of snapshot cannot
// be read, those snapshots are error findings (never green) and the other
// kind is still judged.
func TestAttributesDenied(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seedSnapshots(t, cfg, "us-east-1")
	tests := []struct {
		op              string
		errored, judged string // a public snapshot of each kind
	}{
		{"DescribeDBSnapshotAttributes", "orders-public", "ledger-public"},
		{"DescribeDBClusterSnapshotAttributes", "ledger-public", "orders-public"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			findings := scan.RunJob(context.Background(), emutest.Deny(cfg, tt.op), scan.Job{Check: Check, Account: account, Region: "us-east-1"}, 0)
			byID := checktest.ByResource(findings)
			if got := byID[tt.errored]; got.Status != check.Error || !strings.Contains(got.Reason, "rds "+tt.op) || !strings.Contains(got.Reason, "AccessDenied") {
				t.Errorf("deny %s: %s = %+v, want an error finding naming the operation (never green)", tt.op, tt.errored, got)
			}
			if got := byID[tt.judged]; got.Status != check.Red {
				t.Errorf("deny %s: %s = %+v, want still red: one denied call must not hide other snapshots", tt.op, tt.judged, got)
			}
		})
	}
}

// pagedRDS answers the snapshot listings in the pages given and the
// attribute requests from restore, shaped like RDS's answers; the
// attributes of a snapshot named in failing fail with a throttling error.
type pagedRDS struct {
	instance [][]rdstypes.DBSnapshot
	cluster  [][]rdstypes.DBClusterSnapshot
	restore  map[string][]string
	failing  map[string]bool
}

var throttled = &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}

func (f pagedRDS) DescribeDBSnapshots(_ context.Context, in *rds.DescribeDBSnapshotsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error) {
	snapshots, next := checktest.Page(f.instance, in.Marker)
	return &rds.DescribeDBSnapshotsOutput{DBSnapshots: snapshots, Marker: next}, nil
}

func (f pagedRDS) DescribeDBClusterSnapshots(_ context.Context, in *rds.DescribeDBClusterSnapshotsInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error) {
	snapshots, next := checktest.Page(f.cluster, in.Marker)
	return &rds.DescribeDBClusterSnapshotsOutput{DBClusterSnapshots: snapshots, Marker: next}, nil
}

func (f pagedRDS) DescribeDBSnapshotAttributes(_ context.Context, in *rds.DescribeDBSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error) {
	id := aws.ToString(in.DBSnapshotIdentifier)
	if f.failing[id] {
		return nil, throttled
	}
	return &rds.DescribeDBSnapshotAttributesOutput{DBSnapshotAttributesResult: &rdstypes.DBSnapshotAttributesResult{
		DBSnapshotIdentifier: in.DBSnapshotIdentifier,
		DBSnapshotAttributes: []rdstypes.DBSnapshotAttribute{{AttributeName: aws.String("restore"), AttributeValues: f.restore[id]}},
	}}, nil
}

func (f pagedRDS) DescribeDBClusterSnapshotAttributes(_ context.Context, in *rds.DescribeDBClusterSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error) {
	id := aws.ToString(in.DBClusterSnapshotIdentifier)
	if f.failing[id] {
		return nil, throttled
	}
	return &rds.DescribeDBClusterSnapshotAttributesOutput{DBClusterSnapshotAttributesResult: &rdstypes.DBClusterSnapshotAttributesResult{
		DBClusterSnapshotIdentifier: in.DBClusterSnapshotIdentifier,
		DBClusterSnapshotAttributes: []rdstypes.DBClusterSnapshotAttribute{{AttributeName: aws.String("restore"), AttributeValues: f.restore[id]}},
	}}, nil
}

// TestCollectPagesAndAttributeFailures reads snapshot listings of two pages
// (the emulator answers in one) with the public snapshot on the second, and
// attribute requests that fail for one snapshot: that snapshot is an error
// finding naming the operation, the others are still judged.
func TestCollectPagesAndAttributeFailures(t *testing.T) {
	t.Parallel()
	instance := func(id string) rdstypes.DBSnapshot {
		return rdstypes.DBSnapshot{DBSnapshotIdentifier: aws.String(id), DBInstanceIdentifier: aws.String("orders-db"), SnapshotType: aws.String("manual")}
	}
	cluster := func(id string) rdstypes.DBClusterSnapshot {
		return rdstypes.DBClusterSnapshot{DBClusterSnapshotIdentifier: aws.String(id), DBClusterIdentifier: aws.String("ledger"), SnapshotType: aws.String("manual")}
	}
	api := pagedRDS{
		instance: [][]rdstypes.DBSnapshot{{instance("orders-private"), instance("orders-failing")}, {instance("orders-public")}},
		cluster:  [][]rdstypes.DBClusterSnapshot{{cluster("ledger-private"), cluster("ledger-failing")}, {cluster("ledger-public")}},
		restore:  map[string][]string{"orders-public": {"all"}, "ledger-public": {"444455556666", "all"}},
	}
	tests := []struct {
		name    string
		failing map[string]bool
		op      string // the operation an error finding names
		want    map[string]check.Status
	}{
		{"every attribute read", nil, "", map[string]check.Status{
			"orders-private": check.Green, "orders-failing": check.Green, "orders-public": check.Red,
			"ledger-private": check.Green, "ledger-failing": check.Green, "ledger-public": check.Red}},
		{"one DB snapshot's attributes fail", map[string]bool{"orders-failing": true}, "rds DescribeDBSnapshotAttributes", map[string]check.Status{
			"orders-private": check.Green, "orders-failing": check.Error, "orders-public": check.Red,
			"ledger-private": check.Green, "ledger-failing": check.Green, "ledger-public": check.Red}},
		{"one DB cluster snapshot's attributes fail", map[string]bool{"ledger-failing": true}, "rds DescribeDBClusterSnapshotAttributes", map[string]check.Status{
			"orders-private": check.Green, "orders-failing": check.Green, "orders-public": check.Red,
			"ledger-private": check.Green, "ledger-failing": check.Error, "ledger-public": check.Red}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := api
			api.failing = tt.failing
			in, err := collect(context.Background(), api)
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			findings := evaluate(checktest.Target("eu-west-1"), in)
			checktest.WantStatuses(t, "evaluate(collect)", findings, tt.want)
			for _, f := range findings {
				if f.Status == check.Error && (!strings.Contains(f.Reason, tt.op+": ") || !strings.Contains(f.Reason, "Throttling")) {
					t.Errorf("%s reason = %q, want %q and the error code", f.ResourceID, f.Reason, tt.op)
				}
			}
		})
	}
}
