package s3bucketpermissions

// The bucket policy evaluator: does the policy document grant anything to
// everyone? It follows S3's own definition of a public policy ("The meaning
// of public", Amazon S3 User Guide, Block Public Access): an Allow statement
// to everyone is public unless a condition limits it to fixed values of keys
// that identify known principals or networks.
//
// Decisions where the documentation leaves room:
//   - Principal "*", {"AWS": "*"}, or any principal list containing "*" (or
//     an AWS principal with a wildcard in it) is everyone. NotPrincipal with
//     Allow is "everyone except", so it is everyone too.
//   - A condition confines an Allow when its key is one of the confining keys
//     of conditionkeys.json (keys AWS sets, whose fixed values name one
//     account, organization, network, VPC, endpoint or unique principal;
//     aws:username is not one: alice exists in every account), its operator
//     is a positive match of the key's family (StringEquals,
//     StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, IpAddress, each
//     also under ForAnyValue:) and every value is fixed for the key: no
//     wildcard (except after a literal account or organization, see
//     fixedValue), no policy variable, no CIDR broader than S3 accepts.
//     An "IfExists" operator does not confine (it also matches requests
//     without the key, e.g. anonymous ones); neither does ForAllValues: (true
//     when the key is absent), Null (any VPC endpoint or organization is not a
//     known one), negated operators (everyone but a few) or Bool/Numeric/Date
//     keys such as aws:SecureTransport (they say how, not who).
//   - A Deny statement neutralizes an open Allow when it applies to everyone
//     (Principal "*", or NotPrincipal: "everyone except" a list of known
//     principals), covers every action and resource of the Allow, and either
//     has no condition or only conditions that deny whoever is not a fixed
//     known principal or network (StringNotEquals aws:SourceVpce, NotIpAddress
//     aws:SourceIp, ...; IfExists is fine here, it denies more). Several Deny
//     statements that only together cover an Allow are not combined: the
//     Allow stays open, the cautious reading.
//   - Anything the grammar does not allow (unknown elements, an Effect other
//     than Allow/Deny, missing Principal, Action or Resource, values of the
//     wrong type) makes the policy "could not be evaluated": the evaluator
//     never guesses that an unfamiliar policy is closed.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// policyVerdict is what the evaluator concludes of one policy document.
type policyVerdict struct {
	// Open describes each Allow statement that grants access to everyone.
	Open []string
	// Notes describe Allow statements to everyone that a Deny confines.
	Notes []string
}

// Public reports whether the policy grants any kind of open access.
func (v policyVerdict) Public() bool { return len(v.Open) > 0 }

// errUnsupported marks a policy the evaluator could not read.
var errUnsupported = errors.New("unsupported policy")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUnsupported, fmt.Sprintf(format, args...))
}

// statement is one parsed policy statement.
type statement struct {
	label       string // Sid, or the statement's position
	allow       bool
	grantee     grantee
	actions     []string
	notAction   bool
	resources   []string
	notResource bool
	conditions  []condition
}

// grantee is whom a statement applies to.
type grantee int

const (
	// granteeKnown: named principals only (or nobody).
	granteeKnown grantee = iota
	// granteeEveryone: Principal "*" or a principal list containing it.
	granteeEveryone
	// granteeAllExcept: NotPrincipal naming known principals: everyone else.
	granteeAllExcept
)

// condition is one (operator, key, values) triple of a Condition block.
type condition struct {
	operator string // as written
	base     string // lower case, without set qualifier and IfExists
	forAll   bool
	forAny   bool
	ifExists bool
	key      string // lower case
	values   []string
}

