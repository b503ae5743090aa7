package asff

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

var (
	firstSeen = time.Date(2026, 11, 30, 8, 0, 0, 123456789, time.UTC)
	now       = time.Date(2026, 12, 1, 7, 5, 12, 510851503, time.UTC)
)

// demoFindings are the findings of a `secadvisor demo` scan (trimmed to one
// green per check and account), as the JSON report wrote them.
func demoFindings(t *testing.T) []check.Finding {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "demo-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Findings []check.Finding `json:"findings"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("demo-report.json: %v", err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("demo-report.json holds no findings")
	}
	return r.Findings
}

func entryOf(t *testing.T, f check.Finding) catalog.Entry {
	t.Helper()
	e, ok := catalog.Lookup(f.CheckID)
	if !ok {
		t.Fatalf("check %s of %+v is not in the catalog", f.CheckID, f)
	}
	return e
}

func convert(t *testing.T, f check.Finding) types.AwsSecurityFinding {
	t.Helper()
	region := f.Region
	if region == check.GlobalRegion || region == check.AllRegions {
		region = "us-east-1"
	}
	return Finding(f, entryOf(t, f), "aws", region, f.Account, firstSeen, now)
}

// TestDemoFindingsAreValidImports: every demo finding converts into what
// BatchImportFindings accepts, by the service model, sent in batches of 100.
func TestDemoFindingsAreValidImports(t *testing.T) {
	t.Parallel()
	m := loadModel(t)
	var all []types.AwsSecurityFinding
	for _, f := range demoFindings(t) {
		all = append(all, convert(t, f))
	}
	for start := 0; start < len(all); start += 100 {
		batch := all[start:min(start+100, len(all))]
		raw, err := Marshal(batch)
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"Findings": decode(t, raw)}
		if problems := m.validateRequest(body); len(problems) > 0 {
			t.Errorf("batch from %d does not validate against %s:\n%s", start, m.Source, strings.Join(problems, "\n"))
		}
	}
}

// TestDemoResourcesAreTyped: every demo resource gets an ASFF type of its
// own, except where ASFF has none (EBS snapshots, Well-Architected
// workloads); and every Id is unique.
func TestDemoResourcesAreTyped(t *testing.T) {
	t.Parallel()
	untyped := map[string]bool{"ebs-public-snapshots": true, "well-architected-security-hri": true}
	ids := map[string]check.Finding{}
	for _, f := range demoFindings(t) {
		af := convert(t, f)
		r := af.Resources[0]
		if aws.ToString(r.Type) == TypeOther && !untyped[f.Slug] {
			t.Errorf("%s %q: got resource type Other (Id %s), want an ASFF type", f.Slug, f.ResourceID, aws.ToString(r.Id))
		}
		if prev, dup := ids[aws.ToString(af.Id)]; dup {
			t.Errorf("Id %s of %+v is also the Id of %+v", aws.ToString(af.Id), f, prev)
		}
		ids[aws.ToString(af.Id)] = f
	}
}

