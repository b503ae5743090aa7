package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/report"
)

const (
	acct  = "111122223333"
	acct2 = "444455556666"
)

// fnd is a finding of check c in acct.
func fnd(c, region, resource string, st check.Status) check.Finding {
	return check.Finding{CheckID: c, Slug: c, Account: acct, Region: region, ResourceID: resource, Status: st, Reason: "because"}
}

func in(account string, f check.Finding) check.Finding { f.Account = account; return f }

func suppressed(f check.Finding) check.Finding {
	f.Suppressed = true
	f.Suppression = &check.Suppression{Rule: "rules.yaml:3", Reason: "accepted", Owner: "web", Expires: "2027-03-31"}
	return f
}

func reason(f check.Finding, r string) check.Finding { f.Reason = r; return f }

// scanOf is a report of a scan of acct and acct2 in eu-west-1 and
// us-east-1 by checks c1 and c2 (both implemented), holding findings.
func scanOf(findings ...check.Finding) report.Report {
	r := report.Report{SchemaVersion: report.SchemaVersion, Findings: findings,
		Scan: report.ScanInfo{Accounts: []string{acct, acct2}, Regions: []string{"eu-west-1", "us-east-1"}}}
	for _, a := range r.Scan.Accounts {
		for _, c := range []string{"c1", "c2"} {
			r.Summaries = append(r.Summaries, report.Summary{CheckID: c, Account: a, Implemented: true})
		}
	}
	return r
}

// describe is one finding in a line a failure can print.
func describe(f check.Finding) string {
	s := fmt.Sprintf("%s %s/%s/%s/%s", f.Status, f.Account[:3], f.CheckID, f.Region, f.ResourceID)
	if f.Suppressed {
		s += " (suppressed)"
	}
	return s
}

func describeAll(fs []check.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, describe(f))
	}
	return out
}

func describeChanges(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, describe(c.Before)+" → "+describe(c.After))
	}
	return out
}

