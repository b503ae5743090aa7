package elblistenersecurity

import (
	"strings"
)

// This file is data: the predefined security policies of Elastic Load
// Balancing and how the check judges protocols and ciphers.
//
// Sources, checked 2026-11-28:
//   - Classic Load Balancers: "Predefined SSL security policies for Classic
//     Load Balancers",
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-policy-table.html
//     (protocols and ciphers of the six policies it lists), and "Update the SSL
//     negotiation configuration of your Classic Load Balancer",
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ssl-config-update.html
//     (the older predefined names DescribeLoadBalancerPolicies still returns,
//     and ELBSecurityPolicy-2016-08 as the default).
//   - Application and Network Load Balancers: "Security policies for your
//     Application Load Balancer",
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
//     and the same page for Network Load Balancers (protocols of each
//     policy; ELBSecurityPolicy-TLS13-1-2-2021-06 recommended). The 3DES
//     cipher of ELBSecurityPolicy-TLS-1-0-2015-04 and -2015-05 is confirmed by
//     aws/s2n-tls's elb_security_policy_2015_04 cipher preferences.
//
// The emulator has none of the Classic policies and expands no
// Reference-Security-Policy (EMULATOR.md), and real AWS expands them into
// the policy's attributes: the tables below stand in only when the
// attributes are absent.

// currentClassicPolicy is the predefined Classic policy AWS recommends
// ("We recommend TLS 1.2, which is used in the
// ELBSecurityPolicy-TLS-1-2-2017-01 predefined security policy"). Every
// other predefined policy is outdated, including the 2016-08 default, which
// still enables TLS 1.0 and 1.1.
const currentClassicPolicy = "ELBSecurityPolicy-TLS-1-2-2017-01"

// defaultClassicPolicy is what ELB applies to an HTTPS/SSL listener created
// without a security policy.
const defaultClassicPolicy = "ELBSecurityPolicy-2016-08"

// Protocol attribute names of an SSLNegotiationPolicyType policy.
const (
	protocolSSLv2  = "Protocol-SSLv2"
	protocolSSLv3  = "Protocol-SSLv3"
	protocolTLSv1  = "Protocol-TLSv1"
	protocolTLSv11 = "Protocol-TLSv1.1"
	protocolTLSv12 = "Protocol-TLSv1.2"
)

// Other attributes of an SSL negotiation policy that are neither a protocol
// nor a cipher.
const (
	referenceAttribute   = "Reference-Security-Policy"
	serverOrderAttribute = "Server-Defined-Cipher-Order"
)

// tls12Ciphers are the ciphers of ELBSecurityPolicy-TLS-1-2-2017-01, the
// recommended set.
var tls12Ciphers = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384",
	"AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256",
}

// sha1CBCCiphers are added to the TLS 1.2 set by every older policy.
var sha1CBCCiphers = []string{
	"ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
	"ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
	"AES128-SHA", "AES256-SHA",
}