// TestValidatorRejects: the validator finds what the service would refuse,
// so that its silence on the output means something.
func TestValidatorRejects(t *testing.T) {
	t.Parallel()
	m := loadModel(t)
	f := check.Finding{CheckID: "HCP4007jGY", Slug: "security-groups-specific-ports-unrestricted", CheckName: "Security Groups – Specific Ports Unrestricted",
		Account: "123456789012", Region: "eu-west-1", ResourceID: "sg-0123456789abcdef0/sgr-0123456789abcdef0", Status: check.Red, Reason: "Port 22 is open to 0.0.0.0/0.",
		Columns: map[string]string{"Status": "Red", "Region": "eu-west-1"}}
	valid := func(t *testing.T) map[string]any {
		raw, err := Marshal([]types.AwsSecurityFinding{convert(t, f)})
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, raw).([]any)[0].(map[string]any)
	}
	if problems := m.validateRequest(map[string]any{"Findings": []any{valid(t)}}); len(problems) > 0 {
		t.Fatalf("the base finding does not validate: %v", problems)
	}
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
		want   string
	}{
		{"required member missing", func(d map[string]any) { delete(d, "Title") }, "required member Title"},
		{"unknown member", func(d map[string]any) { d["Titel"] = "x" }, `no member "Titel"`},
		{"member name with the wrong case", func(d map[string]any) { d["awsAccountId"] = d["AwsAccountId"] }, `no member "awsAccountId"`},
		{"description too long", func(d map[string]any) { d["Description"] = strings.Repeat("x", 1025) }, "more than 1024"},
		{"account ID too short", func(d map[string]any) { d["AwsAccountId"] = "12345" }, "fewer than 12"},
		{"blank string", func(d map[string]any) { d["GeneratorId"] = "  " }, "pattern"},
		{"severity not in the enum", func(d map[string]any) { d["Severity"] = map[string]any{"Label": "SEVERE"} }, "not one of"},
		{"bad timestamp", func(d map[string]any) { d["UpdatedAt"] = "2026-12-01 07:05" }, "not an RFC 3339 timestamp"},
		{"bad type namespace", func(d map[string]any) { d["Types"] = []any{"Misconfigurations/x"} }, "namespace"},
		{"no resources", func(d map[string]any) { d["Resources"] = []any{} }, "fewer than 1"},
		{"resource region too long", func(d map[string]any) {
			d["Resources"].([]any)[0].(map[string]any)["Region"] = "eu-southwest-100x"
		}, "more than 16"},
		{"resource without Id", func(d map[string]any) { delete(d["Resources"].([]any)[0].(map[string]any), "Id") }, "required member Id"},
		{"too many product fields", func(d map[string]any) {
			fields := map[string]any{}
			for i := range 51 {
				fields[fmt.Sprint("k", i)] = "v"
			}
			d["ProductFields"] = fields
		}, "more than 50"},
		{"empty product field", func(d map[string]any) { d["ProductFields"] = map[string]any{"k": ""} }, "pattern"},
		{"member not vendored", func(d map[string]any) { d["Action"] = map[string]any{} }, "not vendored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := valid(t)
			tt.mutate(doc)
			problems := m.validateRequest(map[string]any{"Findings": []any{doc}})
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("%s: got problems %q, want one saying %q", tt.name, problems, tt.want)
			}
		})
	}
}

// TestMarshalRoundTrips: the JSON, keyed by the service's member names,
// reads back into the SDK's types as the values the conversion set.
func TestMarshalRoundTrips(t *testing.T) {
	t.Parallel()
	var in []types.AwsSecurityFinding
	for _, f := range demoFindings(t) {
		in = append(in, convert(t, f))
	}
	in = append(in, Resolved(in[0]))
	raw, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []types.AwsSecurityFinding
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("got %d findings back, want %d", len(out), len(in))
	}
	for i := range in {
		if !reflect.DeepEqual(out[i], in[i]) {
			t.Errorf("finding %d: got back\n%+v\nwant\n%+v", i, out[i], in[i])
		}
	}
}

func TestMarshalEmpty(t *testing.T) {
	t.Parallel()
	raw, err := Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(raw)); got != "[]" {
		t.Errorf("Marshal(nil): got %s, want []", got)
	}
}

