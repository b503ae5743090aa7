package sgrulestest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/sgrules"
)

// Rule builds an inbound rule sgr-1 of group sg-1 (RuleOf).
func Rule(proto string, from, to int32, source string) types.SecurityGroupRule {
	return RuleOf("sg-1", "sgr-1", proto, from, to, source)
}

// RuleOf builds inbound rule id of group, in account 111122223333, shaped
// like a DescribeSecurityGroupRules answer (all-protocol and "any ICMP"
// rules carry -1 ports). source is a security group of the same account
// ("sg-…"), a prefix list ("pl-…"), an IPv6 or an IPv4 CIDR.
func RuleOf(group, id, proto string, from, to int32, source string) types.SecurityGroupRule {
	r := types.SecurityGroupRule{
		GroupId: aws.String(group), SecurityGroupRuleId: aws.String(id), GroupOwnerId: aws.String(ownerAccount), IsEgress: aws.Bool(false),
		IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to),
	}
	switch {
	case strings.HasPrefix(source, "sg-"):
		r.ReferencedGroupInfo = &types.ReferencedSecurityGroup{GroupId: aws.String(source), UserId: aws.String(ownerAccount)}
	case strings.HasPrefix(source, "pl-"):
		r.PrefixListId = aws.String(source)
	case strings.Contains(source, ":"):
		r.CidrIpv6 = aws.String(source)
	default:
		r.CidrIpv4 = aws.String(source)
	}
	return r
}

// ownerAccount owns the groups Rule and RuleOf build.
const ownerAccount = "111122223333"

// RuleCase is one inbound rule of group sg-1 ("app") and what a check of
// rules open to the whole internet makes of it.
type RuleCase struct {
	Name string
	Rule types.SecurityGroupRule
	Want check.Status
	// NotOpen: the rule is not open to the whole internet, so the group is
	// one green finding and the rule none.
	NotOpen bool
}

// Open is a case of a rule open to the whole internet, whose finding has
// status want.
func Open(name string, r types.SecurityGroupRule, want check.Status) RuleCase {
	return RuleCase{Name: name, Rule: r, Want: want}
}

// NotOpen is a case of a rule not open to the whole internet: its group is
// one green finding.
func NotOpen(name string, r types.SecurityGroupRule) RuleCase {
	return RuleCase{Name: name, Rule: r, Want: check.Green, NotOpen: true}
}

// EachPort is one case per port: a tcp rule opening that port alone to
// 0.0.0.0/0, named by format (with the port), whose finding has status want.
func EachPort(format string, ports []int32, want check.Status) []RuleCase {
	cases := make([]RuleCase, len(ports))
	for i, p := range ports {
		cases[i] = Open(fmt.Sprintf(format, p), Rule("tcp", p, p, "0.0.0.0/0"), want)
	}
	return cases
}

// CheckRuleCases evaluates each case's rule alone in group sg-1 with
// evaluate, a check built on sgrules.WorldOpenCheck, and wants: the rule's
// finding with the case's status (or the group's green finding when the
// rule is not open), the group's name and ID in the columns, the
// beyond-spec prefix exactly on IPv6 findings, and an IPv6 finding only
// added beside the group's spec-defined green.
func CheckRuleCases(t *testing.T, meta check.Meta, evaluate func(check.Target, []sgrules.Group) []check.Finding, cases []RuleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			rule := sgrules.Describe(tc.Rule)
			got := evaluate(checktest.Target("eu-west-1"), []sgrules.Group{{ID: "sg-1", Name: "app", Inbound: []types.SecurityGroupRule{tc.Rule}}})
			checktest.ColumnsWithin(t, meta, got)
			wantID := "sg-1/sgr-1"
			if tc.NotOpen {
				wantID = "sg-1"
			}
			ipv6 := tc.Rule.CidrIpv6 != nil && !tc.NotOpen
			wantLen := 1
			if ipv6 {
				wantLen = 2
				if g := checktest.ByResource(got)["sg-1"]; g.Status != check.Green {
					t.Errorf("evaluate(%s) group finding = %+v, want green: IPv6 never changes the spec's result", rule, g)
				}
			}
			if len(got) != wantLen {
				t.Fatalf("evaluate(%s) = %d findings, want %d: %+v", rule, len(got), wantLen, got)
			}
			f := checktest.ByResource(got)[wantID]
			if f.Status != tc.Want || f.ResourceID != wantID {
				t.Errorf("evaluate(%s) = %s %s (%s), want %s %s", rule, f.Status, f.ResourceID, f.Reason, tc.Want, wantID)
			}
			if f.Columns["Security Group ID"] != "sg-1" || f.Columns["Security Group Name"] != "app" {
				t.Errorf("evaluate(%s) columns = %v, want the group's name and ID", rule, f.Columns)
			}
			if ipv6 != strings.HasPrefix(f.Reason, sgrules.BeyondSpec) {
				t.Errorf("evaluate(%s) reason = %q, want the beyond-spec prefix only on IPv6 findings", rule, f.Reason)
			}
		})
	}
}

