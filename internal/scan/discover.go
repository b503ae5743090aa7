package scan

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/check"
)

// DiscoveryActions are the IAM actions the engine itself calls, besides the checks'.
var DiscoveryActions = []string{"ec2:DescribeRegions", "sts:GetCallerIdentity"}

// CallerAccount returns the account ID of cfg's credentials.
func CallerAccount(ctx context.Context, cfg aws.Config) (string, error) {
	c, err := CallerOf(ctx, cfg)
	return c.Account, err
}

// Caller is who cfg's credentials are.
type Caller struct {
	Account string
	// Partition is the partition of the caller's ARN: aws, aws-cn or
	// aws-us-gov. The ARNs of roles in other accounts are built in it.
	Partition string
}

// CallerOf asks STS who cfg's credentials are.
func CallerOf(ctx context.Context, cfg aws.Config) (Caller, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, check.WrapOp("sts GetCallerIdentity", err)
	}
	c := Caller{Account: aws.ToString(out.Account), Partition: "aws"}
	if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
		c.Partition = a.Partition
	}
	return c, nil
}

// EnabledRegions returns the regions enabled for the account: those that need
// no opt-in and those opted in. DescribeRegions is not paginated.
func EnabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, check.WrapOp("ec2 DescribeRegions", err)
	}
	var regions []string
	for _, r := range out.Regions {
		switch aws.ToString(r.OptInStatus) {
		case "", "opt-in-not-required", "opted-in":
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	if len(regions) == 0 {
		return nil, fmt.Errorf("ec2 DescribeRegions: no enabled region")
	}
	sort.Strings(regions)
	return regions, nil
}
