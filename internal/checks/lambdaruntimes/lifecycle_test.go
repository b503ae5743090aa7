package lambdaruntimes

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// TestLifecycleDatesMatchAWS (issue 13, item 1): the table had java11,
// java17, java8.al2 and python3.11 deprecated on 2026-06-30; AWS moved them
// to 2027-06-30, and moved or set the other dates below. Source: AWS's
// Lambda runtimes page and cfn-lint's LmbdRuntimeLifecycle.json of
// 2026-06-02 (see lifecycle.json).
func TestLifecycleDatesMatchAWS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		runtime                               string
		deprecation, blockCreate, blockUpdate string // "" when the item gives none
	}{
		{"java11", "2027-06-30", "2027-07-31", "2027-08-31"},
		{"java17", "2027-06-30", "2027-07-31", "2027-08-31"},
		{"java8.al2", "2027-06-30", "2027-07-31", "2027-08-31"},
		{"python3.11", "2027-06-30", "2027-07-31", "2027-08-31"},
		{"python3.10", "2026-10-31", "", ""},
		{"provided.al2", "2026-07-31", "", ""},
		{"nodejs20.x", "2026-04-30", "", ""},
		{"dotnet8", "2026-11-10", "2027-02-01", "2027-03-03"},
		{"python3.9", "2025-12-15", "2027-02-01", "2027-03-03"},
		{"ruby4.0", "2029-03-31", "2029-04-30", "2029-05-31"},
	}
	for _, tt := range tests {
		lc, ok := lifecycle.runtimes[tt.runtime]
		if !ok {
			t.Errorf("runtime %s is not in the lifecycle data, want deprecation %s", tt.runtime, tt.deprecation)
			continue
		}
		for _, d := range []struct {
			field string
			got   time.Time
			want  string
		}{
			{"deprecation", lc.Deprecation, tt.deprecation},
			{"blockCreate", lc.BlockCreate, tt.blockCreate},
			{"blockUpdate", lc.BlockUpdate, tt.blockUpdate},
		} {
			if d.want != "" && d.got.Format(time.DateOnly) != d.want {
				t.Errorf("runtime %s %s = %s, want %s", tt.runtime, d.field, d.got.Format(time.DateOnly), d.want)
			}
		}
	}
}

// TestStatusesOnTheNewDates evaluates, on 2026-12-01 (the day the data was
// read), the runtimes whose dates moved: none is red only because of the
// old table, none green that is deprecated.
func TestStatusesOnTheNewDates(t *testing.T) {
	t.Parallel()
	now := day(2026, time.December, 1)
	tests := []struct {
		runtime  types.Runtime
		want     check.Status
		wantDays string
	}{
		{"java11", check.Green, "211"},
		{"java17", check.Green, "211"},
		{"java8.al2", check.Green, "211"},
		{"python3.11", check.Green, "211"},
		{"python3.10", check.Red, "0"},
		{"provided.al2", check.Red, "0"},
		{"nodejs20.x", check.Red, "0"},
		{"dotnet8", check.Red, "0"},
		{"python3.9", check.Red, "0"},
		{"ruby3.3", check.Yellow, "120"}, // 2027-03-31: exactly 120 days
		{"nodejs22.x", check.Green, "150"},
		{"ruby4.0", check.Green, "851"},
	}
	for _, tt := range tests {
		got := evaluate(at(now), Input{Functions: []types.FunctionConfiguration{function(tt.runtime)}})
		if len(got) != 1 || got[0].Status != tt.want || got[0].Columns["Days to Deprecation"] != tt.wantDays {
			t.Errorf("evaluate(%s, now=2026-12-01) = %+v, want %s with %s days", tt.runtime, got, tt.want, tt.wantDays)
			continue
		}
		if !strings.Contains(got[0].Reason, "Lifecycle data as of 2026-12-01.") {
			t.Errorf("evaluate(%s) reason = %q, want it to say the lifecycle data's date", tt.runtime, got[0].Reason)
		}
	}
}

