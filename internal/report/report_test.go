package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// runnerFunc makes a check implemented; the report never runs it.
type runnerFunc func(context.Context, check.Target) ([]check.Finding, error)

func (f runnerFunc) Run(ctx context.Context, t check.Target) ([]check.Finding, error) {
	return f(ctx, t)
}

var (
	metaA = check.Meta{ID: "AAAAAAAAAA", Slug: "a", Name: "Check A", Scope: check.Regional, Columns: []string{"Status", "Region", "Thing ID"}, RecommendedAction: "Reduce exposure."}
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

// render writes r in format, as Write does for the CLI, or fails the test.
func render(t *testing.T, format string, r Report, checks []check.Check, width int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, checks, width); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.String()
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
	// Sorted for reading: check order, then red, error, yellow, green.
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
	for _, format := range []string{"table", "json", "csv"} {
		if out := render(t, format, r, catalog()[:1], 0); !strings.Contains(out, "not offered in ap-northeast-3") {
			t.Errorf("%s output lacks the unavailable reason:\n%s", format, out)
		}
	}
	table := render(t, "table", r, catalog()[:1], 0)
	if first := strings.Split(table, "\n")[2]; !strings.HasPrefix(first, "∅ unavailable") || !strings.Contains(first, "Check A") {
		t.Errorf("table line %q should mark Check A unavailable, not green:\n%s", first, table)
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
	r := New(ScanInfo{Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1"}, StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(1, 0)}, catalog(), findings())
	out := render(t, "json", r, catalog(), 0)
	var decoded struct {
		SchemaVersion *int             `json:"schemaVersion"`
		Findings      []map[string]any `json:"findings"`
		Summaries     []map[string]any `json:"summaries"`
	}
	if err := json.Unmarshal([]byte(out), &decoded); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if decoded.SchemaVersion == nil || *decoded.SchemaVersion != SchemaVersion {
		t.Errorf("schemaVersion = %v, want %d", decoded.SchemaVersion, SchemaVersion)
	}
	for _, f := range decoded.Findings {
		for _, key := range []string{"checkId", "slug", "checkName", "account", "region", "resourceId", "status", "reason", "columns"} {
			if _, ok := f[key]; !ok {
				t.Errorf("finding %v lacks %q", f, key)
			}
		}
		if _, ok := f["columns"].(map[string]any); !ok {
			t.Errorf("finding %v: columns = %v, want an object (never null)", f, f["columns"])
		}
	}
	for _, s := range decoded.Summaries {
		for _, key := range []string{"checkId", "slug", "checkName", "implemented", "status", "counts", "recommendedAction"} {
			if _, ok := s[key]; !ok {
				t.Errorf("summary %v lacks %q", s, key)
			}
		}
	}
}

func TestCSV(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{}, catalog(), findings())
	rows, err := csv.NewReader(strings.NewReader(render(t, "csv", r, catalog(), 0))).ReadAll()
	if err != nil {
		t.Fatalf("read back csv: %v", err)
	}
	if len(rows) != 1+len(findings()) {
		t.Fatalf("csv rows = %d, want header + %d", len(rows), len(findings()))
	}
	// One fixed common set, then the spec's columns the common set does not
	// already carry (Status, Region and Reason appear once).
	header := strings.Join(rows[0], "|")
	if want := "Check ID|Check Slug|Check Name|Account|Account Name|Region|Resource ID|Status|Reason|Recommended Action|Suppressed|Thing ID|Password Policy"; header != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	byResource := map[string][]string{}
	for _, row := range rows[1:] {
		byResource[row[6]] = row
	}
	if got := byResource["thing-1"]; got[7] != "Red" || got[8] != "open to the world" || got[9] != "Reduce exposure." || got[11] != "thing-1" {
		t.Errorf("row of thing-1 = %q, want status Red, its reason, the recommended action and its Thing ID", got)
	}
}

// TestTableOrder: checks are listed by what needs action first (red, error,
// yellow, unavailable), then one line for each green check, each check with
// nothing to look at and each check not implemented.
func TestTableOrder(t *testing.T) {
	t.Parallel()
	metas := []check.Meta{
		{ID: "GREEN00000", Name: "Green check", Columns: []string{"Status"}},
		{ID: "NONE000000", Name: "Empty check"},
		{ID: "UNAVAIL000", Name: "Unavailable check"},
		{ID: "YELLOW0000", Name: "Yellow check", RecommendedAction: "Tidy up."},
		{ID: "ERROR00000", Name: "Error check", RecommendedAction: "Grant access."},
		{ID: "RED0000000", Name: "Red check", RecommendedAction: "Close the port."},
		{ID: "NOTIMPL000", Name: "Missing check"},
	}
	var catalog []check.Check
	for _, m := range metas {
		c := check.Check{Meta: m}
		if m.ID != "NOTIMPL000" {
			c.Runner = runnerFunc(nil)
		}
		catalog = append(catalog, c)
	}
	target := check.Target{Account: "111122223333", Region: "eu-west-1"}
	fs := []check.Finding{
		metas[0].NewFinding(target, "g-1", check.Green, "fine", nil),
		metas[0].NewFinding(target, "g-2", check.Green, "fine", nil),
		metas[2].UnavailableFinding(target, "(service)", "not offered here"),
		metas[3].NewFinding(target, "y-1", check.Yellow, "untidy", nil),
		metas[4].Unevaluated(target, check.WholeScope, "ec2 X: access denied", nil),
		metas[5].NewFinding(target, "r-1", check.Red, "open", nil),
	}
	buf := render(t, "table", New(ScanInfo{}, catalog, fs), catalog, 0)
	var titles []string
	for _, line := range strings.Split(buf, "\n") {
		if !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "Summary") && strings.Contains(line, " check") {
			titles = append(titles, strings.Join(strings.Fields(line), " "))
		}
	}
	want := []string{
		"✖ red Red check (RED0000000)",
		"? error Error check (ERROR00000)",
		"! yellow Yellow check (YELLOW0000)",
		"∅ unavailable Unavailable check (UNAVAIL000)",
		"✔ green Green check (GREEN00000): 2 resources",
		"· no resources Empty check (NONE000000): nothing to look at",
		"– not implemented Missing check (NOTIMPL000)",
	}
	if strings.Join(titles, "\n") != strings.Join(want, "\n") {
		t.Errorf("check lines =\n%s\nwant\n%s\nin:\n%s", strings.Join(titles, "\n"), strings.Join(want, "\n"), buf)
	}
	for _, action := range []string{"Recommended action: Close the port.", "Recommended action: Grant access.", "Recommended action: Tidy up."} {
		if !strings.Contains(buf, action) {
			t.Errorf("table lacks %q under its failing check:\n%s", action, buf)
		}
	}
	if strings.Contains(buf, "g-1") {
		t.Errorf("table lists green resource g-1; a green check takes one line:\n%s", buf)
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	info := ScanInfo{Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1", "us-east-1"}, StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(12, 300e6)}
	r := New(info, catalog(), findings())
	out := strings.Join(strings.Fields(render(t, "table", r, catalog(), 0)), " ")
	for _, want := range []string{"✖ red", "Check A (AAAAAAAAAA)", "red 1 · error 1 · green 1", "thing-1", "open to the world",
		"? error us-east-1 (all): could not evaluate", "Check C (CCCCCCCCCC)",
		"Summary: findings red 1, error 1, yellow 1, unavailable 0, green 1 · checks 3 (1 red, 1 yellow, 1 not implemented) · 1 account · 2 regions · 12.3s"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "thing-2") {
		t.Errorf("table lists the green resource thing-2; only flagged resources belong there:\n%s", out)
	}
	if err := Write(io.Discard, "yaml", r, catalog(), 0); err == nil {
		t.Error("Write yaml: want an error for an unknown format")
	}
}

// TestStatusFilter: --status keeps only the named statuses' findings in
// every format, while the summaries still count every finding.
func TestStatusFilter(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{}, catalog(), findings()).Only([]check.Status{check.Red, check.Error})
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.ResourceID)
	}
	if strings.Join(got, ",") != "thing-1,(all)" {
		t.Errorf("findings = %v, want thing-1 and (all)", got)
	}
	if r.Summaries[0].Counts["green"] != 1 || r.Summaries[1].Status != "yellow" {
		t.Errorf("summaries = %+v, want them counting every finding", r.Summaries)
	}
	for _, format := range Formats {
		buf := render(t, format, r, catalog(), 0)
		if strings.Contains(buf, "weak, with") {
			t.Errorf("%s output lists the yellow finding that --status red,error leaves out:\n%s", format, buf)
		}
		if !strings.Contains(buf, "open to the world") {
			t.Errorf("%s output lacks the red finding:\n%s", format, buf)
		}
	}
	table := render(t, "table", r, catalog(), 0)
	if strings.Contains(table, "Check B") || !strings.Contains(table, "Showing red, error findings only") {
		t.Errorf("filtered table should leave out Check B and say what it shows:\n%s", table)
	}
}

