package sgrules

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// rule builds a rule shaped like a DescribeSecurityGroupRules answer: AWS
// gives all-protocol rules and "all ICMP" FromPort = ToPort = -1.
func rule(proto string, from, to int32, cidr string) types.SecurityGroupRule {
	r := types.SecurityGroupRule{
		GroupId: aws.String("sg-1"), SecurityGroupRuleId: aws.String("sgr-1"), IsEgress: aws.Bool(false),
		IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to),
	}
	if IsIPv6CIDR(cidr) {
		r.CidrIpv6 = aws.String(cidr)
	} else {
		r.CidrIpv4 = aws.String(cidr)
	}
	return r
}

func TestPortRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rule             types.SecurityGroupRule
		from, to         int32
		ok               bool
		covers3389, only bool // only: every port among 80 and 443
	}{
		{rule("tcp", 3389, 3389, "0.0.0.0/0"), 3389, 3389, true, true, false},
		{rule("tcp", 3306, 3389, "0.0.0.0/0"), 3306, 3389, true, true, false},
		{rule("tcp", 3307, 3388, "0.0.0.0/0"), 3307, 3388, true, false, false},
		{rule("tcp", 3390, 3390, "0.0.0.0/0"), 3390, 3390, true, false, false},
		{rule("udp", 0, 65535, "0.0.0.0/0"), 0, 65535, true, true, false},
		{rule("tcp", 80, 80, "0.0.0.0/0"), 80, 80, true, false, true},
		{rule("tcp", 443, 443, "0.0.0.0/0"), 443, 443, true, false, true},
		{rule("tcp", 80, 443, "0.0.0.0/0"), 80, 443, true, false, false},
		{rule("6", 80, 80, "0.0.0.0/0"), 80, 80, true, false, true},
		{rule("-1", -1, -1, "0.0.0.0/0"), 0, 65535, true, true, false},
		{rule("icmp", 8, -1, "0.0.0.0/0"), 0, 0, false, false, false},
		{rule("icmp", -1, -1, "0.0.0.0/0"), 0, 0, false, false, false},
		{rule("icmpv6", -1, -1, "::/0"), 0, 0, false, false, false},
		{rule("50", -1, -1, "0.0.0.0/0"), 0, 0, false, false, false},
	}
	for _, tt := range tests {
		from, to, ok := PortRange(tt.rule)
		if from != tt.from || to != tt.to || ok != tt.ok {
			t.Errorf("PortRange(%s) = %d, %d, %t; want %d, %d, %t", Describe(tt.rule), from, to, ok, tt.from, tt.to, tt.ok)
		}
		if got := Covers(tt.rule, 3389); got != tt.covers3389 {
			t.Errorf("Covers(%s, 3389) = %t, want %t", Describe(tt.rule), got, tt.covers3389)
		}
		if got := OnlyPorts(tt.rule, []int32{80, 443}); got != tt.only {
			t.Errorf("OnlyPorts(%s, 80, 443) = %t, want %t", Describe(tt.rule), got, tt.only)
		}
	}
}

func TestPortsOutside(t *testing.T) {
	t.Parallel()
	allowed := []int32{25, 80, 443}
	tests := []struct {
		rule types.SecurityGroupRule
		want []string
	}{
		{rule("tcp", 80, 80, "0.0.0.0/0"), nil},
		{rule("tcp", 22, 22, "0.0.0.0/0"), []string{"22"}},
		{rule("tcp", 79, 81, "0.0.0.0/0"), []string{"79", "81"}},
		{rule("tcp", 80, 443, "0.0.0.0/0"), []string{"81-442"}},
		{rule("-1", -1, -1, "0.0.0.0/0"), []string{"0-24", "26-79", "81-442", "444-65535"}},
		{rule("icmp", -1, -1, "0.0.0.0/0"), nil},
	}
	for _, tt := range tests {
		if got := PortsOutside(tt.rule, allowed); !slices.Equal(got, tt.want) {
			t.Errorf("PortsOutside(%s, %v) = %q, want %q", Describe(tt.rule), allowed, got, tt.want)
		}
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cidr        string
		suffix      int
		ok          bool
		ipv4, ipv6  bool
		description string
	}{
		{"0.0.0.0/0", 0, true, true, false, "tcp port 22 from 0.0.0.0/0"},
		{"10.0.0.0/0", 0, true, true, false, "tcp port 22 from 10.0.0.0/0"},
		{"203.0.113.7/32", 32, true, false, false, "tcp port 22 from 203.0.113.7/32"},
		{"10.0.0.0/24", 24, true, false, false, "tcp port 22 from 10.0.0.0/24"},
		{"::/0", 0, true, false, true, "tcp port 22 from ::/0"},
		{"2001:db8::/64", 64, true, false, false, "tcp port 22 from 2001:db8::/64"},
	}
	for _, tt := range tests {
		r := rule("tcp", 22, 22, tt.cidr)
		if n, ok := CIDRSuffix(tt.cidr); n != tt.suffix || ok != tt.ok {
			t.Errorf("CIDRSuffix(%q) = %d, %t; want %d, %t", tt.cidr, n, ok, tt.suffix, tt.ok)
		}
		if got := OpenToIPv4World(r); got != tt.ipv4 {
			t.Errorf("OpenToIPv4World(%s) = %t, want %t", tt.cidr, got, tt.ipv4)
		}
		if got := OpenToIPv6World(r); got != tt.ipv6 {
			t.Errorf("OpenToIPv6World(%s) = %t, want %t", tt.cidr, got, tt.ipv6)
		}
		if got := Describe(r); got != tt.description {
			t.Errorf("Describe(%s) = %q, want %q", tt.cidr, got, tt.description)
		}
	}
	if _, ok := CIDRSuffix("sg-123"); ok {
		t.Errorf("CIDRSuffix(sg-123) ok, want not a CIDR")
	}
	referenced := types.SecurityGroupRule{IpProtocol: aws.String("-1"), GroupOwnerId: aws.String("111122223333"),
		ReferencedGroupInfo: &types.ReferencedSecurityGroup{GroupId: aws.String("sg-2"), UserId: aws.String("444455556666")}}
	if got, want := Describe(referenced), "all traffic from security group sg-2 of account 444455556666"; got != want {
		t.Errorf("Describe(referenced) = %q, want %q", got, want)
	}
	if OpenToIPv4World(referenced) || OpenToIPv6World(referenced) {
		t.Errorf("a referenced group is open to the world, want not")
	}
}

func TestJoinPorts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ports []int32
		want  string
	}{{nil, ""}, {[]int32{3389}, "3389"}, {[]int32{20, 21, 3389}, "20, 21, 3389"}} {
		if got := JoinPorts(tt.ports); got != tt.want {
			t.Errorf("JoinPorts(%v) = %q, want %q", tt.ports, got, tt.want)
		}
	}
}
