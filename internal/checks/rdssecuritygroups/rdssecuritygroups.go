// Package rdssecuritygroups finds security group rules that give overly broad
// network access to RDS databases. A database reachable from the whole
// internet, or from wide address ranges, is open to brute force and exploits.
//
// It evaluates, one finding per ingress rule:
//   - DB security groups (the EC2-Classic mechanism the specification names):
//     a CIDR with a /0 suffix is red, one with a /32 suffix green, any other
//     suffix yellow; a referenced EC2 security group is yellow when it grants
//     global access (an IPv4 /0 source) on one of the ports 20, 21, 22, 1433,
//     1434, 3306, 3389, 4333, 5432, 5500, and green otherwise.
//   - Beyond the specification, because modern accounts have no DB security
//     groups: the VPC security groups attached to each DB instance and DB
//     cluster, on the rules that reach the database's port. Only what the
//     whole internet reaches is flagged there: a /0 source (IPv4 or IPv6,
//     directly or as an entry of a customer-managed prefix list) is red, a
//     referenced group is judged as in a DB security group; any other range
//     is green, since a VPC or office range on the database port is how
//     databases are meant to be reached. Instances that belong to a listed
//     cluster are evaluated through their cluster, which holds their groups.
//
// A group without a rule to judge is one green finding. A rule that names a
// prefix list that cannot be read makes its group an error, never green.
package rdssecuritygroups

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("nNauJisYIT", check.Meta{
	Slug: "rds-security-group-access-risk",
	IAMActions: []string{
		"rds:DescribeDBSecurityGroups", "rds:DescribeDBInstances", "rds:DescribeDBClusters",
		"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
		"ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries",
	},
	Scope:      check.Regional,
	BeyondSpec: "Also evaluates the VPC security groups attached to DB instances and clusters, on the rules that reach the database's port, flagging only global access: a /0 source (IPv4 or IPv6, directly or in a customer-managed prefix list) is red, a referenced EC2 security group that grants global access on a risky port is yellow as in the spec; private and other limited ranges are green. Their findings say so in the reason.",
	// Triggers: the result follows DB security group rules, the security
	// groups and port of every database (created, restored, modified or
	// deleted), and the inbound rules and prefix lists of the EC2 security
	// groups they name.
	Triggers: []check.Trigger{
		{Source: "rds.amazonaws.com", Names: []string{
			"AuthorizeDBSecurityGroupIngress", "RevokeDBSecurityGroupIngress", "DeleteDBSecurityGroup",
			"CreateDBInstance", "CreateDBInstanceReadReplica", "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromS3",
			"RestoreDBInstanceToPointInTime", "ModifyDBInstance", "DeleteDBInstance",
			"CreateDBCluster", "RestoreDBClusterFromS3", "RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime",
			"ModifyDBCluster", "DeleteDBCluster",
		}},
		{Source: "ec2.amazonaws.com", Names: []string{
			"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules", "RevokeSecurityGroupIngress",
			"ModifyManagedPrefixList", "RestoreManagedPrefixListVersion",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the RDS client the check calls.
type API interface {
	rds.DescribeDBSecurityGroupsAPIClient
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
}

var _ API = (*rds.Client)(nil)

// EC2API is the part of the EC2 client the check calls.
type EC2API interface {
	sgrules.API
	sgrules.PrefixListAPI
}

var _ EC2API = (*ec2.Client)(nil)

// riskyPorts are the ports on which a referenced EC2 security group must not
// grant global access (the specification's list).
var riskyPorts = []int32{20, 21, 22, 1433, 1434, 3306, 3389, 4333, 5432, 5500}

// pageSize is the largest page of the three RDS listings.
const pageSize = 100

// collectFrom collects for target with RDS and EC2 clients of its account
// and region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, rds.NewFromConfig(target.Config), ec2.NewFromConfig(target.Config))
}

// Input is what the check evaluates in one region.
type Input struct {
	DBSecurityGroups []rdstypes.DBSecurityGroup
	Instances        []rdstypes.DBInstance
	Clusters         []rdstypes.DBCluster
	// Groups are the region's EC2 security groups, listed only when a
	// database or a DB security group refers to one.
	Groups []sgrules.Group
}

// collect lists the DB security groups, DB instances and DB clusters (one
// paginated call each), then the region's EC2 security groups when something
// refers to them: two more paginated calls, whatever the number of databases.
// The prefix lists named by the groups it judges are read once each.
func collect(ctx context.Context, api API, ec2API EC2API) (Input, error) {
	var in Input
	var err error
	sgPages := rds.NewDescribeDBSecurityGroupsPaginator(api, &rds.DescribeDBSecurityGroupsInput{MaxRecords: aws.Int32(pageSize)},
		func(o *rds.DescribeDBSecurityGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	in.DBSecurityGroups, err = awsx.AllPages(ctx, sgPages, func(p *rds.DescribeDBSecurityGroupsOutput) []rdstypes.DBSecurityGroup { return p.DBSecurityGroups })
	if err != nil {
		return Input{}, check.WrapOp("rds DescribeDBSecurityGroups", err)
	}
	instancePages := rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(pageSize)},
		func(o *rds.DescribeDBInstancesPaginatorOptions) { o.StopOnDuplicateToken = true })
	in.Instances, err = awsx.AllPages(ctx, instancePages, func(p *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return p.DBInstances })
	if err != nil {
		return Input{}, check.WrapOp("rds DescribeDBInstances", err)
	}
	clusterPages := rds.NewDescribeDBClustersPaginator(api, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(pageSize)},
		func(o *rds.DescribeDBClustersPaginatorOptions) { o.StopOnDuplicateToken = true })
	in.Clusters, err = awsx.AllPages(ctx, clusterPages, func(p *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return p.DBClusters })
	if err != nil {
		return Input{}, check.WrapOp("rds DescribeDBClusters", err)
	}
	if !refersToEC2Groups(in) {
		return in, nil
	}
	groups, err := sgrules.Collect(ctx, ec2API)
	if err != nil {
		return Input{}, err
	}
	lists := sgrules.ReadPrefixLists(ctx, ec2API, sgrules.PrefixListIDs(judgedGroups(in, groups)))
	for i := range groups {
		groups[i].PrefixLists = lists
	}
	in.Groups = groups
	return in, nil
}

// judgedGroups returns the groups whose rules evaluate reads: those of the
// databases, those DB security groups refer to, and those the databases'
// groups refer to. Prefix lists named only by other groups are not read.
func judgedGroups(in Input, groups []sgrules.Group) []sgrules.Group {
	byID := sgrules.ByID(groups)
	judged := map[string]bool{}
	for _, db := range databases(in) {
		for _, id := range db.groupIDs {
			judged[id] = true
			for _, r := range byID[id].Inbound {
				if r.ReferencedGroupInfo != nil {
					judged[aws.ToString(r.ReferencedGroupInfo.GroupId)] = true
				}
			}
		}
	}
	for _, dbsg := range in.DBSecurityGroups {
		for _, ref := range dbsg.EC2SecurityGroups {
			if g, ok := findEC2Group(ref, groups, byID); ok {
				judged[g.ID] = true
			}
		}
	}
	var out []sgrules.Group
	for _, g := range groups {
		if judged[g.ID] {
			out = append(out, g)
		}
	}
	return out
}

func refersToEC2Groups(in Input) bool {
	for _, g := range in.DBSecurityGroups {
		if len(g.EC2SecurityGroups) > 0 {
			return true
		}
	}
	for _, i := range in.Instances {
		if len(i.VpcSecurityGroups) > 0 {
			return true
		}
	}
	for _, c := range in.Clusters {
		if len(c.VpcSecurityGroups) > 0 {
			return true
		}
	}
	return false
}

// database is a DB instance or cluster with the VPC security groups that
// control access to it.
type database struct {
	kind     string // "DB instance" or "DB cluster"
	resource string // RDS ARN resource part: "db:name" or "cluster:name"
	port     int32  // 0 when not known yet (an instance still being created)
	groupIDs []string
}

// evaluate reports every DB security group rule, then every VPC security
// group rule that reaches a database.
func evaluate(target check.Target, in Input) []check.Finding {
	groups := sgrules.ByID(in.Groups)
	var findings []check.Finding
	for _, dbsg := range in.DBSecurityGroups {
		findings = append(findings, evaluateDBSecurityGroup(target, dbsg, in.Groups, groups)...)
	}
	for _, db := range databases(in) {
		for _, id := range db.groupIDs {
			findings = append(findings, evaluateVPCGroup(target, db, id, groups)...)
		}
	}
	return findings
}

func finding(target check.Target, resourceID string, status check.Status, reason, groupName, ingressRule string) check.Finding {
	return Meta.NewFinding(target, resourceID, status, reason, map[string]string{
		"RDS Security Group Name": groupName,
		"Ingress Rule":            ingressRule,
		"Reason":                  reason,
	})
}

// evaluateDBSecurityGroup applies the specification's criteria to one DB
// security group's rules.
func evaluateDBSecurityGroup(target check.Target, dbsg rdstypes.DBSecurityGroup, all []sgrules.Group, byID map[string]sgrules.Group) []check.Finding {
	name := aws.ToString(dbsg.DBSecurityGroupName)
	resource := "secgrp:" + name
	var findings []check.Finding
	for _, r := range dbsg.IPRanges {
		cidr := aws.ToString(r.CIDRIP)
		status, reason := judgeCIDR(cidr)
		findings = append(findings, finding(target, resource+"/"+cidr, status, reason, name, cidr))
	}
	for _, ref := range dbsg.EC2SecurityGroups {
		g, found := findEC2Group(ref, all, byID)
		label := ec2GroupLabel(ref)
		var status check.Status
		var reason string
		if found {
			label = g.Label()
			var unreadable *sgrules.PrefixListError
			status, reason, unreadable = judgeReferencedGroup(g)
			if unreadable != nil {
				findings = append(findings, prefixListError(target, resource+"/"+ec2GroupKey(ref), unreadable, name, "EC2 security group "+label))
				continue
			}
		} else {
			status, reason = check.Yellow, fmt.Sprintf("The rule references EC2 security group %s, which is not in this account and region: its rules could not be checked for global access.", label)
		}
		findings = append(findings, finding(target, resource+"/"+ec2GroupKey(ref), status, reason, name, "EC2 security group "+label))
	}
	if len(findings) == 0 {
		findings = append(findings, finding(target, resource, check.Green, "The DB security group has no ingress rule.", name, ""))
	}
	return findings
}

// findEC2Group finds the EC2 security group a DB security group rule refers
// to: by ID, or, for EC2-Classic references that name a group, by name.
func findEC2Group(ref rdstypes.EC2SecurityGroup, all []sgrules.Group, byID map[string]sgrules.Group) (sgrules.Group, bool) {
	if id := aws.ToString(ref.EC2SecurityGroupId); id != "" {
		g, ok := byID[id]
		return g, ok
	}
	for _, g := range all {
		if g.Name != "" && g.Name == aws.ToString(ref.EC2SecurityGroupName) {
			return g, true
		}
	}
	return sgrules.Group{}, false
}

func ec2GroupKey(ref rdstypes.EC2SecurityGroup) string {
	if id := aws.ToString(ref.EC2SecurityGroupId); id != "" {
		return id
	}
	return aws.ToString(ref.EC2SecurityGroupOwnerId) + "/" + aws.ToString(ref.EC2SecurityGroupName)
}

func ec2GroupLabel(ref rdstypes.EC2SecurityGroup) string {
	label := aws.ToString(ref.EC2SecurityGroupName)
	if id := aws.ToString(ref.EC2SecurityGroupId); id != "" {
		label = strings.TrimSpace(label + " (" + id + ")")
	}
	if owner := aws.ToString(ref.EC2SecurityGroupOwnerId); owner != "" {
		label += " of account " + owner
	}
	return label
}

// judgeCIDR applies the CIDR criteria of a DB security group (IPv4 only):
// /0 red, a single address (/32) green, any other range yellow.
func judgeCIDR(cidr string) (check.Status, string) {
	suffix, ok := sgrules.CIDRSuffix(cidr)
	const single = 32
	switch {
	case !ok:
		return check.Yellow, fmt.Sprintf("The rule's source %q is not in CIDR notation: it could not be checked.", cidr)
	case suffix == 0:
		return check.Red, fmt.Sprintf("The rule grants global access: %s has a /0 suffix.", cidr)
	case suffix == single:
		return check.Green, fmt.Sprintf("The rule grants access to a single IP address (%s).", cidr)
	}
	return check.Yellow, fmt.Sprintf("The rule grants access to more than a single IP address: %s has a /%d suffix.", cidr, suffix)
}

// judgeReferencedGroup applies the referenced-group criterion: yellow when g
// grants global access (an IPv4 /0 source, directly or in a customer-managed
// prefix list) on one of the risky ports. unreadable is set when that is
// unknown: no known rule grants it, but one on a risky port names a prefix
// list that could not be read.
func judgeReferencedGroup(g sgrules.Group) (status check.Status, reason string, unreadable *sgrules.PrefixListError) {
	var open []string
	for _, r := range g.Inbound {
		ports := sgrules.CoveredPorts(r, riskyPorts)
		if len(ports) == 0 {
			continue
		}
		cidr, list, err := g.WorldSource(r)
		switch {
		case err != nil:
			unreadable = cmp.Or(unreadable, err)
			continue
		case cidr == "" || strings.Contains(cidr, ":"):
			continue
		}
		rule := sgrules.Describe(r)
		if list != nil {
			rule += fmt.Sprintf(", whose prefix list %s contains %s", list.Label(), cidr)
		}
		open = append(open, fmt.Sprintf("%s (port %s)", rule, sgrules.JoinPorts(ports)))
	}
	if len(open) > 0 {
		return check.Yellow, fmt.Sprintf("The rule references EC2 security group %s, which grants global access: %s.", g.Label(), strings.Join(open, "; ")), nil
	}
	if unreadable != nil {
		return "", "", unreadable
	}
	return check.Green, fmt.Sprintf("The rule references EC2 security group %s, which grants no global access on ports 20, 21, 22, 1433, 1434, 3306, 3389, 4333, 5432 or 5500.", g.Label()), nil
}

// prefixListError is the error finding of a resource whose judgement depends
// on a prefix list that could not be read.
func prefixListError(target check.Target, resourceID string, unreadable *sgrules.PrefixListError, groupName, ingressRule string) check.Finding {
	f := Meta.ErrorFinding(target, resourceID, unreadable.Op, unreadable.Err)
	f.Reason += fmt.Sprintf(" (prefix list %s: whether it grants global access is unknown)", unreadable.ListID)
	f.Columns = map[string]string{"RDS Security Group Name": groupName, "Ingress Rule": ingressRule, "Reason": f.Reason}
	return f
}

// databases lists the DB clusters and the DB instances not in a listed
// cluster (a cluster member's groups are its cluster's).
func databases(in Input) []database {
	var out []database
	clusters := map[string]bool{}
	for _, c := range in.Clusters {
		id := aws.ToString(c.DBClusterIdentifier)
		clusters[id] = true
		db := database{kind: "DB cluster", resource: "cluster:" + id, port: aws.ToInt32(c.Port)}
		for _, m := range c.VpcSecurityGroups {
			db.groupIDs = append(db.groupIDs, aws.ToString(m.VpcSecurityGroupId))
		}
		out = append(out, db)
	}
	for _, i := range in.Instances {
		if clusters[aws.ToString(i.DBClusterIdentifier)] {
			continue
		}
		id := aws.ToString(i.DBInstanceIdentifier)
		db := database{kind: "DB instance", resource: "db:" + id, port: aws.ToInt32(i.DbInstancePort)}
		if i.Endpoint != nil && aws.ToInt32(i.Endpoint.Port) != 0 {
			db.port = aws.ToInt32(i.Endpoint.Port)
		}
		for _, m := range i.VpcSecurityGroups {
			db.groupIDs = append(db.groupIDs, aws.ToString(m.VpcSecurityGroupId))
		}
		out = append(out, db)
	}
	return out
}

// evaluateVPCGroup applies the same criteria to the rules of one VPC
// security group of db that reach the database's port.
func evaluateVPCGroup(target check.Target, db database, groupID string, groups map[string]sgrules.Group) []check.Finding {
	name := db.resource[strings.Index(db.resource, ":")+1:]
	where := fmt.Sprintf("VPC security group %s of %s %s (port %d)", groupID, db.kind, name, db.port)
	if db.port == 0 {
		where = fmt.Sprintf("VPC security group %s of %s %s (port not known yet: every rule counts)", groupID, db.kind, name)
	}
	prefix := "Beyond the Trusted Advisor spec: " + where + ". "
	resource := db.resource + "/" + groupID
	g, ok := groups[groupID]
	if !ok {
		return []check.Finding{finding(target, resource, check.Yellow, prefix+"The security group was not found: its rules could not be checked.", groupID, "")}
	}
	var findings []check.Finding
	var unreadable *sgrules.PrefixListError
	for _, r := range g.Inbound {
		if db.port != 0 && !sgrules.Covers(r, db.port) {
			continue
		}
		status, reason, err := judgeVPCRule(g, r, groups)
		if err != nil {
			unreadable = cmp.Or(unreadable, err)
			continue
		}
		findings = append(findings, finding(target, db.resource+"/"+sgrules.ResourceID(r), status, prefix+reason, g.Label(), sgrules.Describe(r)))
	}
	if unreadable != nil {
		// The group stands for its unjudged rule: never green.
		return append(findings, prefixListError(target, resource, unreadable, g.Label(), ""))
	}
	if len(findings) == 0 {
		findings = append(findings, finding(target, resource, check.Green, prefix+"No inbound rule reaches the database's port.", g.Label(), ""))
	}
	return findings
}

// judgeVPCRule rates one rule of g, a VPC security group of a database, by
// its source: red for global access, directly or through a customer-managed
// prefix list; a referenced group as in a DB security group; green for any
// other range, private or public (beyond the specification only global
// access is flagged). unreadable is set when r names a prefix list that
// could not be read.
func judgeVPCRule(g sgrules.Group, r ec2types.SecurityGroupRule, groups map[string]sgrules.Group) (status check.Status, reason string, unreadable *sgrules.PrefixListError) {
	cidr, list, unreadable := g.WorldSource(r)
	switch {
	case unreadable != nil:
		return "", "", unreadable
	case list != nil:
		return check.Red, fmt.Sprintf("The rule grants global access: prefix list %s contains %s.", list.Label(), cidr), nil
	case cidr != "":
		return check.Red, fmt.Sprintf("The rule grants global access: %s has a /0 suffix.", cidr), nil
	case r.CidrIpv4 != nil || r.CidrIpv6 != nil:
		source := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6)
		if _, ok := sgrules.CIDRSuffix(source); !ok {
			return check.Yellow, fmt.Sprintf("The rule's source %q is not in CIDR notation: it could not be checked.", source), nil
		}
		return check.Green, fmt.Sprintf("The rule grants access to %s, not to the whole internet.", source), nil
	case r.ReferencedGroupInfo != nil:
		id := aws.ToString(r.ReferencedGroupInfo.GroupId)
		if ref, ok := groups[id]; ok {
			return judgeReferencedGroup(ref)
		}
		return check.Yellow, fmt.Sprintf("The rule references security group %s, which is not in this account and region (another account or a peered VPC): its rules could not be checked for global access.", id), nil
	case r.PrefixListId != nil:
		l := g.PrefixLists[aws.ToString(r.PrefixListId)]
		if l.AWSManaged {
			return check.Green, fmt.Sprintf("The rule grants access to the AWS-managed prefix list %s: addresses of an AWS service, not the whole internet.", l.Label()), nil
		}
		return check.Green, fmt.Sprintf("The rule grants access to the addresses of prefix list %s, which holds no /0 range.", l.Label()), nil
	}
	return check.Yellow, "The rule's source could not be read: it could not be checked.", nil
}
