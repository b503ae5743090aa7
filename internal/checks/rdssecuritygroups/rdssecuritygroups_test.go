package rdssecuritygroups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// rule builds inbound rule id of group (sgrulestest.RuleOf).
var rule = sgrulestest.RuleOf

// prefixLists are the region's prefix lists as ExpandPrefixLists leaves
// them: a customer-managed list holding 0.0.0.0/0, one of partner ranges, an
// AWS-managed one (never read) and one whose entries could not be read.
var prefixLists = sgrules.PrefixLists{
	"pl-open":     {ID: "pl-open", Name: "migration", CIDRs: []string{"198.51.100.0/24", "0.0.0.0/0"}},
	"pl-partners": {ID: "pl-partners", Name: "partners", CIDRs: []string{"198.51.100.0/24", "203.0.113.7/32"}},
	"pl-aws":      {ID: "pl-aws", Name: "com.amazonaws.eu-west-1.s3", AWSManaged: true},
	"pl-unread":   {ID: "pl-unread", Op: "ec2 GetManagedPrefixListEntries pl-unread", Err: errors.New("access denied")},
}

// member is a database's membership of VPC security group sg, as RDS
// describes it.
func member(sg string) []rdstypes.VpcSecurityGroupMembership {
	return []rdstypes.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String(sg), Status: aws.String("active")}}
}

func dbsgWithCIDR(cidr string) rdstypes.DBSecurityGroup {
	return rdstypes.DBSecurityGroup{DBSecurityGroupName: aws.String("legacy"),
		IPRanges: []rdstypes.IPRange{{CIDRIP: aws.String(cidr), Status: aws.String("authorized")}}}
}

func TestEvaluateDBSecurityGroupCIDR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cidr string
		want check.Status
	}{
		{"0.0.0.0/0", check.Red},
		{"10.0.0.0/0", check.Red},
		{"203.0.113.7/32", check.Green},
		{"203.0.113.6/31", check.Yellow},
		{"203.0.113.0/24", check.Yellow},
		{"0.0.0.0/1", check.Yellow},
		{"not-a-cidr", check.Yellow},
	}
	for _, tt := range tests {
		got := evaluate(checktest.Target("eu-west-1"), Input{DBSecurityGroups: []rdstypes.DBSecurityGroup{dbsgWithCIDR(tt.cidr)}})
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 || got[0].Status != tt.want {
			t.Errorf("evaluate(DB security group allowing %s) = %+v, want one %s finding", tt.cidr, got, tt.want)
			continue
		}
		f := got[0]
		if f.ResourceID != "secgrp:legacy/"+tt.cidr || f.Columns["RDS Security Group Name"] != "legacy" || f.Columns["Ingress Rule"] != tt.cidr || f.Columns["Reason"] != f.Reason {
			t.Errorf("evaluate(DB security group allowing %s) = %s %v, want its name, rule and reason", tt.cidr, f.ResourceID, f.Columns)
		}
	}
	empty := evaluate(checktest.Target("eu-west-1"), Input{DBSecurityGroups: []rdstypes.DBSecurityGroup{{DBSecurityGroupName: aws.String("default")}}})
	if len(empty) != 1 || empty[0].Status != check.Green || empty[0].ResourceID != "secgrp:default" {
		t.Errorf("evaluate(DB security group without rules) = %+v, want one green finding", empty)
	}
}

