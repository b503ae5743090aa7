// Package sgrulestest seeds emulated accounts with security groups for the
// tests of the checks that read them through sgrules.
package sgrulestest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Seed creates, in region, a VPC with the security groups a real account
// tends to have, and returns their IDs by name: "web" (HTTPS from
// 0.0.0.0/0), "legacy-db" (MySQL from 0.0.0.0/0 and from the VPC), "bastion"
// (SSH from 0.0.0.0/0) and "internal" (everything from the VPC only).
func Seed(t *testing.T, cfg aws.Config, region string) map[string]string {
	t.Helper()
	ctx := context.Background()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vpc, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatalf("create vpc: %v", err)
	}
	ids := map[string]string{}
	groups := []struct {
		name  string
		perms []types.IpPermission
	}{
		{"web", []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
		}},
		{"legacy-db", []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3306), ToPort: aws.Int32(3306), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}, {CidrIp: aws.String("10.20.0.0/16")}}},
		}},
		{"bastion", []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
		}},
		{"internal", []types.IpPermission{
			{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.20.0.0/16")}}},
		}},
	}
	for _, g := range groups {
		out, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(g.name), Description: aws.String(g.name), VpcId: vpc.Vpc.VpcId})
		if err != nil {
			t.Fatalf("create group %s: %v", g.name, err)
		}
		ids[g.name] = aws.ToString(out.GroupId)
		if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: g.perms}); err != nil {
			t.Fatalf("authorize %s: %v", g.name, err)
		}
	}
	return ids
}
