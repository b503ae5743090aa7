package asff

import (
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Resource types that ASFF defines and the findings use. Where ASFF has no
// type for a resource (EBS snapshots, Well-Architected workloads), the type
// is Other, as the format asks.
const (
	TypeAccount                = "AwsAccount"
	TypeOther                  = "Other"
	TypeEc2Instance            = "AwsEc2Instance"
	TypeEc2SecurityGroup       = "AwsEc2SecurityGroup"
	TypeS3Bucket               = "AwsS3Bucket"
	TypeIamUser                = "AwsIamUser"
	TypeIamAccessKey           = "AwsIamAccessKey"
	TypeRdsDbInstance          = "AwsRdsDbInstance"
	TypeRdsDbCluster           = "AwsRdsDbCluster"
	TypeRdsDbSnapshot          = "AwsRdsDbSnapshot"
	TypeRdsDbSecurityGroup     = "AwsRdsDbSecurityGroup"
	TypeElbLoadBalancer        = "AwsElbLoadBalancer"
	TypeElbv2LoadBalancer      = "AwsElbv2LoadBalancer"
	TypeCloudTrailTrail        = "AwsCloudTrailTrail"
	TypeLambdaFunction         = "AwsLambdaFunction"
	TypeCloudFrontDistribution = "AwsCloudFrontDistribution"
	TypeRoute53HostedZone      = "AwsRoute53HostedZone"
)

// resourceRule says what a check's resource ID of one shape names: the ASFF
// type and the resource's canonical Id, an ARN when the ID holds what the
// ARN needs. In id, {partition}, {region} and {account} stand for the
// finding's, and $1… for pattern's groups.
type resourceRule struct {
	slug    string // the check; "" for any check
	pattern *regexp.Regexp
	typ     string
	id      string
}

// resourceRules are tried in order; the first whose check and pattern match
// wins. The resource IDs are those the checks emit (see each check's
// evaluate): a finding about one security group rule, one listener port or
// one origin names the group, the load balancer or the distribution.
var resourceRules = []resourceRule{
	// "(all)", "(no trail)", "(service)", "(invocation metrics)": the
	// finding stands for the whole account or region.
	{"", regexp.MustCompile(`^\(.*\)$`), TypeAccount, "AWS::::Account:{account}"},

	{"ec2-sql-server-end-of-support", regexp.MustCompile(`^(i-[0-9a-f]+)$`), TypeEc2Instance, "arn:{partition}:ec2:{region}:{account}:instance/$1"},
	// EC2 snapshot ARNs carry no account.
	{"ebs-public-snapshots", regexp.MustCompile(`^(snap-[0-9a-f]+)$`), TypeOther, "arn:{partition}:ec2:{region}::snapshot/$1"},
	// The finding does not say whether the snapshot is a DB or a DB cluster
	// snapshot, so its ARN (snapshot: or cluster-snapshot:) is not known.
	{"rds-public-snapshots", regexp.MustCompile(`^(.+)$`), TypeRdsDbSnapshot, "$1"},
	{"rds-security-group-access-risk", regexp.MustCompile(`^db:([^/]+)`), TypeRdsDbInstance, "arn:{partition}:rds:{region}:{account}:db:$1"},
	{"rds-security-group-access-risk", regexp.MustCompile(`^cluster:([^/]+)`), TypeRdsDbCluster, "arn:{partition}:rds:{region}:{account}:cluster:$1"},
	{"rds-security-group-access-risk", regexp.MustCompile(`^secgrp:([^/]+)`), TypeRdsDbSecurityGroup, "arn:{partition}:rds:{region}:{account}:secgrp:$1"},
	{"route53-mx-spf", regexp.MustCompile(`^([A-Z0-9]+)(?:/|$)`), TypeRoute53HostedZone, "arn:{partition}:route53:::hostedzone/$1"},
	{"s3-bucket-permissions", regexp.MustCompile(`^([^/]+)$`), TypeS3Bucket, "arn:{partition}:s3:::$1"},
	{"cloudtrail-logging", regexp.MustCompile(`^(arn:[^:]+:cloudtrail:.+)$`), TypeCloudTrailTrail, "$1"},
	{"lambda-deprecated-runtimes", regexp.MustCompile(`^(arn:[^:]+:lambda:.+)$`), TypeLambdaFunction, "$1"},
	{"well-architected-security-hri", regexp.MustCompile(`^([0-9a-f]{32})$`), TypeOther, "arn:{partition}:wellarchitected:{region}:{account}:workload/$1"},
	{"cloudfront-iam-certificates", regexp.MustCompile(`^([A-Z0-9]+)$`), TypeCloudFrontDistribution, "arn:{partition}:cloudfront::{account}:distribution/$1"},
	{"cloudfront-origin-certificates", regexp.MustCompile(`^([A-Z0-9]+)/`), TypeCloudFrontDistribution, "arn:{partition}:cloudfront::{account}:distribution/$1"},
	// Application and network load balancers' ARNs end with an ID the
	// finding does not hold: their Id is "alb/<name>" or "nlb/<name>".
	{"elb-listener-security", regexp.MustCompile(`^((?:alb|nlb)/[^:]+)`), TypeElbv2LoadBalancer, "$1"},
	{"elb-listener-security", regexp.MustCompile(`^([^:/]+)(?::\d+)?$`), TypeElbLoadBalancer, "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/$1"},
	{"elb-security-groups", regexp.MustCompile(`^([^:/]+)$`), TypeElbLoadBalancer, "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/$1"},
	{"exposed-access-keys", regexp.MustCompile(`^((?:AKIA|ASIA)[A-Z0-9]+)$`), TypeIamAccessKey, "$1"},
	{"exposed-access-keys", regexp.MustCompile(`^`), TypeAccount, "AWS::::Account:{account}"},
	{"iam-access-key-rotation", regexp.MustCompile(`^((?:AKIA|ASIA)[A-Z0-9]+)$`), TypeIamAccessKey, "$1"},
	// "<user>/access_key_1" (a report slot without a key ID) and
	// "<user>/key-ids" (the user's keys could not be listed) name the user;
	// its ARN holds a path the finding does not.
	{"iam-access-key-rotation", regexp.MustCompile(`^(.+)/(?:access_key_\d|key-ids)$`), TypeIamUser, "$1"},
	{"iam-password-policy", regexp.MustCompile(`^`), TypeAccount, "AWS::::Account:{account}"},
	{"iam-use", regexp.MustCompile(`^`), TypeAccount, "AWS::::Account:{account}"},
	{"mfa-on-root-account", regexp.MustCompile(`^`), TypeAccount, "AWS::::Account:{account}"},
	{"security-groups-specific-ports-unrestricted", regexp.MustCompile(`^(sg-[0-9a-f]+)(?:/|$)`), TypeEc2SecurityGroup, "arn:{partition}:ec2:{region}:{account}:security-group/$1"},
	{"security-groups-unrestricted-access", regexp.MustCompile(`^(sg-[0-9a-f]+)(?:/|$)`), TypeEc2SecurityGroup, "arn:{partition}:ec2:{region}:{account}:security-group/$1"},

	// Any other ARN, and anything else.
	{"", regexp.MustCompile(`^(arn:.+)$`), TypeOther, "$1"},
	{"", regexp.MustCompile(`^(.+)$`), TypeOther, "$1"},
}

// resource describes the resource f is about. Its region is the one its ARN
// names, else the finding's; a global finding's resource is placed in
// importRegion, since ASFF has no "global" region.
func resource(f check.Finding, partition, importRegion string) types.Resource {
	region := f.Region
	if region == check.GlobalRegion || region == check.AllRegions || region == "" {
		region = importRegion
	}
	typ, id := TypeOther, f.ResourceID
	for _, rule := range resourceRules {
		if rule.slug != "" && rule.slug != f.Slug {
			continue
		}
		m := rule.pattern.FindStringSubmatchIndex(f.ResourceID)
		if m == nil {
			continue
		}
		template := strings.NewReplacer("{partition}", partition, "{region}", region, "{account}", f.Account).Replace(rule.id)
		typ, id = rule.typ, string(rule.pattern.ExpandString(nil, template, f.ResourceID, m))
		break
	}
	if strings.TrimSpace(id) == "" {
		// The service takes no empty Id: the finding's own ID stands for it.
		id = ID(f)
	}
	if arnRegion := regionOf(id); arnRegion != "" {
		region = arnRegion
	}
	return types.Resource{Type: aws.String(typ), Id: aws.String(id), Partition: types.Partition(partition), Region: aws.String(region)}
}

// regionOf returns the region an ARN names ("" for a global resource's ARN
// or when id is no ARN).
func regionOf(id string) string {
	parts := strings.SplitN(id, ":", 5)
	if len(parts) < 5 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}
