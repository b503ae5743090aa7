package sgrules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// testWorldOpen judges every world-open rule red, and shows the /0 source
// in an "IP Range" column.
var testWorldOpen = WorldOpenCheck{
	Meta:          check.Meta{ID: "test", Slug: "test-world-open"},
	Judge:         judgeRed,
	NoneOpen:      "Nothing open.",
	IPRangeColumn: "IP Range",
}

// TestWorldOpenCheck evaluates groups as the two Trusted Advisor
// security-group checks do: one finding per world-open rule, one green
// finding per group without a world-open IPv4 rule, and an error instead of
// green for a group whose rule names a prefix list that could not be read.
func TestWorldOpenCheck(t *testing.T) {
	t.Parallel()
	withID := func(r types.SecurityGroupRule, group, id string) types.SecurityGroupRule {
		r.GroupId, r.SecurityGroupRuleId = aws.String(group), aws.String(id)
		return r
	}
	denied := errors.New("AccessDenied")
	lists := PrefixLists{
		"pl-partners": {ID: "pl-partners", Name: "partners", CIDRs: []string{"0.0.0.0/0"}},
		"pl-denied":   {ID: "pl-denied", Op: "ec2 GetManagedPrefixListEntries pl-denied", Err: denied},
	}
	groups := []Group{
		{ID: "sg-ssh", Name: "bastion", Inbound: []types.SecurityGroupRule{
			withID(rule("tcp", 22, 22, "0.0.0.0/0"), "sg-ssh", "sgr-ssh"),
			withID(rule("tcp", 3389, 3389, "198.51.100.0/24"), "sg-ssh", "sgr-office"),
		}},
		{ID: "sg-empty", Name: "empty"},
		{ID: "sg-v6", Name: "v6", Inbound: []types.SecurityGroupRule{withID(rule("tcp", 22, 22, "::/0"), "sg-v6", "sgr-v6")}},
		{ID: "sg-all", Name: "all", Inbound: []types.SecurityGroupRule{withID(rule("-1", -1, -1, "0.0.0.0/0"), "sg-all", "sgr-all")}},
		{ID: "sg-list", Name: "partners", PrefixLists: lists, Inbound: []types.SecurityGroupRule{withID(prefixListRule(22, "pl-partners"), "sg-list", "sgr-list")}},
		{ID: "sg-unread", Name: "unread", PrefixLists: lists, Inbound: []types.SecurityGroupRule{
			withID(rule("tcp", 22, 22, "0.0.0.0/0"), "sg-unread", "sgr-open"),
			withID(prefixListRule(22, "pl-denied"), "sg-unread", "sgr-denied"),
		}},
	}
	type row struct {
		status                      check.Status
		protocol, from, to, ipRange string
	}
	want := map[string]row{
		"sg-ssh/sgr-ssh":     {check.Red, "tcp", "22", "22", "0.0.0.0/0"},
		"sg-empty":           {check.Green, "", "", "", ""},
		"sg-v6/sgr-v6":       {check.Yellow, "tcp", "22", "22", "::/0"}, // IPv6: beyond the spec, yellow at most
		"sg-v6":              {check.Green, "", "", "", ""},             // and the group keeps its spec green
		"sg-all/sgr-all":     {check.Red, "all", "all", "all", "0.0.0.0/0"},
		"sg-list/sgr-list":   {check.Red, "tcp", "22", "22", "0.0.0.0/0 (prefix list pl-partners)"},
		"sg-unread/sgr-open": {check.Red, "tcp", "22", "22", "0.0.0.0/0"},
		"sg-unread":          {check.Error, "", "", "", ""},
	}
	findings := testWorldOpen.Evaluate(check.Target{Account: "111122223333", Region: "eu-west-1"}, groups)
	got := map[string]row{}
	for _, f := range findings {
		c := f.Columns
		got[f.ResourceID] = row{f.Status, c["Protocol"], c["From Port"], c["To Port"], c["IP Range"]}
		if c["Security Group ID"] == "" || c["Security Group Name"] == "" {
			t.Errorf("finding %s columns = %v, want the group's name and ID", f.ResourceID, c)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Evaluate = %v\nwant %v", got, want)
	}
	byID := map[string]check.Finding{}
	for _, f := range findings {
		byID[f.ResourceID] = f
	}
	if r := byID["sg-unread"].Reason; !strings.Contains(r, "ec2 GetManagedPrefixListEntries pl-denied") || !strings.Contains(r, "it may open the group to everyone") {
		t.Errorf("unreadable list reason = %q, want the operation and the list named", r)
	}
	if r := byID["sg-list/sgr-list"].Reason; !strings.Contains(r, "prefix list partners (pl-partners) contains 0.0.0.0/0") {
		t.Errorf("prefix-list rule reason = %q, want the list named", r)
	}
	if r := byID["sg-empty"].Reason; r != testWorldOpen.NoneOpen {
		t.Errorf("clean group reason = %q, want %q", r, testWorldOpen.NoneOpen)
	}
	without := testWorldOpen
	without.IPRangeColumn = ""
	for _, f := range without.Evaluate(check.Target{}, groups[:1]) {
		if _, ok := f.Columns["IP Range"]; ok {
			t.Errorf("without an IP range column: %s columns = %v, want none", f.ResourceID, f.Columns)
		}
	}
}