// TestStatuses: severity, compliance, workflow and note per status.
func TestStatuses(t *testing.T) {
	t.Parallel()
	base := check.Finding{CheckID: "Pfx0RwqBli", Slug: "s3-bucket-permissions", CheckName: "Amazon S3 Bucket Permissions",
		Account: "123456789012", Region: check.GlobalRegion, ResourceID: "demo-public-website"}
	rule := &check.Suppression{Rule: "sup-demo-website", Reason: "static website, public on purpose", Owner: "web-team", Expires: "2027-03-01"}
	tests := []struct {
		status     check.Status
		suppressed bool
		reason     string
		severity   types.SeverityLabel
		compliance types.ComplianceStatus
		workflow   types.WorkflowStatus
		note       string // a part of the note; "" for no note
		desc       string // a part of the description
	}{
		{check.Red, false, "open to everyone", types.SeverityLabelHigh, types.ComplianceStatusFailed, types.WorkflowStatusNew, "", "open to everyone"},
		{check.Yellow, false, "policy allows access", types.SeverityLabelMedium, types.ComplianceStatusFailed, types.WorkflowStatusNew, "", "policy allows access"},
		{check.Green, false, "private", types.SeverityLabelInformational, types.ComplianceStatusPassed, types.WorkflowStatusNew, "", "private"},
		{check.Error, false, "could not evaluate: s3 GetBucketPolicy: access denied", types.SeverityLabelInformational, types.ComplianceStatusNotAvailable, types.WorkflowStatusNew,
			"could not look", "could not evaluate: s3 GetBucketPolicy"},
		{check.Error, false, "s3 GetBucketAcl: throttled", types.SeverityLabelInformational, types.ComplianceStatusNotAvailable, types.WorkflowStatusNew,
			"could not look", "could not evaluate: s3 GetBucketAcl: throttled"},
		{check.Unavailable, false, "unavailable: not offered in the region", types.SeverityLabelInformational, types.ComplianceStatusNotAvailable, types.WorkflowStatusNew, "", "not offered"},
		{check.Yellow, true, "public website", types.SeverityLabelMedium, types.ComplianceStatusFailed, types.WorkflowStatusSuppressed,
			"Suppressed by secadvisor rule sup-demo-website: static website, public on purpose (owner web-team, until 2027-03-01).", "public website"},
		{check.Red, true, "", types.SeverityLabelHigh, types.ComplianceStatusFailed, types.WorkflowStatusSuppressed, "rule sup-demo-website", "Amazon S3 Bucket Permissions: red for demo-public-website."},
	}
	for _, tt := range tests {
		f := base
		f.Status, f.Reason = tt.status, tt.reason
		if tt.suppressed {
			f.Suppressed, f.Suppression = true, rule
		}
		af := convert(t, f)
		got := struct {
			severity   types.SeverityLabel
			compliance types.ComplianceStatus
			workflow   types.WorkflowStatus
			record     types.RecordState
		}{af.Severity.Label, af.Compliance.Status, af.Workflow.Status, af.RecordState}
		if got.severity != tt.severity || got.compliance != tt.compliance || got.workflow != tt.workflow || got.record != types.RecordStateActive {
			t.Errorf("%s (suppressed %v): got %+v, want severity %s compliance %s workflow %s record ACTIVE", tt.status, tt.suppressed, got, tt.severity, tt.compliance, tt.workflow)
		}
		note := ""
		if af.Note != nil {
			note = aws.ToString(af.Note.Text)
		}
		if (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
			t.Errorf("%s (suppressed %v): got note %q, want one containing %q", tt.status, tt.suppressed, note, tt.note)
		}
		if desc := aws.ToString(af.Description); !strings.Contains(desc, tt.desc) {
			t.Errorf("%s %q: got description %q, want one containing %q", tt.status, tt.reason, desc, tt.desc)
		}
		if got := aws.ToString(af.Severity.Original); got != string(tt.status) {
			t.Errorf("%s: got Severity.Original %q, want the status", tt.status, got)
		}
	}
}

