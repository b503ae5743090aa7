// Package diff compares two scan reports (the JSON of `secadvisor scan
// --format json`): what a change introduced, what it resolved and what
// changed status. It lets a pipeline fail only on what is new, not on every
// red the account already had.
//
// A finding is the same finding in both reports when its account, check,
// region and resource are the same. A finding that the newer scan did not
// look at (another check, account or region, or a scope it could not look
// at) is not compared: its absence proves nothing, so it is counted apart
// rather than read as resolved.
package diff

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/report"
)

// SchemaVersion is the version of the diff's JSON contract, which changes
// under the same rule as the report's.
const SchemaVersion = 1

// Result is what changed between an older and a newer report: the JSON of
// `secadvisor diff --format json`. Its lists are never nil, so that the
// JSON holds [] rather than null.
type Result struct {
	SchemaVersion int `json:"schemaVersion"`
	// New lists the newer report's red, yellow and error findings that the
	// older report does not hold.
	New []check.Finding `json:"new"`
	// Resolved lists the older report's red, yellow and error findings
	// that the newer scan looked at and either did not find or found green.
	Resolved []check.Finding `json:"resolved"`
	// Changed lists the findings both reports hold with another status or
	// suppressed flag (a failing finding turned green is in Resolved).
	Changed []Change `json:"changed"`
	// NotCompared counts the older report's red, yellow and error findings
	// that the newer scan did not look at (another check, account or
	// region, or a scope it could not look at): neither resolved nor not.
	NotCompared int `json:"notCompared"`
}

// Change is one finding as both reports hold it.
type Change struct {
	Before check.Finding `json:"before"`
	After  check.Finding `json:"after"`
}

// Worsened reports whether the change made the finding call for more
// action: a more severe status, or a finding that lost its suppression.
func (c Change) Worsened() bool {
	return c.After.Status.Severity() > c.Before.Status.Severity() || c.Before.Suppressed && !c.After.Suppressed
}

// key identifies a finding across reports.
type key struct{ account, checkID, region, resource string }

func keyOf(f check.Finding) key { return key{f.Account, f.CheckID, f.Region, f.ResourceID} }

// failing reports whether a finding's status calls for action (red,
// yellow or error): what can be new or resolved.
func failing(s check.Status) bool { return slices.Contains(report.Failing, s) }

// Parse decodes a scan report and checks that it can be compared: a
// secadvisor report of this schema version, listing every failing finding.
func Parse(data []byte) (report.Report, error) {
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return report.Report{}, fmt.Errorf("not a JSON scan report: %w", err)
	}
	switch {
	case r.SchemaVersion == 0:
		return report.Report{}, errors.New("not a secadvisor scan report (no schemaVersion): write one with secadvisor scan --format json")
	case r.SchemaVersion != report.SchemaVersion:
		return report.Report{}, fmt.Errorf("schemaVersion %d: this secadvisor reads version %d", r.SchemaVersion, report.SchemaVersion)
	}
	// A report limited to some statuses (--status red) leaves out findings
	// that did fail: what it does not list would read as resolved or new.
	if len(r.StatusFilter) > 0 {
		for _, s := range report.Failing {
			if !slices.Contains(r.StatusFilter, s) {
				return report.Report{}, fmt.Errorf("it lists only %v findings: a diff needs every red, error and yellow one (scan with --only-failing or without --status)", r.StatusFilter)
			}
		}
	}
	for i, f := range r.Findings {
		if f.Status.Severity() < 0 {
			return report.Report{}, fmt.Errorf("finding %d (%s %s): unknown status %q", i, f.CheckID, f.ResourceID, f.Status)
		}
	}
	return r, nil
}