// The emulator stores only CIDR rules for DB security groups (its
// AuthorizeDBSecurityGroupIngress ignores EC2SecurityGroup*), so references to
// EC2 security groups are tested here, shaped as DescribeDBSecurityGroups
// returns them.
func TestEvaluateDBSecurityGroupReferencingEC2Group(t *testing.T) {
	t.Parallel()
	type tc struct {
		name string
		rule ec2types.SecurityGroupRule
		want check.Status
	}
	// web builds rule sgr-1 of the referenced group sg-web; ssh, one for SSH
	// alone.
	web := func(proto string, from, to int32, source string) ec2types.SecurityGroupRule {
		return rule("sg-web", "sgr-1", proto, from, to, source)
	}
	ssh := func(source string) ec2types.SecurityGroupRule { return web("tcp", 22, 22, source) }
	var tests []tc
	for _, p := range riskyPorts {
		tests = append(tests, tc{fmt.Sprintf("global access on port %d", p), web("tcp", p, p, "0.0.0.0/0"), check.Yellow})
	}
	tests = append(tests, []tc{
		{"global access on 443 only", web("tcp", 443, 443, "0.0.0.0/0"), check.Green},
		{"global access on 23", web("tcp", 23, 23, "0.0.0.0/0"), check.Green},
		{"range covering 3306 and 3389", web("tcp", 3306, 3389, "0.0.0.0/0"), check.Yellow},
		{"range just inside 3306 and 3389", web("tcp", 3307, 3388, "0.0.0.0/0"), check.Green},
		{"all protocols from /0", web("-1", -1, -1, "0.0.0.0/0"), check.Yellow},
		{"icmp from /0 has no ports", web("icmp", -1, -1, "0.0.0.0/0"), check.Green},
		{"ssh from a /24 is not global", ssh("198.51.100.0/24"), check.Green},
		{"ssh from /32", ssh("198.51.100.7/32"), check.Green},
		{"ssh from IPv6 ::/0 is not in the IPv4 criterion", ssh("::/0"), check.Green},
		{"ssh from a customer prefix list holding 0.0.0.0/0", ssh("pl-open"), check.Yellow},
		{"ssh from a customer prefix list of partner ranges", ssh("pl-partners"), check.Green},
		{"ssh from an AWS-managed prefix list", ssh("pl-aws"), check.Green},
		{"ssh from an unreadable prefix list", ssh("pl-unread"), check.Error},
		{"https from an unreadable prefix list: not a risky port", web("tcp", 443, 443, "pl-unread"), check.Green},
	}...)
	dbsg := rdstypes.DBSecurityGroup{DBSecurityGroupName: aws.String("legacy"), EC2SecurityGroups: []rdstypes.EC2SecurityGroup{
		{EC2SecurityGroupId: aws.String("sg-web"), EC2SecurityGroupName: aws.String("web"), EC2SecurityGroupOwnerId: aws.String("111122223333"), Status: aws.String("authorized")},
	}}
	for _, tt := range tests {
		in := Input{DBSecurityGroups: []rdstypes.DBSecurityGroup{dbsg}, Groups: []sgrules.Group{{ID: "sg-web", Name: "web", Inbound: []ec2types.SecurityGroupRule{tt.rule}, PrefixLists: prefixLists}}}
		got := evaluate(checktest.Target("eu-west-1"), in)
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 || got[0].Status != tt.want || got[0].ResourceID != "secgrp:legacy/sg-web" {
			t.Errorf("evaluate(%s: web group with %s) = %+v, want one %s finding for secgrp:legacy/sg-web", tt.name, sgrules.Describe(tt.rule), got, tt.want)
		}
	}

	classic := rdstypes.DBSecurityGroup{DBSecurityGroupName: aws.String("legacy"), EC2SecurityGroups: []rdstypes.EC2SecurityGroup{
		{EC2SecurityGroupName: aws.String("web"), EC2SecurityGroupOwnerId: aws.String("111122223333")},
		{EC2SecurityGroupId: aws.String("sg-gone"), EC2SecurityGroupName: aws.String("gone"), EC2SecurityGroupOwnerId: aws.String("444455556666")},
	}}
	in := Input{DBSecurityGroups: []rdstypes.DBSecurityGroup{classic}, Groups: []sgrules.Group{{ID: "sg-web", Name: "web",
		Inbound: []ec2types.SecurityGroupRule{web("tcp", 3389, 3389, "0.0.0.0/0")}}}}
	got := checktest.ByResource(evaluate(checktest.Target("eu-west-1"), in))
	if f := got["secgrp:legacy/111122223333/web"]; f.Status != check.Yellow || !strings.Contains(f.Reason, "3389") {
		t.Errorf("evaluate(reference by name to web, open on 3389) = %+v, want yellow naming the port", f)
	}
	if f := got["secgrp:legacy/sg-gone"]; f.Status != check.Yellow || !strings.Contains(f.Reason, "not in this account") {
		t.Errorf("evaluate(reference to a group of another account) = %+v, want yellow: could not be checked", f)
	}
}

