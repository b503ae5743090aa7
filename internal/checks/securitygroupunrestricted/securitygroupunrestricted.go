// Package securitygroupunrestricted finds security group rules that allow
// inbound traffic from any IPv4 address (a /0 source) on ports other than the
// usual public web and mail ports. Such rules expose resources to everyone.
//
// Each inbound rule with an IPv4 /0 source is one finding: green when every
// port it opens is 25, 80 or 443, red otherwise. A range is judged by all the
// ports it covers (80-443 opens 81-442 too: red), an all-protocol rule opens
// every port (red), and ICMP or another protocol without ports is red: the
// specification exempts only those three ports. A group with no /0 rule is
// one green finding. IPv6 ::/0 rules are beyond the specification: reported
// as their own findings, yellow at most, so they never change a spec status.
// A rule whose source is a customer-managed prefix list holding a /0 entry
// is judged as that source; a group with a rule naming a list that cannot
// be read is an error, never green.
package securitygroupunrestricted

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/sgrules"
)

// Report columns, named as in the specification.
const (
	colStatus    = "Status"
	colRegion    = "Region"
	colGroupName = "Security Group Name"
	colGroupID   = "Security Group ID"
	colProtocol  = "Protocol"
	colFromPort  = "From Port"
	colToPort    = "To Port"
	colIPRange   = "IP Range"
)

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
	Columns:           []string{colStatus, colRegion, colGroupName, colGroupID, colProtocol, colFromPort, colToPort, colIPRange},
	IAMActions:        slices.Concat(sgrules.IAMActions, sgrules.PrefixListIAMActions),
	Scope:             check.Regional,
	BeyondSpec:        "A port range is judged by every port it covers (80-443 is red), all-protocol, ICMP and other portless rules from /0 are red (only ports 25, 80 and 443 are exempt). Inbound IPv6 ::/0 rules are also reported, as separate findings marked beyond the spec, yellow at most. A rule whose source is a customer-managed prefix list is judged by the list's entries (one that holds 0.0.0.0/0 is judged as that source); AWS-managed lists are never world-open; a list that cannot be read makes its group an error.",
}

// Check is the catalog entry.
var Check = check.Check{Meta: Meta, Runner: runner{}}

// API is the part of the EC2 client the check calls.
type API interface {
	sgrules.API
	sgrules.PrefixListAPI
}

var _ API = (*ec2.Client)(nil)

// exemptPorts are the only ports the specification allows open to /0.
var exemptPorts = []int32{25, 80, 443}

type runner struct{}

func (runner) Run(ctx context.Context, target check.Target) ([]check.Finding, error) {
	api := ec2.NewFromConfig(target.Config)
	groups, err := sgrules.Collect(ctx, api)
	if err != nil {
		return nil, err
	}
	sgrules.ExpandPrefixLists(ctx, api, groups)
	return evaluate(target, groups), nil
}

// evaluate reports every inbound rule open to the IPv4 (or IPv6) internet,
// and one green finding per group without such an IPv4 rule. IPv6 findings
// are only added: without them the result is exactly the specification's.
// A group with a rule that names an unreadable prefix list is an error
// instead of green: that rule may be open to everyone.
func evaluate(target check.Target, groups []sgrules.Group) []check.Finding {
	var findings []check.Finding
	for _, g := range groups {
		flagged := false
		var unreadable *sgrules.PrefixListError
		for _, r := range g.Inbound {
			open, ok, err := g.JudgeWorldOpen(r, judge)
			if err != nil {
				unreadable = cmp.Or(unreadable, err)
				continue
			}
			if !ok {
				continue
			}
			flagged = flagged || open.IPv4
			findings = append(findings, Meta.NewFinding(target, sgrules.ResourceID(r), open.Status, open.Reason, map[string]string{
				colGroupName: g.Name,
				colGroupID:   g.ID,
				colProtocol:  sgrules.ProtocolColumn(r),
				colFromPort:  sgrules.PortColumn(r.FromPort),
				colToPort:    sgrules.PortColumn(r.ToPort),
				colIPRange:   open.CIDRColumn(),
			}))
		}
		if unreadable != nil {
			f := Meta.ErrorFinding(target, g.ID, unreadable.Op, unreadable.Err)
			f.Reason += fmt.Sprintf(" (prefix list %s, named by an inbound rule: it may open the group to everyone)", unreadable.ListID)
			f.Columns = map[string]string{colGroupName: g.Name, colGroupID: g.ID}
			findings = append(findings, f)
			continue
		}
		if !flagged {
			findings = append(findings, Meta.NewFinding(target, g.ID, check.Green,
				"No inbound IPv4 rule of the security group has a source with a /0 suffix.",
				map[string]string{colGroupName: g.Name, colGroupID: g.ID}))
		}
	}
	return findings
}

// judge rates one rule with a /0 source: green only when every port it opens
// is exempt.
func judge(r types.SecurityGroupRule) (check.Status, string) {
	rule := sgrules.Describe(r)
	if sgrules.OnlyPorts(r, exemptPorts) {
		return check.Green, fmt.Sprintf("Unrestricted access only to port 25, 80 or 443: %s.", rule)
	}
	if _, _, hasPorts := sgrules.PortRange(r); !hasPorts {
		return check.Red, fmt.Sprintf("Unrestricted access: %s. The protocol has no ports, and only ports 25, 80 and 443 may be open to everyone.", rule)
	}
	return check.Red, fmt.Sprintf("Unrestricted access to port %s: %s. Only ports 25, 80 and 443 may be open to everyone.",
		strings.Join(sgrules.PortsOutside(r, exemptPorts), ", "), rule)
}