func TestCompare(t *testing.T) {
	t.Parallel()
	const eu, us, apac, global = "eu-west-1", "us-east-1", "ap-south-1", check.GlobalRegion
	tests := []struct {
		name        string
		old, new    report.Report
		newAt       []string // want, by describe
		resolved    []string
		changed     []string
		notCompared int
	}{
		{
			name: "same findings, another reason: nothing",
			old:  scanOf(fnd("c1", eu, "r1", check.Red), fnd("c1", eu, "r2", check.Green)),
			new:  scanOf(reason(fnd("c1", eu, "r1", check.Red), "another"), fnd("c1", eu, "r2", check.Green)),
		},
		{
			name: "new red, error and yellow, most severe first; new green and unavailable are not news",
			old:  scanOf(),
			new: scanOf(fnd("c1", eu, "r2", check.Yellow), fnd("c1", eu, "r5", check.Unavailable), fnd("c1", eu, "r3", check.Error),
				fnd("c1", eu, "r4", check.Green), fnd("c1", eu, "r1", check.Red), suppressed(fnd("c2", global, "r6", check.Red))),
			newAt: []string{"red 111/c1/eu-west-1/r1", "red 111/c2/global/r6 (suppressed)", "error 111/c1/eu-west-1/r3", "yellow 111/c1/eu-west-1/r2"},
		},
		{
			name: "resolved: failing findings gone or green; green and unavailable ones gone say nothing",
			old: scanOf(fnd("c1", eu, "r1", check.Red), fnd("c1", eu, "r2", check.Yellow), fnd("c1", eu, "r3", check.Error),
				suppressed(fnd("c1", eu, "r4", check.Red)), fnd("c1", eu, "r5", check.Unavailable), fnd("c1", eu, "r6", check.Green)),
			new:      scanOf(fnd("c1", eu, "r1", check.Green)),
			resolved: []string{"red 111/c1/eu-west-1/r1", "red 111/c1/eu-west-1/r4 (suppressed)", "error 111/c1/eu-west-1/r3", "yellow 111/c1/eu-west-1/r2"},
		},
		{
			name: "changed status or suppression, by the status after, then before",
			old: scanOf(fnd("c1", eu, "r1", check.Yellow), fnd("c1", eu, "r2", check.Red), fnd("c1", eu, "r3", check.Green),
				fnd("c1", eu, "r4", check.Unavailable), suppressed(fnd("c1", eu, "r5", check.Red)), fnd("c1", eu, "r6", check.Red),
				fnd("c1", eu, "r7", check.Red), fnd("c1", eu, "r8", check.Green)),
			new: scanOf(fnd("c1", eu, "r1", check.Red), fnd("c1", eu, "r2", check.Yellow), fnd("c1", eu, "r3", check.Red),
				fnd("c1", eu, "r4", check.Yellow), fnd("c1", eu, "r5", check.Red), suppressed(fnd("c1", eu, "r6", check.Red)),
				fnd("c1", eu, "r7", check.Unavailable), fnd("c1", eu, "r8", check.Unavailable)),
			changed: []string{
				"red 111/c1/eu-west-1/r5 (suppressed) → red 111/c1/eu-west-1/r5",
				"red 111/c1/eu-west-1/r6 → red 111/c1/eu-west-1/r6 (suppressed)",
				"yellow 111/c1/eu-west-1/r1 → red 111/c1/eu-west-1/r1",
				"green 111/c1/eu-west-1/r3 → red 111/c1/eu-west-1/r3",
				"red 111/c1/eu-west-1/r2 → yellow 111/c1/eu-west-1/r2",
				"unavailable 111/c1/eu-west-1/r4 → yellow 111/c1/eu-west-1/r4",
				"red 111/c1/eu-west-1/r7 → unavailable 111/c1/eu-west-1/r7",
				"green 111/c1/eu-west-1/r8 → unavailable 111/c1/eu-west-1/r8",
			},
		},
		{
			name:  "the same resource in another account, region or check is another finding",
			old:   scanOf(fnd("c1", eu, "r1", check.Red)),
			new:   scanOf(fnd("c1", eu, "r1", check.Red), in(acct2, fnd("c1", eu, "r1", check.Red)), fnd("c1", us, "r1", check.Red), fnd("c2", eu, "r1", check.Red)),
			newAt: []string{"red 111/c1/us-east-1/r1", "red 111/c2/eu-west-1/r1", "red 444/c1/eu-west-1/r1"},
		},
		{
			name: "what the new scan did not look at is not compared, however it was",
			old: scanOf(fnd("c1", apac, "r1", check.Red), in("777788889999", fnd("c1", eu, "r2", check.Red)),
				fnd("c3", eu, "r3", check.Yellow), fnd("c2", eu, "r4", check.Error), fnd("c1", apac, "r5", check.Green),
				fnd("c1", global, "r6", check.Red), fnd("c1", us, "r7", check.Red)),
			new: func() report.Report {
				r := scanOf()
				r.Scan.Regions = []string{us}
				r.Summaries[1].Implemented = false // c2 of acct
				return r
			}(),
			// r1: region, r2: account, r3: check, r4: not implemented;
			// r5 green; r6 global and r7 in a region it looked at.
			resolved:    []string{"red 111/c1/global/r6", "red 111/c1/us-east-1/r7"},
			notCompared: 4,
		},
		{
			name: "a scope the new scan could not look at is not compared, and its error is new",
			old: scanOf(fnd("c1", eu, "r1", check.Red), fnd("c1", us, "r2", check.Red),
				in(acct2, fnd("c1", eu, "r3", check.Red)), in(acct2, fnd("c2", global, "r4", check.Yellow)), in(acct2, fnd("c2", us, "r5", check.Red))),
			new: scanOf(fnd("c1", eu, check.WholeScope, check.Error),
				in(acct2, fnd("c1", check.AllRegions, check.WholeScope, check.Error)), in(acct2, fnd("c2", global, check.WholeScope, check.Error))),
			newAt: []string{"error 111/c1/eu-west-1/(all)", "error 444/c1/(all)/(all)", "error 444/c2/global/(all)"},
			// r2: another region, looked at; r5: c2 of acct2 in us-east-1
			// was looked at (only its global scope was not).
			resolved:    []string{"red 111/c1/us-east-1/r2", "red 444/c2/us-east-1/r5"},
			notCompared: 3,
		},
		{
			name:     "an account the old scan could not enter, entered now: its errors are resolved",
			old:      scanOf(in(acct2, fnd("c1", check.AllRegions, check.WholeScope, check.Error)), in(acct2, fnd("c2", global, check.WholeScope, check.Error))),
			new:      scanOf(in(acct2, fnd("c1", eu, "r1", check.Red)), in(acct2, fnd("c2", global, "r2", check.Green))),
			newAt:    []string{"red 444/c1/eu-west-1/r1"},
			resolved: []string{"error 444/c1/(all)/(all)", "error 444/c2/global/(all)"},
		},
	}
	for _, tt := range tests {
		got := Compare(tt.old, tt.new)
		want := func(s []string) []string { return append([]string{}, s...) }
		if got.SchemaVersion != SchemaVersion || got.New == nil || got.Resolved == nil || got.Changed == nil ||
			!slices.Equal(describeAll(got.New), want(tt.newAt)) || !slices.Equal(describeAll(got.Resolved), want(tt.resolved)) ||
			!slices.Equal(describeChanges(got.Changed), want(tt.changed)) || got.NotCompared != tt.notCompared {
			t.Errorf("%s:\nold %q\nnew %q\ngot  new %q\n     resolved %q\n     changed %q\n     not compared %d\nwant new %q\n     resolved %q\n     changed %q\n     not compared %d",
				tt.name, describeAll(tt.old.Findings), describeAll(tt.new.Findings),
				describeAll(got.New), describeAll(got.Resolved), describeChanges(got.Changed), got.NotCompared,
				tt.newAt, tt.resolved, tt.changed, tt.notCompared)
		}
	}
}

