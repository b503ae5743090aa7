package emulator

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// AccountHeader makes moto serve a request from the named account's state,
// which isolates tests from each other without resetting the server.
const AccountHeader = "x-moto-account-id"

// Config returns an aws.Config that talks to the emulator at url as account
// (DefaultAccount when empty), with static credentials (moto checks no
// signatures) and the gap patches applied.
func Config(url, account string) aws.Config {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url)}
	if account != "" {
		cfg.APIOptions = append(cfg.APIOptions, accountHeader(account))
	}
	return Adapt(cfg)
}

// Adapt makes cfg, which already points at the emulator, fit it: static
// credentials (moto checks no signatures) and the gap patches.
func Adapt(cfg aws.Config) aws.Config {
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAEMULATOR", "emulator-secret", "")
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), Patches(cfg)...)
	cfg.ServiceOptions = append(slices.Clip(cfg.ServiceOptions), cloudWatchQueryProtocol)
	return cfg
}

func accountHeader(account string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("emulatorAccount",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set(AccountHeader, account)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// Patches returns middleware that make the emulator answer like AWS where it
// does not (docs/development.md). base must reach the same emulator and account; the
// patches' own calls go through it and are not recorded.
//
// Gap: moto 5.2.1 ignores DescribeSnapshots' RestorableByUserIds, so a call
// asking for public snapshots gets every snapshot. The patch keeps only those
// whose createVolumePermission names the group "all", as AWS would.
func Patches(base aws.Config) []func(*middleware.Stack) error {
	patchCfg := base.Copy()
	return []func(*middleware.Stack) error{
		s3ControlKeepBaseHost(base),
		ssmInventoryEmpty(),
		wellArchitectedWorkloads(),
		healthNoEvents(),
		snapshotBlockPublicAccess(),
		iamServerCertificateIDs,
		classicDefaultSSLPolicyOnCreate(base),
		classicSSLPolicyExpansion,
		cloudFrontFullSummaries(base),
		func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("emulatorRestorableByAll",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					params, ok := in.Parameters.(*ec2.DescribeSnapshotsInput)
					if !ok || awsmiddleware.GetOperationName(ctx) != "DescribeSnapshots" || !slices.Contains(params.RestorableByUserIds, "all") {
						return next.HandleInitialize(ctx, in)
					}
					out, md, err := next.HandleInitialize(ctx, in)
					if err != nil {
						return out, md, err
					}
					result := out.Result.(*ec2.DescribeSnapshotsOutput)
					client := ec2.NewFromConfig(patchCfg, func(o *ec2.Options) { o.Region = awsmiddleware.GetRegion(ctx) })
					var public []ec2types.Snapshot
					for _, snap := range result.Snapshots {
						attr, err := client.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
							SnapshotId: snap.SnapshotId,
							Attribute:  ec2types.SnapshotAttributeNameCreateVolumePermission,
						})
						if err != nil {
							return out, md, fmt.Errorf("emulator patch: DescribeSnapshotAttribute %s: %w", aws.ToString(snap.SnapshotId), err)
						}
						if slices.ContainsFunc(attr.CreateVolumePermissions, func(p ec2types.CreateVolumePermission) bool { return p.Group == ec2types.PermissionGroupAll }) {
							public = append(public, snap)
						}
					}
					result.Snapshots = public
					return out, md, nil
				}), middleware.After)
		},
	}
}