func TestEvaluateVPCSecurityGroups(t *testing.T) {
	t.Parallel()
	postgres := rdstypes.DBInstance{DBInstanceIdentifier: aws.String("orders"), Endpoint: &rdstypes.Endpoint{Port: aws.Int32(5432)}, VpcSecurityGroups: member("sg-db")}
	bastion := sgrules.Group{ID: "sg-bastion", Name: "bastion", Inbound: []ec2types.SecurityGroupRule{rule("sg-bastion", "sgr-b", "tcp", 22, 22, "0.0.0.0/0")}}
	app := sgrules.Group{ID: "sg-app", Name: "app", Inbound: []ec2types.SecurityGroupRule{rule("sg-app", "sgr-a", "tcp", 443, 443, "0.0.0.0/0")}}
	listed := sgrules.Group{ID: "sg-listed", Name: "listed", Inbound: []ec2types.SecurityGroupRule{rule("sg-listed", "sgr-l", "tcp", 22, 22, "pl-open")}, PrefixLists: prefixLists}
	// db builds rule sgr-1 of the instance's group sg-db; onPort, one on the
	// database port alone.
	db := func(proto string, from, to int32, source string) ec2types.SecurityGroupRule {
		return rule("sg-db", "sgr-1", proto, from, to, source)
	}
	onPort := func(source string) ec2types.SecurityGroupRule { return db("tcp", 5432, 5432, source) }
	tests := []struct {
		name string
		rule ec2types.SecurityGroupRule
		want check.Status // "" when the rule does not reach the port: the group is green
	}{
		{"database port from /0", onPort("0.0.0.0/0"), check.Red},
		{"database port from a /16", onPort("10.0.0.0/16"), check.Green},
		{"database port from a public /24", onPort("198.51.100.0/24"), check.Green},
		{"database port from a /32", onPort("203.0.113.7/32"), check.Green},
		{"range covering the port from /0", db("tcp", 5000, 6000, "0.0.0.0/0"), check.Red},
		{"range ending just below the port", db("tcp", 5000, 5431, "0.0.0.0/0"), ""},
		{"range starting just above the port", db("tcp", 5433, 6000, "0.0.0.0/0"), ""},
		{"all traffic from /0", db("-1", -1, -1, "0.0.0.0/0"), check.Red},
		{"icmp from /0 does not reach the port", db("icmp", -1, -1, "0.0.0.0/0"), ""},
		{"IPv6 ::/0", onPort("::/0"), check.Red},
		{"IPv6 /64", onPort("2001:db8::/64"), check.Green},
		{"IPv6 single address", onPort("2001:db8::7/128"), check.Green},
		{"group granting global ssh", onPort("sg-bastion"), check.Yellow},
		{"group granting global https only", onPort("sg-app"), check.Green},
		{"group of a peered VPC", onPort("sg-peer"), check.Yellow},
		{"customer prefix list holding 0.0.0.0/0", onPort("pl-open"), check.Red},
		{"customer prefix list of partner ranges", onPort("pl-partners"), check.Green},
		{"AWS-managed prefix list", onPort("pl-aws"), check.Green},
		{"group granting global ssh through a prefix list", onPort("sg-listed"), check.Yellow},
	}
	for _, tt := range tests {
		group := sgrules.Group{ID: "sg-db", Name: "orders-db", Inbound: []ec2types.SecurityGroupRule{tt.rule}, PrefixLists: prefixLists}
		in := Input{Instances: []rdstypes.DBInstance{postgres}, Groups: []sgrules.Group{group, bastion, app, listed}}
		got := evaluate(checktest.Target("eu-west-1"), in)
		checktest.ColumnsWithin(t, Meta, got)
		wantID, want := "db:orders/sg-db/sgr-1", tt.want
		if want == "" {
			wantID, want = "db:orders/sg-db", check.Green
		}
		if len(got) != 1 || got[0].Status != want || got[0].ResourceID != wantID {
			t.Errorf("evaluate(%s: %s) = %+v, want one %s finding for %s", tt.name, sgrules.Describe(tt.rule), got, want, wantID)
			continue
		}
		if f := got[0]; !strings.HasPrefix(f.Reason, "Beyond the Trusted Advisor spec: VPC security group sg-db of DB instance orders (port 5432)") || f.Columns["RDS Security Group Name"] != "orders-db (sg-db)" {
			t.Errorf("evaluate(%s) = reason %q, columns %v; want it marked beyond the spec, naming the group and instance", tt.name, f.Reason, f.Columns)
		}
	}
}