// evaluatePolicy judges a bucket policy document. An error means the
// document could not be evaluated (malformed JSON or an unsupported shape).
func evaluatePolicy(document string) (policyVerdict, error) {
	if conditionKeysErr != nil {
		return policyVerdict{}, unsupported("%v", conditionKeysErr)
	}
	statements, err := parsePolicy(document)
	if err != nil {
		return policyVerdict{}, err
	}
	var v policyVerdict
	for _, s := range statements {
		if !s.allow || s.grantee == granteeKnown || s.confinedByOwnConditions() {
			continue
		}
		if deny := coveringDeny(s, statements); deny != nil {
			v.Notes = append(v.Notes, fmt.Sprintf("%s allows %s to %s, but Deny %s limits it to known principals or networks",
				s.label, s.describeActions(), s.describeGrantee(), deny.label))
			continue
		}
		v.Open = append(v.Open, fmt.Sprintf("%s allows %s to %s", s.label, s.describeActions(), s.describeGrantee()))
	}
	return v, nil
}

func (s statement) describeGrantee() string {
	if s.grantee == granteeAllExcept {
		return "everyone except its NotPrincipal"
	}
	return `everyone (Principal "*")`
}

func (s statement) describeActions() string {
	const most = 3
	list := s.actions
	extra := ""
	if len(list) > most {
		extra = fmt.Sprintf(" and %d more", len(list)-most)
		list = list[:most]
	}
	joined := strings.Join(list, ", ") + extra
	if s.notAction {
		return "every action except " + joined
	}
	return joined
}

// confinedByOwnConditions reports whether one of the statement's conditions
// (they all must hold) limits it to fixed known principals or networks.
func (s statement) confinedByOwnConditions() bool {
	for _, c := range s.conditions {
		if !c.forAll && !c.ifExists && matchingOperators[c.base] && fixedValues(c) {
			return true
		}
	}
	return false
}

// coveringDeny returns the first Deny statement that takes back from
// everyone but known principals or networks all that allow grants.
func coveringDeny(allow statement, statements []statement) *statement {
	for i := range statements {
		d := &statements[i]
		if d.allow || d.grantee == granteeKnown {
			continue
		}
		if !coversAll(d.actions, d.notAction, allow.actions, allow.notAction, strings.ToLower) ||
			!coversAll(d.resources, d.notResource, allow.resources, allow.notResource, func(s string) string { return s }) {
			continue
		}
		confines := true
		for _, c := range d.conditions {
			// The Deny applies only when all its conditions hold; what it
			// leaves allowed is confined only if each one, negated, confines.
			if c.forAll || c.forAny || !negatedOperators[c.base] || !fixedValues(c) {
				confines = false
				break
			}
		}
		if confines {
			return d
		}
	}
	return nil
}

