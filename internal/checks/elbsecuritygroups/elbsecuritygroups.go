// Package elbsecuritygroups finds load balancers whose security group is
// missing or allows inbound access to ports the load balancer does not listen
// on. Extra open ports widen the attack surface for no benefit.
package elbsecuritygroups

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "xSqX82fQu",
	Slug:        "elb-security-groups",
	Name:        "ELB Security Groups",
	Description: "Checks for load balancers configured with a missing security group, or a security group that allows access to ports that are not configured for the load balancer. If a security group associated with a load balancer is deleted, the load balancer will not work as expected. If a security group allows access to ports that are not configured for the load balancer, the risk of loss of data or malicious attacks increases.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "The inbound rules of an Amazon VPC security group associated with a load balancer allow access to ports that are not defined in the load balancer's listener configuration."},
		{Status: check.Red, Text: "A security group associated with a load balancer does not exist."},
	},
	RecommendedAction: "Configure the security group rules to restrict access to only those ports and protocols that are defined in the load balancer listener configuration, plus the ICMP protocol to support Path MTU Discovery. See Listeners for Your Classic Load Balancer and Security Groups for Load Balancers in a VPC. If a security group is missing, apply a new security group to the load balancer. Create security group rules that restrict access to only those ports and protocols that are defined in the load balancer listener configuration. See Security Groups for Load Balancers in a VPC.",
	Columns:           []string{"Status", "Region", "Load Balancer Name", "Security Group IDs", "Reason"},
	IAMActions:        []string{"elasticloadbalancing:DescribeLoadBalancers", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 3): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
