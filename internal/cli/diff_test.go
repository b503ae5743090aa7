package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/diff"
	"github.com/secadvisor/secadvisor/internal/report"
)

const diffAccount = "111122223333"

// diffFinding is a finding of the catalog check slug in diffAccount.
func diffFinding(t *testing.T, slug, region, resource string, status check.Status) check.Finding {
	t.Helper()
	selected, err := checks.Select([]string{slug})
	if err != nil {
		t.Fatal(err)
	}
	m := selected[0].Meta
	return m.NewFinding(check.Target{Account: diffAccount, Region: region}, resource, status, "reason of "+resource, nil)
}

// diffReport is the report of a scan of diffAccount in eu-west-1 by two
// checks, holding findings, as `scan --format json` writes it.
func diffReport(t *testing.T, findings ...check.Finding) report.Report {
	t.Helper()
	selected, err := checks.Select([]string{"ebs-public-snapshots", "iam-password-policy"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 3, 52, 0, 0, time.UTC)
	info := report.ScanInfo{Accounts: []string{diffAccount}, Regions: []string{"eu-west-1"}, StartedAt: at, FinishedAt: at}
	return report.New(info, selected, findings)
}

// diffReportFile writes diffReport(findings) to dir/name and returns its path.
func diffReportFile(t *testing.T, dir, name string, findings ...check.Finding) string {
	t.Helper()
	return diffWriteFile(t, dir, name, diffReport(t, findings...))
}

// diffWriteFile writes v (a string as it is, anything else as JSON) to
// dir/name and returns its path.
func diffWriteFile(t *testing.T, dir, name string, v any) string {
	t.Helper()
	data, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		data = string(b)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	snap := func(id string, st check.Status) check.Finding {
		return diffFinding(t, "ebs-public-snapshots", "eu-west-1", id, st)
	}
	policy := func(st check.Status) check.Finding {
		return diffFinding(t, "iam-password-policy", check.GlobalRegion, diffAccount, st)
	}
	suppressed := func(f check.Finding) check.Finding {
		f.Suppressed, f.Suppression = true, &check.Suppression{Rule: "rules.yaml:2", Reason: "vendor share", Owner: "ops", Expires: "2027-01-31"}
		return f
	}
	base := diffReportFile(t, dir, "base.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Yellow))
	same := diffReportFile(t, dir, "same.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Yellow))
	newRed := diffReportFile(t, dir, "new-red.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Yellow), snap("snap-new", check.Red), snap("snap-new2", check.Yellow))
	newYellow := diffReportFile(t, dir, "new-yellow.json", snap("snap-red", check.Red), snap("snap-ok", check.Yellow), policy(check.Yellow))
	newError := diffReportFile(t, dir, "new-error.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Error))
	newSuppressed := diffReportFile(t, dir, "new-suppressed.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Yellow), suppressed(snap("snap-new", check.Red)))
	worse := diffReportFile(t, dir, "worse.json", snap("snap-red", check.Red), snap("snap-ok", check.Green), policy(check.Red))
	better := diffReportFile(t, dir, "better.json", snap("snap-red", check.Green), snap("snap-ok", check.Green), policy(check.Yellow))
	// A scan of another region only: eu-west-1's red is not compared.
	onlyUS := diffReport(t, policy(check.Yellow))
	onlyUS.Scan.Regions = []string{"us-east-1"}
	otherRegion := diffWriteFile(t, dir, "other-region.json", onlyUS)

	tests := []struct {
		args     []string
		wantCode int
		want     []string // in the table, in this order
	}{
		{[]string{base, same}, ExitOK, []string{"base.json (scan of 2026-12-01 03:52 UTC) → " + same, "New: 0", "Resolved: 0", "Changed: 0",
			"Nothing new or worsened at or above --fail-on red."}},
		{[]string{base, newRed}, ExitFindings, []string{"New: 2", "STATUS", "red", "snap-new ", "yellow", "snap-new2", "Resolved: 0", "Changed: 0",
			"Fails --fail-on red: 1 new or worsened findings."}},
		{[]string{base, newRed, "--fail-on", "yellow"}, ExitFindings, []string{"Fails --fail-on yellow: 2 new or worsened findings."}},
		{[]string{base, newRed, "--fail-on", "never"}, ExitOK, []string{"New: 2", "--fail-on never: nothing fails."}},
		{[]string{base, newYellow}, ExitOK, []string{"New: 0", "Changed: 1", "BEFORE → AFTER", "green → yellow", "snap-ok", "Nothing new"}},
		{[]string{base, newYellow, "--fail-on", "yellow"}, ExitFindings, []string{"Fails --fail-on yellow: 1"}},
		{[]string{base, newError}, ExitFindings, []string{"Changed: 1", "yellow → error", "iam-password-policy", "Fails --fail-on red: 1"}},
		{[]string{base, newError, "--fail-on", "yellow"}, ExitFindings, []string{"yellow → error"}},
		{[]string{base, newSuppressed}, ExitOK, []string{"New: 1", "red (suppressed)", "snap-new", "Nothing new"}},
		{[]string{base, newSuppressed, "--fail-on", "yellow"}, ExitOK, []string{"Nothing new or worsened at or above --fail-on yellow."}},
		{[]string{base, worse}, ExitFindings, []string{"Changed: 1", "yellow → red"}},
		{[]string{worse, base}, ExitOK, []string{"Changed: 1", "red → yellow"}},
		{[]string{base, better}, ExitOK, []string{"Resolved: 1", "red", "snap-red", "Changed: 0"}},
		{[]string{newRed, base}, ExitOK, []string{"New: 0", "Resolved: 2", "snap-new ", "snap-new2"}},
		{[]string{base, otherRegion}, ExitOK, []string{"Resolved: 0", "Not compared: 1 red, error or yellow findings of " + base}},
		// Flags before the files, and files after "--".
		{[]string{"--fail-on", "yellow", base, newYellow}, ExitFindings, []string{"Changed: 1"}},
		{[]string{"--fail-on", "never", "--", base, newRed}, ExitOK, []string{"New: 2"}},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, append([]string{"diff"}, tt.args...)...)
		if code != tt.wantCode {
			t.Errorf("diff %q: exit %d, want %d; stdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, out, stderr)
			continue
		}
		rest := out
		for _, w := range tt.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("diff %q: table lacks %q after what came before; got:\n%s", tt.args, w, out)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}

func TestDiffJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := func(id string, st check.Status) check.Finding {
		return diffFinding(t, "ebs-public-snapshots", "eu-west-1", id, st)
	}
	old := diffReportFile(t, dir, "old.json", f("snap-1", check.Red), f("snap-2", check.Yellow), f("snap-3", check.Red))
	newer := diffReportFile(t, dir, "new.json", f("snap-2", check.Red), f("snap-3", check.Red), f("snap-4", check.Yellow), f("snap-5", check.Error))

	code, out, stderr := run(t, "diff", old, newer, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("diff --format json: exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	var got diff.Result
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode diff JSON: %v\n%s", err, out)
	}
	ids := func(fs []check.Finding) string {
		var s []string
		for _, f := range fs {
			s = append(s, string(f.Status)+" "+f.ResourceID)
		}
		return strings.Join(s, ", ")
	}
	if got.SchemaVersion != 1 || ids(got.New) != "error snap-5, yellow snap-4" || ids(got.Resolved) != "red snap-1" ||
		len(got.Changed) != 1 || got.Changed[0].Before.Status != check.Yellow || got.Changed[0].After.Status != check.Red ||
		got.Changed[0].After.ResourceID != "snap-2" || got.Changed[0].After.CheckID != "ePs02jT06w" {
		t.Errorf("diff JSON = %s\nwant new error snap-5 and yellow snap-4, resolved red snap-1, changed snap-2 yellow → red", out)
	}

	// Nothing changed: every list is [], never null.
	code, out, _ = run(t, "diff", "--format", "json", old, old)
	for _, want := range []string{`"schemaVersion": 1`, `"new": []`, `"resolved": []`, `"changed": []`, `"notCompared": 0`} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("diff of a report with itself: exit %d, JSON:\n%s\nwant exit 0 and %s", code, out, want)
		}
	}
}

// TestDiffUsageErrors: exit 2 with a message naming the file or the flag.
func TestDiffUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := diffReportFile(t, dir, "good.json")
	tests := []struct {
		args []string
		want string
	}{
		{nil, "want two reports"},
		{[]string{good}, "want two reports"},
		{[]string{good, good, good}, "want two reports"},
		{[]string{good, filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{dir, good}, dir},
		{[]string{diffWriteFile(t, dir, "truncated.json", `{"schemaVersion":1,"findings":[`), good}, "truncated.json: not a JSON scan report"},
		{[]string{good, diffWriteFile(t, dir, "v2.json", `{"schemaVersion":2,"findings":[]}`)}, "v2.json: schemaVersion 2"},
		{[]string{good, diffWriteFile(t, dir, "csv.json", "Check ID,Check Slug\n")}, "csv.json: not a JSON scan report"},
		{[]string{good, diffWriteFile(t, dir, "no-version.json", `{"findings":[]}`)}, "no-version.json: not a secadvisor scan report"},
		{[]string{good, diffWriteFile(t, dir, "red-only.json", `{"schemaVersion":1,"statusFilter":["red"],"findings":[]}`)}, "red-only.json: it lists only [red] findings"},
		{[]string{good, good, "--format", "csv"}, `--format "csv"`},
		{[]string{good, good, "--fail-on", "green"}, `--fail-on "green"`},
		{[]string{good, good, "--no-such-flag"}, "no-such-flag"},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, append([]string{"diff"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) || out != "" {
			t.Errorf("diff %q: exit %d, stdout %q, stderr %q; want exit %d, nothing on stdout and a message with %q", tt.args, code, out, stderr, ExitUsage, tt.want)
		}
	}

	code, stdout, _ := run(t, "diff", "-h")
	if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "-fail-on status") {
		t.Errorf("diff -h: exit %d, stdout:\n%s\nwant exit 0, examples and the flags", code, stdout)
	}
}
