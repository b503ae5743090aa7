// Package sgrules reads a region's EC2 security groups with their inbound
// rules, and answers the questions the network checks ask of one rule: which
// ports it opens and to whom. The security-group, RDS and ELB checks share it
// so that "does this rule open port 3389 to the internet" has one answer.
//
// Rules come from DescribeSecurityGroupRules, which returns one rule per
// source (one CIDR, one prefix list or one referenced group), each with its
// own ID: exactly the unit the checks report on. A rule whose source is a
// customer-managed prefix list admits every address of the list, so the
// checks that ask "open to the internet?" expand those lists
// (ExpandPrefixLists) and judge their entries like a rule's own CIDR.
package sgrules

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// IAMActions are the IAM actions Collect calls, for the checks' Meta.
var IAMActions = []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"}

// API is the part of the EC2 client Collect calls.
type API interface {
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSecurityGroupRulesAPIClient
}

var _ API = (*ec2.Client)(nil)

// pageSize is the largest page of both DescribeSecurityGroups and
// DescribeSecurityGroupRules.
const pageSize = 1000

// Group is one security group and its inbound rules.
type Group struct {
	ID    string
	Name  string
	VpcID string
	// Inbound holds the group's ingress rules, one per source.
	Inbound []types.SecurityGroupRule
	// PrefixLists are the region's prefix lists that ExpandPrefixLists read,
	// shared by all the groups it was given; nil when it was not called.
	PrefixLists PrefixLists
}

// Collect returns every security group of the region with its inbound rules:
// one paginated DescribeSecurityGroups (names, and groups without any rule)
// and one paginated DescribeSecurityGroupRules (the rules of all groups at
// once, instead of one call per group).
func Collect(ctx context.Context, api API) ([]Group, error) {
	groupPages := ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeSecurityGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	sgs, err := awsx.AllPages(ctx, groupPages, func(p *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return p.SecurityGroups })
	if err != nil {
		return nil, check.WrapOp("ec2 DescribeSecurityGroups", err)
	}
	var groups []Group
	index := map[string]int{}
	for _, g := range sgs {
		id := aws.ToString(g.GroupId)
		index[id] = len(groups)
		groups = append(groups, Group{ID: id, Name: aws.ToString(g.GroupName), VpcID: aws.ToString(g.VpcId)})
	}
	rulePages := ec2.NewDescribeSecurityGroupRulesPaginator(api, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeSecurityGroupRulesPaginatorOptions) { o.StopOnDuplicateToken = true })
	rules, err := awsx.AllPages(ctx, rulePages, func(p *ec2.DescribeSecurityGroupRulesOutput) []types.SecurityGroupRule { return p.SecurityGroupRules })
	if err != nil {
		return nil, check.WrapOp("ec2 DescribeSecurityGroupRules", err)
	}
	for _, r := range rules {
		if aws.ToBool(r.IsEgress) {
			continue
		}
		id := aws.ToString(r.GroupId)
		i, ok := index[id]
		if !ok {
			// Created between the two listings: still evaluated, by ID.
			i = len(groups)
			index[id] = i
			groups = append(groups, Group{ID: id})
		}
		groups[i].Inbound = append(groups[i].Inbound, r)
	}
	return groups, nil
}

// ByID indexes groups by their ID.
func ByID(groups []Group) map[string]Group {
	out := make(map[string]Group, len(groups))
	for _, g := range groups {
		out[g.ID] = g
	}
	return out
}

// Label names a group for people: "name (sg-…)", or the ID alone.
func (g Group) Label() string {
	if g.Name == "" {
		return g.ID
	}
	return g.Name + " (" + g.ID + ")"
}

// The protocols as DescribeSecurityGroupRules names them. Other IP protocols
// (ESP, GRE…) come as their number.
const (
	AllProtocols = "-1"
	TCP          = "tcp"
	UDP          = "udp"
	ICMP         = "icmp"
	ICMPv6       = "icmpv6"
)

// Protocol returns r's protocol in the API's canonical naming, mapping the
// protocol numbers the API also accepts (6, 17, 1, 58) to their names.
func Protocol(r types.SecurityGroupRule) string {
	p := strings.ToLower(aws.ToString(r.IpProtocol))
	switch p {
	case "6":
		return TCP
	case "17":
		return UDP
	case "1":
		return ICMP
	case "58":
		return ICMPv6
	case "all":
		return AllProtocols
	}
	return p
}

// MaxPort is the highest TCP/UDP port.
const MaxPort = 65535

