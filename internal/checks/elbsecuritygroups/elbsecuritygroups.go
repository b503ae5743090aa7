// Package elbsecuritygroups finds load balancers whose security group is
// missing or allows inbound access to ports the load balancer does not listen
// on. Extra open ports widen the attack surface for no benefit.
//
// It evaluates Classic Load Balancers in a VPC, one finding each: red when a
// security group the load balancer names no longer exists; yellow when an
// inbound rule of one of its groups, from any source, opens a port that no
// listener uses (a TCP port outside the listener ports, any UDP port, an
// all-traffic rule, another IP protocol); green otherwise. ICMP is excepted,
// as the specification's recommended action allows it for Path MTU
// Discovery. Load balancers outside a VPC (EC2-Classic, retired) have no
// VPC security groups and are not evaluated.
package elbsecuritygroups

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("xSqX82fQu", check.Meta{
	Slug:       "elb-security-groups",
	IAMActions: []string{"elasticloadbalancing:DescribeLoadBalancers", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	Scope:      check.Regional,
	// Triggers: a Classic Load Balancer's listeners and security groups, and
	// the inbound rules or the deletion of those groups, decide the result.
	Triggers: []check.Trigger{
		{Source: "elasticloadbalancing.amazonaws.com", Names: []string{
			"CreateLoadBalancer", "DeleteLoadBalancer", "CreateLoadBalancerListeners", "DeleteLoadBalancerListeners",
			"ApplySecurityGroupsToLoadBalancer",
		}},
		{Source: "ec2.amazonaws.com", Names: []string{
			"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules", "RevokeSecurityGroupIngress", "DeleteSecurityGroup",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the Elastic Load Balancing client the check calls.
type API interface {
	elb.DescribeLoadBalancersAPIClient
}

var _ API = (*elb.Client)(nil)

// pageSize is DescribeLoadBalancers' largest page.
const pageSize = 400

// collectFrom builds the clients for target and collects.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, elb.NewFromConfig(target.Config), ec2.NewFromConfig(target.Config))
}

// Input is what the check evaluates in one region.
type Input struct {
	LoadBalancers []elbtypes.LoadBalancerDescription
	// Groups are the region's security groups, listed only when a load
	// balancer is in a VPC. A group named by a load balancer but absent
	// here does not exist.
	Groups []sgrules.Group
}

// collect lists the Classic Load Balancers, then, when one is in a VPC, every
// security group of the region with its rules: two paginated calls, whatever
// the number of load balancers, and the complete list that tells a deleted
// group from an existing one.
func collect(ctx context.Context, api API, ec2API sgrules.API) (Input, error) {
	var in Input
	pages := elb.NewDescribeLoadBalancersPaginator(api, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(pageSize)},
		func(o *elb.DescribeLoadBalancersPaginatorOptions) { o.StopOnDuplicateToken = true })
	lbs, err := awsx.AllPages(ctx, pages, func(p *elb.DescribeLoadBalancersOutput) []elbtypes.LoadBalancerDescription {
		return p.LoadBalancerDescriptions
	})
	if err != nil {
		return Input{}, check.WrapOp("elasticloadbalancing DescribeLoadBalancers", err)
	}
	in.LoadBalancers = lbs
	if !slices.ContainsFunc(in.LoadBalancers, inVPC) {
		return in, nil
	}
	groups, err := sgrules.Collect(ctx, ec2API)
	if err != nil {
		return Input{}, err
	}
	in.Groups = groups
	return in, nil
}

func inVPC(lb elbtypes.LoadBalancerDescription) bool { return aws.ToString(lb.VPCId) != "" }

// evaluate reports each load balancer in a VPC.
func evaluate(target check.Target, in Input) []check.Finding {
	groups := sgrules.ByID(in.Groups)
	var findings []check.Finding
	for _, lb := range in.LoadBalancers {
		if !inVPC(lb) {
			continue
		}
		name := aws.ToString(lb.LoadBalancerName)
		status, reason := judge(lb, groups)
		findings = append(findings, Meta.NewFinding(target, name, status, reason, map[string]string{
			"Load Balancer Name": name,
			"Security Group IDs": strings.Join(lb.SecurityGroups, ", "),
			"Reason":             reason,
		}))
	}
	return findings
}

// judge rates one load balancer: red for a missing group, yellow for rules
// opening ports no listener uses.
func judge(lb elbtypes.LoadBalancerDescription, groups map[string]sgrules.Group) (check.Status, string) {
	var listenerPorts []int32
	for _, l := range lb.ListenerDescriptions {
		if l.Listener != nil {
			listenerPorts = append(listenerPorts, l.Listener.LoadBalancerPort)
		}
	}
	var missing, extra []string
	for _, id := range lb.SecurityGroups {
		g, ok := groups[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		for _, r := range g.Inbound {
			if unused := unusedAccess(r, listenerPorts); unused != "" {
				extra = append(extra, fmt.Sprintf("%s allows %s (%s)", g.Label(), sgrules.Describe(r), unused))
			}
		}
	}
	ports := sgrules.JoinPorts(listenerPorts)
	switch {
	case len(missing) > 0:
		reason := fmt.Sprintf("Security group %s associated with the load balancer does not exist.", strings.Join(missing, ", "))
		if len(extra) > 0 {
			reason += fmt.Sprintf(" Also, the load balancer listens on %s, but %s.", ports, strings.Join(extra, "; "))
		}
		return check.Red, reason
	case len(extra) > 0:
		return check.Yellow, fmt.Sprintf("The load balancer listens on %s, but %s.", ports, strings.Join(extra, "; "))
	case len(lb.SecurityGroups) == 0:
		return check.Green, "No security group is associated with the load balancer."
	}
	return check.Green, fmt.Sprintf("The security groups allow inbound access only to the ports the load balancer listens on (%s), and ICMP.", ports)
}

// unusedAccess says what r opens beyond the listener ports, or "" when
// nothing: ICMP is allowed for Path MTU Discovery; listeners are TCP, so UDP
// and other protocols are never used by them.
func unusedAccess(r ec2types.SecurityGroupRule, listenerPorts []int32) string {
	switch p := sgrules.Protocol(r); p {
	case sgrules.ICMP, sgrules.ICMPv6:
		return ""
	case sgrules.TCP:
		outside := sgrules.PortsOutside(r, listenerPorts)
		switch {
		case len(outside) == 1 && !strings.Contains(outside[0], "-"):
			return "port " + outside[0] + " is not a listener port"
		case len(outside) > 0:
			return "ports " + strings.Join(outside, ", ") + " are not listener ports"
		}
		return ""
	case sgrules.AllProtocols:
		return "every protocol and port"
	case sgrules.UDP:
		return "listeners use TCP, not UDP"
	default:
		return "listeners use TCP, not protocol " + p
	}
}
