// Package sgrulestest holds the security-group fixtures of the checks that
// read security groups through sgrules: seeding an emulated account, and the
// benchmark's reference region.
package sgrulestest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/sgrules"
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

// BenchmarkGroups is one reference region of the benchmark account
// (internal/bench): 700 groups with 5 inbound rules each, 3,500 rules, as
// DescribeSecurityGroupRules returns them. Every 10th group opens 443 to the
// world, every 25th SSH, every 50th RDP, every 100th all ports (0-65535, the
// widest range the evaluators walk); the rest come from private ranges.
func BenchmarkGroups(allPorts bool) []sgrules.Group {
	ports := []int32{443, 8080, 5432, 6379, 9200}
	groups := make([]sgrules.Group, 700)
	for i := range groups {
		id := fmt.Sprintf("sg-%017d", i)
		g := sgrules.Group{ID: id, Name: fmt.Sprintf("bench-sg-%04d", i), VpcID: "vpc-1"}
		for k, port := range ports {
			from, to, cidr := port, port, fmt.Sprintf("10.%d.%d.0/24", k, i%250)
			switch {
			case k == 0 && i%10 == 0:
				cidr = "0.0.0.0/0"
			case k == 1 && i%25 == 0:
				from, to, cidr = 22, 22, "0.0.0.0/0"
			case k == 2 && i%50 == 0:
				from, to, cidr = 3389, 3389, "0.0.0.0/0"
			case allPorts && k == 3 && i%100 == 0:
				from, to, cidr = 0, 65535, "0.0.0.0/0"
			}
			g.Inbound = append(g.Inbound, types.SecurityGroupRule{
				GroupId: aws.String(id), SecurityGroupRuleId: aws.String(fmt.Sprintf("sgr-%s-%d", id, k)), IsEgress: aws.Bool(false),
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(from), ToPort: aws.Int32(to), CidrIpv4: aws.String(cidr),
			})
		}
		groups[i] = g
	}
	return groups
}
