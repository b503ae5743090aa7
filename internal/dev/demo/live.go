package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// OpenRDP is the demo's live change: in region, a new security group
// "live-rdp" with RDP (3389) open to the world, as someone in a hurry would
// do. It returns the CloudTrail event AWS would deliver to EventBridge for
// the AuthorizeSecurityGroupIngress call (events/cloudtrail-security-group.json
// has the same shape), stamped at the time of the call.
func OpenRDP(ctx context.Context, cfg aws.Config, account, region string) (events.EventBridgeEvent, error) {
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	group, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("live-rdp"), Description: aws.String("opened during the demo"),
	})
	if err != nil {
		return events.EventBridgeEvent{}, fmt.Errorf("ec2 CreateSecurityGroup: %w", err)
	}
	if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: group.GroupId,
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
		}},
	}); err != nil {
		return events.EventBridgeEvent{}, fmt.Errorf("ec2 AuthorizeSecurityGroupIngress: %w", err)
	}
	return CloudTrailEvent(account, region, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", time.Now(),
		map[string]any{"groupId": aws.ToString(group.GroupId)})
}

// CloudTrailEvent returns an EventBridge event of detail-type "AWS API Call
// via CloudTrail" for a successful call of eventName to eventSource in
// account and region at t, shaped like AWS's (the fields the orchestrator
// reads and those around them; see events/cloudtrail-*.json).
func CloudTrailEvent(account, region, eventSource, eventName string, t time.Time, requestParameters map[string]any) (events.EventBridgeEvent, error) {
	t = t.UTC()
	id := fmt.Sprintf("demo-%d", t.UnixNano())
	detail, err := json.Marshal(map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       map[string]any{"type": "IAMUser", "accountId": account, "userName": "demo"},
		"eventTime":          t.Format(time.RFC3339),
		"eventSource":        eventSource,
		"eventName":          eventName,
		"awsRegion":          region,
		"sourceIPAddress":    "203.0.113.10",
		"userAgent":          "secadvisor-demo",
		"requestParameters":  requestParameters,
		"eventID":            id,
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": account,
		"eventCategory":      "Management",
	})
	if err != nil {
		return events.EventBridgeEvent{}, fmt.Errorf("cloudtrail event detail: %w", err)
	}
	return events.EventBridgeEvent{
		Version: "0", ID: id, DetailType: pipeline.CloudTrailDetailType, Source: "aws." + strings.TrimSuffix(eventSource, ".amazonaws.com"),
		AccountID: account, Time: t, Region: region, Resources: []string{}, Detail: detail,
	}, nil
}

// WebsiteSuppression is the demo's accepted risk: the demo account's
// public website bucket, read by everyone on purpose, reviewed by the web
// team for the next 90 days.
func WebsiteSuppression(now time.Time) (suppress.Rule, error) {
	return suppress.New("sup-demo-website", "s3-bucket-permissions", "123456789012", "global", "demo-public-website",
		"static website, public on purpose (reviewed)", "web-team", now.UTC().AddDate(0, 0, 90).Format(suppress.DateLayout),
		now, suppress.DefaultMaxAhead)
}

// FixPublicSnapshots makes the demo account's public EBS snapshots private
// in regions, as their owner would after the first report, and returns how
// many it changed.
func FixPublicSnapshots(ctx context.Context, cfg aws.Config, regions []string) (int, error) {
	fixed := 0
	for _, region := range regions {
		client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
		pages := ec2.NewDescribeSnapshotsPaginator(client, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, RestorableByUserIds: []string{"all"}})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return fixed, fmt.Errorf("ec2 DescribeSnapshots: %w", err)
			}
			for _, snap := range page.Snapshots {
				// The emulator applies only the legacy OperationType+GroupNames form (docs/development.md).
				if _, err := client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
					SnapshotId: snap.SnapshotId, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
					OperationType: ec2types.OperationTypeRemove, GroupNames: []string{"all"},
				}); err != nil {
					return fixed, fmt.Errorf("ec2 ModifySnapshotAttribute: %w", err)
				}
				fixed++
			}
		}
	}
	return fixed, nil
}
