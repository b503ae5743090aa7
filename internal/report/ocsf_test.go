package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/report/testdata/ocsf/ocsfschema"
)

// ocsfSchemaFile is an extract of the OCSF schema release the output
// follows, written by testdata/ocsf/extract from github.com/ocsf/ocsf-schema
// (its source and commit are recorded in the file).
var ocsfSchemaFile = filepath.Join("testdata", "ocsf", "schema-"+OCSFVersion+".json")

// ocsfSchema is the extract, with the validator.
type ocsfSchema struct {
	ocsfschema.Extract
}

var loadOCSFSchema = sync.OnceValues(func() (*ocsfSchema, error) {
	b, err := os.ReadFile(ocsfSchemaFile)
	if err != nil {
		return nil, err
	}
	var s ocsfSchema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", ocsfSchemaFile, err)
	}
	return &s, nil
})

func ocsfSchemaOf(t *testing.T) *ocsfSchema {
	t.Helper()
	s, err := loadOCSFSchema()
	if err != nil {
		t.Fatalf("load OCSF schema extract: %v", err)
	}
	return s
}

// validate checks one event against the class: every required attribute is
// present, every attribute is one the class or object defines, values have
// their attribute's JSON kind (string, integer, object, array of …), enum
// attributes hold values the schema defines and their sibling captions
// match, objects meet their constraints, and type_uid is class_uid*100 +
// activity_id. It returns one line per problem.
func (s *ocsfSchema) validate(event map[string]any) []string {
	problems := s.validateObject("", event, s.Class.Attributes, nil)
	classUID, ok1 := ocsfInteger(event["class_uid"])
	activityID, ok2 := ocsfInteger(event["activity_id"])
	typeUID, ok3 := ocsfInteger(event["type_uid"])
	if ok1 && ok2 && ok3 && typeUID != classUID*100+activityID {
		problems = append(problems, fmt.Sprintf("type_uid = %d, want class_uid*100+activity_id = %d", typeUID, classUID*100+activityID))
	}
	return problems
}

func (s *ocsfSchema) validateObject(path string, v map[string]any, attrs map[string]ocsfschema.Attribute, constraints map[string][]string) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		if attrs[name].Requirement == "required" && v[name] == nil {
			problems = append(problems, fmt.Sprintf("%s%s: required attribute missing", path, name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		attr, ok := attrs[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s%s: attribute not defined by the schema", path, name))
			continue
		}
		value := v[name]
		if !attr.IsArray {
			problems = append(problems, s.validateValue(path+name, value, attr, v)...)
			continue
		}
		items, ok := value.([]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s%s: %T, want an array of %s", path, name, value, attr.Type))
			continue
		}
		for i, item := range items {
			problems = append(problems, s.validateValue(fmt.Sprintf("%s%s[%d]", path, name, i), item, attr, nil)...)
		}
	}
	if names := constraints["at_least_one"]; len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return v[n] != nil }) {
		problems = append(problems, fmt.Sprintf("%s: none of %v, want at least one", strings.TrimSuffix(path, "."), names))
	}
	return problems
}

// validateValue checks one value of attr; parent holds the attribute's
// sibling, if any.
func (s *ocsfSchema) validateValue(path string, value any, attr ocsfschema.Attribute, parent map[string]any) []string {
	if kind, ok := s.Types[attr.Type]; ok {
		if problem := ocsfCheckKind(value, kind); problem != "" {
			return []string{fmt.Sprintf("%s: %s (type %s)", path, problem, attr.Type)}
		}
		if attr.Enum == nil {
			return nil
		}
		key := fmt.Sprint(value)
		caption, ok := attr.Enum[key]
		if !ok {
			return []string{fmt.Sprintf("%s: %s is not a value the schema defines (%v)", path, key, slices.Sorted(maps.Keys(attr.Enum)))}
		}
		// 99 (Other) leaves the sibling to the source.
		if sibling, ok := parent[attr.Sibling]; ok && attr.Sibling != "" && key != "99" && sibling != caption {
			return []string{fmt.Sprintf("%s: %s = %v, want %q, the caption of %s", path, attr.Sibling, sibling, caption, key)}
		}
		return nil
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %T, want a %s object", path, value, attr.Type)}
	}
	if attr.Type == "object" {
		return nil // a free-form object (unmapped)
	}
	def, ok := s.Objects[attr.Type]
	if !ok {
		return []string{fmt.Sprintf("%s: object %s is not in the schema extract (add it to testdata/ocsf/extract's -objects)", path, attr.Type)}
	}
	return s.validateObject(path+".", obj, def.Attributes, def.Constraints)
}

