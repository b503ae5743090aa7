package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

// runnerFunc makes a check implemented; the report never runs it.
type runnerFunc func(context.Context, check.Target) ([]check.Finding, error)

func (f runnerFunc) Run(ctx context.Context, t check.Target) ([]check.Finding, error) {
	return f(ctx, t)
}

var (
	metaA = check.Meta{ID: "AAAAAAAAAA", Slug: "a", Name: "Check A", Scope: check.Regional, Columns: []string{"Status", "Region", "Thing ID"}}
	metaB = check.Meta{ID: "BBBBBBBBBB", Slug: "b", Name: "Check B", Scope: check.Global, Columns: []string{"Password Policy", "Reason"}}
	metaC = check.Meta{ID: "CCCCCCCCCC", Slug: "c", Name: "Check C", Scope: check.Global}
)

func catalog() []check.Check {
	return []check.Check{
		{Meta: metaA, Runner: runnerFunc(nil)},
		{Meta: metaB, Runner: runnerFunc(nil)},
		{Meta: metaC}, // not implemented
	}
}

func findings() []check.Finding {
	target := check.Target{Account: "111122223333", Region: "eu-west-1"}
	global := check.Target{Account: "111122223333", Region: check.GlobalRegion}
	fs := []check.Finding{
		metaA.NewFinding(target, "thing-2", check.Green, "fine", map[string]string{"Thing ID": "thing-2"}),
		metaA.NewFinding(target, "thing-1", check.Red, "open to the world", map[string]string{"Thing ID": "thing-1"}),
		metaA.NewFinding(check.Target{Account: "111122223333", Region: "us-east-1"}, "(all)", check.Error, "could not evaluate: ec2 X: access denied", nil),
		metaB.NewFinding(global, "policy", check.Yellow, "weak", map[string]string{"Password Policy": "Enabled", "Reason": "weak, with, commas"}),
	}
	for i := range fs {
		if fs[i].CheckID == metaA.ID {
			metaA.Complete(&fs[i])
		}
	}
	return fs
}

func TestSummaries(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{}, catalog(), findings())
	want := []struct {
		id, status             string
		red, yellow, green, er int
	}{
		{metaA.ID, "red", 1, 0, 1, 1},
		{metaB.ID, "yellow", 0, 1, 0, 0},
		{metaC.ID, NotImplemented, 0, 0, 0, 0},
	}
	if len(r.Summaries) != len(want) {
		t.Fatalf("summaries = %d, want %d", len(r.Summaries), len(want))
	}
	for i, w := range want {
		s := r.Summaries[i]
		if s.CheckID != w.id || s.Status != w.status || s.Counts["red"] != w.red || s.Counts["yellow"] != w.yellow || s.Counts["green"] != w.green || s.Counts["error"] != w.er {
			t.Errorf("summary %d = %+v, want %+v", i, s, w)
		}
	}
	// Sorted for reading: check order, then red, yellow, error, green.
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.CheckID[:1]+":"+string(f.Status))
	}
	if got, want := strings.Join(order, " "), "A:red A:error A:green B:yellow"; got != want {
		t.Errorf("finding order = %s, want %s", got, want)
	}
}

func TestSummaryOfAnImplementedCheckWithOnlyErrorsIsError(t *testing.T) {
	t.Parallel()
	fs := findings()[2:3]
	r := New(ScanInfo{}, catalog()[:1], fs)
	if got := r.Summaries[0].Status; got != "error" {
		t.Errorf("status = %q, want error: a check that could not look is never green", got)
	}
}

// TestUnavailableIsNeverGreen: a check whose findings are green except for a
// source that cannot exist here (Health without a support plan, a service not
// offered in the region) summarises as unavailable, shows the reason in the
// table, and counts in JSON; it is never green.
func TestUnavailableIsNeverGreen(t *testing.T) {
	t.Parallel()
	target := check.Target{Account: "111122223333", Region: "ap-northeast-3"}
	fs := []check.Finding{
		metaA.NewFinding(target, "thing-1", check.Green, "fine", nil),
		metaA.UnavailableFinding(target, "(service)", "the service is not offered in ap-northeast-3"),
	}
	r := New(ScanInfo{}, catalog()[:1], fs)
	if got := r.Summaries[0].Status; got != string(check.Unavailable) {
		t.Errorf("summary status = %q, want unavailable", got)
	}
	if got := r.Summaries[0].Counts["unavailable"]; got != 1 {
		t.Errorf("summary unavailable count = %d, want 1", got)
	}
	var table, js, cs bytes.Buffer
	for format, buf := range map[string]*bytes.Buffer{"table": &table, "json": &js, "csv": &cs} {
		if err := Write(buf, format, r, catalog()[:1]); err != nil {
			t.Fatalf("Write %s: %v", format, err)
		}
		if !strings.Contains(buf.String(), "not offered in ap-northeast-3") {
			t.Errorf("%s output lacks the unavailable reason:\n%s", format, buf.String())
		}
	}
	if first := strings.Split(table.String(), "\n")[2]; !strings.HasPrefix(first, "∅ unavailable") || !strings.Contains(first, "Check A") {
		t.Errorf("table line %q should mark Check A unavailable, not green:\n%s", first, table.String())
	}
	if Fails(fs, check.Yellow) {
		t.Error("Fails(green+unavailable, yellow) = true, want false: unavailable never fails a pipeline")
	}
}