// TestTableFitsTheWidth: no line is wider than the width asked for, however
// long a cell (a Well-Architected row was 678 characters); columns that
// cannot fit turn into one block per finding, and nothing is cut.
func TestTableFitsTheWidth(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a long reason that goes on ", 25)
	wide := check.Meta{ID: "WIDE000000", Name: "Wide check", RecommendedAction: strings.Repeat("act now ", 40),
		Columns: []string{"Status", "Region", "Workload ARN", "Workload Name", "Reviewer", "Workload Type", "Started", "Last Modified", "Reason"}}
	narrow := check.Meta{ID: "NARROW0000", Name: "Narrow check", Columns: []string{"Status", "Region", "Thing ID"}}
	catalog := []check.Check{{Meta: wide, Runner: runnerFunc(nil)}, {Meta: narrow, Runner: runnerFunc(nil)}}
	target := check.Target{Account: "111122223333", Region: "eu-west-1"}
	arn := "arn:aws:wellarchitected:eu-west-1:111122223333:workload/0123456789abcdef0123456789abcdef"
	fs := []check.Finding{
		wide.NewFinding(target, arn, check.Red, long, map[string]string{"Status": "Red", "Region": "eu-west-1", "Workload ARN": arn,
			"Workload Name": "checkout", "Reviewer": "platform-team@example.com", "Workload Type": "PRODUCTION",
			"Started": "2026-11-30T10:00:00Z", "Last Modified": "2026-11-30T10:00:00Z", "Reason": long}),
		narrow.NewFinding(target, "thing-1", check.Red, long, map[string]string{"Status": "Red", "Region": "eu-west-1", "Thing ID": "thing-1"}),
	}
	for _, width := range []int{60, 80, 120, 200} {
		buf := render(t, "table", New(ScanInfo{Accounts: []string{"111122223333"}}, catalog, fs), catalog, width)
		for i, line := range strings.Split(buf, "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, line)
			}
		}
		// Wrapping may break a word longer than a line: compare without spaces.
		flat := strings.Join(strings.Fields(buf), "")
		for _, want := range []string{strings.Join(strings.Fields(long), ""), arn, "platform-team@example.com"} {
			if !strings.Contains(flat, want) {
				t.Errorf("width %d: table lost %.40q…:\n%s", width, want, buf)
			}
		}
	}
}

