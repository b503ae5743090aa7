package elbsecuritygroups

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// rule builds an inbound rule shaped like a DescribeSecurityGroupRules answer.
var rule = sgrulestest.Rule

// loadBalancer is a Classic Load Balancer in a VPC with HTTP 80 and HTTPS 443
// listeners, shaped like a DescribeLoadBalancers answer.
func loadBalancer(groups ...string) elbtypes.LoadBalancerDescription {
	return elbtypes.LoadBalancerDescription{
		LoadBalancerName: aws.String("shop"), VPCId: aws.String("vpc-1"), SecurityGroups: groups,
		ListenerDescriptions: []elbtypes.ListenerDescription{
			{Listener: &elbtypes.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(8080)}},
			{Listener: &elbtypes.Listener{Protocol: aws.String("HTTPS"), LoadBalancerPort: 443, InstancePort: aws.Int32(8080)}},
		},
	}
}

func TestEvaluateRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule ec2types.SecurityGroupRule
		want check.Status
	}{
		{"listener port 80 from anywhere", rule("tcp", 80, 80, "0.0.0.0/0"), check.Green},
		{"listener port 443 from IPv6 anywhere", rule("tcp", 443, 443, "::/0"), check.Green},
		{"listener port from another group", rule("tcp", 80, 80, "sg-cdn"), check.Green},
		{"range 80-443 opens 81-442", rule("tcp", 80, 443, "0.0.0.0/0"), check.Yellow},
		{"range 79-80 opens 79", rule("tcp", 79, 80, "0.0.0.0/0"), check.Yellow},
		{"range 443-444 opens 444", rule("tcp", 443, 444, "0.0.0.0/0"), check.Yellow},
		{"every tcp port", rule("tcp", 0, 65535, "0.0.0.0/0"), check.Yellow},
		{"ssh from a private range is still a non-listener port", rule("tcp", 22, 22, "10.0.0.0/8"), check.Yellow},
		{"ssh from a single address", rule("tcp", 22, 22, "203.0.113.7/32"), check.Yellow},
		{"udp on a listener port number", rule("udp", 80, 80, "0.0.0.0/0"), check.Yellow},
		{"all traffic", rule("-1", -1, -1, "10.0.0.0/8"), check.Yellow},
		{"other protocol (ESP)", rule("50", -1, -1, "0.0.0.0/0"), check.Yellow},
		{"all icmp is excepted", rule("icmp", -1, -1, "0.0.0.0/0"), check.Green},
		{"path MTU discovery icmp is excepted", rule("icmp", 3, 4, "0.0.0.0/0"), check.Green},
		{"icmpv6 is excepted", rule("icmpv6", -1, -1, "::/0"), check.Green},
	}
	for _, tt := range tests {
		in := Input{LoadBalancers: []elbtypes.LoadBalancerDescription{loadBalancer("sg-lb")},
			Groups: []sgrules.Group{{ID: "sg-lb", Name: "shop-lb", Inbound: []ec2types.SecurityGroupRule{tt.rule}}}}
		got := evaluate(checktest.Target("eu-west-1"), in)
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 || got[0].Status != tt.want || got[0].ResourceID != "shop" {
			t.Errorf("evaluate(%s: listeners 80, 443; rule %s) = %+v, want one %s finding for shop", tt.name, sgrules.Describe(tt.rule), got, tt.want)
			continue
		}
		if c := got[0].Columns; c["Load Balancer Name"] != "shop" || c["Security Group IDs"] != "sg-lb" || c["Reason"] != got[0].Reason {
			t.Errorf("evaluate(%s) columns = %v, want name, group IDs and reason", tt.name, c)
		}
	}
}