// TestFindingFields: the members every finding carries.
func TestFindingFields(t *testing.T) {
	t.Parallel()
	f := check.Finding{CheckID: "vjafUGJ9H0", Slug: "cloudtrail-logging", CheckName: "AWS CloudTrail Logging", Account: "303144100019", AccountName: "workloads",
		Region: "eu-west-1", ResourceID: "arn:aws:cloudtrail:us-east-1:303144100019:trail/management-events", Status: check.Red, Reason: "Logging is off.",
		Columns: map[string]string{"Status": "Red", "Region": "eu-west-1", "Trail Name": "management-events", "Logging Status": "Off", "Bucket Name": " ", "Last Delivery Date": ""}}
	entry := entryOf(t, f)
	af := Finding(f, entry, "aws", "eu-west-1", "999988887777", firstSeen, now)
	got := map[string]string{
		"SchemaVersion":   aws.ToString(af.SchemaVersion),
		"Id":              aws.ToString(af.Id),
		"ProductArn":      aws.ToString(af.ProductArn),
		"GeneratorId":     aws.ToString(af.GeneratorId),
		"AwsAccountId":    aws.ToString(af.AwsAccountId),
		"AwsAccountName":  aws.ToString(af.AwsAccountName),
		"Types":           strings.Join(af.Types, "|"),
		"CreatedAt":       aws.ToString(af.CreatedAt),
		"FirstObservedAt": aws.ToString(af.FirstObservedAt),
		"UpdatedAt":       aws.ToString(af.UpdatedAt),
		"Title":           aws.ToString(af.Title),
		"Recommendation":  aws.ToString(af.Remediation.Recommendation.Text),
		"Resource":        fmt.Sprintf("%s %s %s %s", aws.ToString(af.Resources[0].Type), aws.ToString(af.Resources[0].Id), af.Resources[0].Partition, aws.ToString(af.Resources[0].Region)),
	}
	want := map[string]string{
		"SchemaVersion":   "2018-10-08",
		"Id":              "secadvisor/vjafUGJ9H0/303144100019/eu-west-1/arn:aws:cloudtrail:us-east-1:303144100019:trail/management-events",
		"ProductArn":      "arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default",
		"GeneratorId":     "vjafUGJ9H0",
		"AwsAccountId":    "303144100019",
		"AwsAccountName":  "workloads",
		"Types":           "Software and Configuration Checks/AWS Security Best Practices/AWS CloudTrail Logging",
		"CreatedAt":       "2026-11-30T08:00:00.123Z",
		"FirstObservedAt": "2026-11-30T08:00:00.123Z",
		"UpdatedAt":       "2026-12-01T07:05:12.510Z",
		"Title":           "AWS CloudTrail Logging",
		"Recommendation":  truncate(entry.RecommendedAction, 512),
		// The trail's ARN says where it lives.
		"Resource": "AwsCloudTrailTrail arn:aws:cloudtrail:us-east-1:303144100019:trail/management-events aws us-east-1",
	}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s of %+v: got %q, want %q", k, f, got[k], want[k])
		}
	}
	wantFields := map[string]string{
		"ProviderName": "secadvisor", "secadvisor/CheckId": "vjafUGJ9H0", "secadvisor/Slug": "cloudtrail-logging", "secadvisor/Status": "red",
		"secadvisor/Region": "eu-west-1", "secadvisor/ResourceId": f.ResourceID,
		"Status": "Red", "Region": "eu-west-1", "Trail Name": "management-events", "Logging Status": "Off", // blank columns left out
	}
	if !reflect.DeepEqual(af.ProductFields, wantFields) {
		t.Errorf("ProductFields of %+v: got %v, want %v", f.Columns, af.ProductFields, wantFields)
	}
}

func TestProductARN(t *testing.T) {
	t.Parallel()
	if got, want := ProductARN("aws-us-gov", "us-gov-west-1", "123456789012"), "arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default"; got != want {
		t.Errorf("ProductARN(aws-us-gov, us-gov-west-1, 123456789012): got %s, want %s", got, want)
	}
}

// TestID: one Id per (check, account, region, resource), stable, within the
// service's 512 characters however long the resource ID.
func TestID(t *testing.T) {
	t.Parallel()
	base := check.Finding{CheckID: "HCP4007jGY", Account: "123456789012", Region: "eu-west-1", ResourceID: "sg-1/sgr-1", Status: check.Red, Reason: "a"}
	changed := base
	changed.Status, changed.Reason, changed.Columns = check.Green, "b", map[string]string{"x": "y"}
	if ID(base) != ID(changed) {
		t.Errorf("the Id changed with the status and reason: %s, then %s", ID(base), ID(changed))
	}
	variants := []func(f *check.Finding){
		func(f *check.Finding) { f.CheckID = "1iG5NDGVre" },
		func(f *check.Finding) { f.Account = "210987654321" },
		func(f *check.Finding) { f.Region = "us-east-1" },
		func(f *check.Finding) { f.ResourceID = "sg-1/sgr-2" },
	}
	for i, v := range variants {
		f := base
		v(&f)
		if ID(f) == ID(base) {
			t.Errorf("variant %d %+v: got the Id of %+v: %s", i, f, base, ID(f))
		}
	}
	long1, long2 := base, base
	long1.ResourceID = strings.Repeat("é", 600) + "1"
	long2.ResourceID = strings.Repeat("é", 600) + "2"
	for _, f := range []check.Finding{long1, long2} {
		if n := utf16Len(ID(f)); n > 512 {
			t.Errorf("resource ID of %d characters: got an Id of %d, want at most 512", len([]rune(f.ResourceID)), n)
		}
	}
	again := long1
	if ID(long1) == ID(long2) || ID(long1) != ID(again) {
		t.Errorf("long resource IDs that differ at the end: got Ids %s and %s, want distinct and stable", ID(long1), ID(long2))
	}
}

