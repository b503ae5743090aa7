// Package report turns a scan's findings into what people and tools read:
// per-check summaries and the table, JSON and CSV views. The JSON view is a
// stable contract that other tools (and our own tests) parse.
package report

import (
	"slices"
	"sort"
	"time"

	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// Summary statuses beyond the finding statuses.
const (
	// NotImplemented is the summary status of a check that cannot run yet.
	NotImplemented = "not_implemented"
	// NoResources is the summary status of a check that ran and found
	// nothing to look at (no snapshots, no load balancers): not a green.
	NoResources = "no_resources"
)

// SchemaVersion is the version of the JSON contract. It changes only when
// a field is removed, renamed or changes meaning; new fields do not change it.
const SchemaVersion = 1

// Report is one scan's result: the JSON contract of `secadvisor scan --format json`.
type Report struct {
	SchemaVersion int             `json:"schemaVersion"`
	Scan          ScanInfo        `json:"scan"`
	Summaries     []Summary       `json:"summaries"`
	Findings      []check.Finding `json:"findings"`
	// StatusFilter lists the statuses Findings was limited to (--status,
	// --only-failing); empty when every finding is listed. Summaries always
	// count every finding.
	StatusFilter []check.Status `json:"statusFilter,omitempty"`
	// APICalls is filled when the caller asked for statistics.
	APICalls []awsx.OpCount `json:"apiCalls,omitempty"`
	// Suppressions says what the suppression rules did: how many findings
	// they suppressed, which rules expired and which matched nothing.
	// Absent when the scan had no rules.
	Suppressions *suppress.Outcome `json:"suppressions,omitempty"`
}

// ScanInfo says what was scanned and when.
type ScanInfo struct {
	Accounts []string `json:"accounts"`
	// AccountNames maps account IDs to their names in the organization,
	// when known (an organization scan).
	AccountNames map[string]string `json:"accountNames,omitempty"`
	Regions      []string          `json:"regions"`
	StartedAt    time.Time         `json:"startedAt"`
	FinishedAt   time.Time         `json:"finishedAt"`
}

// Summary is one check's line for one account: how many resources are in
// each status.
type Summary struct {
	CheckID     string `json:"checkId"`
	Account     string `json:"account"`
	AccountName string `json:"accountName,omitempty"`
	Slug        string `json:"slug"`
	CheckName   string `json:"checkName"`
	Scope       string `json:"scope"`
	Implemented bool   `json:"implemented"`
	// Status is the check's overall status: red, yellow, error, unavailable
	// or green by what its findings hold (in that order), "no_resources"
	// when it found nothing to look at, or "not_implemented".
	Status string         `json:"status"`
	Counts map[string]int `json:"counts"`
	// Suppressed is how many of the counted findings a rule suppressed:
	// they keep their status in Counts but do not make Status.
	Suppressed int `json:"suppressed"`
	// RecommendedAction is the specification's advice for the check.
	RecommendedAction string `json:"recommendedAction"`
}

// New builds the report for checks (the catalog entries scanned, in catalog
// order) and their findings, sorted for reading: by account, check, then
// severity, region and resource. It summarizes each check once per account
// scanned.
func New(info ScanInfo, checks []check.Check, findings []check.Finding) Report {
	order := map[string]int{}
	for i, c := range checks {
		order[c.Meta.ID] = i
	}
	sorted := append([]check.Finding(nil), findings...)
	for i := range sorted {
		// Findings without report columns (error and unavailable ones) say so
		// with {}, never null: one shape for consumers.
		if sorted[i].Columns == nil {
			sorted[i].Columns = map[string]string{}
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if order[a.CheckID] != order[b.CheckID] {
			return order[a.CheckID] < order[b.CheckID]
		}
		if a.Status.Severity() != b.Status.Severity() {
			return rank(a.Status) < rank(b.Status)
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.ResourceID < b.ResourceID
	})
	if sorted == nil {
		sorted = []check.Finding{}
	}
	r := Report{SchemaVersion: SchemaVersion, Scan: info, Findings: sorted}
	for _, account := range r.accounts() {
		for _, c := range checks {
			s := summarize(c, account, sorted)
			s.AccountName = info.AccountNames[account]
			r.Summaries = append(r.Summaries, s)
		}
	}
	return r
}

// accounts lists the accounts scanned, sorted, with any account a finding
// names that the scan information does not.
func (r Report) accounts() []string {
	accounts := slices.Clone(r.Scan.Accounts)
	for _, f := range r.Findings {
		accounts = append(accounts, f.Account)
	}
	slices.Sort(accounts)
	accounts = slices.Compact(accounts)
	if len(accounts) == 0 {
		return []string{""}
	}
	return accounts
}

// rank orders statuses for reading, as check.Statuses lists them.
func rank(s check.Status) int {
	for i, st := range check.Statuses {
		if st == s {
			return i
		}
	}
	return len(check.Statuses)
}

func summarize(c check.Check, account string, findings []check.Finding) Summary {
	s := Summary{
		CheckID:     c.Meta.ID,
		Account:     account,
		Slug:        c.Meta.Slug,
		CheckName:   c.Meta.Name,
		Scope:       string(c.Meta.Scope),
		Implemented: c.Implemented(),
		Counts:      map[string]int{},

		RecommendedAction: c.Meta.RecommendedAction,
	}
	for _, st := range check.Statuses {
		s.Counts[string(st)] = 0
	}
	// What makes the status: every finding but the suppressed ones.
	unsuppressed := map[check.Status]int{}
	for _, f := range findings {
		if f.CheckID != c.Meta.ID || f.Account != account {
			continue
		}
		s.Counts[string(f.Status)]++
		if f.Suppressed {
			s.Suppressed++
			continue
		}
		unsuppressed[f.Status]++
	}
	switch {
	case !c.Implemented():
		s.Status = NotImplemented
	case unsuppressed[check.Red] > 0:
		s.Status = string(check.Red)
	case unsuppressed[check.Yellow] > 0:
		s.Status = string(check.Yellow)
	case unsuppressed[check.Error] > 0:
		s.Status = string(check.Error)
	case unsuppressed[check.Unavailable] > 0:
		// Never green: part of what the check looks at cannot exist here.
		s.Status = string(check.Unavailable)
	case unsuppressed[check.Green] == 0 && s.Suppressed == 0:
		s.Status = NoResources
	default:
		// Green, or every flagged resource accepted on purpose.
		s.Status = string(check.Green)
	}
	return s
}

// Only returns r with its findings limited to statuses (all of them when
// statuses is empty). Summaries are left whole: they count every finding.
func (r Report) Only(statuses []check.Status) Report {
	if len(statuses) == 0 {
		return r
	}
	kept := []check.Finding{}
	for _, f := range r.Findings {
		if slices.Contains(statuses, f.Status) {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
	r.StatusFilter = statuses
	return r
}

// Failing lists the statuses that call for action: what --only-failing keeps.
var Failing = []check.Status{check.Red, check.Error, check.Yellow}

// Fails reports whether any finding is at or above threshold. Error findings
// count as failing at every threshold: a check that could not look must not
// let a pipeline pass. Unavailable findings never fail: the data cannot
// exist. Suppressed findings never fail: the risk was accepted on purpose.
func Fails(findings []check.Finding, threshold check.Status) bool {
	for _, f := range findings {
		if !f.Suppressed && f.Status.Fails(threshold) {
			return true
		}
	}
	return false
}