// ocsfCheckKind says how value is not of the JSON kind, or "" when it is.
// Numbers are json.Number (the events are decoded with UseNumber), so that
// an integer attribute holding 1.5 is caught.
func ocsfCheckKind(value any, kind string) string {
	ok := false
	switch kind {
	case "string":
		_, ok = value.(string)
	case "integer":
		_, ok = ocsfInteger(value)
	case "number":
		_, ok = value.(json.Number)
	case "boolean":
		_, ok = value.(bool)
	case "any":
		ok = true
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("%v (%T), want a JSON %s", value, value, kind)
}

func ocsfInteger(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	return i, err == nil
}

// decodeOCSFEvents decodes a JSON array of events, or one event per line.
func decodeOCSFEvents(t *testing.T, out []byte, lines bool) []map[string]any {
	t.Helper()
	var events []map[string]any
	if !lines {
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&events); err != nil {
			t.Fatalf("decode OCSF array: %v\n%s", err, out)
		}
		return events
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		var e map[string]any
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decode OCSF line %q: %v", sc.Text(), err)
		}
		if dec.More() {
			t.Fatalf("OCSF line %q holds more than one value", sc.Text())
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}

// Check metadata as the catalog has it (copied, so that a change to a
// check's text does not change this package's golden file).
var (
	ocsfSGPorts = check.Meta{
		ID: "HCP4007jGY", Slug: "security-groups-specific-ports-unrestricted", Name: "Security Groups – Specific Ports Unrestricted", Scope: check.Regional,
		Description:       "Checks security groups for rules that allow unrestricted access (0.0.0.0/0) to specific ports.",
		RecommendedAction: "Restrict access to only those IP addresses that require it. To restrict access to a specific IP address, set the suffix to /32 (for example, 192.0.2.10/32).",
		Columns:           []string{"Status", "Region", "Security Group Name", "Security Group ID", "Protocol", "From Port", "To Port"},
	}
	ocsfPasswordPolicy = check.Meta{
		ID: "Yw2K9puPzl", Slug: "iam-password-policy", Name: "IAM Password Policy", Scope: check.Global,
		Description:       "Checks the password policy for your account and warns when a password policy is not enabled, or if password content requirements have not been enabled.",
		RecommendedAction: "If some content requirements are not enabled, consider enabling them. If no password policy is enabled, create and configure one.",
		Columns:           []string{"Password Policy", "Uppercase", "Lowercase", "Number", "Non-alphanumeric"},
	}
	ocsfRootMFA = check.Meta{
		ID: "7DAFEmoDos", Slug: "mfa-on-root-account", Name: "MFA on Root Account", Scope: check.Global,
		Description:       "Checks the root account and warns if multi-factor authentication (MFA) is not enabled.",
		RecommendedAction: "Log in to your root account and activate an MFA device.",
		Columns:           []string{"Account", "Reason"},
	}
	ocsfS3 = check.Meta{
		ID: "Pfx0RwqBli", Slug: "s3-bucket-permissions", Name: "Amazon S3 Bucket Permissions", Scope: check.Global,
		Description:       "Checks buckets in Amazon Simple Storage Service (Amazon S3) that have open access permissions, or that allow access to any authenticated AWS user.",
		RecommendedAction: "If a bucket allows open access, determine if open access is truly needed. If not, update the bucket permissions to restrict access to the owner or specific users.",
		Columns:           []string{"Status", "Region Name", "Region API Parameter", "Bucket Name", "ACL Allows List", "ACL Allows Upload/Delete", "Policy Allows Access"},
	}
)

// ocsfReport is an organization scan of two accounts with a finding of
// every status, a suppressed finding, global findings and an error
// standing for a whole region.
func ocsfReport() (Report, []check.Check) {
	const prod, staging = "111122223333", "444455556666"
	at := func(account, region string) check.Target { return check.Target{Account: account, Region: region} }
	sg := func(status check.Status, region, id, name, port, reason string) check.Finding {
		f := ocsfSGPorts.NewFinding(at(prod, region), id, status, reason, map[string]string{
			"Security Group Name": name, "Security Group ID": id, "Protocol": "tcp", "From Port": port, "To Port": port,
		})
		ocsfSGPorts.Complete(&f)
		return f
	}
	bucket := ocsfS3.NewFinding(at(staging, check.GlobalRegion), "arn:aws:s3:::staging-public-assets", check.Red, "the bucket policy allows s3:GetObject to everyone", map[string]string{
		"Region Name": "EU (Ireland)", "Region API Parameter": "eu-west-1", "Bucket Name": "staging-public-assets",
		"ACL Allows List": "No", "ACL Allows Upload/Delete": "No", "Policy Allows Access": "Yes",
	})
	ocsfS3.Complete(&bucket)
	bucket.Suppressed = true
	bucket.Suppression = &check.Suppression{Rule: "suppressions.yaml:4", Reason: "public website assets, served through CloudFront", Owner: "web-team@example.com", Expires: "2027-03-31"}
	findings := []check.Finding{
		sg(check.Red, "eu-west-1", "sg-0a1b2c3d4e5f60718", "rdp-admin", "3389", "port 3389 (tcp) open to 0.0.0.0/0"),
		sg(check.Yellow, "eu-west-1", "sg-0f9e8d7c6b5a40312", "metrics", "9100", "port 9100 (tcp) open to 0.0.0.0/0"),
		sg(check.Green, "eu-west-1", "sg-0123456789abcdef0", "web", "443", "only ports meant to be public are open to the world"),
		ocsfSGPorts.ErrorFinding(at(prod, "us-east-1"), check.WholeScope, "ec2 DescribeSecurityGroups", fmt.Errorf("AccessDenied: not authorized to perform ec2:DescribeSecurityGroups")),
		ocsfSGPorts.UnavailableFinding(at(prod, "me-central-1"), check.WholeScope, "the region is not enabled for the account"),
		ocsfPasswordPolicy.NewFinding(at(prod, check.GlobalRegion), "password-policy", check.Yellow, "the password policy does not require symbols", map[string]string{
			"Password Policy": "Enabled", "Uppercase": "Enabled", "Lowercase": "Enabled", "Number": "Enabled", "Non-alphanumeric": "Disabled",
		}),
		ocsfRootMFA.NewFinding(at(staging, check.GlobalRegion), "arn:aws:iam::444455556666:root", check.Red, "the root user has no MFA device", map[string]string{
			"Account": staging, "Reason": "the root user has no MFA device",
		}),
		bucket,
	}
	catalog := []check.Check{
		{Meta: ocsfSGPorts, Runner: runnerFunc(nil)},
		{Meta: ocsfPasswordPolicy, Runner: runnerFunc(nil)},
		{Meta: ocsfRootMFA, Runner: runnerFunc(nil)},
		{Meta: ocsfS3, Runner: runnerFunc(nil)},
	}
	info := ScanInfo{
		Accounts:     []string{prod, staging},
		AccountNames: map[string]string{prod: "prod", staging: "staging"},
		Regions:      []string{"eu-west-1", "us-east-1", "me-central-1"},
		StartedAt:    time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
		FinishedAt:   time.Date(2026, 11, 30, 8, 3, 12, 500e6, time.UTC),
	}
	return New(info, catalog, findings), catalog
}

// TestOCSFValid writes the report in both OCSF formats through Write and
// validates every event against the schema extract.
func TestOCSFValid(t *testing.T) {
	t.Parallel()
	r, catalog := ocsfReport()
	s := ocsfSchemaOf(t)
	for _, format := range []string{"ocsf", "ocsf-jsonl"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			out := render(t, format, r, catalog, 0)
			lines := format == "ocsf-jsonl"
			if !lines && !strings.HasPrefix(strings.TrimSpace(out), "[") {
				t.Errorf("Write(%s) = %.40q…, want a JSON array", format, out)
			}
			events := decodeOCSFEvents(t, []byte(out), lines)
			if len(events) != len(r.Findings) {
				t.Fatalf("Write(%s) wrote %d events, want one per finding: %d", format, len(events), len(r.Findings))
			}
			uids := map[string]bool{}
			for i, e := range events {
				for _, p := range s.validate(e) {
					t.Errorf("%s event %d (finding %+v): %s", format, i, r.Findings[i], p)
				}
				uid := e["finding_info"].(map[string]any)["uid"].(string)
				if uids[uid] {
					t.Errorf("%s event %d: finding_info.uid %q is not unique", format, i, uid)
				}
				uids[uid] = true
				if got := e["metadata"].(map[string]any)["version"]; got != s.OCSFVersion {
					t.Errorf("%s event %d: metadata.version = %v, want the schema's %s", format, i, got, s.OCSFVersion)
				}
			}
		})
	}
}

