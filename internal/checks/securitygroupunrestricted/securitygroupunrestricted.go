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
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("1iG5NDGVre", check.Meta{
	Slug:       "security-groups-unrestricted-access",
	IAMActions: sgrules.WorldOpenIAMActions,
	Scope:      check.Regional,
	BeyondSpec: "A port range is judged by every port it covers (80-443 is red), all-protocol, ICMP and other portless rules from /0 are red (only ports 25, 80 and 443 are exempt). Inbound IPv6 ::/0 rules are also reported, as separate findings marked beyond the spec, yellow at most. A rule whose source is a customer-managed prefix list is judged by the list's entries (one that holds 0.0.0.0/0 is judged as that source); AWS-managed lists are never world-open; a list that cannot be read makes its group an error.",
	Triggers:   sgrules.WorldOpenTriggers,
})

// Check is the catalog entry.
var Check = check.New(Meta, sgrules.CollectWorldOpenFor, evaluate)

// exemptPorts are the only ports the specification allows open to /0.
var exemptPorts = []int32{25, 80, 443}

// worldOpen judges every rule open to the whole internet with judge, and
// names its /0 source in the IP Range column.
var worldOpen = sgrules.WorldOpenCheck{
	Meta:          Meta,
	Judge:         judge,
	NoneOpen:      "No inbound IPv4 rule of the security group has a source with a /0 suffix.",
	IPRangeColumn: "IP Range",
}

// evaluate reports every inbound rule open to the IPv4 (or IPv6) internet,
// and one green finding per group without such an IPv4 rule
// (sgrules.WorldOpenCheck).
func evaluate(target check.Target, groups []sgrules.Group) []check.Finding {
	return worldOpen.Evaluate(target, groups)
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