// TestNoResources: a check that ran and found nothing to look at says so; it
// is not shown as a green that reads as checked-and-clean.
func TestNoResources(t *testing.T) {
	t.Parallel()
	r := New(ScanInfo{}, catalog()[:1], nil)
	if got := r.Summaries[0].Status; got != NoResources {
		t.Errorf("summary status = %q, want %q", got, NoResources)
	}
	buf := render(t, "table", r, catalog()[:1], 0)
	if !strings.Contains(buf, "· no resources") || strings.Contains(buf, "✔") {
		t.Errorf("table should say no resources, with no green tick:\n%s", buf)
	}
}

// TestOrganizationTable: a scan of several accounts has one section per
// account (named when the name is known), summaries per check and account,
// and ends with one line per account.
func TestOrganizationTable(t *testing.T) {
	t.Parallel()
	member := check.Target{Account: "444455556666", Region: "eu-west-1"}
	fs := append(findings(),
		metaA.NewFinding(member, "thing-9", check.Red, "open to the world", map[string]string{"Thing ID": "thing-9"}),
		metaA.NewFinding(check.Target{Account: "777788889999", Region: check.AllRegions}, check.WholeScope, check.Error, "could not assume arn:aws:iam::777788889999:role/secadvisor-member: sts AssumeRole: access denied (AccessDenied: not authorized)", nil),
	)
	info := ScanInfo{
		Accounts:     []string{"111122223333", "444455556666", "777788889999"},
		AccountNames: map[string]string{"444455556666": "workloads", "777788889999": "sandbox"},
		Regions:      []string{"eu-west-1"}, StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(1, 0),
	}
	r := New(info, catalog(), fs)
	if got, want := len(r.Summaries), 3*len(catalog()); got != want {
		t.Errorf("summaries = %d, want %d (one per check and account)", got, want)
	}
	for _, s := range r.Summaries {
		if s.Account == "444455556666" && s.CheckID == metaA.ID && (s.Status != "red" || s.Counts["red"] != 1 || s.AccountName != "workloads") {
			t.Errorf("summary of check A in the member = %+v, want red 1 named workloads (its own findings only)", s)
		}
	}
	buf := render(t, "table", r, catalog(), 0)
	out := buf
	sections := []string{"━━ Account 111122223333:", "━━ Account workloads (444455556666): red 1", "━━ Account sandbox (777788889999): error 1", "Findings per account:"}
	last := -1
	for _, want := range sections {
		i := strings.Index(out, want)
		if i < 0 || i < last {
			t.Errorf("table lacks %q after the previous section:\n%s", want, out)
		}
		last = max(last, i)
	}
	if i, j := strings.Index(out, "thing-9"), strings.Index(out, "━━ Account workloads"); i < j {
		t.Errorf("the member's thing-9 is listed before its account's section:\n%s", out)
	}
	// The account that could not be entered: its one reason, said once.
	if !strings.Contains(out, "? error every check: could not assume arn:aws:iam::777788889999:role/secadvisor-member") {
		t.Errorf("table lacks the reason the account could not be entered:\n%s", out)
	}
	if section := out[strings.Index(out, "━━ Account sandbox"):strings.Index(out, "Findings per account:")]; strings.Contains(section, "Check A") {
		t.Errorf("the section of the account that could not be entered lists its checks one by one:\n%s", section)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"444455556666 workloads 1 0 0 0 0", "777788889999 sandbox 0 1 0 0 0", "3 accounts"} {
		if !strings.Contains(flat, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestSuppressedFindings: a suppressed finding keeps its status and counts,
// but does not make its check's status nor fail a threshold; the table
// lists it apart with its rule, and the rules that expired or matched
// nothing.
func TestSuppressedFindings(t *testing.T) {
	t.Parallel()
	fs := findings()
	for i := range fs {
		if fs[i].ResourceID == "thing-1" {
			fs[i].Suppressed = true
			fs[i].Suppression = &check.Suppression{Rule: "rules.yaml:2", Reason: "public on purpose", Owner: "web-team", Expires: "2027-03-31"}
		}
	}
	r := New(ScanInfo{Accounts: []string{"111122223333"}}, catalog(), fs)
	expired, err := suppress.New("rules.yaml:9", "*", "*", "*", "old-*", "was fine", "ops", "2026-01-31", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), suppress.DefaultMaxAhead)
	if err != nil {
		t.Fatal(err)
	}
	r.Suppressions = &suppress.Outcome{Suppressed: 1, Expired: []suppress.Rule{expired}}
	a := r.Summaries[0]
	if a.Counts["red"] != 1 || a.Suppressed != 1 || a.Status != "error" {
		t.Errorf("check A summary = %+v, want red 1 counted, 1 suppressed, status error (its unsuppressed worst)", a)
	}
	only := []check.Finding{fs[1]}
	if !only[0].Suppressed || Fails(only, check.Red) || Fails(only, check.Yellow) {
		t.Errorf("Fails(a suppressed red) = true; a suppressed finding never fails")
	}
	buf := render(t, "table", r, catalog(), 200)
	out := buf
	before, section, found := strings.Cut(out, "Suppressed (accepted on purpose")
	if !found || !strings.Contains(section, "a 111122223333/eu-west-1 thing-1 — public on purpose (web-team, until 2027-03-31; rule rules.yaml:2)") {
		t.Errorf("table lacks the suppressed finding with its rule:\n%s", out)
	}
	if strings.Contains(before, "thing-1") {
		t.Errorf("the suppressed thing-1 is listed among its check's findings too:\n%s", out)
	}
	if !strings.Contains(out, "past their expiry date") || !strings.Contains(out, "rules.yaml:9") {
		t.Errorf("table lacks the expired rule:\n%s", out)
	}
}