// TestOCSFEmpty: a scan without findings is an empty array, or no lines.
func TestOCSFEmpty(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{FinishedAt: time.Unix(0, 0)}, catalog(), nil)
	for format, want := range map[string]string{"ocsf": "[]\n", "ocsf-jsonl": ""} {
		out := render(t, format, r, catalog(), 0)
		if out != want {
			t.Errorf("Write(%s) of no findings = %q, want %q", format, out, want)
		}
	}
}

// TestOCSFSchemaExtract guards the extract itself: the version the output
// claims, the class it writes, and the required attributes that make an
// event a Detection Finding in that version (a truncated extract would
// make the validator accept anything).
func TestOCSFSchemaExtract(t *testing.T) {
	t.Parallel()
	s := ocsfSchemaOf(t)
	if s.OCSFVersion != OCSFVersion || s.Class.UID != ocsfClassUID || s.Class.CategoryUID != ocsfCategoryUID || s.Source == "" || len(s.Commit) != 40 {
		t.Errorf("extract = version %s, class %d, category %d, source %q, commit %q; want version %s, class %d, category %d, a source and a commit",
			s.OCSFVersion, s.Class.UID, s.Class.CategoryUID, s.Source, s.Commit, OCSFVersion, ocsfClassUID, ocsfCategoryUID)
	}
	var required []string
	for name, a := range s.Class.Attributes {
		if a.Requirement == "required" {
			required = append(required, name)
		}
	}
	slices.Sort(required)
	want := []string{"activity_id", "category_uid", "class_uid", "cloud", "finding_info", "metadata", "severity_id", "time", "type_uid"}
	if !slices.Equal(required, want) {
		t.Errorf("extract's required class attributes = %v, want %v", required, want)
	}
}

