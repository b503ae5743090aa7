package scan

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/secadvisor/secadvisor/internal/check"
)

// DiscoveryActions are the IAM actions a scan calls besides the checks':
// EnabledRegions', and member.CallerOf's (who the caller is).
var DiscoveryActions = []string{"ec2:DescribeRegions", "sts:GetCallerIdentity"}

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