// coversAll reports whether the deny patterns match everything the allow
// patterns can match. A NotAction/NotResource on the Deny side is never
// taken as covering; on the Allow side only a deny pattern of "*" covers it.
func coversAll(deny []string, denyNot bool, allow []string, allowNot bool, fold func(string) string) bool {
	if denyNot {
		return false
	}
	if allowNot {
		for _, d := range deny {
			if d == "*" {
				return true
			}
		}
		return false
	}
	for _, a := range allow {
		covered := false
		for _, d := range deny {
			if patternCovers(fold(d), fold(a)) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// patternCovers reports whether every string matched by pattern a is matched
// by pattern d ('*' any run, '?' any one character). For a literal a this is
// glob matching; for a wildcard a it holds when d is a prefix followed by a
// single trailing '*' and a starts with that prefix (sound, not complete).
func patternCovers(d, a string) bool {
	if !strings.ContainsAny(a, "*?") {
		return globMatch(d, a)
	}
	prefix, ok := strings.CutSuffix(d, "*")
	if !ok || strings.ContainsAny(prefix, "*?") {
		return false
	}
	literal := a[:strings.IndexAny(a, "*?")]
	return strings.HasPrefix(literal, prefix)
}

// globMatch matches s against pattern with IAM's '*' and '?' wildcards,
// iteratively (no backtracking blow-up on hostile patterns).
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// parsePolicy reads a policy document into statements, accepting every form
// the policy grammar allows: Statement as one object or an array, and string
// or array values for Principal, Action, Resource and condition values.
func parsePolicy(document string) ([]statement, error) {
	top, err := objectFields([]byte(document))
	if err != nil {
		return nil, unsupported("the document is not a JSON object: %v", err)
	}
	for k := range top {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, unsupported("unknown top-level element %q", k)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, unsupported("no Statement")
	}
	var list []json.RawMessage
	if isArray(raw) {
		if err := strictUnmarshal(raw, &list); err != nil {
			return nil, unsupported("Statement: %v", err)
		}
	} else {
		list = []json.RawMessage{raw}
	}
	if len(list) == 0 {
		return nil, unsupported("no statements")
	}
	out := make([]statement, 0, len(list))
	for i, r := range list {
		s, err := parseStatement(r, i)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage, index int) (statement, error) {
	s := statement{label: fmt.Sprintf("statement %d", index+1)}
	fields, err := objectFields(raw)
	if err != nil {
		return s, unsupported("%s: %v", s.label, err)
	}
	if sid, ok := fields["Sid"]; ok {
		var name string
		if err := strictUnmarshal(sid, &name); err != nil {
			return s, unsupported("%s: Sid is not a string", s.label)
		}
		if name != "" {
			s.label = "statement " + strconv.Quote(name)
		}
	}
	for k := range fields {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return s, unsupported("%s: unknown element %q", s.label, k)
		}
	}

	var effect string
	if err := strictUnmarshal(fields["Effect"], &effect); err != nil {
		return s, unsupported("%s: Effect is missing or not a string", s.label)
	}
	switch effect {
	case "Allow":
		s.allow = true
	case "Deny":
	default:
		return s, unsupported("%s: Effect %q is neither Allow nor Deny", s.label, effect)
	}

	principal, notPrincipal, err := either(fields, "Principal", "NotPrincipal", s.label)
	if err != nil {
		return s, err
	}
	everyone, err := parsePrincipal(principal)
	if err != nil {
		return s, unsupported("%s: %v", s.label, err)
	}
	switch {
	case notPrincipal && !everyone:
		s.grantee = granteeAllExcept
	case !notPrincipal && everyone:
		s.grantee = granteeEveryone
	default:
		// Named principals, or NotPrincipal "*" (everyone excepted: nobody).
		s.grantee = granteeKnown
	}

	if s.actions, s.notAction, err = eitherList(fields, "Action", "NotAction", s.label); err != nil {
		return s, err
	}
	if s.resources, s.notResource, err = eitherList(fields, "Resource", "NotResource", s.label); err != nil {
		return s, err
	}

	if raw, ok := fields["Condition"]; ok {
		if s.conditions, err = parseConditions(raw); err != nil {
			return s, unsupported("%s: Condition: %v", s.label, err)
		}
	}
	return s, nil
}

// eitherList is either for an element holding a string or a list of them
// (Action/NotAction, Resource/NotResource): its values, and whether they
// came from notName.
func eitherList(fields map[string]json.RawMessage, name, notName, label string) ([]string, bool, error) {
	raw, not, err := either(fields, name, notName, label)
	if err != nil {
		return nil, false, err
	}
	values, err := stringOrList(raw)
	if err != nil {
		return nil, false, unsupported("%s: %s: %v", label, strings.ToLower(name), err)
	}
	return values, not, nil
}

// either returns the one of the two mutually exclusive elements that is
// present, and whether it is the negated one.
func either(fields map[string]json.RawMessage, name, notName, label string) (json.RawMessage, bool, error) {
	v, has := fields[name]
	nv, hasNot := fields[notName]
	switch {
	case has && hasNot:
		return nil, false, unsupported("%s has both %s and %s", label, name, notName)
	case has:
		return v, false, nil
	case hasNot:
		return nv, true, nil
	}
	return nil, false, unsupported("%s has neither %s nor %s", label, name, notName)
}

// parsePrincipal reads a Principal or NotPrincipal value and reports whether
// it includes everyone: "*" as a string, or "*" among the values of any
// principal type, or an AWS principal with a wildcard in it (S3 does not
// accept partial wildcards; if one appears, it is read as everyone rather
// than as nobody).
func parsePrincipal(raw json.RawMessage) (bool, error) {
	if !isObject(raw) {
		var s string
		if err := strictUnmarshal(raw, &s); err != nil {
			return false, errors.New(`principal is neither "*" nor an object`)
		}
		if s != "*" {
			return false, fmt.Errorf("principal %q: a string principal must be \"*\"", s)
		}
		return true, nil
	}
	byType, err := objectFields(raw)
	if err != nil {
		return false, fmt.Errorf("principal: %v", err)
	}
	if len(byType) == 0 {
		return false, errors.New("principal is an empty object")
	}
	everyone := false
	for kind, v := range byType {
		values, err := stringOrList(v)
		if err != nil {
			return false, fmt.Errorf("principal %s: %v", kind, err)
		}
		for _, value := range values {
			if value == "*" || (kind == "AWS" && strings.Contains(value, "*")) {
				everyone = true
			}
		}
	}
	return everyone, nil
}

// parseConditions reads {"Operator": {"key": value-or-values, ...}, ...}.
func parseConditions(raw json.RawMessage) ([]condition, error) {
	byOperator, err := objectFields(raw)
	if err != nil {
		return nil, err
	}
	var out []condition
	for op, block := range byOperator {
		byKey, err := objectFields(block)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		base := strings.ToLower(op)
		forAny, forAll := false, false
		if rest, ok := strings.CutPrefix(base, "foranyvalue:"); ok {
			base, forAny = rest, true
		} else if rest, ok := strings.CutPrefix(base, "forallvalues:"); ok {
			base, forAll = rest, true
		}
		base, ifExists := strings.CutSuffix(base, "ifexists")
		for key, v := range byKey {
			values, err := conditionValues(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", op, key, err)
			}
			out = append(out, condition{operator: op, base: base, forAll: forAll, forAny: forAny, ifExists: ifExists,
				key: strings.ToLower(key), values: values})
		}
	}
	return out, nil
}

// conditionValues reads a condition value: a string, number or boolean, or
// an array of them (numbers and booleans keep their JSON text).
func conditionValues(raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if isArray(raw) {
		if err := strictUnmarshal(raw, &items); err != nil {
			return nil, err
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		item = bytes.TrimSpace(item)
		var s string
		switch {
		case len(item) > 0 && item[0] == '"':
			if err := strictUnmarshal(item, &s); err != nil {
				return nil, err
			}
		case bytes.Equal(item, []byte("true")), bytes.Equal(item, []byte("false")):
			s = string(item)
		default:
			var n json.Number
			if err := strictUnmarshal(item, &n); err != nil {
				return nil, errors.New("value is not a string, number or boolean")
			}
			s = n.String()
		}
		out = append(out, s)
	}
	return out, nil
}

// stringOrList reads a non-empty string or a non-empty array of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	if isArray(raw) {
		var list []string
		if err := strictUnmarshal(raw, &list); err != nil {
			return nil, errors.New("not an array of strings")
		}
		if len(list) == 0 {
			return nil, errors.New("empty array")
		}
		return list, nil
	}
	var s string
	if err := strictUnmarshal(raw, &s); err != nil {
		return nil, errors.New("neither a string nor an array of strings")
	}
	return []string{s}, nil
}

// strictUnmarshal decodes exactly one JSON value into v (json.Unmarshal
// refuses trailing data); "null" is refused rather than silently read as an
// empty value.
func strictUnmarshal(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return errors.New("missing or null value")
	}
	return json.Unmarshal(data, v)
}

// objectFields reads a JSON object into its members. A member named twice is
// refused: which one a reader keeps is not defined, and guessing could hide
// an Allow.
func objectFields(data []byte) (map[string]json.RawMessage, error) {
	if !isObject(data) {
		return nil, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(data)))
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("element %q appears twice", key)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		fields[key] = value
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return fields, nil
}

func isArray(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '['
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}
