package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// TestScanTableMustExist: --table naming a table that does not exist is a
// usage error before any job runs, and the message says how to get one.
func TestScanTableMustExist(t *testing.T) {
	t.Parallel()
	server := emutest.Server(t)
	code, stdout, stderr := run(t, "scan", "--endpoint-url", server.URL, "--emulator", "--regions", "us-east-1",
		"--checks", "iam-password-policy", "--table", "no-such-table")
	if code != ExitUsage || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit %d and no report", code, stdout, ExitUsage)
	}
	for _, want := range []string{`there is no findings table "no-such-table"`, "make deploy", "TableName"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestScanOnlyFailingAndProgress: --only-failing keeps red, error and yellow
// findings in the JSON report while the summaries still count the greens;
// a terminal gets a live progress line, cleared before the report.
func TestScanOnlyFailingAndProgress(t *testing.T) {
	t.Parallel()
	server := emutest.Server(t)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"scan", "--endpoint-url", server.URL, "--emulator", "--regions", "us-east-1",
		"--checks", "iam-password-policy,iam-use", "--format", "json", "--only-failing", "--fail-on", "never"},
		Env{Stdout: &out, Stderr: &errOut, Terminal: true})
	if code != ExitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut.String())
	}
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, out.String())
	}
	if rep.SchemaVersion != report.SchemaVersion {
		t.Errorf("schemaVersion = %d, want %d", rep.SchemaVersion, report.SchemaVersion)
	}
	for _, f := range rep.Findings {
		if f.Status == "green" || f.Status == "unavailable" {
			t.Errorf("--only-failing listed %s finding %s/%s", f.Status, f.CheckID, f.ResourceID)
		}
	}
	if len(rep.StatusFilter) != 3 {
		t.Errorf("statusFilter = %v, want red, error, yellow", rep.StatusFilter)
	}
	for _, s := range rep.Summaries {
		if s.RecommendedAction == "" {
			t.Errorf("summary of %s has no recommendedAction", s.CheckID)
		}
	}
	if !strings.Contains(errOut.String(), "jobs, ") || !strings.Contains(errOut.String(), "\r\033[K") {
		t.Errorf("stderr on a terminal lacks the live progress line:\n%q", errOut.String())
	}
}

// TestPeriodicProgress: off a terminal, --progress prints whole lines (no
// terminal control codes) at its interval; without it nothing is printed.
func TestPeriodicProgress(t *testing.T) {
	t.Parallel()
	var withFlag, without bytes.Buffer
	p := showProgress(Env{Stderr: &withFlag}, 5*time.Millisecond, 4, time.Now())
	p.jobDone(1, scan.Job{})
	time.Sleep(30 * time.Millisecond)
	p.stop()
	if got := withFlag.String(); !strings.Contains(got, "secadvisor scan: 1 of 4 jobs done after") || strings.Contains(got, "\033") {
		t.Errorf("--progress off a terminal printed %q; want whole lines saying 1 of 4 jobs done", got)
	}
	q := startProgress(Env{Stderr: &without}, false, 4, time.Now())
	q.jobDone(1, scan.Job{})
	q.stop()
	if without.Len() != 0 {
		t.Errorf("without --progress off a terminal, printed %q; want nothing", without.String())
	}
}