// PortRange returns the ports r opens. A rule for all protocols opens every
// port (0–65535); a TCP or UDP rule opens FromPort–ToPort. ICMP (whose
// FromPort and ToPort are a type and a code) and other protocols have no
// ports: ok is false.
func PortRange(r types.SecurityGroupRule) (from, to int32, ok bool) {
	switch Protocol(r) {
	case AllProtocols:
		return 0, MaxPort, true
	case TCP, UDP:
		from, to = aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)
		if from < 0 || to < 0 {
			// Not how AWS answers (it says 0–65535), but "-1" means all.
			return 0, MaxPort, true
		}
		return from, to, true
	}
	return 0, 0, false
}

// Covers reports whether r opens port.
func Covers(r types.SecurityGroupRule, port int32) bool {
	from, to, ok := PortRange(r)
	return ok && from <= port && port <= to
}

// JoinPorts writes ports as a reason names them: "20, 21, 3389".
func JoinPorts(ports []int32) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}

// CoveredPorts returns the ports among ports that r opens, in ports' order.
func CoveredPorts(r types.SecurityGroupRule, ports []int32) []int32 {
	var out []int32
	for _, p := range ports {
		if Covers(r, p) {
			out = append(out, p)
		}
	}
	return out
}

// OnlyPorts reports whether every port r opens is one of ports. A rule
// without ports (ICMP, other protocols) opens none of them: false.
func OnlyPorts(r types.SecurityGroupRule, ports []int32) bool {
	from, to, ok := PortRange(r)
	if !ok || int(to)-int(from)+1 > len(ports) {
		return false
	}
	for p := from; p <= to; p++ {
		if !slices.Contains(ports, p) {
			return false
		}
	}
	return true
}

// PortsOutside returns the ports r opens that are not among allowed, as
// compact ranges ("22", "0-79", "81-442"), or nil when there are none or r
// has no ports.
func PortsOutside(r types.SecurityGroupRule, allowed []int32) []string {
	from, to, ok := PortRange(r)
	if !ok {
		return nil
	}
	// Walk the allowed ports inside the range, not every port of it: an
	// all-ports rule would otherwise cost 65,536 steps.
	inside := make([]int32, 0, len(allowed))
	for _, p := range allowed {
		if p >= from && p <= to {
			inside = append(inside, p)
		}
	}
	slices.Sort(inside)
	var out []string
	span := func(start, end int32) {
		if start == end {
			out = append(out, strconv.Itoa(int(start)))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", start, end))
		}
	}
	next := from
	for _, p := range slices.Compact(inside) {
		if p > next {
			span(next, p-1)
		}
		next = p + 1
	}
	if next <= to {
		span(next, to)
	}
	return out
}

