// Package rdssecuritygroups finds security group rules that give overly broad
// network access to RDS databases. A database reachable from the whole
// internet, or from wide address ranges, is open to brute force and exploits.
package rdssecuritygroups

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "nNauJisYIT",
	Slug:        "rds-security-group-access-risk",
	Name:        "Amazon RDS Security Group Access Risk",
	Description: "Checks security group configurations for Amazon Relational Database Service (Amazon RDS) and warns when a security group rule grants overly permissive access to your database. The recommended configuration for a security group rule is to allow access only from specific Amazon Elastic Compute Cloud (Amazon EC2) security groups or from a specific IP address.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "A DB security group rule references an Amazon EC2 security group that grants global access on one of these ports: 20, 21, 22, 1433, 1434, 3306, 3389, 4333, 5432, 5500."},
		{Status: check.Yellow, Text: "A DB security group rule grants access to more than a single IP address (the CIDR rule suffix is not /0 or /32)."},
		{Status: check.Red, Text: "A DB security group rule grants global access (the CIDR rule suffix is /0)."},
	},
	RecommendedAction: "Review your security group rules and restrict access to authorized IP addresses or IP ranges. To edit a security group, use the AuthorizeDBSecurityGroupIngress API or the AWS Management Console. For more information, see Working with DB Security Groups.",
	Columns:           []string{"Status", "Region", "RDS Security Group Name", "Ingress Rule", "Reason"},
	IAMActions:        []string{"rds:DescribeDBSecurityGroups", "rds:DescribeDBInstances", "rds:DescribeDBClusters", "ec2:DescribeSecurityGroupRules"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 3): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