func join(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// predefinedPolicy is the configuration of one predefined Classic policy.
type predefinedPolicy struct {
	Protocols []string
	Ciphers   []string
}

// classicPolicies are the predefined Classic policies AWS documents, with
// their protocols and ciphers.
var classicPolicies = map[string]predefinedPolicy{
	"ELBSecurityPolicy-TLS-1-2-2017-01": {Protocols: []string{protocolTLSv12}, Ciphers: tls12Ciphers},
	"ELBSecurityPolicy-TLS-1-1-2017-01": {Protocols: []string{protocolTLSv12, protocolTLSv11}, Ciphers: join(tls12Ciphers, sha1CBCCiphers)},
	"ELBSecurityPolicy-2016-08":         {Protocols: []string{protocolTLSv12, protocolTLSv11, protocolTLSv1}, Ciphers: join(tls12Ciphers, sha1CBCCiphers)},
	"ELBSecurityPolicy-2015-05":         {Protocols: []string{protocolTLSv12, protocolTLSv11, protocolTLSv1}, Ciphers: join(tls12Ciphers, sha1CBCCiphers, []string{"DES-CBC3-SHA"})},
	"ELBSecurityPolicy-2015-03":         {Protocols: []string{protocolTLSv12, protocolTLSv11, protocolTLSv1}, Ciphers: join(tls12Ciphers, sha1CBCCiphers, []string{"DHE-RSA-AES128-SHA", "DHE-DSS-AES128-SHA", "DES-CBC3-SHA"})},
	"ELBSecurityPolicy-2015-02":         {Protocols: []string{protocolTLSv12, protocolTLSv11, protocolTLSv1}, Ciphers: join(tls12Ciphers, sha1CBCCiphers, []string{"DHE-RSA-AES128-SHA", "DHE-DSS-AES128-SHA"})},
}

// legacyClassicPolicies are predefined Classic policies AWS still lists but
// no longer documents. They are outdated; their protocols and ciphers are
// judged from the attributes AWS returns with them.
var legacyClassicPolicies = map[string]bool{
	"ELBSecurityPolicy-2014-10":            true,
	"ELBSecurityPolicy-2014-01":            true,
	"ELBSecurityPolicy-2011-08":            true,
	"ELBSample-ELBDefaultCipherPolicy":     true,
	"ELBSample-OpenSSLDefaultCipherPolicy": true,
}

// isPredefinedClassic reports whether name is a predefined Classic policy.
func isPredefinedClassic(name string) bool {
	_, ok := classicPolicies[name]
	return ok || legacyClassicPolicies[name]
}

// insecureProtocols are broken protocol versions (DROWN, POODLE): red.
var insecureProtocols = map[string]bool{protocolSSLv2: true, protocolSSLv3: true}

// recommendedProtocols: TLS 1.0 and 1.1 are deprecated (RFC 8996) but not
// broken in practice, so enabling them is "not recommended": yellow.
var recommendedProtocols = map[string]bool{protocolTLSv12: true}

// insecureCipher reports whether an OpenSSL cipher name offers no real
// protection: no encryption (NULL), export-grade keys (EXP*), broken or
// small-block ciphers (RC4, DES, 3DES: SWEET32), MD5 MACs, or no
// authentication of the server (anonymous ADH/AECDH). These are red; any
// other cipher outside the recommended set is yellow.
func insecureCipher(name string) bool {
	for _, token := range strings.Split(strings.ToUpper(name), "-") {
		switch {
		case token == "NULL", token == "RC4", token == "DES", token == "3DES", token == "CBC3",
			token == "MD5", token == "ADH", token == "AECDH", token == "ANON",
			strings.HasPrefix(token, "EXP"):
			return true
		}
	}
	return false
}

// recommendedCipher reports whether a cipher is in the recommended set.
func recommendedCipher(name string) bool {
	for _, c := range tls12Ciphers {
		if c == name {
			return true
		}
	}
	return false
}

// ELBv2 (Application and Network Load Balancer) policies.
//
// Rule, decided here because the specification covers Classic Load Balancers
// only: AWS recommends ELBSecurityPolicy-TLS13-1-2-2021-06, "which includes
// TLS 1.3". A policy is outdated when it does not offer TLS 1.3 (every
// policy released before the TLS13 family of 2021-06): yellow. A policy
// offering TLS 1.0 or 1.1 enables a protocol that is not recommended:
// yellow. A policy with the 3DES cipher is insecure: red. A TLS13 policy
// whose minimum version is 1.2 or 1.3 is current: green.

// v2Policy is one ELBv2 predefined policy: its protocol versions and any
// insecure cipher it enables.
type v2Policy struct {
	Protocols []string
	Insecure  []string
}

// TLS protocol names as ELBv2 DescribeSSLPolicies gives them.
const (
	tls10 = "TLSv1"
	tls11 = "TLSv1.1"
	tls12 = "TLSv1.2"
	tls13 = "TLSv1.3"
)

var (
	from13 = []string{tls13}
	from12 = []string{tls13, tls12}
	from11 = []string{tls13, tls12, tls11}
	from10 = []string{tls13, tls12, tls11, tls10}
)

// v2Policies are the ELBv2 predefined policies.
var v2Policies = map[string]v2Policy{
	"ELBSecurityPolicy-TLS13-1-3-2021-06":           {Protocols: from13},
	"ELBSecurityPolicy-TLS13-1-2-2021-06":           {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06":       {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06":      {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06":      {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-1-2021-06":           {Protocols: from11},
	"ELBSecurityPolicy-TLS13-1-0-2021-06":           {Protocols: from10},
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04":      {Protocols: from13},
	"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04":  {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04":      {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04": {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04": {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04": {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04":      {Protocols: from11},
	"ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04":      {Protocols: from10},
	"ELBSecurityPolicy-TLS13-1-3-PQ-2025-09":        {Protocols: from13},
	"ELBSecurityPolicy-TLS13-1-2-PQ-2025-09":        {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09":    {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09":   {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09":   {Protocols: from12},
	"ELBSecurityPolicy-TLS13-1-0-PQ-2025-09":        {Protocols: from10},
	"ELBSecurityPolicy-FS-1-2-Res-2020-10":          {Protocols: []string{tls12}},
	"ELBSecurityPolicy-FS-1-2-Res-2019-08":          {Protocols: []string{tls12}},
	"ELBSecurityPolicy-FS-1-2-2019-08":              {Protocols: []string{tls12}},
	"ELBSecurityPolicy-FS-1-1-2019-08":              {Protocols: []string{tls12, tls11}},
	"ELBSecurityPolicy-FS-2018-06":                  {Protocols: []string{tls12, tls11, tls10}},
	"ELBSecurityPolicy-TLS-1-2-Ext-2018-06":         {Protocols: []string{tls12}},
	"ELBSecurityPolicy-TLS-1-2-2017-01":             {Protocols: []string{tls12}},
	"ELBSecurityPolicy-TLS-1-1-2017-01":             {Protocols: []string{tls12, tls11}},
	"ELBSecurityPolicy-2016-08":                     {Protocols: []string{tls12, tls11, tls10}},
	"ELBSecurityPolicy-TLS-1-0-2015-04":             {Protocols: []string{tls12, tls11, tls10}, Insecure: []string{"DES-CBC3-SHA"}},
	"ELBSecurityPolicy-2015-05":                     {Protocols: []string{tls12, tls11, tls10}, Insecure: []string{"DES-CBC3-SHA"}},
}

// recommendedV2Policy is the policy AWS recommends for HTTPS and TLS listeners.
const recommendedV2Policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// lookupV2Policy returns a policy's protocols. A TLS13 policy released
// after this table (its name reads ELBSecurityPolicy-TLS13-1-<minor>-...)
// is understood from its name, so a new AWS policy is not reported as
// outdated; any other unknown name is not found.
func lookupV2Policy(name string) (v2Policy, bool) {
	if p, ok := v2Policies[name]; ok {
		return p, true
	}
	rest, ok := strings.CutPrefix(name, "ELBSecurityPolicy-TLS13-1-")
	if !ok || rest == "" {
		return v2Policy{}, false
	}
	switch rest[0] {
	case '3':
		return v2Policy{Protocols: from13}, true
	case '2':
		return v2Policy{Protocols: from12}, true
	case '1':
		return v2Policy{Protocols: from11}, true
	case '0':
		return v2Policy{Protocols: from10}, true
	}
	return v2Policy{}, false
}