// WorldOpenOnEmulator scans an emulated account with c, a check built on
// sgrules.CollectWorldOpen and WorldOpenCheck, after seeding eu-west-1 with
// Seed and SeedPrefixList (us-east-1 holds only its default group). want
// maps "group name/From Port" to the status of a rule's finding, and
// "group name" to that of a group's green finding; every finding of a seeded
// group must be wanted, and none may be an error. It also wants one page of
// each listing per region, and the customer-managed prefix list read once
// for its two rules.
func WorldOpenOnEmulator(t *testing.T, c check.Check, want map[string]check.Status) {
	t.Helper()
	cfg, account := emutest.Config(t)
	ids := Seed(t, cfg, "eu-west-1")
	ids["partner-sftp"] = SeedPrefixList(t, cfg, "eu-west-1")
	names := map[string]string{}
	for name, id := range ids {
		names[id] = name
	}
	findings, recorder := checktest.ScanRecorded(t, cfg, account, c, "eu-west-1", "us-east-1")
	got := map[string]check.Status{}
	for _, f := range findings {
		if f.Status == check.Error {
			t.Fatalf("error finding: %+v", f)
		}
		name, seeded := names[f.Columns["Security Group ID"]]
		if !seeded {
			continue // a default group
		}
		key := name
		if port := f.Columns["From Port"]; port != "" {
			key += "/" + port
		}
		got[key] = f.Status
		if f.Region != "eu-west-1" || f.Columns["Security Group Name"] != name {
			t.Errorf("%s finding = %+v, want it in eu-west-1 with the group's name", key, f)
		}
		if name == "partner-sftp" && !strings.Contains(f.Reason, "prefix list partners (pl-") {
			t.Errorf("%s reason = %q, want the prefix list named", key, f.Reason)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings of the seeded groups = %v, want %v", got, want)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("EC2", "DescribeSecurityGroups", 2, "one page per region"),
		checktest.Call("EC2", "DescribeSecurityGroupRules", 2, "one page per region"),
		checktest.Call("EC2", "GetManagedPrefixListEntries", 1, "one list, read once for its two rules"))
}

// BenchmarkEvaluate runs evaluate over one reference region's 3,500 rules
// (BenchmarkGroups), with and without the seven 0-65535 rules, to show what
// wide port ranges cost.
func BenchmarkEvaluate(b *testing.B, evaluate func(check.Target, []sgrules.Group) []check.Finding) {
	for _, tc := range []struct {
		name     string
		allPorts bool
	}{{"reference", true}, {"without-all-port-rules", false}} {
		b.Run(tc.name, func(b *testing.B) {
			groups := BenchmarkGroups(tc.allPorts)
			target := checktest.Target("eu-west-1")
			b.ReportAllocs()
			for b.Loop() {
				if got := evaluate(target, groups); len(got) < len(groups) {
					b.Fatalf("evaluate returned %d findings, want at least one per group (%d)", len(got), len(groups))
				}
			}
		})
	}
}

// Pages is a fake of sgrules.WorldOpenAPI answering DescribeSecurityGroups
// and DescribeSecurityGroupRules from its pages, as the EC2 API reference
// documents them (a NextToken on every page but the last), in a region
// without prefix lists. The emulator answers in one page, so only a fake
// shows that a collector reads the pages after the first.
type Pages struct {
	Groups [][]types.SecurityGroup
	Rules  [][]types.SecurityGroupRule
}

var _ sgrules.WorldOpenAPI = Pages{}

// DescribeSecurityGroups answers the page in.NextToken names.
func (p Pages) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	page, next := checktest.Page(p.Groups, in.NextToken)
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: page, NextToken: next}, nil
}

// DescribeSecurityGroupRules answers the page in.NextToken names.
func (p Pages) DescribeSecurityGroupRules(_ context.Context, in *ec2.DescribeSecurityGroupRulesInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	page, next := checktest.Page(p.Rules, in.NextToken)
	return &ec2.DescribeSecurityGroupRulesOutput{SecurityGroupRules: page, NextToken: next}, nil
}

// DescribeManagedPrefixLists answers that the region has no prefix list.
func (Pages) DescribeManagedPrefixLists(context.Context, *ec2.DescribeManagedPrefixListsInput, ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	return &ec2.DescribeManagedPrefixListsOutput{}, nil
}

// GetManagedPrefixListEntries answers that a list has no entries.
func (Pages) GetManagedPrefixListEntries(context.Context, *ec2.GetManagedPrefixListEntriesInput, ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	return &ec2.GetManagedPrefixListEntriesOutput{}, nil
}