// TestOCSFValidatorRejects proves the validator fails: each case breaks a
// valid event one way and names the problem it must report.
func TestOCSFValidatorRejects(t *testing.T) {
	t.Parallel()
	s := ocsfSchemaOf(t)
	r, catalog := ocsfReport()
	var out bytes.Buffer
	if err := encodeOCSF(&out, ocsfFindings(r, catalog, "dev")[:1], false); err != nil {
		t.Fatal(err)
	}
	if problems := s.validate(decodeOCSFEvents(t, out.Bytes(), false)[0]); len(problems) > 0 {
		t.Fatalf("the unbroken event is invalid: %v", problems)
	}
	obj := func(e map[string]any, name string) map[string]any { return e[name].(map[string]any) }
	tests := []struct {
		name   string
		mutate func(e map[string]any)
		want   string
	}{
		{"required attribute missing", func(e map[string]any) { delete(e, "time") }, "time: required attribute missing"},
		{"required nested attribute missing", func(e map[string]any) { delete(obj(e, "finding_info"), "uid") }, "finding_info.uid: required attribute missing"},
		{"required object attribute missing", func(e map[string]any) { delete(obj(obj(e, "metadata"), "product"), "vendor_name") }, "metadata.product.vendor_name: required attribute missing"},
		{"cloud provider missing", func(e map[string]any) { delete(obj(e, "cloud"), "provider") }, "cloud.provider: required attribute missing"},
		{"integer as string", func(e map[string]any) { e["severity_id"] = "4" }, "severity_id: 4 (string), want a JSON integer"},
		{"integer as float", func(e map[string]any) { e["time"] = json.Number("1.5") }, "time: 1.5 (json.Number), want a JSON integer"},
		{"string as number", func(e map[string]any) { e["message"] = json.Number("7") }, "message: 7 (json.Number), want a JSON string"},
		{"object as string", func(e map[string]any) { e["cloud"] = "AWS" }, "cloud: string, want a cloud object"},
		{"array as object", func(e map[string]any) { e["resources"] = map[string]any{"uid": "x"} }, "resources: map[string]interface {}, want an array of resource_details"},
		{"string array holding a number", func(e map[string]any) { obj(e, "finding_info")["types"] = []any{json.Number("1")} }, "finding_info.types[0]: 1 (json.Number), want a JSON string"},
		{"class_uid not the class", func(e map[string]any) { e["class_uid"] = json.Number("2003") }, "class_uid: 2003 is not a value the schema defines"},
		{"activity_id undefined", func(e map[string]any) { e["activity_id"] = json.Number("7") }, "activity_id: 7 is not a value the schema defines"},
		{"status_id undefined", func(e map[string]any) { e["status_id"] = json.Number("5") }, "status_id: 5 is not a value the schema defines"},
		{"severity_id undefined", func(e map[string]any) { e["severity_id"] = json.Number("7") }, "severity_id: 7 is not a value the schema defines"},
		{"caption not the enum's", func(e map[string]any) { e["status"] = "Open" }, `status_id: status = Open, want "New"`},
		{"type_uid not class*100+activity", func(e map[string]any) { e["type_uid"] = json.Number("200402") }, "type_uid = 200402, want class_uid*100+activity_id = 200401"},
		{"unknown attribute", func(e map[string]any) { e["check_id"] = "x" }, "check_id: attribute not defined by the schema"},
		{"entity with neither name nor uid", func(e map[string]any) {
			p := obj(obj(e, "metadata"), "product")
			delete(p, "name")
			delete(p, "uid")
		}, "metadata.product: none of [name uid], want at least one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := decodeOCSFEvents(t, out.Bytes(), false)[0]
			tt.mutate(e)
			problems := s.validate(e)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, tt.want) }) {
				t.Errorf("validate(event broken by %s) = %q, want a problem starting %q", tt.name, problems, tt.want)
			}
		})
	}
}

