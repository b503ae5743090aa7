package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/demo"
	"github.com/secadvisor/secadvisor/internal/emulator"
	"github.com/secadvisor/secadvisor/internal/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/report"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestChecksListsAllTwenty(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "checks")
	if code != ExitOK {
		t.Fatalf("checks exit = %d, want 0", code)
	}
	for _, c := range checks.All() {
		if !strings.Contains(out, c.Meta.ID) || !strings.Contains(out, c.Meta.Slug) {
			t.Errorf("checks output lacks %s (%s):\n%s", c.Meta.ID, c.Meta.Slug, out)
		}
	}
	if got := strings.Count(out, "\n"); got != 21 {
		t.Errorf("checks printed %d lines, want a header and 20 checks", got)
	}
}

func TestChecksIAMPolicy(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "checks", "--iam-policy")
	if code != ExitOK {
		t.Fatalf("checks --iam-policy exit = %d", code)
	}
	var policy checks.PolicyDocument
	if err := json.Unmarshal([]byte(out), &policy); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, out)
	}
	actions := policy.Statement[0].Action
	for _, want := range []string{"iam:GetAccountPasswordPolicy", "ec2:DescribeSnapshots", "ec2:DescribeRegions", "sts:GetCallerIdentity"} {
		if !slices.Contains(actions, want) {
			t.Errorf("policy actions %q lack %s", actions, want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		nil,
		{"frobnicate"},
		{"scan", "--format", "yaml", "--regions", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"},
		{"scan", "--fail-on", "green", "--regions", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"},
		{"scan", "--checks", "no-such-check", "--regions", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"},
		{"scan", "--emulator"},
		{"scan", "extra-arg"},
	}
	for _, args := range tests {
		if code, _, stderr := run(t, args...); code != ExitUsage || stderr == "" {
			t.Errorf("secadvisor %q exit = %d (stderr %q), want %d with a message", args, code, stderr, ExitUsage)
		}
	}
}

// TestScanJSONOnEmulator scans the seeded demo account through the CLI, as a
// user would with --endpoint-url, and checks the JSON contract.
func TestScanJSONOnEmulator(t *testing.T) {
	server := emutest.Server(t)
	// The CLI talks to the emulator's default account, as a user would.
	stopOrigins, err := demo.Seed(context.Background(), emulator.Config(server.URL, emulator.DefaultAccount))
	if err != nil {
		t.Fatalf("seed demo account: %v", err)
	}
	defer stopOrigins()
	outFile := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := run(t, "scan", "--endpoint-url", server.URL, "--emulator", "--regions", strings.Join(demo.Regions, ","),
		"--format", "json", "--output", outFile, "--stats")
	if code != ExitFindings {
		t.Errorf("scan exit = %d, want %d (the demo account has red findings); stderr:\n%s", code, ExitFindings, stderr)
	}
	if !strings.Contains(stderr, "DescribeSnapshots") || !strings.Contains(stderr, "GetAccountPasswordPolicy") {
		t.Errorf("--stats output lacks the operations called:\n%s", stderr)
	}
	raw, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatalf("read --output file: %v", err)
	}
	var rep report.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	if !slices.Equal(rep.Scan.Accounts, []string{emulator.DefaultAccount}) || !slices.Equal(rep.Scan.Regions, demo.Regions) {
		t.Errorf("scan info = %+v, want the default account and the demo regions", rep.Scan)
	}
	if len(rep.Summaries) != 20 {
		t.Errorf("summaries = %d, want 20 (one per check, implemented or not)", len(rep.Summaries))
	}
	metas := map[string]check.Meta{}
	for _, c := range checks.All() {
		metas[c.Meta.ID] = c.Meta
	}
	for _, s := range rep.Summaries {
		c := metas[s.CheckID]
		if s.Slug != c.Slug || s.CheckName != c.Name {
			t.Errorf("summary %+v does not match the catalog", s)
		}
	}
	statusOf := map[string]string{}
	for _, s := range rep.Summaries {
		statusOf[s.CheckID] = s.Status
	}
	if statusOf["ePs02jT06w"] != "red" || statusOf["Yw2K9puPzl"] != "yellow" {
		t.Errorf("summary statuses: EBS %q, password policy %q; want red and yellow from the demo account", statusOf["ePs02jT06w"], statusOf["Yw2K9puPzl"])
	}
	if len(rep.APICalls) == 0 {
		t.Error("apiCalls is empty with --stats")
	}
	for _, f := range rep.Findings {
		meta := metas[f.CheckID]
		if f.Slug != meta.Slug || f.CheckName != meta.Name || f.Account != emulator.DefaultAccount || f.ResourceID == "" || f.Reason == "" {
			t.Errorf("finding %+v: identity fields incomplete", f)
		}
		for k := range f.Columns {
			if !slices.Contains(meta.Columns, k) {
				t.Errorf("finding %s/%s has column %q outside the spec's %q", f.CheckID, f.ResourceID, k, meta.Columns)
			}
		}
	}

	// The same scan with --fail-on never exits 0, and the table names the checks.
	code, out, _ := run(t, "scan", "--endpoint-url", server.URL, "--emulator", "--regions", "eu-west-1", "--checks", "ebs-public-snapshots", "--fail-on", "never")
	if code != ExitOK || !strings.Contains(out, "Amazon EBS Public Snapshots") || !strings.Contains(out, "shared for the vendor") {
		t.Errorf("table scan exit %d, output:\n%s", code, out)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, "demo", "--format", "json")
	if code != ExitOK {
		t.Fatalf("demo exit = %d; stderr:\n%s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode demo report: %v", err)
	}
	counts := map[string]int{}
	for _, s := range rep.Summaries {
		counts[s.Status]++
	}
	if counts["red"] == 0 || counts["yellow"] == 0 {
		t.Errorf("demo summaries by status = %v, want red and yellow checks", counts)
	}
	implemented := 0
	for _, c := range checks.All() {
		if c.Implemented() {
			implemented++
		}
	}
	if counts[report.NotImplemented] != 20-implemented {
		t.Errorf("not implemented = %d, want %d", counts[report.NotImplemented], 20-implemented)
	}
}
