package securitygroupunrestricted

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// rule builds an inbound rule of sg-1 shaped like a DescribeSecurityGroupRules
// answer (all-protocol and "any ICMP" rules carry -1 ports).
func rule(proto string, from, to int32, cidr string) types.SecurityGroupRule {
	r := types.SecurityGroupRule{
		GroupId: aws.String("sg-1"), SecurityGroupRuleId: aws.String("sgr-1"), IsEgress: aws.Bool(false),
		IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to),
	}
	if strings.Contains(cidr, ":") {
		r.CidrIpv6 = aws.String(cidr)
	} else {
		r.CidrIpv4 = aws.String(cidr)
	}
	return r
}

func TestEvaluateOneRule(t *testing.T) {
	t.Parallel()
	type tc struct {
		name string
		rule types.SecurityGroupRule
		want check.Status
		// group: the rule is not flagged, the group is one green finding.
		group bool
	}
	var tests []tc
	for _, p := range exemptPorts {
		tests = append(tests, tc{fmt.Sprintf("exempt port %d", p), rule("tcp", p, p, "0.0.0.0/0"), check.Green, false})
	}
	// Each port next to an exempt one, and the red ports of the other check.
	for _, p := range []int32{24, 26, 79, 81, 442, 444, 465, 20, 22, 3389, 5432} {
		tests = append(tests, tc{fmt.Sprintf("port %d", p), rule("tcp", p, p, "0.0.0.0/0"), check.Red, false})
	}
	tests = append(tests, []tc{
		{"udp 443 is a port 443", rule("udp", 443, 443, "0.0.0.0/0"), check.Green, false},
		{"range 80-443 covers 81-442", rule("tcp", 80, 443, "0.0.0.0/0"), check.Red, false},
		{"range 80-81", rule("tcp", 80, 81, "0.0.0.0/0"), check.Red, false},
		{"every tcp port", rule("tcp", 0, 65535, "0.0.0.0/0"), check.Red, false},
		{"all protocols open every port", rule("-1", -1, -1, "0.0.0.0/0"), check.Red, false},
		{"icmp is not an exempt port", rule("icmp", -1, -1, "0.0.0.0/0"), check.Red, false},
		{"icmp destination unreachable (path MTU)", rule("icmp", 3, 4, "0.0.0.0/0"), check.Red, false},
		{"other protocol (GRE)", rule("47", -1, -1, "0.0.0.0/0"), check.Red, false},
		{"any IPv4 /0, not only 0.0.0.0", rule("tcp", 22, 22, "10.0.0.0/0"), check.Red, false},
		{"/32 is restricted", rule("tcp", 22, 22, "203.0.113.7/32"), check.Green, true},
		{"/24 is restricted", rule("tcp", 22, 22, "203.0.113.0/24"), check.Green, true},
		{"/1 is not a /0 suffix", rule("-1", -1, -1, "0.0.0.0/1"), check.Green, true},
		{"IPv6 ::/0 on ssh: yellow at most", rule("tcp", 22, 22, "::/0"), check.Yellow, false},
		{"IPv6 ::/0 all traffic: yellow at most", rule("-1", -1, -1, "::/0"), check.Yellow, false},
		{"IPv6 ::/0 on https", rule("tcp", 443, 443, "::/0"), check.Green, false},
		{"IPv6 /64 is restricted", rule("tcp", 22, 22, "2001:db8::/64"), check.Green, true},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := []sgrules.Group{{ID: "sg-1", Name: "app", Inbound: []types.SecurityGroupRule{tt.rule}}}
			got := evaluate(checktest.Target("eu-west-1"), in)
			checktest.ColumnsWithin(t, Meta, got)
			wantID := "sg-1/sgr-1"
			if tt.group {
				wantID = "sg-1"
			}
			// An IPv6 finding is only added: the group keeps its spec-defined green.
			ipv6 := tt.rule.CidrIpv6 != nil && !tt.group
			wantLen := 1
			if ipv6 {
				wantLen = 2
				if g := checktest.ByResource(got)["sg-1"]; g.Status != check.Green {
					t.Errorf("evaluate(%s) group finding = %+v, want green: IPv6 never changes the spec's result", sgrules.Describe(tt.rule), g)
				}
			}
			if len(got) != wantLen {
				t.Fatalf("evaluate(%s) = %d findings, want %d: %+v", sgrules.Describe(tt.rule), len(got), wantLen, got)
			}
			f := checktest.ByResource(got)[wantID]
			if f.Status != tt.want || f.ResourceID != wantID {
				t.Errorf("evaluate(%s) = %s %s (%s), want %s %s", sgrules.Describe(tt.rule), f.Status, f.ResourceID, f.Reason, tt.want, wantID)
			}
			if f.Columns[colGroupID] != "sg-1" || f.Columns[colGroupName] != "app" {
				t.Errorf("evaluate(%s) columns = %v, want the group's name and ID", sgrules.Describe(tt.rule), f.Columns)
			}
			if ipv6 != strings.HasPrefix(f.Reason, sgrules.BeyondSpec) {
				t.Errorf("evaluate(%s) reason = %q, want the beyond-spec prefix only on IPv6 findings", sgrules.Describe(tt.rule), f.Reason)
			}
		})
	}
}