// TestOCSFMapping pins how each status maps to the OCSF status and
// severity.
func TestOCSFMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status               check.Status
		suppressed           bool
		statusID, severityID int
		statusName, severity string
		detailed             bool
	}{
		{check.Red, false, 1, 4, "New", "High", false},
		{check.Yellow, false, 1, 3, "New", "Medium", false},
		{check.Error, false, 1, 1, "New", "Informational", true},
		{check.Unavailable, false, 99, 1, "Unavailable", "Informational", true},
		{check.Green, false, 4, 1, "Resolved", "Informational", false},
		{check.Red, true, 3, 4, "Suppressed", "High", true},
		{check.Yellow, true, 3, 3, "Suppressed", "Medium", true},
	}
	for _, tt := range tests {
		f := ocsfSGPorts.NewFinding(check.Target{Account: "111122223333", Region: "eu-west-1"}, "sg-1", tt.status, "why", nil)
		f.Suppressed = tt.suppressed
		r := New(ScanInfo{FinishedAt: time.Unix(1700000000, 0)}, []check.Check{{Meta: ocsfSGPorts, Runner: runnerFunc(nil)}}, []check.Finding{f})
		got := ocsfFindings(r, []check.Check{{Meta: ocsfSGPorts}}, "dev")[0]
		if got.StatusID != tt.statusID || got.Status != tt.statusName || got.SeverityID != tt.severityID || got.Severity != tt.severity || (got.StatusDetail != "") != tt.detailed {
			t.Errorf("status %s suppressed %v: status_id %d %q, severity_id %d %q, status_detail %q; want %d %q, %d %q, status_detail set %v",
				tt.status, tt.suppressed, got.StatusID, got.Status, got.SeverityID, got.Severity, got.StatusDetail,
				tt.statusID, tt.statusName, tt.severityID, tt.severity, tt.detailed)
		}
		if got.Time != 1700000000000 || got.StatusCode != string(tt.status) || got.Message != "why" {
			t.Errorf("status %s: time %d, status_code %q, message %q; want 1700000000000, %q, %q", tt.status, got.Time, got.StatusCode, got.Message, tt.status, "why")
		}
	}
}

