// Package demo seeds the emulated demo account that `make demo` scans: the
// misconfigurations a real account collects over time, seeded by kind of
// resource. Seeding is optional per check: nothing requires a check to have
// resources here, and a check without any is scanned (and fail-closed
// tested) against the account as it is. The package stays out of the
// Lambda binaries: only the CLI's demo and tests import it.
package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Regions are the regions the demo account uses.
var Regions = []string{"us-east-1", "eu-west-1"}

// Seed creates the demo account's resources through cfg (an emulator
// configuration) and starts the local servers some of them point at: the
// CloudFront distributions' origins, on loopback ports. Call stop once the
// account has been scanned; it ends those servers. Seed is not idempotent:
// seed a fresh account.
func Seed(ctx context.Context, cfg aws.Config) (stop func(), err error) {
	origins, err := startOrigins()
	if err != nil {
		return nil, err
	}
	seeders := []seeder{
		{"weak IAM password policy", seedPasswordPolicy},
		{"EBS snapshots, one public", seedSnapshots},
		{"security groups and Classic Load Balancers", seedSecurityGroups},
		{"RDS databases and DB security groups", seedDatabases},
		{"HTTPS load balancers for ELB listener security", seedListenerSecurity},
		{"RDS snapshots, some public", seedRDSSnapshots},
		{"S3 buckets, some open by ACL or policy", seedBuckets},
		{"CloudTrail trails, one stopped", seedTrails},
		{"IAM users and access keys, one quarantined", seedIdentities},
		{"EC2 instances from SQL Server AMIs", seedSQLServerInstances},
		{"Lambda functions, one on a deprecated runtime", seedLambdaFunctions},
		{"Route 53 mail domains, one without SPF", seedMailDomains},
		{"CloudFront distributions with IAM certificates and local origins", origins.seedCloudFrontCertificates},
		{"Well-Architected workloads, one with security HRIs", seedWellArchitected},
	}
	if err := seed(ctx, cfg, seeders); err != nil {
		origins.close()
		return nil, err
	}
	return origins.close, nil
}

// seeder creates one kind of resource in an account.
type seeder struct {
	name string
	seed func(context.Context, aws.Config) error
}

// seed runs the seeders in order through cfg, stopping at the first error.
func seed(ctx context.Context, cfg aws.Config, seeders []seeder) error {
	for _, s := range seeders {
		if err := s.seed(ctx, cfg); err != nil {
			return fmt.Errorf("seed %s: %w", s.name, err)
		}
	}
	return nil
}

// seedPasswordPolicy sets a policy that asks for length but not for numbers
// or symbols: yellow.
func seedPasswordPolicy(ctx context.Context, cfg aws.Config) error {
	_, err := iam.NewFromConfig(cfg).UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(8),
		RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true,
	})
	return err
}

// seedSnapshots creates, in each demo region, a volume with a private
// snapshot; in the second region one more snapshot is shared with everyone.
func seedSnapshots(ctx context.Context, cfg aws.Config) error {
	for i, region := range Regions {
		client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
		vol, err := client.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(8)})
		if err != nil {
			return err
		}
		if _, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId, Description: aws.String("nightly backup of app-db")}); err != nil {
			return err
		}
		if i == 0 {
			continue
		}
		public, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId, Description: aws.String("shared for the vendor, temporarily")})
		if err != nil {
			return err
		}
		// The emulator applies only the legacy OperationType+GroupNames form (docs/development.md).
		if _, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
			SnapshotId:    public.SnapshotId,
			Attribute:     ec2types.SnapshotAttributeNameCreateVolumePermission,
			OperationType: ec2types.OperationTypeAdd,
			GroupNames:    []string{"all"},
		}); err != nil {
			return err
		}
	}
	return nil
}
