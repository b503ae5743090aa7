package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/store/storetest"
)

func TestFindingsUsageErrors(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"findings"},
		{"findings", "--table", "t", "--status", "amber"},
		{"findings", "--table", "t", "--format", "csv"},
		{"findings", "--table", "t", "--check", "no-such-check"},
		{"findings", "--table", "t", "--emulator"},
		{"findings", "--table", "t", "extra-arg"},
		{"findings", "--table", "t", "--by-account", "--status", "red"},
	}
	for _, args := range tests {
		if code, _, stderr := run(t, args...); code != ExitUsage || stderr == "" {
			t.Errorf("secadvisor %q exit = %d (stderr %q), want %d with a message", args, code, stderr, ExitUsage)
		}
	}
}

// TestScanTableAndFindingsOnEmulator scans into a findings table twice and
// reads it back with `findings`, as a user would against the emulator. The
// CLI talks to the emulator's default account (as TestScanJSONOnEmulator
// does); this test seeds and scans a region the demo account does not use.
func TestScanTableAndFindingsOnEmulator(t *testing.T) {
	t.Parallel()
	server := emutest.Server(t)
	const (
		region = "ap-southeast-2"
		table  = "secadvisor-findings-cli-test"
	)
	cfg := emulator.Config(server.URL, emulator.DefaultAccount)
	storetest.Table(t, cfg, table)
	privateID, publicID := ebspublicsnapshotstest.PrivateAndPublic(t, cfg, region)

	scanArgs := []string{"scan", "--endpoint-url", server.URL, "--emulator", "--regions", region,
		"--checks", "ebs-public-snapshots", "--format", "json", "--table", table}
	for _, want := range []string{"2 items written (2 put, 0 deleted), 0 unchanged", "0 items written (0 put, 0 deleted), 2 unchanged"} {
		code, _, stderr := run(t, scanArgs...)
		if code != ExitFindings || !strings.Contains(stderr, "findings table "+table+": "+want) {
			t.Errorf("scan --table exit = %d, stderr:\n%s\nwant exit %d and %q", code, stderr, ExitFindings, want)
		}
	}

	code, out, stderr := run(t, "findings", "--endpoint-url", server.URL, "--emulator", "--table", table, "--status", "red", "--format", "json")
	if code != ExitOK {
		t.Fatalf("findings --status red exit = %d; stderr:\n%s", code, stderr)
	}
	var got struct {
		SchemaVersion int            `json:"schemaVersion"`
		Findings      []store.Record `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode findings JSON: %v\n%s", err, out)
	}
	if got.SchemaVersion != report.SchemaVersion {
		t.Errorf("findings JSON schemaVersion = %d, want %d", got.SchemaVersion, report.SchemaVersion)
	}
	if len(got.Findings) != 1 {
		t.Fatalf("findings --status red = %d findings, want the public snapshot only:\n%s", len(got.Findings), out)
	}
	r := got.Findings[0]
	if r.ResourceID != publicID || r.Status != check.Red || r.CheckID != "ePs02jT06w" || r.Account != emulator.DefaultAccount ||
		r.Region != region || r.Columns["Snapshot ID"] != publicID || r.FirstSeen.IsZero() || !strings.HasPrefix(r.LastScanID, "cli-") {
		t.Errorf("red finding = %+v, want snapshot %s of check ePs02jT06w with columns and history", r, publicID)
	}

	// The standard formats of what the table holds.
	for _, tt := range []struct{ format, want string }{
		{"ocsf", `"class_uid": 2004`}, {"ocsf-jsonl", `"class_uid":2004`}, {"asff", `"SchemaVersion": "2018-10-08"`}, {"html", "<!DOCTYPE html>"},
	} {
		code, out, stderr := run(t, "findings", "--endpoint-url", server.URL, "--emulator", "--table", table, "--status", "red", "--format", tt.format)
		if code != ExitOK || !strings.Contains(out, tt.want) || !strings.Contains(out, publicID) {
			t.Errorf("findings --format %s exit = %d, want 0 and output with %q and %s; stderr %q; output starts %.300q", tt.format, code, tt.want, publicID, stderr, out)
		}
	}

	code, out, stderr = run(t, "findings", "--endpoint-url", server.URL, "--emulator", "--table", table, "--by-account")
	flat := strings.Join(strings.Fields(out), " ")
	if code != ExitOK || !strings.Contains(flat, "ACCOUNT NAME RED ERROR YELLOW UNAVAILABLE GREEN") ||
		!strings.Contains(flat, emulator.DefaultAccount+" 1 0 0 0 1") || !strings.Contains(flat, "total (1 accounts) 1 0 0 0 1") {
		t.Errorf("findings --by-account exit = %d, output:\n%s\nstderr:\n%s\nwant the account with red 1 and green 1, and a total", code, out, stderr)
	}

	code, out, stderr = run(t, "findings", "--endpoint-url", server.URL, "--emulator", "--table", table,
		"--account", emulator.DefaultAccount, "--region", region)
	if code != ExitOK {
		t.Fatalf("findings --account --region exit = %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ACCOUNT") || lines[3] != "2 findings" ||
		!strings.Contains(out, publicID) || !strings.Contains(out, privateID) || !strings.Contains(out, "ebs-public-snapshots") {
		t.Errorf("findings table output:\n%s\nwant a header, the public and the private snapshot, and a count", out)
	}
}
