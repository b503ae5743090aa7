package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/asff"
	checkcatalog "github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

// asffDemoReport is the JSON report of a `secadvisor demo` scan (trimmed to
// one green per check and account), shared with internal/asff's tests,
// which validate its conversion against the Security Hub service model.
var asffDemoReport = filepath.Join("..", "asff", "testdata", "demo-report.json")

// catalogChecks are the catalog's checks, metadata only: what the report
// formats read of them.
func catalogChecks() []check.Check {
	var checks []check.Check
	for _, e := range checkcatalog.All() {
		checks = append(checks, check.Check{Meta: check.Meta{ID: e.ID, Slug: e.Slug, Name: e.Name, Scope: e.Scope,
			Columns: e.Columns, RecommendedAction: e.RecommendedAction}})
	}
	return checks
}

// demoReport reads the demo scan's JSON report (asffDemoReport).
func demoReport(t *testing.T) Report {
	t.Helper()
	raw, err := os.ReadFile(asffDemoReport)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s: %v", asffDemoReport, err)
	}
	return r
}

// TestASFFGolden: the demo scan's findings as `--format asff` writes them.
func TestASFFGolden(t *testing.T) {
	t.Parallel()
	r := demoReport(t)
	out := render(t, "asff", r, catalogChecks(), 0)
	checkGolden(t, filepath.Join("testdata", "asff", "golden.json"), []byte(out))
	var findings []types.AwsSecurityFinding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != len(r.Findings) {
		t.Errorf("got %d ASFF findings, want one per report finding: %d", len(findings), len(r.Findings))
	}
}

// TestASFFPlacement: a report imports each finding into its own account's
// Security Hub in its own region (global → us-east-1), partition aws,
// created and updated at the scan's end.
func TestASFFPlacement(t *testing.T) {
	t.Parallel()
	finished := time.Date(2026, 12, 1, 7, 5, 12, 0, time.UTC)
	fs := findings()
	fs = append(fs, check.Finding{CheckID: "ZZZZZZZZZZ", Slug: "unknown", CheckName: "A check the report does not list", Account: "444455556666",
		Region: check.AllRegions, ResourceID: check.WholeScope, Status: check.Error, Reason: "could not evaluate: sts AssumeRole: access denied"})
	r := New(ScanInfo{Accounts: []string{"111122223333", "444455556666"}, StartedAt: finished.Add(-time.Minute), FinishedAt: finished}, catalog(), fs)
	out := render(t, "asff", r, catalog(), 0)
	var got []types.AwsSecurityFinding
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != len(r.Findings) {
		t.Fatalf("got %d findings, want %d", len(got), len(r.Findings))
	}
	for i, f := range r.Findings {
		region := map[string]string{check.GlobalRegion: "us-east-1", check.AllRegions: "us-east-1"}[f.Region]
		if region == "" {
			region = f.Region
		}
		want := map[string]string{
			"ProductArn": asff.ProductARN("aws", region, f.Account),
			"Id":         asff.ID(f),
			"CreatedAt":  "2026-12-01T07:05:12.000Z",
			"UpdatedAt":  "2026-12-01T07:05:12.000Z",
			"Partition":  "aws",
			"Title":      f.CheckName,
		}
		gotFields := map[string]string{
			"ProductArn": aws.ToString(got[i].ProductArn),
			"Id":         aws.ToString(got[i].Id),
			"CreatedAt":  aws.ToString(got[i].CreatedAt),
			"UpdatedAt":  aws.ToString(got[i].UpdatedAt),
			"Partition":  string(got[i].Resources[0].Partition),
			"Title":      aws.ToString(got[i].Title),
		}
		for k := range want {
			if gotFields[k] != want[k] {
				t.Errorf("%s of %+v: got %q, want %q", k, f, gotFields[k], want[k])
			}
		}
	}
}

func TestASFFEmptyReport(t *testing.T) {
	t.Parallel()
	out := render(t, "asff", New(ScanInfo{}, catalog(), nil), catalog(), 0)
	if got := strings.TrimSpace(out); got != "[]" {
		t.Errorf("asff of a report without findings: got %s, want []", got)
	}
}