func TestEvaluateGroups(t *testing.T) {
	t.Parallel()
	open22 := rule("tcp", 22, 22, "0.0.0.0/0")
	open22.SecurityGroupRuleId = aws.String("sgr-ssh")
	office := rule("tcp", 3389, 3389, "198.51.100.0/24")
	office.SecurityGroupRuleId = aws.String("sgr-office")
	groups := []sgrules.Group{
		{ID: "sg-1", Name: "bastion", Inbound: []types.SecurityGroupRule{open22, office}},
		{ID: "sg-2", Name: "empty"},
	}
	got := checktest.ByResource(evaluate(checktest.Target("eu-west-1"), groups))
	want := map[string]check.Status{"sg-1/sgr-ssh": check.Red, "sg-2": check.Green}
	if len(got) != len(want) {
		t.Fatalf("evaluate(bastion with ssh open and an office rule, empty group) = %v, want %v", got, want)
	}
	for id, status := range want {
		if got[id].Status != status {
			t.Errorf("evaluate: %s = %s, want %s", id, got[id].Status, status)
		}
	}
	if c := got["sg-1/sgr-ssh"].Columns; c[colProtocol] != "tcp" || c[colFromPort] != "22" || c[colToPort] != "22" || c[colIPRange] != "0.0.0.0/0" {
		t.Errorf("ssh rule columns = %v, want tcp 22-22 from 0.0.0.0/0", c)
	}
	all := evaluate(checktest.Target("eu-west-1"), []sgrules.Group{{ID: "sg-3", Inbound: []types.SecurityGroupRule{rule("-1", -1, -1, "0.0.0.0/0")}}})
	if c := all[0].Columns; c[colProtocol] != "all" || c[colFromPort] != "all" || c[colToPort] != "all" {
		t.Errorf("all-protocol rule columns = %v, want all/all/all", c)
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	ids := sgrulestest.Seed(t, cfg, "eu-west-1")
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)

	findings := scan.Run(ctx, cfg, scan.Plan([]check.Check{Check}, []string{account}, []string{"eu-west-1", "us-east-1"}), scan.Options{Concurrency: 2})
	checktest.ColumnsWithin(t, Meta, findings)
	statuses := map[string][]check.Status{}
	for _, f := range findings {
		if f.Status == check.Error {
			t.Fatalf("error finding: %+v", f)
		}
		statuses[f.Columns[colGroupID]] = append(statuses[f.Columns[colGroupID]], f.Status)
	}
	want := map[string][]check.Status{
		ids["web"]:       {check.Green},
		ids["legacy-db"]: {check.Red}, // the 10.20.0.0/16 rule is not flagged
		ids["bastion"]:   {check.Red},
		ids["internal"]:  {check.Green},
	}
	for id, w := range want {
		if fmt.Sprint(statuses[id]) != fmt.Sprint(w) {
			t.Errorf("group %s statuses = %v, want %v", id, statuses[id], w)
		}
	}
	for _, f := range findings {
		if f.Columns[colGroupID] == ids["legacy-db"] && (f.Columns["Region"] != "eu-west-1" || f.Columns[colFromPort] != "3306" || f.Columns[colGroupName] != "legacy-db") {
			t.Errorf("legacy-db finding columns = %v, want region, name and port", f.Columns)
		}
	}
	// One page of each listing per region.
	for _, op := range []string{"DescribeSecurityGroups", "DescribeSecurityGroupRules"} {
		if got := recorder.Calls("EC2", op); got != 2 {
			t.Errorf("%s calls = %d, want 2 (one per region)", op, got)
		}
	}
}