// TestBoundariesOnTheNewDates walks now across each moved runtime's dates:
// the day before, on and after its deprecation (and the 120-day edge) for
// the status, and around its block dates for the reason's tense.
func TestBoundariesOnTheNewDates(t *testing.T) {
	t.Parallel()
	type step struct {
		name       string
		now        func(runtimeLifecycle) time.Time
		want       check.Status
		wantReason string
	}
	dep := func(days int) func(runtimeLifecycle) time.Time {
		return func(lc runtimeLifecycle) time.Time { return lc.Deprecation.AddDate(0, 0, days) }
	}
	create := func(days int) func(runtimeLifecycle) time.Time {
		return func(lc runtimeLifecycle) time.Time { return lc.BlockCreate.AddDate(0, 0, days) }
	}
	update := func(days int) func(runtimeLifecycle) time.Time {
		return func(lc runtimeLifecycle) time.Time { return lc.BlockUpdate.AddDate(0, 0, days) }
	}
	steps := []step{
		{"121 days before deprecation", dep(-121), check.Green, "is supported until"},
		{"120 days before deprecation", dep(-120), check.Yellow, "in 120 days"},
		{"the day before deprecation", dep(-1), check.Yellow, "in 1 days"},
		{"on the deprecation date", dep(0), check.Red, "(0 days ago)"},
		{"the day after deprecation", dep(1), check.Red, "(1 days ago)"},
		{"the day before creation is blocked", create(-1), check.Red, "blocks creating functions on it from"},
		{"on the day creation is blocked", create(0), check.Red, "has blocked creating functions on it since"},
		{"the day before updates are blocked", update(-1), check.Red, "blocks updating them from"},
		{"on the day updates are blocked", update(0), check.Red, "has blocked updating them since"},
		{"after both", update(1), check.Red, "has blocked creating functions on it since"},
	}
	for _, runtime := range []types.Runtime{"java11", "java17", "java8.al2", "python3.11", "python3.10", "provided.al2", "nodejs20.x", "dotnet8", "python3.9", "ruby4.0"} {
		lc := lifecycle.runtimes[string(runtime)]
		for _, s := range steps {
			now := s.now(lc).Add(13 * time.Hour) // any time of day: days are UTC dates
			got := evaluate(at(now), Input{Functions: []types.FunctionConfiguration{function(runtime)}})
			if len(got) != 1 || got[0].Status != s.want || !strings.Contains(got[0].Reason, s.wantReason) {
				t.Errorf("%s, %s (now=%s): got %+v, want %s with a reason containing %q", runtime, s.name, now.Format(time.RFC3339), got, s.want, s.wantReason)
			}
		}
	}
}

// TestUnknownRuntimeIsError: a runtime AWS added after the data was read is
// an error naming the data's date, never green and never a crash.
func TestUnknownRuntimeIsError(t *testing.T) {
	t.Parallel()
	// The shipped data as it would have been before ruby4.0 existed.
	older := lifecycleTable{asOf: day(2025, time.June, 1), source: lifecycle.source, runtimes: maps.Clone(lifecycle.runtimes)}
	delete(older.runtimes, "ruby4.0")
	now := day(2026, time.December, 1)
	tests := []struct {
		name     string
		table    lifecycleTable
		runtime  types.Runtime
		want     check.Status
		wantText string
	}{
		{"ruby4.0 is known to the shipped data", lifecycle, "ruby4.0", check.Green, "Ruby 4.0 is supported until 2029-03-31"},
		{"ruby4.0 against data read before it existed", older, "ruby4.0", check.Error, "not in the Lambda runtime lifecycle data (as of 2025-06-01): the runtime is newer than the data"},
		{"a runtime no data knows yet", lifecycle, "python3.15", check.Error, "not in the Lambda runtime lifecycle data (as of 2026-12-01)"},
	}
	for _, tt := range tests {
		got := evaluateAgainst(tt.table, at(now), Input{Functions: []types.FunctionConfiguration{function(tt.runtime)}})
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 || got[0].Status != tt.want || !strings.Contains(got[0].Reason, tt.wantText) {
			t.Errorf("%s: evaluate(%s) = %+v, want %s with a reason containing %q", tt.name, tt.runtime, got, tt.want, tt.wantText)
		}
	}
	// Never flagged for metrics, never green.
	if f := flagged([]types.FunctionConfiguration{function("python3.15")}, lifecycle, now); len(f) != 0 {
		t.Errorf("flagged(python3.15) = %d functions, want 0", len(f))
	}
}