func TestEvaluateLoadBalancers(t *testing.T) {
	t.Parallel()
	web := sgrules.Group{ID: "sg-web", Name: "web", Inbound: []ec2types.SecurityGroupRule{rule("tcp", 443, 443, "0.0.0.0/0")}}
	admin := sgrules.Group{ID: "sg-admin", Name: "admin", Inbound: []ec2types.SecurityGroupRule{rule("tcp", 22, 22, "198.51.100.0/24")}}
	classic := loadBalancer()
	classic.VPCId = nil
	tests := []struct {
		name string
		lb   elbtypes.LoadBalancerDescription
		want check.Status // "" when not evaluated
		in   string       // reason must contain
	}{
		{"clean group", loadBalancer("sg-web"), check.Green, "listens on (80, 443)"},
		{"deleted group", loadBalancer("sg-deleted"), check.Red, "sg-deleted"},
		{"deleted group beside a clean one", loadBalancer("sg-web", "sg-deleted"), check.Red, "sg-deleted"},
		{"deleted group beside one with extra ports", loadBalancer("sg-admin", "sg-deleted"), check.Red, "port 22"},
		{"second group opens ssh", loadBalancer("sg-web", "sg-admin"), check.Yellow, "admin (sg-admin) allows tcp port 22 from 198.51.100.0/24"},
		{"no security group", loadBalancer(), check.Green, "No security group"},
		{"EC2-Classic load balancer", classic, "", ""},
	}
	for _, tt := range tests {
		got := evaluate(checktest.Target("eu-west-1"), Input{LoadBalancers: []elbtypes.LoadBalancerDescription{tt.lb}, Groups: []sgrules.Group{web, admin}})
		checktest.ColumnsWithin(t, Meta, got)
		if tt.want == "" {
			if len(got) != 0 {
				t.Errorf("evaluate(%s) = %+v, want no finding", tt.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Status != tt.want || !strings.Contains(got[0].Reason, tt.in) {
			t.Errorf("evaluate(%s) = %+v, want one %s finding whose reason says %q", tt.name, got, tt.want, tt.in)
		}
	}
}

// seed creates, in region, a VPC with three Classic Load Balancers listening
// on 80 and 443: one whose group opens only those ports (and ICMP), one whose
// group also opens SSH, and one whose group was deleted after it was created.
func seed(t *testing.T, cfg aws.Config, region string) {
	t.Helper()
	ctx := context.Background()
	cfg = awsx.InRegion(cfg, region)
	ec2c, elbc := ec2.NewFromConfig(cfg), elb.NewFromConfig(cfg)
	vpc := sgrulestest.CreateVPC(t, ec2c, "10.40.0.0/16")
	subnet, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc, CidrBlock: aws.String("10.40.1.0/24"), AvailabilityZone: aws.String(region + "a")})
	if err != nil {
		t.Fatalf("create subnet: %v", err)
	}
	open := func(port int32) ec2types.IpPermission { return sgrulestest.Ingress("tcp", port, port, "0.0.0.0/0") }
	pathMTU := sgrulestest.Ingress("icmp", 3, 4, "0.0.0.0/0")
	groups := map[string]string{
		"shop":   sgrulestest.CreateGroup(t, ec2c, vpc, "shop-lb", open(80), open(443), pathMTU),
		"admin":  sgrulestest.CreateGroup(t, ec2c, vpc, "admin-lb", open(80), open(443), sgrulestest.Ingress("tcp", 22, 22, "10.0.0.0/8")),
		"legacy": sgrulestest.CreateGroup(t, ec2c, vpc, "legacy-lb", open(80)),
	}
	for _, name := range []string{"shop", "admin", "legacy"} {
		if _, err := elbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
			LoadBalancerName: aws.String(name), Subnets: []string{aws.ToString(subnet.Subnet.SubnetId)}, SecurityGroups: []string{groups[name]},
			Listeners: []elbtypes.Listener{
				{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)},
				{Protocol: aws.String("TCP"), LoadBalancerPort: 443, InstanceProtocol: aws.String("TCP"), InstancePort: aws.Int32(8443)},
			},
		}); err != nil {
			t.Fatalf("create load balancer %s: %v", name, err)
		}
	}
	// AWS refuses to delete a group in use; the emulator does not, which is
	// how a group the load balancer still names can be missing.
	if _, err := ec2c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(groups["legacy"])}); err != nil {
		t.Fatalf("delete legacy group: %v", err)
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seed(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	byID := checktest.ByResource(findings)
	want := map[string]check.Status{"shop": check.Green, "admin": check.Yellow, "legacy": check.Red}
	if len(findings) != len(want) {
		t.Errorf("got %d findings, want %d (one per load balancer, nothing in us-east-1): %+v", len(findings), len(want), findings)
	}
	for name, status := range want {
		if f := byID[name]; f.Status != status || f.Region != "eu-west-1" || f.Columns["Load Balancer Name"] != name || !strings.HasPrefix(f.Columns["Security Group IDs"], "sg-") {
			t.Errorf("%s = %+v, want %s in eu-west-1 with its columns", name, f, status)
		}
	}
	if r := byID["admin"].Reason; !strings.Contains(r, "tcp port 22 from 10.0.0.0/8") {
		t.Errorf("admin reason = %q, want it to name the SSH rule", r)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("Elastic Load Balancing", "DescribeLoadBalancers", 2, "one per region"),
		checktest.Call("EC2", "DescribeSecurityGroups", 1, "only the region with load balancers"),
		checktest.Call("EC2", "DescribeSecurityGroupRules", 1, "only the region with load balancers"))
}

// classicPages is a fake of the Classic Load Balancing API answering
// DescribeLoadBalancers from its pages, shaped as the API reference documents
// them (NextMarker on every page but the last). The emulator answers in one
// page, so only a fake shows that every page is read.
type classicPages [][]elbtypes.LoadBalancerDescription

func (p classicPages) DescribeLoadBalancers(_ context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	page, next := checktest.Page(p, in.Marker)
	return &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: page, NextMarker: next}, nil
}

// TestCollectReadsEveryPage: the load balancer whose group was deleted is on
// the second page of DescribeLoadBalancers, and its group's rules on the
// second page of DescribeSecurityGroupRules.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	lbs := classicPages{{loadBalancer("sg-web")}, {loadBalancer("sg-admin", "sg-deleted")}}
	lbs[1][0].LoadBalancerName = aws.String("admin")
	ssh := sgrulestest.RuleOf("sg-admin", "sgr-1", "tcp", 22, 22, "198.51.100.0/24")
	groups := sgrulestest.Pages{
		Groups: [][]ec2types.SecurityGroup{{{GroupId: aws.String("sg-web"), GroupName: aws.String("web")}}, {{GroupId: aws.String("sg-admin"), GroupName: aws.String("admin")}}},
		Rules:  [][]ec2types.SecurityGroupRule{{rule("tcp", 443, 443, "0.0.0.0/0")}, {ssh}},
	}
	in, err := collect(context.Background(), lbs, groups)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	checktest.WantStatuses(t, "evaluate(collect over two pages)", evaluate(checktest.Target("eu-west-1"), in), map[string]check.Status{"shop": check.Green, "admin": check.Red})
	if g := sgrules.ByID(in.Groups)["sg-admin"]; len(g.Inbound) != 1 {
		t.Errorf("sg-admin = %+v, want its SSH rule from the second page", g)
	}
}
