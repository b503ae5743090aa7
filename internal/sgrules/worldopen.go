package sgrules

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// WorldOpenIAMActions are the IAM actions CollectWorldOpen calls, for the
// Meta of the checks that call it.
var WorldOpenIAMActions = slices.Concat(IAMActions, PrefixListIAMActions)

// WorldOpenTriggers are the CloudTrail events that can change what
// CollectWorldOpen reads, for the Meta of the checks that call it: changing
// an inbound rule or the entries of a prefix list a rule names, or deleting
// a group (or the VPC whose default group it is), can open or close a port
// to the internet. A new group has no inbound rule, so it waits for the
// schedule.
var WorldOpenTriggers = []check.Trigger{
	{Source: "ec2.amazonaws.com", Names: []string{
		"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules", "RevokeSecurityGroupIngress",
		"DeleteSecurityGroup", "DeleteVpc", "ModifyManagedPrefixList", "RestoreManagedPrefixListVersion",
	}},
}

// WorldOpenAPI is the part of the EC2 client CollectWorldOpen calls.
type WorldOpenAPI interface {
	API
	PrefixListAPI
}

var _ WorldOpenAPI = (*ec2.Client)(nil)

// CollectWorldOpenFor is CollectWorldOpen with a client for target: the
// collect stage of the checks built on WorldOpenCheck.
func CollectWorldOpenFor(ctx context.Context, target check.Target) ([]Group, error) {
	return CollectWorldOpen(ctx, ec2.NewFromConfig(target.Config))
}

// CollectWorldOpen returns every security group of the region with its
// inbound rules (Collect) and the prefix lists those rules name
// (ExpandPrefixLists): what a check of rules open to the whole internet
// judges.
func CollectWorldOpen(ctx context.Context, api WorldOpenAPI) ([]Group, error) {
	groups, err := Collect(ctx, api)
	if err != nil {
		return nil, err
	}
	ExpandPrefixLists(ctx, api, groups)
	return groups, nil
}

// WorldOpenCheck evaluates the inbound rules open to the whole internet the
// way the two Trusted Advisor security-group checks do; they differ only in
// how a rule is judged, the green reason and one column.
type WorldOpenCheck struct {
	Meta check.Meta
	// Judge rates a rule whose source is the whole internet by the ports
	// it opens.
	Judge func(types.SecurityGroupRule) (check.Status, string)
	// NoneOpen is the reason of a group's green finding: no inbound IPv4
	// rule of the group is open to the whole internet.
	NoneOpen string
	// IPRangeColumn, when set, names the column that shows the rule's /0
	// source (and the prefix list holding it).
	IPRangeColumn string
}

// Evaluate reports every inbound rule open to the IPv4 (or IPv6) internet,
// and one green finding per group without such an IPv4 rule. IPv6 findings
// are only added: without them the result is exactly the specification's.
// A group with a rule that names an unreadable prefix list is an error
// instead of green: that rule may be open to everyone.
func (c WorldOpenCheck) Evaluate(target check.Target, groups []Group) []check.Finding {
	var findings []check.Finding
	for _, g := range groups {
		flagged := false
		var unreadable *PrefixListError
		for _, r := range g.Inbound {
			open, ok, err := g.JudgeWorldOpen(r, c.Judge)
			if err != nil {
				unreadable = cmp.Or(unreadable, err)
				continue
			}
			if !ok {
				continue
			}
			flagged = flagged || open.IPv4
			columns := map[string]string{
				"Security Group Name": g.Name,
				"Security Group ID":   g.ID,
				"Protocol":            ProtocolColumn(r),
				"From Port":           PortColumn(r.FromPort),
				"To Port":             PortColumn(r.ToPort),
			}
			if c.IPRangeColumn != "" {
				columns[c.IPRangeColumn] = open.CIDRColumn()
			}
			findings = append(findings, c.Meta.NewFinding(target, ResourceID(r), open.Status, open.Reason, columns))
		}
		groupColumns := map[string]string{"Security Group Name": g.Name, "Security Group ID": g.ID}
		switch {
		case unreadable != nil:
			f := c.Meta.ErrorFinding(target, g.ID, unreadable.Op, unreadable.Err)
			f.Reason += fmt.Sprintf(" (prefix list %s, named by an inbound rule: it may open the group to everyone)", unreadable.ListID)
			f.Columns = groupColumns
			findings = append(findings, f)
		case !flagged:
			findings = append(findings, c.Meta.NewFinding(target, g.ID, check.Green, c.NoneOpen, groupColumns))
		}
	}
	return findings
}