// TestOCSFPartition: a resource's partition is its region's; a global
// finding takes the scan's.
func TestOCSFPartition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scanRegions   []string
		findingRegion string
		want          string
	}{
		{[]string{"eu-west-1"}, "eu-west-1", "aws"},
		{[]string{"cn-north-1"}, "cn-north-1", "aws-cn"},
		{[]string{"us-gov-west-1"}, "us-gov-west-1", "aws-us-gov"},
		{[]string{"cn-north-1"}, check.GlobalRegion, "aws-cn"},
		{nil, check.GlobalRegion, "aws"},
	}
	for _, tt := range tests {
		f := ocsfSGPorts.NewFinding(check.Target{Account: "111122223333", Region: tt.findingRegion}, "sg-1", check.Red, "why", nil)
		r := New(ScanInfo{Regions: tt.scanRegions}, nil, []check.Finding{f})
		if got := ocsfFindings(r, nil, "dev")[0].Resources[0].CloudPartition; got != tt.want {
			t.Errorf("scan of %v, finding in %s: cloud_partition = %q, want %q", tt.scanRegions, tt.findingRegion, got, tt.want)
		}
	}
}

// TestOCSFUIDStable: the uid names the check, account, region and resource,
// and nothing that changes between scans (status, reason, time), so that a
// consumer updates a finding in place.
func TestOCSFUIDStable(t *testing.T) {
	t.Parallel()
	target := check.Target{Account: "111122223333", Region: "eu-west-1"}
	base := ocsfSGPorts.NewFinding(target, "sg-1", check.Red, "port 22 open", nil)
	uid := func(f check.Finding, finished time.Time) string {
		r := New(ScanInfo{FinishedAt: finished}, nil, []check.Finding{f})
		return ocsfFindings(r, nil, "dev")[0].FindingInfo.UID
	}
	first := uid(base, time.Unix(1, 0))
	if want := "secadvisor:HCP4007jGY:111122223333:eu-west-1:sg-1"; first != want {
		t.Errorf("uid = %q, want %q", first, want)
	}
	later := base
	later.Status, later.Reason = check.Green, "closed"
	if got := uid(later, time.Unix(2, 0)); got != first {
		t.Errorf("uid of the same resource in a later scan = %q, want %q", got, first)
	}
	for _, change := range []func(*check.Finding){
		func(f *check.Finding) { f.CheckID = "Yw2K9puPzl" },
		func(f *check.Finding) { f.Account = "444455556666" },
		func(f *check.Finding) { f.Region = "us-east-1" },
		func(f *check.Finding) { f.ResourceID = "sg-2" },
	} {
		other := base
		change(&other)
		if got := uid(other, time.Unix(1, 0)); got == first {
			t.Errorf("finding %+v has the uid of %+v: %q", other, base, got)
		}
	}
}

// TestOCSFGolden compares the array form with testdata/ocsf/golden.json,
// and the lines form with the array, event by event.
func TestOCSFGolden(t *testing.T) {
	t.Parallel()
	r, catalog := ocsfReport()
	var array, lines bytes.Buffer
	events := ocsfFindings(r, catalog, "dev")
	if err := encodeOCSF(&array, events, false); err != nil {
		t.Fatal(err)
	}
	if err := encodeOCSF(&lines, events, true); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "ocsf", "golden.json"), array.Bytes())
	if a, l := decodeOCSFEvents(t, array.Bytes(), false), decodeOCSFEvents(t, lines.Bytes(), true); !reflect.DeepEqual(a, l) {
		t.Errorf("ocsf-jsonl events differ from the ocsf array:\njsonl %v\narray %v", l, a)
	}
}

// TestOCSFDemoReport: every finding of the demo scan (the report ASFF's
// golden test reads too) becomes one OCSF event that the schema validates,
// with a unique uid, and the events equal the golden file.
func TestOCSFDemoReport(t *testing.T) {
	t.Parallel()
	r := demoReport(t)
	out := render(t, "ocsf-jsonl", r, catalogChecks(), 0)
	s := ocsfSchemaOf(t)
	events := decodeOCSFEvents(t, []byte(out), true)
	if len(events) != len(r.Findings) || len(events) == 0 {
		t.Fatalf("%d events for %d demo findings, want one each", len(events), len(r.Findings))
	}
	uids := map[string]bool{}
	for i, e := range events {
		for _, p := range s.validate(e) {
			t.Errorf("demo event %d (%s %s): %s", i, r.Findings[i].Slug, r.Findings[i].ResourceID, p)
		}
		uid := e["finding_info"].(map[string]any)["uid"].(string)
		if uids[uid] {
			t.Errorf("demo event %d: uid %q twice", i, uid)
		}
		uids[uid] = true
	}
	checkGolden(t, filepath.Join("testdata", "ocsf", "demo-golden.jsonl"), []byte(out))
}
