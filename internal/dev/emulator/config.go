package emulator

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// AccountHeader makes moto serve a request from the named account's state,
// which isolates tests from each other without resetting the server.
const AccountHeader = "x-moto-account-id"

// staticAccessKey is the access key of the emulator's static credentials.
const staticAccessKey = "AKIAEMULATOR"

// Config returns an aws.Config that talks to the emulator at url as account
// (moto's default account when empty), with static credentials (moto checks
// no signatures) and the gap patches applied.
//
// A copy whose credentials come from sts AssumeRole (an organization scan
// entering a member account) acts in the role's account, as on AWS: see
// accountOfRequest.
func Config(url, account string) aws.Config {
	return adapt(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url)}, account)
}

// Adapt makes cfg, which already points at the emulator, fit it: static
// credentials (moto checks no signatures) and the gap patches.
func Adapt(cfg aws.Config) aws.Config { return adapt(cfg, "") }

func adapt(cfg aws.Config, account string) aws.Config {
	cfg.Credentials = credentials.NewStaticCredentialsProvider(staticAccessKey, "emulator-secret", "")
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), accountOfRequest(account))
	cfg.APIOptions = append(cfg.APIOptions, Patches(cfg)...)
	cfg.ServiceOptions = append(slices.Clip(cfg.ServiceOptions), cloudWatchQueryProtocol)
	return cfg
}

// assumedAccounts maps the access key of credentials moto's sts AssumeRole
// handed out to the account of the role assumed.
var assumedAccounts sync.Map

// requestAccount carries, through one call's context, the account the call
// acts in, so that the calls a gap patch makes while handling it act in the
// same account.
type requestAccount struct{ inherited, resolved string }

type requestAccountKey struct{}

// accountOfRequest decides which account's state moto serves a request from:
//   - a request signed with credentials from an AssumeRole answer acts in the
//     role's account, as on AWS (moto would find it from the access key too,
//     but the account header of the configuration would win);
//   - a call a gap patch makes while handling another acts in that call's account;
//   - anything else acts in account ("" leaves moto's default).
//
// It also records the AssumeRole answers it sees.
func accountOfRequest(account string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("emulatorAccountContext",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				ra := &requestAccount{}
				if outer, ok := ctx.Value(requestAccountKey{}).(*requestAccount); ok {
					ra.inherited = outer.resolved
				}
				out, md, err := next.HandleInitialize(context.WithValue(ctx, requestAccountKey{}, ra), in)
				if assumed, ok := out.Result.(*sts.AssumeRoleOutput); ok && err == nil && assumed.Credentials != nil && assumed.AssumedRoleUser != nil {
					if a, perr := arn.Parse(aws.ToString(assumed.AssumedRoleUser.Arn)); perr == nil {
						assumedAccounts.Store(aws.ToString(assumed.Credentials.AccessKeyId), a.AccountID)
					}
				}
				return out, md, err
			}), middleware.Before)
		if err != nil {
			return err
		}
		// After signing, where the request's access key is known.
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("emulatorAccount",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				ra, _ := ctx.Value(requestAccountKey{}).(*requestAccount)
				if !ok || ra == nil {
					return next.HandleFinalize(ctx, in)
				}
				resolved := account
				if assumed, ok := assumedAccounts.Load(signingAccessKey(req)); ok {
					resolved = assumed.(string)
				} else if ra.inherited != "" {
					resolved = ra.inherited
				}
				ra.resolved = resolved
				if resolved != "" {
					req.Header.Set(AccountHeader, resolved)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}

// signingAccessKey reads the access key from a SigV4 Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...").
func signingAccessKey(req *smithyhttp.Request) string {
	_, rest, ok := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

// Patches returns middleware that make the emulator answer like AWS where it
// does not (docs/development.md). base must reach the same emulator and account; the
// patches' own calls go through it and are not recorded.
func Patches(base aws.Config) []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{
		s3ControlKeepBaseHost(base),
		ssmInventoryEmpty(),
		wellArchitectedWorkloads(),
		healthNoEvents(),
		snapshotBlockPublicAccess(),
		iamServerCertificateIDs(),
		classicDefaultSSLPolicyOnCreate(base),
		classicSSLPolicyExpansion(),
		cloudFrontFullSummaries(base),
		assumeOnlyExistingRoles(base),
		snapshotsRestorableByAll(base),
	}
}

// snapshotsRestorableByAll makes DescribeSnapshots honour
// RestorableByUserIds "all".
//
// Gap: moto 5.2.1 ignores DescribeSnapshots' RestorableByUserIds, so a call
// asking for public snapshots gets every snapshot. The patch keeps only those
// whose createVolumePermission names the group "all", as AWS would.
func snapshotsRestorableByAll(base aws.Config) func(*middleware.Stack) error {
	patchCfg := base.Copy()
	return afterSuccess("emulatorRestorableByAll", func(ctx context.Context, params, result any) error {
		asked, ok := params.(*ec2.DescribeSnapshotsInput)
		if !ok || awsmiddleware.GetOperationName(ctx) != "DescribeSnapshots" || !slices.Contains(asked.RestorableByUserIds, "all") {
			return nil
		}
		described := result.(*ec2.DescribeSnapshotsOutput)
		client := ec2.NewFromConfig(patchCfg, func(o *ec2.Options) { o.Region = awsmiddleware.GetRegion(ctx) })
		var public []ec2types.Snapshot
		for _, snap := range described.Snapshots {
			attr, err := client.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
				SnapshotId: snap.SnapshotId,
				Attribute:  ec2types.SnapshotAttributeNameCreateVolumePermission,
			})
			if err != nil {
				return fmt.Errorf("emulator patch: DescribeSnapshotAttribute %s: %w", aws.ToString(snap.SnapshotId), err)
			}
			if slices.ContainsFunc(attr.CreateVolumePermissions, func(p ec2types.CreateVolumePermission) bool { return p.Group == ec2types.PermissionGroupAll }) {
				public = append(public, snap)
			}
		}
		described.Snapshots = public
		return nil
	})
}
