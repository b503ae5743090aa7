// Package securitygroupports finds security group rules that open specific
// ports to the whole IPv4 internet (a /0 source). Database, remote-access and
// file-transfer ports open to everyone invite brute force and exploits.
//
// Each inbound rule with an IPv4 /0 source is one finding, judged by the
// worst port it opens: a range (or an all-protocol rule, which opens every
// port) that covers a red port is red; a rule whose every port is one of 25,
// 80, 443 and 465 is green; anything else is yellow, including ICMP and other
// protocols without ports, which are not among the green ports. A group with
// no such rule is one green finding. IPv6 ::/0 rules are beyond the
// specification: reported as their own findings, yellow at most, so they can
// never turn a group red nor change a spec-defined status. A rule whose
// source is a customer-managed prefix list holding a /0 entry is judged as
// that source; a group with a rule naming a list that cannot be read is an
// error, never green.
package securitygroupports

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
var Meta = spec.Meta("HCP4007jGY", check.Meta{
	Slug:       "security-groups-specific-ports-unrestricted",
	IAMActions: sgrules.WorldOpenIAMActions,
	Scope:      check.Regional,
	BeyondSpec: "A port range is judged by the worst port it covers (0-65535 covers 3389: red), an all-protocol rule opens every port (red); ICMP and other protocols without ports are yellow. Inbound IPv6 ::/0 rules are also reported, as separate findings marked beyond the spec, yellow at most. A rule whose source is a customer-managed prefix list is judged by the list's entries (one that holds 0.0.0.0/0 is judged as that source); AWS-managed lists are never world-open; a list that cannot be read makes its group an error.",
	Triggers:   sgrules.WorldOpenTriggers,
})

// Check is the catalog entry.
var Check = check.New(Meta, sgrules.CollectWorldOpenFor, evaluate)

// redPorts and greenPorts are the specification's lists; every other port is yellow.
var (
	redPorts   = []int32{20, 21, 1433, 1434, 3306, 3389, 4333, 5432, 5500}
	greenPorts = []int32{25, 80, 443, 465}
)

// worldOpen judges every rule open to the whole internet with judge.
var worldOpen = sgrules.WorldOpenCheck{
	Meta:     Meta,
	Judge:    judge,
	NoneOpen: "No inbound IPv4 rule of the security group allows unrestricted access (a /0 source).",
}

// evaluate reports every inbound rule open to the IPv4 (or IPv6) internet,
// and one green finding per group without such an IPv4 rule
// (sgrules.WorldOpenCheck).
func evaluate(target check.Target, groups []sgrules.Group) []check.Finding {
	return worldOpen.Evaluate(target, groups)
}

// judge rates one unrestricted rule by the worst port it opens.
func judge(r types.SecurityGroupRule) (check.Status, string) {
	rule := sgrules.Describe(r)
	if _, _, hasPorts := sgrules.PortRange(r); !hasPorts {
		return check.Yellow, fmt.Sprintf("Unrestricted access: %s. The protocol has no ports, so it is not one of the green ports 25, 80, 443, 465.", rule)
	}
	if red := sgrules.CoveredPorts(r, redPorts); len(red) > 0 {
		return check.Red, fmt.Sprintf("Unrestricted access to high-risk port %s: %s.", sgrules.JoinPorts(red), rule)
	}
	if sgrules.OnlyPorts(r, greenPorts) {
		return check.Green, fmt.Sprintf("Unrestricted access only to ports usually public (25, 80, 443, 465): %s.", rule)
	}
	return check.Yellow, fmt.Sprintf("Unrestricted access to port %s: %s.", strings.Join(sgrules.PortsOutside(r, greenPorts), ", "), rule)
}
