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
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vpc := CreateVPC(t, client, "10.20.0.0/16")
	return map[string]string{
		"web":       CreateGroup(t, client, vpc, "web", Ingress("tcp", 443, 443, "0.0.0.0/0")),
		"legacy-db": CreateGroup(t, client, vpc, "legacy-db", Ingress("tcp", 3306, 3306, "0.0.0.0/0", "10.20.0.0/16")),
		"bastion":   CreateGroup(t, client, vpc, "bastion", Ingress("tcp", 22, 22, "0.0.0.0/0")),
		"internal":  CreateGroup(t, client, vpc, "internal", Ingress("-1", -1, -1, "10.20.0.0/16")),
	}
}

// CreateVPC creates, with client, a VPC of cidr and returns its ID.
func CreateVPC(t testing.TB, client *ec2.Client, cidr string) *string {
	t.Helper()
	out, err := client.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	if err != nil {
		t.Fatalf("create vpc %s: %v", cidr, err)
	}
	return out.Vpc.VpcId
}

// CreateGroup creates, with client, the security group name (described by
// its name) in vpc, admitting perms, and returns its ID. Without perms the
// group admits nothing: EC2 refuses an authorisation of no permission.
func CreateGroup(t testing.TB, client *ec2.Client, vpc *string, name string, perms ...types.IpPermission) string {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: vpc})
	if err != nil {
		t.Fatalf("create group %s: %v", name, err)
	}
	if len(perms) == 0 {
		return aws.ToString(out.GroupId)
	}
	if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: perms}); err != nil {
		t.Fatalf("authorize %s: %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

// IngressFromList is an inbound permission for tcp port port from the prefix
// list list, as AuthorizeSecurityGroupIngress takes it.
func IngressFromList(port int32, list *string) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), PrefixListIds: []types.PrefixListId{{PrefixListId: list}}}
}

// Ingress is an inbound permission for proto on ports from to to, from the
// IPv4 and IPv6 ranges cidrs, as AuthorizeSecurityGroupIngress takes it. For
// protocol "-1" (all traffic) the ports are left out: it admits every one.
func Ingress(proto string, from, to int32, cidrs ...string) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String(proto)}
	if proto != "-1" {
		p.FromPort, p.ToPort = aws.Int32(from), aws.Int32(to)
	}
	for _, c := range cidrs {
		if sgrules.IsIPv6CIDR(c) {
			p.Ipv6Ranges = append(p.Ipv6Ranges, types.Ipv6Range{CidrIpv6: aws.String(c)})
		} else {
			p.IpRanges = append(p.IpRanges, types.IpRange{CidrIp: aws.String(c)})
		}
	}
	return p
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

// SeedPrefixList creates, in region, a customer-managed prefix list
// "partners" that holds a partner range and, by mistake, 0.0.0.0/0, and a
// group "partner-sftp" in a new VPC whose SSH (22) and MySQL (3306) rules
// name the list and whose HTTPS (443) rule names the region's AWS-managed S3
// list. It returns the group's ID.
func SeedPrefixList(t *testing.T, cfg aws.Config, region string) string {
	t.Helper()
	ctx := context.Background()
	client := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	list, err := client.CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{
		PrefixListName: aws.String("partners"), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(10),
		Entries: []types.AddPrefixListEntry{
			{Cidr: aws.String("203.0.113.0/24"), Description: aws.String("partner office")},
			{Cidr: aws.String("0.0.0.0/0"), Description: aws.String("temporary, during the migration")},
		},
	})
	if err != nil {
		t.Fatalf("create prefix list: %v", err)
	}
	s3List, err := client.DescribeManagedPrefixLists(ctx, &ec2.DescribeManagedPrefixListsInput{
		Filters: []types.Filter{{Name: aws.String("prefix-list-name"), Values: []string{"com.amazonaws." + region + ".s3"}}},
	})
	if err != nil || len(s3List.PrefixLists) != 1 || aws.ToString(s3List.PrefixLists[0].OwnerId) != "AWS" {
		t.Fatalf("find the AWS-managed S3 prefix list = %+v, %v; want one list owned by AWS", s3List, err)
	}
	partners, s3 := list.PrefixList.PrefixListId, s3List.PrefixLists[0].PrefixListId
	return CreateGroup(t, client, CreateVPC(t, client, "10.30.0.0/16"), "partner-sftp",
		IngressFromList(22, partners), IngressFromList(3306, partners), IngressFromList(443, s3))
}