// Compare returns what changed from older to newer. Each list is sorted
// most severe first (red, error, yellow, as the report reads), then by
// account, check, region and resource.
func Compare(older, newer report.Report) Result {
	res := Result{SchemaVersion: SchemaVersion, New: []check.Finding{}, Resolved: []check.Finding{}, Changed: []Change{}}
	after := index(newer.Findings)
	before := index(older.Findings)
	looked := coverage(newer)
	for _, f := range newer.Findings {
		if _, ok := before[keyOf(f)]; !ok && failing(f.Status) {
			res.New = append(res.New, f)
		}
	}
	for _, f := range older.Findings {
		g, ok := after[keyOf(f)]
		switch {
		case !ok && !failing(f.Status):
			// A green or unavailable resource gone: nothing to say.
		case !ok && !looked.covers(f):
			res.NotCompared++
		case !ok, failing(f.Status) && g.Status == check.Green:
			res.Resolved = append(res.Resolved, f)
		case g.Status != f.Status || g.Suppressed != f.Suppressed:
			res.Changed = append(res.Changed, Change{Before: f, After: g})
		}
	}
	slices.SortStableFunc(res.New, byUrgency)
	slices.SortStableFunc(res.Resolved, byUrgency)
	slices.SortStableFunc(res.Changed, func(a, b Change) int {
		return cmp.Or(cmp.Compare(rank(a.After.Status), rank(b.After.Status)), byUrgency(a.Before, b.Before))
	})
	return res
}

// Failing returns what the newer report introduced at or above threshold:
// the new findings, and the changed ones that worsened (see
// Change.Worsened), that fail it by check.Status.Fails — error fails every
// threshold, unavailable none. Suppressed findings never fail; a threshold
// of "" (--fail-on never) returns nothing.
func (r Result) Failing(threshold check.Status) []check.Finding {
	if threshold == "" {
		return nil
	}
	var out []check.Finding
	for _, f := range r.New {
		if !f.Suppressed && f.Status.Fails(threshold) {
			out = append(out, f)
		}
	}
	for _, c := range r.Changed {
		if c.Worsened() && !c.After.Suppressed && c.After.Status.Fails(threshold) {
			out = append(out, c.After)
		}
	}
	return out
}

// Fails reports whether anything the newer report introduced fails
// threshold (see Failing).
func (r Result) Fails(threshold check.Status) bool { return len(r.Failing(threshold)) > 0 }

// index maps findings by key. A report holds each key once; should one
// hold it twice, the first (the most urgent, in a report's order) counts.
func index(findings []check.Finding) map[key]check.Finding {
	m := make(map[key]check.Finding, len(findings))
	for _, f := range findings {
		if _, ok := m[keyOf(f)]; !ok {
			m[keyOf(f)] = f
		}
	}
	return m
}

// scope is one (account, check, region) a scan job looks at.
type scope struct{ account, checkID, region string }

// scanned is what a report's scan looked at.
type scanned struct {
	checks   map[[2]string]bool // account, check: an implemented check's summary
	accounts map[string]bool
	regions  map[string]bool
	// blind holds the scopes the scan could not look at all (an error
	// finding for check.WholeScope), region check.AllRegions standing for
	// every region of an account that could not be entered.
	blind map[scope]bool
}

func coverage(r report.Report) scanned {
	s := scanned{checks: map[[2]string]bool{}, accounts: map[string]bool{}, regions: map[string]bool{}, blind: map[scope]bool{}}
	for _, sum := range r.Summaries {
		if sum.Implemented {
			s.checks[[2]string{sum.Account, sum.CheckID}] = true
		}
	}
	for _, a := range r.Scan.Accounts {
		s.accounts[a] = true
	}
	for _, region := range r.Scan.Regions {
		s.regions[region] = true
	}
	for _, f := range r.Findings {
		if f.Status == check.Error && f.ResourceID == check.WholeScope {
			s.blind[scope{f.Account, f.CheckID, f.Region}] = true
		}
	}
	return s
}

// covers reports whether the scan looked where f was found, so that f's
// absence from it means the resource is gone or no longer flagged.
func (s scanned) covers(f check.Finding) bool {
	regional := f.Region != check.GlobalRegion && f.Region != check.AllRegions
	switch {
	case !s.accounts[f.Account] || !s.checks[[2]string{f.Account, f.CheckID}]:
		return false
	case regional && !s.regions[f.Region]:
		return false
	}
	return !s.blind[scope{f.Account, f.CheckID, f.Region}] && !s.blind[scope{f.Account, f.CheckID, check.AllRegions}]
}

// byUrgency orders findings as the report reads them: status (red, error,
// yellow, unavailable, green), then account, check, region and resource.
func byUrgency(a, b check.Finding) int {
	return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), cmp.Compare(a.Account, b.Account),
		cmp.Compare(a.CheckID, b.CheckID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ResourceID, b.ResourceID))
}

// rank is a status's place in check.Statuses, the reading order.
func rank(s check.Status) int {
	if i := slices.Index(check.Statuses, s); i >= 0 {
		return i
	}
	return len(check.Statuses)
}
