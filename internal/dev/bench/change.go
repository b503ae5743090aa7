package bench

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Change is what ChangeOnePercent did.
type Change struct {
	// SnapshotsMadePublic and GroupsOpened are per region.
	SnapshotsMadePublic int `json:"ebsSnapshotsMadePublicPerRegion"`
	GroupsOpened        int `json:"securityGroupsOpenedPerRegion"`
}

// ChangeOnePercent changes 1 % of the account's EBS snapshots and security
// groups in every region, the way drift happens: snapshots shared with
// everyone, and groups given an SSH rule from anywhere. Snapshots are
// taken from the end of the list (the seeded public ones are at the start).
func ChangeOnePercent(ctx context.Context, cfg aws.Config, acct *Account, workers int) (Change, error) {
	var tasks []task
	ch := Change{SnapshotsMadePublic: onePercent(acct.Spec.EBSSnapshots), GroupsOpened: onePercent(acct.Spec.SecurityGroups)}
	for _, region := range acct.Spec.Regions {
		client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
		snaps := acct.Snapshots[region]
		for _, id := range snaps[len(snaps)-ch.SnapshotsMadePublic:] {
			tasks = append(tasks, func(ctx context.Context) error { return makeSnapshotPublic(ctx, client, id) })
		}
		groups := acct.Groups[region]
		for _, id := range groups[len(groups)-ch.GroupsOpened:] {
			tasks = append(tasks, func(ctx context.Context) error {
				_, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
					GroupId: aws.String(id),
					IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
						IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("temporary debugging")}}}},
				})
				if err != nil {
					return fmt.Errorf("%s open group %s: %w", region, id, err)
				}
				return nil
			})
		}
	}
	return ch, runTasks(ctx, workers, tasks)
}

// countCalls counts every SDK operation call made with the config.
func countCalls(n *atomic.Int64) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("benchCountCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				n.Add(1)
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}