// TestLifecycleData guards the shipped file: it parses; it names its source,
// the source's update and the day it was read; every runtime has a name and
// three well-formed dates, never blocks updates before creation, and (under
// the current policy) never blocks creation before deprecation.
func TestLifecycleData(t *testing.T) {
	t.Parallel()
	if lifecycleErr != nil {
		t.Fatalf("parse lifecycle.json: %v", lifecycleErr)
	}
	var raw struct {
		Source, SourceCommit, SourceUpdated, AsOf string
		Runtimes                                  map[string]map[string]string
	}
	if err := json.Unmarshal(lifecycleJSON, &raw); err != nil {
		t.Fatalf("lifecycle.json: %v", err)
	}
	if raw.Source == "" || len(raw.SourceCommit) != 40 || raw.SourceUpdated == "" || raw.AsOf == "" {
		t.Errorf("lifecycle.json source %q, commit %q, updated %q, asOf %q: want all four", raw.Source, raw.SourceCommit, raw.SourceUpdated, raw.AsOf)
	}
	if updated, err := time.Parse(time.DateOnly, raw.SourceUpdated); err != nil || lifecycle.asOf.Before(updated) {
		t.Errorf("sourceUpdated %q, asOf %s: want a date no later than asOf (%v)", raw.SourceUpdated, lifecycle.asOf.Format(time.DateOnly), err)
	}
	// Before 2021 Lambda blocked creation ahead of deprecation on a few
	// runtimes; AWS's records of them are kept as they are.
	blockedBeforeDeprecation := map[string]bool{"nodejs4.3": true, "nodejs4.3-edge": true, "nodejs6.10": true, "nodejs8.10": true, "dotnetcore2.0": true}
	for id, r := range raw.Runtimes {
		for _, field := range []string{"name", "deprecation", "blockCreate", "blockUpdate"} {
			if r[field] == "" {
				t.Errorf("runtime %s has no %s: %v", id, field, r)
			}
		}
		lc := lifecycle.runtimes[id]
		for field, d := range map[string]time.Time{"deprecation": lc.Deprecation, "blockCreate": lc.BlockCreate, "blockUpdate": lc.BlockUpdate} {
			if d.Format(time.DateOnly) != r[field] {
				t.Errorf("runtime %s %s = %q, parsed as %s: want a YYYY-MM-DD date", id, field, r[field], d)
			}
		}
		if lc.BlockUpdate.Before(lc.BlockCreate) {
			t.Errorf("runtime %s blocks updates (%s) before creation (%s)", id, r["blockUpdate"], r["blockCreate"])
		}
		if lc.BlockCreate.Before(lc.Deprecation) != blockedBeforeDeprecation[id] {
			t.Errorf("runtime %s: deprecated %s, creation blocked %s; want creation blocked on or after deprecation unless it is one of the pre-2021 exceptions", id, r["deprecation"], r["blockCreate"])
		}
	}
	if len(lifecycle.runtimes) != len(raw.Runtimes) {
		t.Errorf("parsed %d runtimes, file has %d", len(lifecycle.runtimes), len(raw.Runtimes))
	}
}

// TestParseLifecycleRejects: a damaged data file is an error, never a panic
// or a silently partial table.
func TestParseLifecycleRejects(t *testing.T) {
	t.Parallel()
	const head = `{"source":"s","sourceCommit":"c","sourceUpdated":"2026-06-02","asOf":"2026-12-01","runtimes":`
	tests := []struct{ name, raw, wantErr string }{
		{"not JSON", `{`, "lifecycle data"},
		{"unknown field", `{"sourse":"typo"}`, "unknown field"},
		{"bad asOf", `{"source":"s","sourceUpdated":"2026-06-02","asOf":"Dec 1","runtimes":{}}`, "asOf"},
		{"no source", `{"asOf":"2026-12-01","runtimes":{"x":{}}}`, "source"},
		{"no runtimes", head + `{}}`, "no runtimes"},
		{"no name", head + `{"x":{"deprecation":"2026-01-01","blockCreate":"2026-02-01","blockUpdate":"2026-03-01"}}}`, "runtime x has no name"},
		{"missing date", head + `{"x":{"name":"X","deprecation":"2026-01-01","blockCreate":"2026-02-01"}}}`, "runtime x blockUpdate"},
		{"malformed date", head + `{"x":{"name":"X","deprecation":"2026-13-01","blockCreate":"2026-02-01","blockUpdate":"2026-03-01"}}}`, "runtime x deprecation"},
		{"update blocked before create", head + `{"x":{"name":"X","deprecation":"2026-01-01","blockCreate":"2026-03-01","blockUpdate":"2026-02-01"}}}`, "blocks updates"},
	}
	for _, tt := range tests {
		_, err := parseLifecycle([]byte(tt.raw))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: parseLifecycle(%s) error = %v, want one containing %q", tt.name, tt.raw, err, tt.wantErr)
		}
	}
}

// TestLifecycleDataset: what the CLI shows beside the check.
func TestLifecycleDataset(t *testing.T) {
	t.Parallel()
	got := lifecycleDataset()
	if got.AsOf != "2026-12-01" {
		t.Errorf("lifecycleDataset().AsOf = %q, want 2026-12-01", got.AsOf)
	}
	if !strings.Contains(got.Source, "cfn-lint") || !strings.Contains(got.Source, "2026-06-02") || !strings.Contains(got.Source, "afd7953b0c15") {
		t.Errorf("lifecycleDataset().Source = %q, want it to name cfn-lint, its update date and commit", got.Source)
	}
}