func TestEvaluateDatabases(t *testing.T) {
	t.Parallel()
	open := func(group string, port int32) sgrules.Group {
		return sgrules.Group{ID: group, Name: group, Inbound: []ec2types.SecurityGroupRule{rule(group, "sgr-"+group, "tcp", port, port, "0.0.0.0/0")}}
	}
	in := Input{
		Clusters: []rdstypes.DBCluster{{DBClusterIdentifier: aws.String("aurora"), Port: aws.Int32(3306), VpcSecurityGroups: member("sg-aurora")}},
		Instances: []rdstypes.DBInstance{
			// A cluster member: evaluated through its cluster.
			{DBInstanceIdentifier: aws.String("aurora-1"), DBClusterIdentifier: aws.String("aurora"), Endpoint: &rdstypes.Endpoint{Port: aws.Int32(3306)}, VpcSecurityGroups: member("sg-aurora")},
			// Still being created: no endpoint yet, so every rule counts.
			{DBInstanceIdentifier: aws.String("new"), VpcSecurityGroups: member("sg-new")},
			// Attached to a group that is gone.
			{DBInstanceIdentifier: aws.String("orphan"), Endpoint: &rdstypes.Endpoint{Port: aws.Int32(1433)}, VpcSecurityGroups: member("sg-gone")},
		},
		Groups: []sgrules.Group{open("sg-aurora", 3306), open("sg-new", 8080)},
	}
	findings := evaluate(checktest.Target("eu-west-1"), in)
	checktest.WantStatuses(t, "evaluate(cluster, member, new and orphan instances)", findings, map[string]check.Status{
		"cluster:aurora/sg-aurora/sgr-sg-aurora": check.Red,
		"db:new/sg-new/sgr-sg-new":               check.Red,
		"db:orphan/sg-gone":                      check.Yellow,
	})
	if r := checktest.ByResource(findings)["cluster:aurora/sg-aurora/sgr-sg-aurora"].Reason; !strings.Contains(r, "DB cluster aurora (port 3306)") {
		t.Errorf("cluster finding reason = %q, want it to name the DB cluster and its port", r)
	}
}

// seed creates, in region, what an account with RDS tends to have: a legacy DB
// security group, a PostgreSQL instance whose group is open to the internet,
// and an Aurora cluster reachable only from the application's group.
func seed(t *testing.T, cfg aws.Config, region string) (openGroup, appGroup string) {
	t.Helper()
	ctx := context.Background()
	cfg = awsx.InRegion(cfg, region)
	ec2c, rdsc := ec2.NewFromConfig(cfg), rds.NewFromConfig(cfg)
	vpc := sgrulestest.CreateVPC(t, ec2c, "10.30.0.0/16")
	appGroup = sgrulestest.CreateGroup(t, ec2c, vpc, "app", sgrulestest.Ingress("tcp", 443, 443, "0.0.0.0/0"))
	openGroup = sgrulestest.CreateGroup(t, ec2c, vpc, "orders-db", sgrulestest.Ingress("tcp", 5432, 5432, "0.0.0.0/0"))
	auroraGroup := sgrulestest.CreateGroup(t, ec2c, vpc, "aurora",
		ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3306), ToPort: aws.Int32(3306), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(appGroup)}}})

	if _, err := rdsc.CreateDBSecurityGroup(ctx, &rds.CreateDBSecurityGroupInput{DBSecurityGroupName: aws.String("legacy"), DBSecurityGroupDescription: aws.String("from EC2-Classic days")}); err != nil {
		t.Fatalf("create DB security group: %v", err)
	}
	for _, cidr := range []string{"0.0.0.0/0", "198.51.100.7/32"} {
		if _, err := rdsc.AuthorizeDBSecurityGroupIngress(ctx, &rds.AuthorizeDBSecurityGroupIngressInput{DBSecurityGroupName: aws.String("legacy"), CIDRIP: aws.String(cidr)}); err != nil {
			t.Fatalf("authorize DB security group %s: %v", cidr, err)
		}
	}
	createPostgres(t, rdsc, "orders", openGroup)
	if _, err := rdsc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("catalog"), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-real-password"), VpcSecurityGroupIds: []string{auroraGroup},
	}); err != nil {
		t.Fatalf("create DB cluster: %v", err)
	}
	if _, err := rdsc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("catalog-1"), DBClusterIdentifier: aws.String("catalog"), Engine: aws.String("aurora-mysql"), DBInstanceClass: aws.String("db.t3.medium"),
	}); err != nil {
		t.Fatalf("create cluster instance: %v", err)
	}
	return openGroup, appGroup
}

