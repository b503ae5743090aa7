package elblistenersecurity

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/datafile"
)

// policiesJSON is the predefined security policies of Elastic Load Balancing
// as data: for Classic Load Balancers each documented policy's protocols and
// ciphers, for Application and Network Load Balancers each policy's minimum
// protocol version, whether it is outdated and any insecure cipher it
// enables. The file names its sources and the day they were read (asOf), and
// says in its notes how each policy was decided. AWS adds policies: a name
// not in the file is reported as an error until the file is updated.
//
//go:embed policies.json
var policiesJSON []byte

// policiesFile is policies.json as written.
type policiesFile struct {
	AsOf    string   `json:"asOf"`
	Notes   []string `json:"notes"`
	Classic struct {
		Sources     []string `json:"sources"`
		Recommended string   `json:"recommended"`
		// Default is the policy AWS associates with an HTTPS/SSL listener
		// created without one. AWS lists it on the listener like any other
		// policy, so the check needs no default of its own: the field
		// documents AWS's behaviour.
		Default      string             `json:"default"`
		Policies     []predefinedPolicy `json:"policies"`
		Undocumented []string           `json:"undocumented"`
	} `json:"classic"`
	V2 struct {
		Sources     []string   `json:"sources"`
		Recommended []string   `json:"recommended"`
		Policies    []v2Policy `json:"policies"`
	} `json:"v2"`
}

// predefinedPolicy is the configuration of one predefined Classic policy:
// its protocol and cipher attribute names.
type predefinedPolicy struct {
	Name      string   `json:"name"`
	Protocols []string `json:"protocols"`
	Ciphers   []string `json:"ciphers"`
}

// v2Policy is one ELBv2 predefined policy.
type v2Policy struct {
	Name string `json:"name"`
	// MinProtocol is the oldest protocol version the policy accepts, as
	// DescribeSSLPolicies names it (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3).
	MinProtocol string `json:"minProtocol"`
	// Outdated is set for the policies of the generation AWS replaced that
	// still accept TLS 1.0 or 1.1 (see the notes in policies.json).
	Outdated bool `json:"outdated"`
	// InsecureCiphers are ciphers the policy enables that offer no real
	// protection (3DES).
	InsecureCiphers []string `json:"insecureCiphers"`
	// Source overrides the group's sources for this one policy.
	Source string `json:"source"`
}

// policyTable is the parsed policy data.
type policyTable struct {
	// asOf is the day the data was read: a policy AWS added later is missing.
	asOf time.Time
	// Classic Load Balancers.
	currentClassic string
	classic        map[string]predefinedPolicy
	undocumented   map[string]bool
	// recommendedCiphers are the ciphers of the current Classic policy.
	recommendedCiphers map[string]bool
	// Application and Network Load Balancers.
	recommendedV2 []string
	v2            map[string]v2Policy
}

// policyList is the shipped table. A file that does not parse is a build
// defect (TestPolicyData catches it); at run time it makes every job an
// error instead of a crash.
var policyList, policyListErr = parsePolicies(policiesJSON)

// v2Protocols are the ELBv2 protocol versions, oldest first.
var v2Protocols = []string{tls10, tls11, tls12, tls13}

// parsePolicies reads and validates the policy data: a date, sources, unique
// names, known protocol versions, and recommended policies that are listed.
func parsePolicies(data []byte) (policyTable, error) {
	var f policiesFile
	if err := datafile.Decode("policies.json", data, &f); err != nil {
		return policyTable{}, err
	}
	asOf, err := datafile.AsOf("policies.json", f.AsOf)
	if err != nil {
		return policyTable{}, err
	}
	if len(f.Classic.Sources) == 0 || len(f.V2.Sources) == 0 {
		return policyTable{}, errors.New("policies.json: every group names its sources")
	}
	t := policyTable{
		asOf:               asOf,
		currentClassic:     f.Classic.Recommended,
		classic:            map[string]predefinedPolicy{},
		undocumented:       map[string]bool{},
		recommendedCiphers: map[string]bool{},
		recommendedV2:      f.V2.Recommended,
		v2:                 map[string]v2Policy{},
	}
	for _, p := range f.Classic.Policies {
		if _, dup := t.classic[p.Name]; dup || p.Name == "" || len(p.Protocols) == 0 || len(p.Ciphers) == 0 {
			return policyTable{}, fmt.Errorf("policies.json: Classic policy %q is duplicated or incomplete", p.Name)
		}
		t.classic[p.Name] = p
	}
	for _, name := range f.Classic.Undocumented {
		if _, dup := t.classic[name]; dup || t.undocumented[name] {
			return policyTable{}, fmt.Errorf("policies.json: Classic policy %q is listed twice", name)
		}
		t.undocumented[name] = true
	}
	current, ok := t.classic[t.currentClassic]
	if !ok {
		return policyTable{}, fmt.Errorf("policies.json: recommended Classic policy %q is not listed", t.currentClassic)
	}
	for _, c := range current.Ciphers {
		t.recommendedCiphers[c] = true
	}
	for _, p := range f.V2.Policies {
		if _, dup := t.v2[p.Name]; dup || p.Name == "" || !slices.Contains(v2Protocols, p.MinProtocol) {
			return policyTable{}, fmt.Errorf("policies.json: ELBv2 policy %q is duplicated or has no known minProtocol", p.Name)
		}
		t.v2[p.Name] = p
	}
	for _, name := range t.recommendedV2 {
		if p, ok := t.v2[name]; !ok || p.Outdated {
			return policyTable{}, fmt.Errorf("policies.json: recommended ELBv2 policy %q is not listed as current", name)
		}
	}
	if len(t.recommendedV2) == 0 {
		return policyTable{}, errors.New("policies.json: no recommended ELBv2 policy")
	}
	return t, nil
}

// isPredefinedClassic reports whether name is a predefined Classic policy,
// documented or not.
func (t policyTable) isPredefinedClassic(name string) bool {
	_, ok := t.classic[name]
	return ok || t.undocumented[name]
}

// protocols returns the protocol versions p accepts, newest first.
func (p v2Policy) protocols() []string {
	i := slices.Index(v2Protocols, p.MinProtocol)
	out := slices.Clone(v2Protocols[i:])
	slices.Reverse(out)
	return out
}

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

// TLS protocol names as ELBv2 DescribeSSLPolicies gives them.
const (
	tls10 = "TLSv1"
	tls11 = "TLSv1.1"
	tls12 = "TLSv1.2"
	tls13 = "TLSv1.3"
)

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

// policyDataset describes policies.json for `secadvisor checks` and `version`.
func policyDataset() check.Dataset {
	return check.Dataset{
		Name:   "ELB predefined security policies",
		Source: "internal/checks/elblistenersecurity/policies.json (AWS Elastic Load Balancing security-policy documentation, s2n-tls)",
		AsOf:   policyList.asOf.Format(time.DateOnly),
	}
}