func TestAccessDeniedIsAnErrorFinding(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	sgrulestest.Seed(t, cfg, "us-east-1")
	for _, op := range []string{"DescribeSecurityGroups", "DescribeSecurityGroupRules"} {
		findings := scan.RunJob(context.Background(), emutest.Deny(cfg, op), scan.Job{Check: Check, Account: account, Region: "us-east-1"}, 0)
		if len(findings) != 1 || findings[0].Status != check.Error || findings[0].ResourceID != scan.WholeScope {
			t.Fatalf("%s denied: findings = %+v, want one error finding for the whole region", op, findings)
		}
		if !strings.Contains(findings[0].Reason, "ec2 "+op) || !strings.Contains(findings[0].Reason, "AccessDenied") {
			t.Errorf("%s denied: reason = %q, want the operation and the error code", op, findings[0].Reason)
		}
	}
}

// TestCustomerPrefixListWorldOpen: a rule whose source is a customer-managed
// prefix list holding 0.0.0.0/0 is open to everyone, as a 0.0.0.0/0 source
// is; a rule naming an AWS-managed list is not. Seeded on the emulator as an
// account would do it: CreateManagedPrefixList, then a rule naming the list.
func TestCustomerPrefixListWorldOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	id := sgrulestest.SeedPrefixList(t, cfg, "eu-west-1")
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	findings := scan.RunJob(ctx, cfg, scan.Job{Check: Check, Account: account, Region: "eu-west-1"}, 0)
	checktest.ColumnsWithin(t, Meta, findings)
	got := map[string]check.Status{}
	for _, f := range findings {
		if f.Columns[colGroupID] != id {
			continue
		}
		got[f.Columns[colFromPort]] = f.Status
		if !strings.Contains(f.Reason, "prefix list partners (pl-") {
			t.Errorf("finding %s reason = %q, want the prefix list named", f.ResourceID, f.Reason)
		}
	}
	want := map[string]check.Status{"22": check.Red, "3306": check.Red}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("partner-sftp findings by port = %v, want %v (the 443 rule names the AWS-managed S3 list: not flagged)", got, want)
	}
	if n := recorder.Calls("EC2", "GetManagedPrefixListEntries"); n != 1 {
		t.Errorf("GetManagedPrefixListEntries calls = %d, want 1 (one list, read once for its two rules)", n)
	}
}

// TestPrefixListUnreadableIsAnErrorFinding: when the entries of a prefix
// list cannot be read, a group whose rule names it is an error, never green.
func TestPrefixListUnreadableIsAnErrorFinding(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	ids := sgrulestest.Seed(t, cfg, "us-east-1")
	id := sgrulestest.SeedPrefixList(t, cfg, "us-east-1")
	for _, op := range []string{"DescribeManagedPrefixLists", "GetManagedPrefixListEntries"} {
		findings := scan.RunJob(context.Background(), emutest.Deny(cfg, op), scan.Job{Check: Check, Account: account, Region: "us-east-1"}, 0)
		byID := checktest.ByResource(findings)
		f := byID[id]
		if f.Status != check.Error || !strings.Contains(f.Reason, "ec2 "+op) || !strings.Contains(f.Reason, "AccessDenied") {
			t.Errorf("%s denied: partner-sftp = %s (%s), want error naming the operation and AccessDenied", op, f.Status, f.Reason)
		}
		for _, f := range findings {
			if f.Columns[colGroupID] == id && f.Status != check.Error {
				t.Errorf("%s denied: partner-sftp has %s finding %s (%s), want only the error", op, f.Status, f.ResourceID, f.Reason)
			}
		}
		if got := byID[ids["internal"]]; got.Status != check.Green {
			t.Errorf("%s denied: internal = %s (%s), want green: it names no prefix list", op, got.Status, got.Reason)
		}
	}
}