// CIDRSuffix returns the prefix length of cidr ("0.0.0.0/0" → 0), and false
// when cidr is not in CIDR notation.
func CIDRSuffix(cidr string) (int, bool) {
	_, suffix, found := strings.Cut(cidr, "/")
	if !found {
		return 0, false
	}
	n, err := strconv.Atoi(suffix)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// IsIPv6CIDR reports whether cidr is an IPv6 block.
func IsIPv6CIDR(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Addr().Is6()
}

// OpenToIPv4World reports whether r's source is an IPv4 CIDR with a /0
// suffix: every IPv4 address.
func OpenToIPv4World(r types.SecurityGroupRule) bool {
	n, ok := CIDRSuffix(aws.ToString(r.CidrIpv4))
	return ok && n == 0
}

// OpenToIPv6World reports whether r's source is an IPv6 CIDR with a /0
// suffix (::/0): every IPv6 address.
func OpenToIPv6World(r types.SecurityGroupRule) bool {
	n, ok := CIDRSuffix(aws.ToString(r.CidrIpv6))
	return ok && n == 0
}

// BeyondSpec begins the reason of a finding the specifications do not define.
const BeyondSpec = "Beyond the Trusted Advisor spec: "

// WorldOpen is the judgement of an inbound rule open to the whole internet.
type WorldOpen struct {
	Status check.Status
	Reason string
	// IPv4 is set for a 0.0.0.0/0 source, the one the specifications
	// evaluate; otherwise the source is ::/0.
	IPv4 bool
	// CIDR is the /0 source.
	CIDR string
	// PrefixListID names the customer-managed prefix list the /0 source is
	// an entry of, when the rule's source is a prefix list.
	PrefixListID string
}

// CIDRColumn renders the /0 source for a report column: the CIDR, and the
// prefix list that holds it.
func (w WorldOpen) CIDRColumn() string {
	if w.PrefixListID == "" {
		return w.CIDR
	}
	return w.CIDR + " (prefix list " + w.PrefixListID + ")"
}

// JudgeWorldOpen judges r, an inbound rule of g, with judge when its source
// is the whole IPv4 or IPv6 internet, directly or through a customer-managed
// prefix list (WorldSource); ok is false otherwise. An IPv4 rule is judged
// as the specifications say: a prefix list holding 0.0.0.0/0 opens exactly
// what a 0.0.0.0/0 source does. IPv6 is outside their criteria: such a rule
// is never red, and its reason says that it is beyond the specification.
// unreadable, when set, says that r names a prefix list that could not be
// read: r cannot be judged, and must not count as closed.
func (g Group) JudgeWorldOpen(r types.SecurityGroupRule, judge func(types.SecurityGroupRule) (check.Status, string)) (w WorldOpen, ok bool, unreadable *PrefixListError) {
	cidr, list, unreadable := g.WorldSource(r)
	if unreadable != nil || cidr == "" {
		return WorldOpen{}, false, unreadable
	}
	status, reason := judge(r)
	w = WorldOpen{Status: status, Reason: reason, IPv4: !strings.Contains(cidr, ":"), CIDR: cidr}
	if list != nil {
		w.PrefixListID = list.ID
		w.Reason += fmt.Sprintf(" The customer-managed prefix list %s contains %s.", list.Label(), cidr)
	}
	if !w.IPv4 {
		if w.Status == check.Red {
			w.Status = check.Yellow
		}
		w.Reason = BeyondSpec + "IPv6 rule (the spec evaluates IPv4 only). " + w.Reason
	}
	return w, true, nil
}

// Source names where r admits traffic from: a CIDR, a prefix list or a
// security group.
func Source(r types.SecurityGroupRule) string {
	switch {
	case r.CidrIpv4 != nil:
		return aws.ToString(r.CidrIpv4)
	case r.CidrIpv6 != nil:
		return aws.ToString(r.CidrIpv6)
	case r.PrefixListId != nil:
		return "prefix list " + aws.ToString(r.PrefixListId)
	case r.ReferencedGroupInfo != nil:
		src := "security group " + aws.ToString(r.ReferencedGroupInfo.GroupId)
		if owner := aws.ToString(r.ReferencedGroupInfo.UserId); owner != "" && owner != aws.ToString(r.GroupOwnerId) {
			src += " of account " + owner
		}
		return src
	}
	return "an unknown source"
}

// Ports describes the traffic r admits: "all traffic", "tcp port 22",
// "tcp ports 0-65535", "icmp type 8", "protocol 50".
func Ports(r types.SecurityGroupRule) string {
	proto := Protocol(r)
	switch proto {
	case AllProtocols:
		return "all traffic"
	case TCP, UDP:
		from, to, _ := PortRange(r)
		if from == to {
			return fmt.Sprintf("%s port %d", proto, from)
		}
		return fmt.Sprintf("%s ports %d-%d", proto, from, to)
	case ICMP, ICMPv6:
		if aws.ToInt32(r.FromPort) < 0 {
			return "all " + proto
		}
		return fmt.Sprintf("%s type %d", proto, aws.ToInt32(r.FromPort))
	}
	return "protocol " + proto
}

// Describe renders r for a reason or a report column:
// "tcp port 22 from 0.0.0.0/0".
func Describe(r types.SecurityGroupRule) string {
	return Ports(r) + " from " + Source(r)
}

// ProtocolColumn is r's protocol for a report's "Protocol" column: the API's
// name, with "all" for every protocol (the API's "-1").
func ProtocolColumn(r types.SecurityGroupRule) string {
	if p := Protocol(r); p != AllProtocols {
		return p
	}
	return "all"
}

// PortColumn renders a FromPort or ToPort for a report column. The API says
// -1 for "all" (all-protocol rules, any ICMP type or code).
func PortColumn(port *int32) string {
	if port == nil || *port < 0 {
		return "all"
	}
	return strconv.Itoa(int(*port))
}

// ResourceID identifies r in findings: "sg-…/sgr-…", so that a group's
// rules sort together.
func ResourceID(r types.SecurityGroupRule) string {
	return aws.ToString(r.GroupId) + "/" + aws.ToString(r.SecurityGroupRuleId)
}