// createPostgres creates the PostgreSQL instance id in the VPC security
// group given.
func createPostgres(t *testing.T, client *rds.Client, id, group string) {
	t.Helper()
	if _, err := client.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-real-password"),
		VpcSecurityGroupIds: []string{group},
	}); err != nil {
		t.Fatalf("create DB instance %s: %v", id, err)
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	openGroup, _ := seed(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	byID := checktest.ByResource(findings)
	want := map[string]check.Status{
		"secgrp:legacy/0.0.0.0/0":       check.Red,
		"secgrp:legacy/198.51.100.7/32": check.Green,
	}
	for id, status := range want {
		if byID[id].Status != status {
			t.Errorf("%s = %q (%s), want %s", id, byID[id].Status, byID[id].Reason, status)
		}
	}
	var orders, catalog []check.Finding
	for _, f := range findings {
		switch {
		case f.Status == check.Error:
			t.Fatalf("error finding: %+v", f)
		case strings.HasPrefix(f.ResourceID, "db:orders/"):
			orders = append(orders, f)
		case strings.HasPrefix(f.ResourceID, "cluster:catalog/"):
			catalog = append(catalog, f)
		case strings.HasPrefix(f.ResourceID, "db:catalog-1"):
			t.Errorf("cluster member evaluated on its own: %+v", f)
		}
	}
	if len(orders) != 1 || orders[0].Status != check.Red || !strings.HasPrefix(orders[0].ResourceID, "db:orders/"+openGroup+"/sgr-") ||
		orders[0].Columns["Ingress Rule"] != "tcp port 5432 from 0.0.0.0/0" || orders[0].Region != "eu-west-1" {
		t.Errorf("orders instance findings = %+v, want one red finding for its group's 5432-from-/0 rule", orders)
	}
	if len(catalog) != 1 || catalog[0].Status != check.Green || !strings.Contains(catalog[0].Reason, "DB cluster catalog (port 3306)") {
		t.Errorf("catalog cluster findings = %+v, want one green finding (reachable only from the app group)", catalog)
	}
	// One page per listing per region; EC2 only where something refers to it.
	checktest.WantCalls(t, recorder,
		checktest.Call("RDS", "DescribeDBSecurityGroups", 2, "one page per region"),
		checktest.Call("RDS", "DescribeDBInstances", 2, "one page per region"),
		checktest.Call("RDS", "DescribeDBClusters", 2, "one page per region"),
		checktest.Call("EC2", "DescribeSecurityGroups", 1, "only the region with databases"),
		checktest.Call("EC2", "DescribeSecurityGroupRules", 1, "only the region with databases"))
}

// TestRDSPrivateCIDRGreen: beyond the specification, a VPC security group
// rule from a private (or any other limited) range on the database port is
// how databases are meant to be reached: green, not yellow. Only global
// access is flagged there.
func TestRDSPrivateCIDRGreen(t *testing.T) {
	t.Parallel()
	cluster := rdstypes.DBCluster{DBClusterIdentifier: aws.String("catalog"), Port: aws.Int32(3306), VpcSecurityGroups: member("sg-db")}
	for _, cidr := range []string{"10.0.0.0/16", "172.16.0.0/12", "192.168.10.0/24", "10.0.0.0/8", "100.64.0.0/10", "fd00:ec2::/64"} {
		db := sgrules.Group{ID: "sg-db", Name: "catalog-db", Inbound: []ec2types.SecurityGroupRule{rule("sg-db", "sgr-1", "tcp", 3306, 3306, cidr)}}
		got := evaluate(checktest.Target("eu-west-1"), Input{Clusters: []rdstypes.DBCluster{cluster}, Groups: []sgrules.Group{db}})
		if len(got) != 1 || got[0].Status != check.Green || !strings.Contains(got[0].Reason, "not to the whole internet") {
			t.Errorf("evaluate(DB cluster on 3306 from %s) = %+v, want one green finding", cidr, got)
		}
	}
}

// TestRDSPrefixListWorldOpen seeds, as an account would, a customer-managed
// prefix list holding 0.0.0.0/0 and a DB instance whose group admits it on
// the database port: red. Denied the list's entries, the group is an error.
func TestRDSPrefixListWorldOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	region := awsx.InRegion(cfg, "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(region), rds.NewFromConfig(region)
	list, err := ec2c.CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{
		PrefixListName: aws.String("bi-vendors"), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5),
		Entries: []ec2types.AddPrefixListEntry{{Cidr: aws.String("198.51.100.0/24")}, {Cidr: aws.String("0.0.0.0/0")}},
	})
	if err != nil {
		t.Fatalf("create prefix list: %v", err)
	}
	group := sgrulestest.CreateGroup(t, ec2c, sgrulestest.CreateVPC(t, ec2c, "10.40.0.0/16"), "reports-db",
		sgrulestest.IngressFromList(5432, list.PrefixList.PrefixListId), sgrulestest.Ingress("tcp", 5432, 5432, "10.40.0.0/16"))
	createPostgres(t, rdsc, "reports", group)
	job := scan.Job{Check: Check, Account: account, Region: "eu-west-1"}
	statuses := map[string]check.Status{}
	for _, f := range scan.RunJob(ctx, cfg, job, 0) {
		statuses[f.Columns["Ingress Rule"]] = f.Status
	}
	want := map[string]check.Status{"tcp port 5432 from prefix list " + aws.ToString(list.PrefixList.PrefixListId): check.Red, "tcp port 5432 from 10.40.0.0/16": check.Green}
	if fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("reports instance findings by rule = %v, want %v", statuses, want)
	}

	denied := checktest.ByResource(scan.RunJob(ctx, emutest.Deny(cfg, "GetManagedPrefixListEntries"), job, 0))
	f := denied["db:reports/"+group]
	if f.Status != check.Error || !strings.Contains(f.Reason, "ec2 GetManagedPrefixListEntries") || !strings.Contains(f.Reason, "AccessDenied") {
		t.Errorf("entries denied: group finding = %s (%s), want error naming the operation and AccessDenied", f.Status, f.Reason)
	}
}

