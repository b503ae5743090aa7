// Package elblistenersecurity finds load balancers whose listeners do not
// encrypt traffic, or encrypt it with outdated policies, ciphers or protocols.
// Weak or missing encryption lets traffic be read or tampered with in transit.
package elblistenersecurity

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "a2sEc6ILx",
	Slug:        "elb-listener-security",
	Name:        "ELB Listener Security",
	Description: "Checks for load balancers with listeners that do not use recommended security configurations for encrypted communication. AWS recommends using a secure protocol (HTTPS or SSL), up-to-date security policies, as well as ciphers and protocols that are secure.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "A load balancer has no listener that uses a secure protocol (HTTPS or SSL)."},
		{Status: check.Yellow, Text: "A load balancer listener uses an outdated predefined SSL security policy."},
		{Status: check.Yellow, Text: "A load balancer listener uses a cipher or protocol that is not recommended."},
		{Status: check.Red, Text: "A load balancer listener uses an insecure cipher or protocol."},
	},
	RecommendedAction: "If the traffic to your load balancer must be secure, use either the HTTPS or the SSL protocol for the front-end connection. Upgrade your load balancer to the latest version of the predefined SSL security policy. Use only the recommended ciphers and protocols. For more information, see Listener Configurations for Elastic Load Balancing.",
	Columns:           []string{"Status", "Region", "Load Balancer Name", "Load Balancer Port", "Reason"},
	IAMActions:        []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerPolicies", "elasticloadbalancing:DescribeListeners"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 3): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
