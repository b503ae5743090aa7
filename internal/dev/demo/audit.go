package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// seedRDSSnapshots creates, in the first demo region, a DB instance with a
// nightly manual snapshot (green), one shared with a partner account
// (green: shared, not public) and one made public (red), and an Aurora
// cluster whose manual snapshot was made public too (red).
func seedRDSSnapshots(ctx context.Context, cfg aws.Config) error {
	client := rds.NewFromConfig(awsx.InRegion(cfg, Regions[0]))
	if _, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("billing"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.medium"),
		AllocatedStorage: aws.Int32(50), MasterUsername: aws.String("billing_admin"), MasterUserPassword: aws.String("demo-only-password-1"),
	}); err != nil {
		return fmt.Errorf("create DB instance billing: %w", err)
	}
	for _, s := range []struct{ id, restore string }{
		{"billing-nightly", ""},
		{"billing-for-auditor", "444455556666"},
		{"billing-migration-copy", "all"},
	} {
		if _, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("billing"), DBSnapshotIdentifier: aws.String(s.id)}); err != nil {
			return fmt.Errorf("create DB snapshot %s: %w", s.id, err)
		}
		if s.restore == "" {
			continue
		}
		if _, err := client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
			DBSnapshotIdentifier: aws.String(s.id), AttributeName: aws.String("restore"), ValuesToAdd: []string{s.restore},
		}); err != nil {
			return fmt.Errorf("share DB snapshot %s: %w", s.id, err)
		}
	}
	if _, err := client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("ledger"), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("ledger_admin"), MasterUserPassword: aws.String("demo-only-password-2"),
	}); err != nil {
		return fmt.Errorf("create DB cluster ledger: %w", err)
	}
	if _, err := client.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("ledger"), DBClusterSnapshotIdentifier: aws.String("ledger-before-upgrade")}); err != nil {
		return fmt.Errorf("create DB cluster snapshot: %w", err)
	}
	if _, err := client.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{
		DBClusterSnapshotIdentifier: aws.String("ledger-before-upgrade"), AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"},
	}); err != nil {
		return fmt.Errorf("make DB cluster snapshot public: %w", err)
	}
	return nil
}

// seedTrails creates a multi-region trail in the first demo region that is
// logging (green in every region) and, in the second, a single-region trail
// whose logging was stopped (red).
func seedTrails(ctx context.Context, cfg aws.Config) error {
	const bucket = "secadvisor-demo-cloudtrail-logs"
	store := s3.NewFromConfig(awsx.InRegion(cfg, Regions[0]), func(o *s3.Options) { o.UsePathStyle = awsx.CustomEndpoint(cfg) })
	if _, err := store.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	for i, t := range []struct {
		name        string
		multiRegion bool
		logging     bool
	}{
		{"management-events", true, true},
		{"payments-data-events", false, false},
	} {
		client := cloudtrail.NewFromConfig(awsx.InRegion(cfg, Regions[i]))
		if _, err := client.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(t.name), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(t.multiRegion)}); err != nil {
			return fmt.Errorf("create trail %s: %w", t.name, err)
		}
		if t.logging {
			if _, err := client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(t.name)}); err != nil {
				return fmt.Errorf("start logging %s: %w", t.name, err)
			}
		}
	}
	return nil
}