func TestCompareJSONHasNoNulls(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(Compare(scanOf(), scanOf()))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"schemaVersion":1,"new":[],"resolved":[],"changed":[],"notCompared":0}`
	if string(data) != want {
		t.Errorf("Compare of two empty reports as JSON = %s, want %s", data, want)
	}
}

// TestFails: what fails each --fail-on threshold ("" is never), at every
// boundary.
func TestFails(t *testing.T) {
	t.Parallel()
	const eu = "eu-west-1"
	const never = check.Status("")
	type status = check.Status
	tests := []struct {
		name     string
		old, new []check.Finding
		fails    map[status]bool // by threshold: red, yellow, never
	}{
		{"nothing", nil, nil, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"new red", nil, []check.Finding{fnd("c1", eu, "r", check.Red)}, map[status]bool{check.Red: true, check.Yellow: true, never: false}},
		{"new yellow", nil, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: true, never: false}},
		{"new error", nil, []check.Finding{fnd("c1", eu, "r", check.Error)}, map[status]bool{check.Red: true, check.Yellow: true, never: false}},
		{"new unavailable", nil, []check.Finding{fnd("c1", eu, "r", check.Unavailable)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"new green", nil, []check.Finding{fnd("c1", eu, "r", check.Green)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"new red, suppressed", nil, []check.Finding{suppressed(fnd("c1", eu, "r", check.Red))}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"new yellow, suppressed", nil, []check.Finding{suppressed(fnd("c1", eu, "r", check.Yellow))}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"red already there", []check.Finding{fnd("c1", eu, "r", check.Red)}, []check.Finding{fnd("c1", eu, "r", check.Red)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"error already there", []check.Finding{fnd("c1", eu, "r", check.Error)}, []check.Finding{fnd("c1", eu, "r", check.Error)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"resolved red", []check.Finding{fnd("c1", eu, "r", check.Red)}, nil, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"yellow to red", []check.Finding{fnd("c1", eu, "r", check.Yellow)}, []check.Finding{fnd("c1", eu, "r", check.Red)}, map[status]bool{check.Red: true, check.Yellow: true, never: false}},
		{"green to yellow", []check.Finding{fnd("c1", eu, "r", check.Green)}, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: true, never: false}},
		{"unavailable to yellow", []check.Finding{fnd("c1", eu, "r", check.Unavailable)}, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: true, never: false}},
		{"red to error", []check.Finding{fnd("c1", eu, "r", check.Red)}, []check.Finding{fnd("c1", eu, "r", check.Error)}, map[status]bool{check.Red: true, check.Yellow: true, never: false}},
		{"green to unavailable", []check.Finding{fnd("c1", eu, "r", check.Green)}, []check.Finding{fnd("c1", eu, "r", check.Unavailable)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"red to yellow (better)", []check.Finding{fnd("c1", eu, "r", check.Red)}, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"error to red (better)", []check.Finding{fnd("c1", eu, "r", check.Error)}, []check.Finding{fnd("c1", eu, "r", check.Red)}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"yellow to red, suppressed", []check.Finding{fnd("c1", eu, "r", check.Yellow)}, []check.Finding{suppressed(fnd("c1", eu, "r", check.Red))}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
		{"red loses its suppression", []check.Finding{suppressed(fnd("c1", eu, "r", check.Red))}, []check.Finding{fnd("c1", eu, "r", check.Red)}, map[status]bool{check.Red: true, check.Yellow: true, never: false}},
		{"yellow loses its suppression", []check.Finding{suppressed(fnd("c1", eu, "r", check.Yellow))}, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: true, never: false}},
		{"suppressed red to unsuppressed yellow", []check.Finding{suppressed(fnd("c1", eu, "r", check.Red))}, []check.Finding{fnd("c1", eu, "r", check.Yellow)}, map[status]bool{check.Red: false, check.Yellow: true, never: false}},
		{"red gains a suppression", []check.Finding{fnd("c1", eu, "r", check.Red)}, []check.Finding{suppressed(fnd("c1", eu, "r", check.Red))}, map[status]bool{check.Red: false, check.Yellow: false, never: false}},
	}
	for _, tt := range tests {
		res := Compare(scanOf(tt.old...), scanOf(tt.new...))
		for _, threshold := range []status{check.Red, check.Yellow, never} {
			want := tt.fails[threshold]
			if got := res.Fails(threshold); got != want {
				t.Errorf("%s: old %q, new %q: Fails(%q) = %v, want %v", tt.name, describeAll(tt.old), describeAll(tt.new), threshold, got, want)
			}
			if got := len(res.Failing(threshold)) > 0; got != want {
				t.Errorf("%s: Failing(%q) = %q, want failing %v", tt.name, threshold, describeAll(res.Failing(threshold)), want)
			}
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	valid, err := json.Marshal(scanOf(fnd("c1", "eu-west-1", "r1", check.Red)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data string
		wantErr    string // "" for a valid report
	}{
		{"a scan report", string(valid), ""},
		{"fields this version does not know", `{"schemaVersion":1,"scan":{},"findings":[],"futureField":true}`, ""},
		{"--only-failing", `{"schemaVersion":1,"statusFilter":["red","error","yellow"],"findings":[]}`, ""},
		{"--status with green too", `{"schemaVersion":1,"statusFilter":["red","error","yellow","green"],"findings":[]}`, ""},
		{"truncated", string(valid[:len(valid)/2]), "not a JSON scan report"},
		{"an array", `[]`, "not a JSON scan report"},
		{"trailing garbage", string(valid) + "}", "not a JSON scan report"},
		{"no schema version", `{"findings":[]}`, "no schemaVersion"},
		{"another major version", `{"schemaVersion":2,"findings":[]}`, "schemaVersion 2"},
		{"--status red", `{"schemaVersion":1,"statusFilter":["red"],"findings":[]}`, "lists only [red] findings"},
		{"--status red,yellow", `{"schemaVersion":1,"statusFilter":["red","yellow"],"findings":[]}`, "lists only [red yellow] findings"},
		{"unknown status", `{"schemaVersion":1,"findings":[{"checkId":"c1","resourceId":"r1","status":"amber"}]}`, `unknown status "amber"`},
	}
	for _, tt := range tests {
		r, err := Parse([]byte(tt.data))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Parse(%.80s) error %v, want none", tt.name, tt.data, err)
		case tt.wantErr == "" && r.SchemaVersion != report.SchemaVersion:
			t.Errorf("%s: Parse(%.80s) schemaVersion = %d, want %d", tt.name, tt.data, r.SchemaVersion, report.SchemaVersion)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: Parse(%.80s) error %v, want one with %q", tt.name, tt.data, err, tt.wantErr)
		}
	}
	if r, _ := Parse(valid); len(r.Findings) != 1 || r.Findings[0].ResourceID != "r1" {
		t.Errorf("Parse(%s) findings = %q, want r1", valid, describeAll(r.Findings))
	}
}
