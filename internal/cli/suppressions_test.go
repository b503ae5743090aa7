package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestScanWithSuppressions: a rule accepts the public snapshot on purpose:
// it stays red but is suppressed, names its rule, and --fail-on red passes;
// an expired rule and one that matched nothing are reported, not applied.
func TestScanWithSuppressions(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	region := "eu-west-1"
	private, public := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, region)
	today := time.Now().UTC()
	file := filepath.Join(t.TempDir(), "rules.yaml")
	rules := fmt.Sprintf(`rules:
  - check: ebs-public-snapshots
    account: "%s"
    region: %s
    resource: %s
    reason: shared with the vendor on purpose
    owner: data-team
    expires: %s
  - check: ebs-public-snapshots
    account: "*"
    region: "*"
    resource: %s
    reason: was accepted last quarter
    owner: data-team
    expires: %s
  - check: "*"
    account: "*"
    region: "*"
    resource: snap-gone-*
    reason: old exception
    owner: data-team
    expires: %s
`, account, region, public, today.AddDate(0, 1, 0).Format("2006-01-02"),
		private, today.AddDate(0, 0, -1).Format("2006-01-02"), today.AddDate(0, 2, 0).Format("2006-01-02"))
	if err := os.WriteFile(file, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	var flags scanFlags
	flags.regions = regionList{region}
	flags.checks = "ebs-public-snapshots"
	flags.suppressions = file
	rep, code, stderr := scanReport(t, cfg, flags)
	if code != ExitOK {
		t.Errorf("exit = %d, want %d: the only red finding is suppressed; stderr:\n%s", code, ExitOK, stderr)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.ResourceID != public {
			if f.Suppressed {
				t.Errorf("%s (%s) is suppressed; only the public snapshot's rule applies", f.ResourceID, f.Status)
			}
			continue
		}
		found = true
		if f.Status != check.Red || !f.Suppressed || f.Suppression == nil || f.Suppression.Rule != file+":2" ||
			f.Suppression.Owner != "data-team" || f.Suppression.Reason != "shared with the vendor on purpose" {
			t.Errorf("public snapshot = %s suppressed %v %+v; want red, suppressed by %s:2 with its owner and reason", f.Status, f.Suppressed, f.Suppression, file)
		}
	}
	if !found {
		t.Fatalf("no finding for the public snapshot %s", public)
	}
	if s := rep.Suppressions; s == nil || s.Suppressed != 1 || len(s.Expired) != 1 || s.Expired[0].ID != file+":9" ||
		len(s.Stale) != 1 || s.Stale[0].ID != file+":16" {
		t.Errorf("suppressions = %+v, want 1 suppressed, expired %s:9, stale %s:16", rep.Suppressions, file, file)
	}
	if len(rep.Summaries) != 1 || rep.Summaries[0].Status != "green" || rep.Summaries[0].Suppressed != 1 || rep.Summaries[0].Counts["red"] != 1 {
		t.Errorf("summary = %+v, want status green with red 1 counted and 1 suppressed", rep.Summaries)
	}
}

// TestScanSuppressionFileErrors: a bad rules file is a usage error, exit 2,
// naming the file and line, before any AWS call.
func TestScanSuppressionFileErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, body, want string }{
		{"missing owner", "rules:\n  - check: \"*\"\n    account: \"*\"\n    region: \"*\"\n    resource: x\n    reason: y\n    expires: 2026-12-31\n", ":2: owner is required"},
		{"unknown key", "rules:\n  - check: \"*\"\n    account: \"*\"\n    region: \"*\"\n    resource: x\n    reason: y\n    owner: z\n    expires: 2026-12-31\n    team: w\n", ":9: unknown key \"team\""},
		{"too far ahead", "rules:\n  - check: \"*\"\n    account: \"*\"\n    region: \"*\"\n    resource: x\n    reason: y\n    owner: z\n    expires: 2099-12-31\n", ":2: expires 2099-12-31 is more than 365 days ahead"},
	} {
		file := filepath.Join(t.TempDir(), "rules.yaml")
		if err := os.WriteFile(file, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "scan", "--endpoint-url", "http://127.0.0.1:9", "--emulator", "--suppressions", file)
		if code != ExitUsage || !strings.Contains(stderr, file+tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d naming %q", tt.name, code, stderr, ExitUsage, tt.want)
		}
	}
}
