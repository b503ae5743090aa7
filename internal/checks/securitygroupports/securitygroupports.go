// Package securitygroupports finds security group rules that open specific
// ports to the whole IPv4 internet (0.0.0.0/0). Database, remote-access and
// file-transfer ports open to everyone invite brute force and exploits.
package securitygroupports

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "HCP4007jGY",
	Slug:        "security-groups-specific-ports-unrestricted",
	Name:        "Security Groups – Specific Ports Unrestricted",
	Description: "Checks security groups for rules that allow unrestricted access (0.0.0.0/0) to specific ports. Unrestricted access increases opportunities for malicious activity (hacking, denial-of-service attacks, loss of data). The ports with highest risk are flagged red, and those with less risk are flagged yellow. Ports flagged green are typically used by applications that require unrestricted access, such as HTTP and SMTP. If you have intentionally configured your security groups in this manner, we recommend using additional security measures to secure your infrastructure (such as IP tables). This check only evaluates security groups that you create and their inbound rules for IPv4 addresses.",
	Criteria: []check.Criterion{
		{Status: check.Green, Text: "Access to port 80, 25, 443, or 465 is unrestricted."},
		{Status: check.Red, Text: "Access to port 20, 21, 1433, 1434, 3306, 3389, 4333, 5432, or 5500 is unrestricted."},
		{Status: check.Yellow, Text: "Access to any other port is unrestricted."},
	},
	RecommendedAction: "Restrict access to only those IP addresses that require it. To restrict access to a specific IP address, set the suffix to /32 (for example, 192.0.2.10/32). Be sure to delete overly permissive rules after creating rules that are more restrictive.",
	Columns:           []string{"Status", "Region", "Security Group Name", "Security Group ID", "Protocol", "From Port", "To Port"},
	IAMActions:        []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 3): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
