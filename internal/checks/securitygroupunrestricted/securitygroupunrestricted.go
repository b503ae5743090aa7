// Package securitygroupunrestricted finds security group rules that allow
// inbound traffic from any IPv4 address (a /0 source) on ports other than the
// usual public web and mail ports. Such rules expose resources to everyone.
package securitygroupunrestricted

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "1iG5NDGVre",
	Slug:        "security-groups-unrestricted-access",
	Name:        "Security Groups – Unrestricted Access",
	Description: "Checks security groups for rules that allow unrestricted access to a resource. Unrestricted access increases opportunities for malicious activity (hacking, denial-of-service attacks, loss of data). This check only evaluates security groups that you create and their inbound rules for IPv4 addresses.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "A security group rule has a source IP address with a /0 suffix for ports other than 25, 80, or 443."},
	},
	RecommendedAction: "Restrict access to only those IP addresses that require it. To restrict access to a specific IP address, set the suffix to /32 (for example, 192.0.2.10/32). Be sure to delete overly permissive rules after creating rules that are more restrictive.",
	Columns:           []string{"Status", "Region", "Security Group Name", "Security Group ID", "Protocol", "From Port", "To Port", "IP Range"},
	IAMActions:        []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 3): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
