package s3bucketpermissions

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/datafile"
)

// conditionKeysJSON lists the condition keys whose fixed values confine an
// Allow to everyone, what a fixed value of each looks like, and the keys
// audited and found not to confine, each with why. Its source and asOf say
// where the list comes from and when it was read: a key AWS adds later is
// not confining until it is added here (the cautious reading).
//
//go:embed conditionkeys.json
var conditionKeysJSON []byte

// valueKind says what a fixed value of a confining key must look like.
type valueKind string

const (
	// kindID: an identifier (account, organization, VPC, endpoint, key).
	kindID valueKind = "id"
	// kindCIDR: an IP address or CIDR no broader than S3 accepts.
	kindCIDR valueKind = "cidr"
	// kindARN: an ARN with a literal 12-digit account.
	kindARN valueKind = "arn"
	// kindOrgPath: an AWS Organizations path under a literal organization.
	kindOrgPath valueKind = "orgPath"
	// kindUserID: a principal's unique ID.
	kindUserID valueKind = "userId"
)

// conditionKeysFile is conditionkeys.json as written.
type conditionKeysFile struct {
	datafile.Header
	Confining []struct {
		Key    string    `json:"key"`
		Values valueKind `json:"values"`
		Why    string    `json:"why"`
	} `json:"confining"`
	NotConfining []struct {
		Key string `json:"key"`
		Why string `json:"why"`
	} `json:"notConfining"`
}

// conditionKeyTable is the parsed key list.
type conditionKeyTable struct {
	source string
	asOf   time.Time
	// confining maps a lower-case key to the kind of its fixed values.
	confining map[string]valueKind
	// notConfining are the audited keys that confine nothing (lower case).
	notConfining []string
}

// conditionKeys is the shipped key list. A file that does not parse is a
// build defect (TestConditionKeysData catches it); at run time it makes every
// policy "could not be evaluated" rather than a crash or a guess.
var conditionKeys, conditionKeysErr = parseConditionKeys(conditionKeysJSON)

// parseConditionKeys reads and validates the key list: every key once (keys
// are case-insensitive), a known value kind, never in both lists.
func parseConditionKeys(raw []byte) (conditionKeyTable, error) {
	var file conditionKeysFile
	asOf, err := datafile.Read("condition-key data", raw, &file)
	if err != nil {
		return conditionKeyTable{}, err
	}
	if len(file.Confining) == 0 {
		return conditionKeyTable{}, errors.New("condition-key data: confining keys are required")
	}
	table := conditionKeyTable{source: file.Source, asOf: asOf, confining: map[string]valueKind{}}
	seen := map[string]bool{}
	// audited returns a listed key in lower case once it has what every
	// entry of either list needs: a name, a why, and no other entry.
	audited := func(list, name, why string) (string, error) {
		key := strings.ToLower(name)
		switch {
		case key == "" || why == "":
			return "", fmt.Errorf("condition-key data: %s key %q needs a name and a why", list, name)
		case seen[key]:
			return "", fmt.Errorf("condition-key data: key %s listed twice", name)
		}
		seen[key] = true
		return key, nil
	}
	for _, k := range file.Confining {
		key, err := audited("confining", k.Key, k.Why)
		if err != nil {
			return conditionKeyTable{}, err
		}
		switch k.Values {
		case kindID, kindCIDR, kindARN, kindOrgPath, kindUserID:
		default:
			return conditionKeyTable{}, fmt.Errorf("condition-key data: key %s has unknown values kind %q", k.Key, k.Values)
		}
		table.confining[key] = k.Values
	}
	for _, k := range file.NotConfining {
		key, err := audited("non-confining", k.Key, k.Why)
		if err != nil {
			return conditionKeyTable{}, err
		}
		table.notConfining = append(table.notConfining, key)
	}
	return table, nil
}

var (
	// accountID is a literal AWS account ID.
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
	// orgPathRoot is the organization ID an AWS Organizations path starts
	// with (o-, then 10 to 32 lower-case letters or digits, then "/").
	orgPathRoot = regexp.MustCompile(`^o-[a-z0-9]{10,32}/`)
	// roleSessionUserID is the one wildcard S3 accepts as fixed for
	// aws:userid: every session of one role ("AROAEXAMPLEID:*").
	roleSessionUserID = regexp.MustCompile(`^AROA[A-Z0-9]+:\*$`)
)