func TestFails(t *testing.T) {
	t.Parallel()
	green := check.Finding{Status: check.Green}
	yellow := check.Finding{Status: check.Yellow}
	red := check.Finding{Status: check.Red}
	failed := check.Finding{Status: check.Error}
	unavailable := check.Finding{Status: check.Unavailable}
	tests := []struct {
		findings  []check.Finding
		threshold check.Status
		want      bool
	}{
		{[]check.Finding{green, yellow}, check.Red, false},
		{[]check.Finding{green, red}, check.Red, true},
		{[]check.Finding{green, yellow}, check.Yellow, true},
		{[]check.Finding{green}, check.Yellow, false},
		{[]check.Finding{green, failed}, check.Red, true},
		{[]check.Finding{failed}, check.Yellow, true},
		{[]check.Finding{green, unavailable}, check.Red, false},
		{[]check.Finding{unavailable}, check.Yellow, false},
		{[]check.Finding{unavailable, red}, check.Red, true},
		{nil, check.Red, false},
	}
	for _, tt := range tests {
		if got := Fails(tt.findings, tt.threshold); got != tt.want {
			t.Errorf("Fails(%v, %s) = %v, want %v", tt.findings, tt.threshold, got, tt.want)
		}
	}
}

func TestJSONContract(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	r := New(ScanInfo{Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1"}, StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(1, 0)}, catalog(), findings())
	if err := Write(&buf, "json", r, catalog()); err != nil {
		t.Fatalf("Write json: %v", err)
	}
	var decoded struct {
		Findings  []map[string]any `json:"findings"`
		Summaries []map[string]any `json:"summaries"`
	}
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("decode: %v", err)
	}
	for _, f := range decoded.Findings {
		for _, key := range []string{"checkId", "slug", "checkName", "account", "region", "resourceId", "status", "reason", "columns"} {
			if _, ok := f[key]; !ok {
				t.Errorf("finding %v lacks %q", f, key)
			}
		}
	}
	for _, s := range decoded.Summaries {
		for _, key := range []string{"checkId", "slug", "checkName", "implemented", "status", "counts"} {
			if _, ok := s[key]; !ok {
				t.Errorf("summary %v lacks %q", s, key)
			}
		}
	}
}

func TestCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	r := New(ScanInfo{}, catalog(), findings())
	if err := Write(&buf, "csv", r, catalog()); err != nil {
		t.Fatalf("Write csv: %v", err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read back csv: %v", err)
	}
	if len(rows) != 1+len(findings()) {
		t.Fatalf("csv rows = %d, want header + %d", len(rows), len(findings()))
	}
	header := strings.Join(rows[0], "|")
	if want := "Check ID|Slug|Check Name|Account|Scan Region|Resource ID|Scan Status|Scan Reason|Status|Region|Thing ID|Password Policy|Reason"; header != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	last := rows[len(rows)-1]
	if last[len(last)-1] != "weak, with, commas" {
		t.Errorf("last row = %q, want the Reason column intact", last)
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	r := New(ScanInfo{Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1"}}, catalog(), findings())
	if err := Write(&buf, "table", r, catalog()); err != nil {
		t.Fatalf("Write table: %v", err)
	}
	out := buf.String()
	for _, want := range []string{"✖ red", "Check A (AAAAAAAAAA)", "red 1 · yellow 0 · green 1 · error 1", "thing-1", "open to the world",
		"? error us-east-1 (all): could not evaluate", "– not implemented  Check C"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "thing-2") {
		t.Errorf("table lists the green resource thing-2; only flagged resources belong there:\n%s", out)
	}
	if err := Write(&buf, "yaml", r, catalog()); err == nil {
		t.Error("Write yaml: want an error for an unknown format")
	}
}
