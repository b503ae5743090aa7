package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// The page, its style and its script are files (html/) so that they read
// as what they are; all three end up inline in one self-contained page.
//
//go:embed html/report.html.tmpl html/report.css html/report.js
var htmlFiles embed.FS

// htmlTemplate escapes every value it writes (html/template): findings carry
// text from AWS resources (names, tags, policies) that must never become
// markup or script.
var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"label": statusLabel,
	"mark":  statusMark,
}).ParseFS(htmlFiles, "html/*"))

// writeHTML writes the report as one HTML page that needs nothing but
// itself: inline style and script, no request to any host, readable on
// screen (filters, sortable tables) and on paper (every row, no controls).
func writeHTML(w io.Writer, r Report, checks []check.Check) error {
	if err := htmlTemplate.Execute(w, newHTMLPage(r, checks)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// htmlPage is what the template shows: the report arranged for reading.
type htmlPage struct {
	Title        string
	Accounts     []htmlAccount
	MultiAccount bool
	Regions      string
	Started      string
	Finished     string
	Duration     string
	StatusFilter string
	// Findings counts the findings of each status; CheckStatuses the
	// check results (check × account) of each summary status.
	Findings      []htmlCount
	CheckStatuses []htmlCount
	TotalFindings int
	Listed        int
	// Checks are the checks with findings listed, most urgent first; Quiet
	// the others (nothing to look at, not implemented, filtered out).
	Checks     []htmlCheck
	Quiet      []htmlCheck
	Suppressed []htmlSuppressed
	Expired    []htmlRule
	Stale      []htmlRule
	// Data is the page's counts as JSON, for scripts and tests that read
	// the page: they need not scrape the text.
	Data htmlData
}

type htmlCount struct {
	Status string
	Count  int
}

type htmlAccount struct {
	ID, Name string
	Counts   []htmlCount
}

type htmlCheck struct {
	ID, Slug, Name, Description, Scope string
	// Status is the check's most urgent summary status over the accounts.
	Status            string
	RecommendedAction string
	Criteria          []check.Criterion
	Counts            []htmlCount
	Suppressed        int
	// PerAccount is the check's status in each account (organizations).
	PerAccount []htmlAccountStatus
	Columns    []string
	Rows       []htmlRow
}

type htmlAccountStatus struct {
	Account, Status string
}

type htmlRow struct {
	Status, Account, Check string
	Suppression            *check.Suppression
	Cells                  []htmlCell
}

type htmlCell struct {
	Text string
	// Sort is the key the column sorts by when it is not the text (the
	// status sorts by urgency).
	Sort   string
	Status bool
	// Class lays the cell out: "nowrap" for short values, "words" for
	// values that break only between words, "token" for a value without
	// spaces, "wide" for prose (the reason).
	Class string
}

type htmlSuppressed struct {
	Finding     check.Finding
	Suppression check.Suppression
}

type htmlRule struct {
	ID, Check, Account, Region, Resource, Reason, Owner, Expires string
}

// htmlData is the JSON in the page's report-data element.
type htmlData struct {
	// Findings is the number of findings of each status, every finding
	// counted (as the summaries count them).
	Findings map[string]int `json:"findings"`
	// Checks is the number of check results of each summary status.
	Checks map[string]int `json:"checks"`
	// Accounts is the number of findings of each status per account.
	Accounts map[string]map[string]int `json:"accounts"`
	// Listed is the number of findings listed (all of them unless the
	// report was limited to some statuses).
	Listed int `json:"listed"`
}

func statusLabel(status string) string { return strings.ReplaceAll(status, "_", " ") }

// statusMark is the table's symbol for a status ("✖" for red): the page
// does not rely on colour alone.
func statusMark(status string) string {
	mark, _, _ := strings.Cut(marks[status], " ")
	return mark
}

func newHTMLPage(r Report, checks []check.Check) htmlPage {
	accounts := r.accounts()
	p := htmlPage{
		MultiAccount: len(accounts) > 1,
		Regions:      strings.Join(r.Scan.Regions, ", "),
		Listed:       len(r.Findings),
		Data: htmlData{Findings: map[string]int{}, Checks: map[string]int{}, Accounts: map[string]map[string]int{},
			Listed: len(r.Findings)},
	}
	if !r.Scan.StartedAt.IsZero() {
		p.Started = r.Scan.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if !r.Scan.FinishedAt.IsZero() {
		p.Finished = r.Scan.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		p.Duration = r.Scan.FinishedAt.Sub(r.Scan.StartedAt).Round(100 * time.Millisecond).String()
	}
	if len(r.StatusFilter) > 0 {
		p.StatusFilter = joinStatuses(r.StatusFilter, ", ")
	}
	p.Title = "secadvisor report: account " + r.accountLabel(accounts[0])
	if p.MultiAccount {
		p.Title = fmt.Sprintf("secadvisor report: %s", plural(len(accounts), "account"))
	}
	for _, s := range r.Summaries {
		p.Data.Checks[s.Status]++
	}
	for _, st := range tableOrder {
		if n := p.Data.Checks[st]; n > 0 {
			p.CheckStatuses = append(p.CheckStatuses, htmlCount{st, n})
		}
	}
	for _, account := range accounts {
		counts := totalCounts(r.summariesOf(account))
		a := htmlAccount{ID: account, Name: r.Scan.AccountNames[account]}
		p.Data.Accounts[account] = map[string]int{}
		for _, st := range check.Statuses {
			n := counts[string(st)]
			a.Counts = append(a.Counts, htmlCount{string(st), n})
			p.Data.Accounts[account][string(st)] = n
			p.Data.Findings[string(st)] += n
			p.TotalFindings += n
		}
		p.Accounts = append(p.Accounts, a)
	}
	for _, st := range check.Statuses {
		p.Findings = append(p.Findings, htmlCount{string(st), p.Data.Findings[string(st)]})
	}
	for _, c := range htmlChecks(r, checks) {
		if len(c.Rows) == 0 {
			p.Quiet = append(p.Quiet, c)
		} else {
			p.Checks = append(p.Checks, c)
		}
	}
	for _, f := range r.Findings {
		if f.Suppressed {
			sup := check.Suppression{}
			if f.Suppression != nil {
				sup = *f.Suppression
			}
			p.Suppressed = append(p.Suppressed, htmlSuppressed{f, sup})
		}
	}
	if r.Suppressions != nil {
		p.Expired = htmlRules(r.Suppressions.Expired)
		p.Stale = htmlRules(r.Suppressions.Stale)
	}
	return p
}

// htmlChecks returns one entry per check, its accounts' results together,
// most urgent first (as the table orders them), then in catalog order.
// A finding of a check missing from checks still gets an entry: the page
// lists every finding.
func htmlChecks(r Report, checks []check.Check) []htmlCheck {
	metas := make([]check.Meta, 0, len(checks))
	known := map[string]bool{}
	for _, c := range checks {
		metas = append(metas, c.Meta)
		known[c.Meta.ID] = true
	}
	for _, f := range r.Findings {
		if !known[f.CheckID] {
			known[f.CheckID] = true
			metas = append(metas, check.Meta{ID: f.CheckID, Slug: f.Slug, Name: f.CheckName})
		}
	}
	multi := len(r.accounts()) > 1
	var out []htmlCheck
	for _, m := range metas {
		c := htmlCheck{ID: m.ID, Slug: m.Slug, Name: m.Name, Description: m.Description, Scope: string(m.Scope),
			Criteria: m.Criteria}
		counts := map[string]int{}
		summarized := false
		for _, s := range r.Summaries {
			if s.CheckID != m.ID {
				continue
			}
			if !summarized || slices.Index(tableOrder, s.Status) < slices.Index(tableOrder, c.Status) {
				c.Status = s.Status
			}
			if multi {
				c.PerAccount = append(c.PerAccount, htmlAccountStatus{r.accountLabel(s.Account), s.Status})
			}
			summarized = true
			for st, n := range s.Counts {
				counts[st] += n
			}
			c.Suppressed += s.Suppressed
		}
		var rows []check.Finding
		for _, f := range r.Findings {
			if f.CheckID == m.ID {
				rows = append(rows, f)
			}
		}
		if !summarized {
			// A check the summaries do not know: its findings make its
			// status and counts.
			c.Status = NoResources
			if len(rows) > 0 {
				c.Status = string(check.Green)
			}
			for _, f := range rows {
				counts[string(f.Status)]++
				if slices.Index(tableOrder, string(f.Status)) < slices.Index(tableOrder, c.Status) {
					c.Status = string(f.Status)
				}
			}
		}
		for _, st := range check.Statuses {
			if n := counts[string(st)]; n > 0 {
				c.Counts = append(c.Counts, htmlCount{string(st), n})
			}
		}
		if slices.Contains(Failing, check.Status(c.Status)) {
			c.RecommendedAction = m.RecommendedAction
		}
		c.Columns, c.Rows = htmlTable(m, rows, multi)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return slices.Index(tableOrder, out[i].Status) < slices.Index(tableOrder, out[j].Status)
	})
	return out
}

// htmlTable lays out a check's findings: the status, the account (in an
// organization), the region and resource, the spec's report columns in the
// spec's order, and the reason. The spec's own Status, Region and Reason
// columns take their places among the spec's columns instead.
func htmlTable(m check.Meta, findings []check.Finding, multi bool) ([]string, []htmlRow) {
	type column struct {
		header string
		value  func(check.Finding) string
		class  string
	}
	columns := []column{{"Status", nil, "nowrap"}}
	if multi {
		columns = append(columns, column{"Account", func(f check.Finding) string {
			if f.AccountName != "" {
				return f.AccountName + " (" + f.Account + ")"
			}
			return f.Account
		}, "words"})
	}
	if !slices.Contains(m.Columns, "Region") {
		columns = append(columns, column{"Region", func(f check.Finding) string { return f.Region }, "nowrap"})
	}
	if needsResourceColumn(findings) {
		columns = append(columns, column{"Resource", func(f check.Finding) string { return f.ResourceID }, ""})
	}
	for _, name := range m.Columns {
		switch name {
		case "Status":
			continue
		case "Region":
			columns = append(columns, column{name, columnOr(name, func(f check.Finding) string { return f.Region }), "nowrap"})
		case "Reason":
			columns = append(columns, column{name, columnOr(name, func(f check.Finding) string { return f.Reason }), "wide"})
		default:
			columns = append(columns, column{name, func(f check.Finding) string { return f.Columns[name] }, ""})
		}
	}
	if !slices.Contains(m.Columns, "Reason") {
		columns = append(columns, column{"Reason", func(f check.Finding) string { return f.Reason }, "wide"})
	}
	headers := make([]string, len(columns))
	for i, c := range columns {
		headers[i] = c.header
	}
	rows := make([]htmlRow, 0, len(findings))
	for _, f := range findings {
		row := htmlRow{Status: string(f.Status), Account: f.Account, Check: f.CheckID, Suppression: f.Suppression}
		if f.Suppressed && row.Suppression == nil {
			row.Suppression = &check.Suppression{}
		}
		for _, c := range columns {
			if c.value == nil {
				row.Cells = append(row.Cells, htmlCell{Text: string(f.Status), Sort: fmt.Sprint(rank(f.Status)), Status: true, Class: c.class})
				continue
			}
			text, class := c.value(f), c.class
			if class == "" && !strings.ContainsAny(text, " \t\n") {
				// An ID, ARN or time: it may break anywhere, where words
				// break only between letters when they must.
				class = "token"
			}
			row.Cells = append(row.Cells, htmlCell{Text: text, Class: class})
		}
		rows = append(rows, row)
	}
	return headers, rows
}

// columnOr reads the spec column name of a finding, or the finding's own
// field (fallback) where the check left the column empty.
func columnOr(name string, fallback func(check.Finding) string) func(check.Finding) string {
	return func(f check.Finding) string {
		if v := f.Columns[name]; v != "" {
			return v
		}
		return fallback(f)
	}
}

// needsResourceColumn reports whether some finding names a resource that
// none of its report columns shows (the spec's columns usually carry the ID:
// Instance ID, Snapshot ID...). Placeholders such as "(all)" of a failed
// look name no resource; the region and reason say what failed.
func needsResourceColumn(findings []check.Finding) bool {
	for _, f := range findings {
		if strings.HasPrefix(f.ResourceID, "(") {
			continue
		}
		shown := false
		for _, v := range f.Columns {
			if v == f.ResourceID {
				shown = true
				break
			}
		}
		if !shown {
			return true
		}
	}
	return false
}

func htmlRules(rules []suppress.Rule) []htmlRule {
	out := make([]htmlRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, htmlRule{ID: r.ID, Check: r.Check, Account: r.Account, Region: r.Region, Resource: r.Resource,
			Reason: r.Reason, Owner: r.Owner, Expires: r.Expires.Format(suppress.DateLayout)})
	}
	return out
}