// Base condition operators (lower case, without ForAnyValue:/ForAllValues:
// and IfExists) that only match the listed values, and their negations, by
// the operator family a key's values need.
var (
	matchingOperators = map[string]bool{
		"stringequals": true, "stringequalsignorecase": true, "stringlike": true,
		"arnequals": true, "arnlike": true, "ipaddress": true,
	}
	negatedOperators = map[string]bool{
		"stringnotequals": true, "stringnotequalsignorecase": true, "stringnotlike": true,
		"arnnotequals": true, "arnnotlike": true, "notipaddress": true,
	}
	ipOperators  = map[string]bool{"ipaddress": true, "notipaddress": true}
	arnOperators = map[string]bool{"arnequals": true, "arnlike": true, "arnnotequals": true, "arnnotlike": true}
)

// fixedValues reports whether c names a confining key, with an operator of
// the key's family, and only fixed values of the key's kind. The operator's
// direction (matching or negated) and set qualifiers are the caller's
// business.
func fixedValues(c condition) bool {
	kind, ok := conditionKeys.confining[c.key]
	if !ok || len(c.values) == 0 {
		return false
	}
	switch {
	case kind == kindCIDR:
		if !ipOperators[c.base] {
			return false
		}
	case ipOperators[c.base]:
		return false
	case arnOperators[c.base] && kind != kindARN:
		return false
	}
	for _, v := range c.values {
		if !fixedValue(kind, v) {
			return false
		}
	}
	return true
}

// fixedValue reports whether v is a fixed value of the given kind. No value
// may hold a policy variable ("${...}"): it takes the caller's own values.
func fixedValue(kind valueKind, v string) bool {
	if v == "" || strings.Contains(v, "${") {
		return false
	}
	switch kind {
	case kindCIDR:
		return narrowCIDR(v)
	case kindARN:
		return accountBoundARN(v)
	case kindOrgPath:
		root := orgPathRoot.FindString(v)
		return root != "" && !strings.ContainsAny(root, "*?")
	case kindUserID:
		// Anonymous callers carry no aws:userid, but policies written for
		// them use "anonymous" as its stand-in: it names nobody in
		// particular.
		if strings.EqualFold(v, "anonymous") {
			return false
		}
		return !strings.ContainsAny(v, "*?") || roleSessionUserID.MatchString(v)
	default:
		return !strings.ContainsAny(v, "*?")
	}
}

// accountBoundARN reports whether v is an ARN whose partition, service,
// region and account are literal and whose account is a 12-digit ID.
// Wildcards are allowed in the resource part only: they still name
// resources of that one account (S3 accepts this for s3:DataAccessPointArn),
// and neither ArnLike (which matches each part separately) nor StringLike
// (whose literal prefix then runs through the account) can reach another.
func accountBoundARN(v string) bool {
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return false
	}
	for _, p := range parts[:5] {
		if strings.ContainsAny(p, "*?") {
			return false
		}
	}
	return accountID.MatchString(parts[4]) && parts[5] != ""
}

// narrowCIDR reports whether v is an IP address, or a CIDR no broader than
// S3 accepts as non-public: /8 for IPv4, /32 for IPv6 ("The meaning of
// public": broader ranges are evaluated as public). An IPv6 prefix that
// reaches into the IPv4-mapped range is judged as the IPv4 range it covers.
func narrowCIDR(v string) bool {
	if _, err := netip.ParseAddr(v); err == nil {
		return true
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return false
	}
	switch {
	case p.Addr().Is4():
		return p.Bits() >= 8
	case p.Overlaps(ipv4Mapped):
		return p.Bits()-96 >= 8
	default:
		return p.Bits() >= 32
	}
}

// ipv4Mapped is the IPv6 range that carries IPv4 addresses (RFC 4291).
var ipv4Mapped = netip.MustParsePrefix("::ffff:0:0/96")

// dataset describes the embedded data file for `secadvisor checks` and `version`.
func dataset() check.Dataset {
	return datafile.Dataset("S3 policy condition keys that confine a principal", conditionKeys.source, conditionKeys.asOf, conditionKeysErr)
}
