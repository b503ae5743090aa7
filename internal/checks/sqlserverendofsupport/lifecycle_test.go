package sqlserverendofsupport

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// TestSQLServer2025Known: SQL Server 2025 (GA 2025-11-18) is in the table
// with Microsoft's dates, mainstream support to 2031-01-06 and extended
// support to 2036-01-06, so an instance running it is judged, not an error.
// It walks the version's boundaries, found through the AMI name and through
// Systems Manager inventory, shaped like AWS's answers.
func TestSQLServer2025Known(t *testing.T) {
	t.Parallel()
	fromAMI := Input{
		Instances: []ec2types.Instance{running(testInstance, testImage)},
		Images:    map[string]ec2types.Image{testImage: image(testImage, "Windows_Server-2025-English-Full-SQL_2025_Standard-2026.01.14", "", "Windows with SQL Server Standard")},
	}
	fromInventory := Input{
		Instances: []ec2types.Instance{running(testInstance, testImage)},
		Images:    map[string]ec2types.Image{testImage: image(testImage, baseWindows, "", "Windows")},
		Applications: map[string]Inventory{testInstance: {CaptureTime: "2026-11-27T22:10:05Z",
			Applications: []Application{{Name: "Microsoft SQL Server 2025 (64-bit)", Version: "17.0.4035.5"}}}},
	}
	tests := []struct {
		name        string
		in          Input
		now         time.Time
		want        check.Status
		wantVersion string
		wantCycle   string
	}{
		{"AMI, today", fromAMI, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), check.Green, "SQL Server 2025 Standard", "Mainstream support"},
		{"inventory, today", fromInventory, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), check.Green, "SQL Server 2025", "Mainstream support"},
		{"last day of mainstream support", fromAMI, time.Date(2031, 1, 5, 23, 59, 59, 0, time.UTC), check.Green, "SQL Server 2025 Standard", "Mainstream support"},
		{"extended support", fromAMI, time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC), check.Green, "SQL Server 2025 Standard", "Extended support"},
		{"12 months and a day before the end", fromAMI, time.Date(2035, 1, 5, 12, 0, 0, 0, time.UTC), check.Green, "SQL Server 2025 Standard", "Extended support"},
		{"12 months before the end", fromAMI, time.Date(2035, 1, 6, 0, 0, 0, 0, time.UTC), check.Yellow, "SQL Server 2025 Standard", "Extended support"},
		{"end of support", fromAMI, time.Date(2036, 1, 6, 0, 0, 0, 0, time.UTC), check.Red, "SQL Server 2025 Standard", "End of support"},
	}
	for _, tt := range tests {
		got := evaluate(at(tt.now), tt.in)
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 {
			t.Fatalf("%s: evaluate(now=%s) = %+v, want one finding", tt.name, tt.now, got)
		}
		f := got[0]
		if f.Status != tt.want || f.Columns["SQL Server Version"] != tt.wantVersion || f.Columns["Support Cycle"] != tt.wantCycle || f.Columns["End of Support"] != "2036-01-06" {
			t.Errorf("%s: evaluate(now=%s) = %s, %q, %q, end %q (reason %q); want %s, %q, %q, end 2036-01-06",
				tt.name, tt.now, f.Status, f.Columns["SQL Server Version"], f.Columns["Support Cycle"], f.Columns["End of Support"], f.Reason, tt.want, tt.wantVersion, tt.wantCycle)
		}
	}
}

// TestLifecycleData checks the shipped lifecycle.json: it parses, names its
// source and the day it was read, and every row is well formed.
func TestLifecycleData(t *testing.T) {
	t.Parallel()
	if lifecycleErr != nil {
		t.Fatalf("parse lifecycle.json: %v", lifecycleErr)
	}
	var raw struct {
		Source   string
		AsOf     string
		Versions map[string]map[string]string
	}
	if err := json.Unmarshal(lifecycleJSON, &raw); err != nil {
		t.Fatalf("lifecycle.json: %v", err)
	}
	shown := dataset()
	if !strings.Contains(raw.Source, "learn.microsoft.com/lifecycle") || shown.Source != raw.Source {
		t.Errorf("source %q (dataset().Source %q): want Microsoft's lifecycle pages", raw.Source, shown.Source)
	}
	if shown.AsOf != raw.AsOf || shown.AsOf != "2026-12-01" {
		t.Errorf("dataset().AsOf = %q, file asOf %q; want 2026-12-01", shown.AsOf, raw.AsOf)
	}
	if len(lifecycle.versions) != len(raw.Versions) {
		t.Errorf("parsed %d versions, file has %d", len(lifecycle.versions), len(raw.Versions))
	}
	for name, r := range raw.Versions {
		lc := lifecycle.versions[name]
		if lc.MainstreamEnd.Format(time.DateOnly) != r["mainstreamEnd"] || lc.ExtendedEnd.Format(time.DateOnly) != r["extendedEnd"] {
			t.Errorf("version %s = %v, parsed as %s / %s: want YYYY-MM-DD dates", name, r,
				lc.MainstreamEnd.Format(time.DateOnly), lc.ExtendedEnd.Format(time.DateOnly))
		}
		// Fixed Lifecycle: about five years of each phase, ten in all.
		if years := lc.ExtendedEnd.Sub(lc.MainstreamEnd).Hours() / 24 / 365.25; years < 4.5 || years > 5.5 {
			t.Errorf("version %s: extended support lasts %.1f years after mainstream (%v), want about five", name, years, r)
		}
	}
	// Every release the detectors can name from AWS's license-included AMIs
	// of the past decade and from inventory is in the table.
	for _, v := range []string{"2008 R2", "2012", "2014", "2016", "2017", "2019", "2022", "2025"} {
		if _, ok := lifecycle.versions[v]; !ok {
			t.Errorf("version %s missing from lifecycle.json", v)
		}
	}

	bad := []struct{ name, file string }{
		{"not JSON", `{`},
		{"unknown field", `{"source":"s","asOf":"2026-12-01","versions":{"2025":{"mainstreamEnd":"2031-01-06","extendedEnd":"2036-01-06","start":"x"}}}`},
		{"no source", `{"asOf":"2026-12-01","versions":{"2025":{"mainstreamEnd":"2031-01-06","extendedEnd":"2036-01-06"}}}`},
		{"bad asOf", `{"source":"s","asOf":"soon","versions":{"2025":{"mainstreamEnd":"2031-01-06","extendedEnd":"2036-01-06"}}}`},
		{"no versions", `{"source":"s","asOf":"2026-12-01","versions":{}}`},
		{"version misnamed", `{"source":"s","asOf":"2026-12-01","versions":{"SQL Server 2025":{"mainstreamEnd":"2031-01-06","extendedEnd":"2036-01-06"}}}`},
		{"date not a date", `{"source":"s","asOf":"2026-12-01","versions":{"2025":{"mainstreamEnd":"Jan 6, 2031","extendedEnd":"2036-01-06"}}}`},
		{"date missing", `{"source":"s","asOf":"2026-12-01","versions":{"2025":{"mainstreamEnd":"2031-01-06"}}}`},
		{"phases reversed", `{"source":"s","asOf":"2026-12-01","versions":{"2025":{"mainstreamEnd":"2036-01-06","extendedEnd":"2031-01-06"}}}`},
	}
	for _, tt := range bad {
		if _, err := parseLifecycle([]byte(tt.file)); err == nil {
			t.Errorf("%s: parseLifecycle(%s) = no error, want one", tt.name, tt.file)
		}
	}
}