// pagedRDS answers the three RDS listings in the pages given, shaped like
// RDS's answers.
type pagedRDS struct {
	dbSecurityGroups [][]rdstypes.DBSecurityGroup
	instances        [][]rdstypes.DBInstance
	clusters         [][]rdstypes.DBCluster
}

func (f pagedRDS) DescribeDBSecurityGroups(_ context.Context, in *rds.DescribeDBSecurityGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSecurityGroupsOutput, error) {
	groups, next := checktest.Page(f.dbSecurityGroups, in.Marker)
	return &rds.DescribeDBSecurityGroupsOutput{DBSecurityGroups: groups, Marker: next}, nil
}

func (f pagedRDS) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	instances, next := checktest.Page(f.instances, in.Marker)
	return &rds.DescribeDBInstancesOutput{DBInstances: instances, Marker: next}, nil
}

func (f pagedRDS) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	clusters, next := checktest.Page(f.clusters, in.Marker)
	return &rds.DescribeDBClustersOutput{DBClusters: clusters, Marker: next}, nil
}

// TestCollectReadsEveryPage: the emulator answers in one page; accounts with
// many databases and groups get several. Each listing puts what decides a
// red finding on its second page, so reading only the first fails.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	group := func(id string) ec2types.SecurityGroup {
		return ec2types.SecurityGroup{GroupId: aws.String(id), GroupName: aws.String(id), VpcId: aws.String("vpc-1")}
	}
	api := pagedRDS{
		dbSecurityGroups: [][]rdstypes.DBSecurityGroup{{dbsgWithCIDR("203.0.113.7/32")}, {{DBSecurityGroupName: aws.String("open"),
			IPRanges: []rdstypes.IPRange{{CIDRIP: aws.String("0.0.0.0/0"), Status: aws.String("authorized")}}}}},
		instances: [][]rdstypes.DBInstance{{}, {{DBInstanceIdentifier: aws.String("orders"), Endpoint: &rdstypes.Endpoint{Port: aws.Int32(5432)}, VpcSecurityGroups: member("sg-db")}}},
		clusters:  [][]rdstypes.DBCluster{{}, {{DBClusterIdentifier: aws.String("catalog"), Port: aws.Int32(3306), VpcSecurityGroups: member("sg-aurora")}}},
	}
	ec2API := sgrulestest.Pages{
		Groups: [][]ec2types.SecurityGroup{{group("sg-app")}, {group("sg-db"), group("sg-aurora")}},
		Rules: [][]ec2types.SecurityGroupRule{
			{rule("sg-app", "sgr-app", "tcp", 443, 443, "0.0.0.0/0")},
			{rule("sg-db", "sgr-db", "tcp", 5432, 5432, "0.0.0.0/0"), rule("sg-aurora", "sgr-aurora", "tcp", 3306, 3306, "0.0.0.0/0")},
		},
	}
	in, err := collect(context.Background(), api, ec2API)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	checktest.WantStatuses(t, "evaluate(collect over two pages)", evaluate(checktest.Target("eu-west-1"), in), map[string]check.Status{
		"secgrp:legacy/203.0.113.7/32":         check.Green,
		"secgrp:open/0.0.0.0/0":                check.Red,
		"db:orders/sg-db/sgr-db":               check.Red,
		"cluster:catalog/sg-aurora/sgr-aurora": check.Red,
	})
}