// TestResources: the ASFF type and Id per check and resource ID shape.
func TestResources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		slug, region, resourceID string
		typ, id, wantRegion      string
	}{
		{"ec2-sql-server-end-of-support", "us-east-1", "i-f800f561311a20484", TypeEc2Instance, "arn:aws:ec2:us-east-1:123456789012:instance/i-f800f561311a20484", "us-east-1"},
		{"ec2-sql-server-end-of-support", "us-east-1", "(all)", TypeAccount, "AWS::::Account:123456789012", "us-east-1"},
		{"ebs-public-snapshots", "eu-west-1", "snap-ab76365d9d9edb6b2", TypeOther, "arn:aws:ec2:eu-west-1::snapshot/snap-ab76365d9d9edb6b2", "eu-west-1"},
		{"rds-public-snapshots", "us-east-1", "ledger-before-upgrade", TypeRdsDbSnapshot, "ledger-before-upgrade", "us-east-1"},
		{"rds-security-group-access-risk", "eu-west-1", "db:reporting/sg-108fa318e4ead3b80/sgr-3f94644e1006535a5", TypeRdsDbInstance, "arn:aws:rds:eu-west-1:123456789012:db:reporting", "eu-west-1"},
		{"rds-security-group-access-risk", "us-east-1", "cluster:catalog/sg-688e9bfbb50ee5163", TypeRdsDbCluster, "arn:aws:rds:us-east-1:123456789012:cluster:catalog", "us-east-1"},
		{"rds-security-group-access-risk", "us-east-1", "secgrp:classic-reports/0.0.0.0/0", TypeRdsDbSecurityGroup, "arn:aws:rds:us-east-1:123456789012:secgrp:classic-reports", "us-east-1"},
		{"route53-mx-spf", "global", "PE76QSX8WVE37S7D55YXBH/example.net.", TypeRoute53HostedZone, "arn:aws:route53:::hostedzone/PE76QSX8WVE37S7D55YXBH", "eu-central-1"},
		{"route53-mx-spf", "global", "PE76QSX8WVE37S7D55YXBH", TypeRoute53HostedZone, "arn:aws:route53:::hostedzone/PE76QSX8WVE37S7D55YXBH", "eu-central-1"},
		{"s3-bucket-permissions", "global", "demo-partner-uploads", TypeS3Bucket, "arn:aws:s3:::demo-partner-uploads", "eu-central-1"},
		{"s3-bucket-permissions", "global", "(all)", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"cloudtrail-logging", "eu-west-1", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/payments", TypeCloudTrailTrail, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/payments", "eu-west-1"},
		{"cloudtrail-logging", "eu-west-1", "(no trail)", TypeAccount, "AWS::::Account:123456789012", "eu-west-1"},
		{"lambda-deprecated-runtimes", "eu-west-1", "arn:aws:lambda:eu-west-1:123456789012:function:export:$LATEST", TypeLambdaFunction, "arn:aws:lambda:eu-west-1:123456789012:function:export:$LATEST", "eu-west-1"},
		{"lambda-deprecated-runtimes", "eu-west-1", "(invocation metrics)", TypeAccount, "AWS::::Account:123456789012", "eu-west-1"},
		{"well-architected-security-hri", "us-east-1", "63ab4de30bd5aeb302ce4f50158c5549", TypeOther, "arn:aws:wellarchitected:us-east-1:123456789012:workload/63ab4de30bd5aeb302ce4f50158c5549", "us-east-1"},
		{"well-architected-security-hri", "us-east-1", "(service)", TypeAccount, "AWS::::Account:123456789012", "us-east-1"},
		{"cloudfront-iam-certificates", "global", "KUFRAJQT0NUQ0", TypeCloudFrontDistribution, "arn:aws:cloudfront::123456789012:distribution/KUFRAJQT0NUQ0", "eu-central-1"},
		{"cloudfront-origin-certificates", "global", "H9XBGIKLZPHLO/app", TypeCloudFrontDistribution, "arn:aws:cloudfront::123456789012:distribution/H9XBGIKLZPHLO", "eu-central-1"},
		{"elb-listener-security", "eu-west-1", "legacy-checkout:443", TypeElbLoadBalancer, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/legacy-checkout", "eu-west-1"},
		{"elb-listener-security", "eu-west-1", "legacy-admin", TypeElbLoadBalancer, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/legacy-admin", "eu-west-1"},
		{"elb-listener-security", "us-east-1", "alb/partner-api:443", TypeElbv2LoadBalancer, "alb/partner-api", "us-east-1"},
		{"elb-listener-security", "us-east-1", "nlb/ingest", TypeElbv2LoadBalancer, "nlb/ingest", "us-east-1"},
		{"elb-security-groups", "eu-west-1", "spring-campaign", TypeElbLoadBalancer, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/spring-campaign", "eu-west-1"},
		{"exposed-access-keys", "global", "AKIARZPUZDIKKZLVVDN6", TypeIamAccessKey, "AKIARZPUZDIKKZLVVDN6", "eu-central-1"},
		{"exposed-access-keys", "global", "health-events", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"iam-access-key-rotation", "global", "AKIARZPUZDIKDCYDO64D", TypeIamAccessKey, "AKIARZPUZDIKDCYDO64D", "eu-central-1"},
		{"iam-access-key-rotation", "global", "deploy-bot/access_key_2", TypeIamUser, "deploy-bot", "eu-central-1"},
		{"iam-access-key-rotation", "global", "deploy-bot/key-ids", TypeIamUser, "deploy-bot", "eu-central-1"},
		{"iam-password-policy", "global", "password-policy", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"iam-use", "global", "iam-users", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"mfa-on-root-account", "global", "root-account", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"security-groups-specific-ports-unrestricted", "eu-west-1", "sg-108fa318e4ead3b80/sgr-3f94644e1006535a5", TypeEc2SecurityGroup, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-108fa318e4ead3b80", "eu-west-1"},
		{"security-groups-unrestricted-access", "us-east-1", "sg-1485a08067869fc04", TypeEc2SecurityGroup, "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1485a08067869fc04", "us-east-1"},
		{"security-groups-unrestricted-access", check.AllRegions, "(all)", TypeAccount, "AWS::::Account:123456789012", "eu-central-1"},
		{"a-future-check", "us-east-1", "arn:aws:kms:us-east-1:123456789012:key/1", TypeOther, "arn:aws:kms:us-east-1:123456789012:key/1", "us-east-1"},
		{"a-future-check", "us-east-1", "thing-1", TypeOther, "thing-1", "us-east-1"},
	}
	for _, tt := range tests {
		f := check.Finding{Slug: tt.slug, Account: "123456789012", Region: tt.region, ResourceID: tt.resourceID}
		r := resource(f, "aws", "eu-central-1")
		got := [3]string{aws.ToString(r.Type), aws.ToString(r.Id), aws.ToString(r.Region)}
		if want := [3]string{tt.typ, tt.id, tt.wantRegion}; got != want || r.Partition != types.PartitionAws {
			t.Errorf("%s %q in %s: got %v %s, want %v aws", tt.slug, tt.resourceID, tt.region, got, r.Partition, want)
		}
	}
}

// TestLimits: long texts are cut cleanly within the service's limits, and
// product fields stay within 50.
func TestLimits(t *testing.T) {
	t.Parallel()
	words := strings.Repeat("the policy allows access to everyone ", 80)
	columns := []string{strings.Repeat("K", 200)}
	values := map[string]string{columns[0]: "long key"}
	for i := range 60 {
		c := fmt.Sprintf("Column %d", i)
		columns = append(columns, c)
		values[c] = strings.Repeat("v", 3000)
	}
	entry := catalog.Entry{ID: "XXXXXXXXXX", Slug: "x", Name: strings.Repeat("Name ", 80), Columns: columns, RecommendedAction: words}
	f := check.Finding{CheckID: "XXXXXXXXXX", Slug: "x", Account: "123456789012", Region: "eu-west-1", ResourceID: "thing",
		Status: check.Error, Reason: "could not evaluate: " + strings.Repeat("𝒳", 1100), Columns: values}
	af := Finding(f, entry, "aws", "eu-west-1", "123456789012", firstSeen, now)
	for _, tt := range []struct {
		name, got, source string
		max               int
	}{
		{"Title", aws.ToString(af.Title), entry.Name, 256},
		{"Description", aws.ToString(af.Description), f.Reason, 1024},
		{"Recommendation", aws.ToString(af.Remediation.Recommendation.Text), words, 512},
	} {
		if n := utf16Len(tt.got); n > tt.max || !strings.HasSuffix(tt.got, "…") || !strings.HasPrefix(tt.source, strings.TrimSuffix(tt.got, "…")) || n < tt.max*3/4 {
			t.Errorf("%s of %d characters: got %d UTF-16 units %q, want a prefix of the source ending with … within %d", tt.name, len([]rune(tt.source)), n, tt.got, tt.max)
		}
	}
	if len(af.ProductFields) != 50 {
		t.Errorf("61 columns: got %d product fields, want 50", len(af.ProductFields))
	}
	for k, v := range af.ProductFields {
		if utf16Len(k) > 128 || utf16Len(v) > 2048 {
			t.Errorf("product field %q: key of %d, value of %d, want at most 128 and 2048", k, utf16Len(k), utf16Len(v))
		}
	}
	m := loadModel(t)
	raw, err := Marshal([]types.AwsSecurityFinding{af})
	if err != nil {
		t.Fatal(err)
	}
	if problems := m.validateRequest(map[string]any{"Findings": decode(t, raw)}); len(problems) > 0 {
		t.Errorf("the truncated finding does not validate:\n%s", strings.Join(problems, "\n"))
	}
}

// TestResolved: a resolved finding is archived, passed and resolved; the
// finding it came from is left as it was.
func TestResolved(t *testing.T) {
	t.Parallel()
	f := check.Finding{CheckID: "ePs02jT06w", Slug: "ebs-public-snapshots", Account: "123456789012", Region: "eu-west-1", ResourceID: "snap-ab76365d9d9edb6b2", Status: check.Red, Reason: "public"}
	active := convert(t, f)
	resolved := Resolved(active)
	if resolved.RecordState != types.RecordStateArchived || resolved.Compliance.Status != types.ComplianceStatusPassed || resolved.Workflow.Status != types.WorkflowStatusResolved {
		t.Errorf("Resolved: got record %s, compliance %s, workflow %s; want ARCHIVED, PASSED, RESOLVED", resolved.RecordState, resolved.Compliance.Status, resolved.Workflow.Status)
	}
	if active.RecordState != types.RecordStateActive || active.Compliance.Status != types.ComplianceStatusFailed || active.Workflow.Status != types.WorkflowStatusNew {
		t.Errorf("Resolved changed its input: now record %s, compliance %s, workflow %s", active.RecordState, active.Compliance.Status, active.Workflow.Status)
	}
	if aws.ToString(resolved.Id) != aws.ToString(active.Id) {
		t.Errorf("Resolved: got Id %s, want the active finding's %s", aws.ToString(resolved.Id), aws.ToString(active.Id))
	}
}
