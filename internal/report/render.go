package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// Formats are the output formats of the scan command.
var Formats = []string{"table", "json", "csv", "ocsf", "ocsf-jsonl", "asff", "html"}

// DefaultWidth is the table's width when the output is not a terminal (a
// pipe, a file): wide enough for most rows, narrow enough to read.
const DefaultWidth = 120

// Write renders r in format to w. width is the table's width in columns (0:
// DefaultWidth); JSON and CSV ignore it.
func Write(w io.Writer, format string, r Report, checks []check.Check, width int) error {
	switch format {
	case "table":
		if width <= 0 {
			width = DefaultWidth
		}
		return writeTable(w, r, checks, width)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return writeCSV(w, r, checks)
	case "ocsf", "ocsf-jsonl":
		return writeOCSF(w, r, checks, format == "ocsf-jsonl")
	case "asff":
		return writeASFF(w, r, checks)
	case "html":
		return writeHTML(w, r, checks)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

var marks = map[string]string{
	string(check.Red):         "✖ red",
	string(check.Error):       "? error",
	string(check.Yellow):      "! yellow",
	string(check.Unavailable): "∅ unavailable",
	string(check.Green):       "✔ green",
	NoResources:               "· no resources",
	NotImplemented:            "– not implemented",
}

// tableOrder is the order of checks in the table: what needs action first.
var tableOrder = []string{
	string(check.Red), string(check.Error), string(check.Yellow), string(check.Unavailable),
	string(check.Green), NoResources, NotImplemented,
}

// Table layout: a check's line starts with its mark in markWidth columns;
// what belongs to the check is indented by detailIndent.
const (
	markWidth    = 18
	detailIndent = "  "
	cellGap      = 2
	minCell      = 8 // the narrowest text is wrapped to
)

// writeTable reads like the Trusted Advisor console, most urgent first: per
// check a status mark, its name and counts, the recommended action and the
// flagged resources with the spec's columns; green checks and checks with
// nothing to look at take one line each. Long cells wrap to fit width.
func writeTable(w io.Writer, r Report, checks []check.Check, width int) error {
	byID := map[string]check.Meta{}
	for _, c := range checks {
		byID[c.Meta.ID] = c.Meta
	}
	out := &tableWriter{w: w, width: width}
	accounts := r.accounts()
	scanned := "account " + strings.Join(r.Scan.Accounts, ", ")
	if len(accounts) > 1 {
		scanned = plural(len(accounts), "account")
	}
	out.wrapped("", fmt.Sprintf("secadvisor scan of %s, regions %s (%s)",
		scanned, strings.Join(r.Scan.Regions, ", "), r.Scan.FinishedAt.UTC().Format("2006-01-02 15:04 UTC")))
	if len(r.StatusFilter) > 0 {
		out.wrapped("", fmt.Sprintf("Showing %s findings only; the counts include every finding.", joinStatuses(r.StatusFilter, ", ")))
	}
	out.line("")
	if len(accounts) == 1 {
		out.checks(r, r.Summaries, byID)
	} else {
		// An organization: one section per account, then a line per account.
		for i, account := range accounts {
			summaries := r.summariesOf(account)
			if i > 0 {
				out.line("")
			}
			out.wrapped("", fmt.Sprintf("━━ Account %s: %s", r.accountLabel(account), countsLine(totalCounts(summaries))))
			if reason, ok := r.sharedErrorReason(account); ok {
				// An account that could not be entered: every check failed
				// for one reason, said once rather than once per check.
				out.wrapped(detailIndent, fmt.Sprintf("%s every check: %s", marks[string(check.Error)], reason))
				continue
			}
			out.checks(r, summaries, byID)
		}
		out.blank()
		out.accountTable(r, accounts)
	}
	out.suppressions(r)
	out.blank()
	out.wrapped("", summaryLine(r))
	return out.err
}

// suppressions lists, apart from the checks, the findings accepted on
// purpose and the rules that no longer apply or matched nothing: nothing
// is hidden, and a rule that outlived its reason shows.
func (out *tableWriter) suppressions(r Report) {
	var suppressed []check.Finding
	for _, f := range r.Findings {
		if f.Suppressed {
			suppressed = append(suppressed, f)
		}
	}
	if len(suppressed) > 0 {
		out.blank()
		out.line("Suppressed (accepted on purpose: they keep their status, fail no pipeline and send no alert):")
		for _, f := range suppressed {
			why := ""
			if sup := f.Suppression; sup != nil {
				why = fmt.Sprintf(" — %s (%s, until %s; rule %s)", sup.Reason, sup.Owner, sup.Expires, sup.Rule)
			}
			out.wrapped(detailIndent, fmt.Sprintf("%s %s %s/%s %s%s", marks[string(f.Status)], f.Slug, f.Account, f.Region, f.ResourceID, why))
		}
	}
	if r.Suppressions == nil {
		return
	}
	for _, group := range []struct {
		title string
		rules []suppress.Rule
	}{
		{"Suppression rules past their expiry date (no longer applied):", r.Suppressions.Expired},
		{"Suppression rules that matched nothing in this scan (stale):", r.Suppressions.Stale},
	} {
		if len(group.rules) == 0 {
			continue
		}
		out.blank()
		out.line(group.title)
		for _, rule := range group.rules {
			out.wrapped(detailIndent, fmt.Sprintf("%s: %s %s/%s %s — %s (%s, until %s)", rule.ID, rule.Check, rule.Account, rule.Region,
				rule.Resource, rule.Reason, rule.Owner, rule.Expires.Format(suppress.DateLayout)))
		}
	}
}

// summariesOf returns the summaries of one account.
func (r Report) summariesOf(account string) []Summary {
	var out []Summary
	for _, s := range r.Summaries {
		if s.Account == account {
			out = append(out, s)
		}
	}
	return out
}

// sharedErrorReason returns the reason when every finding of account is an
// error with that same reason (the account could not be entered).
func (r Report) sharedErrorReason(account string) (string, bool) {
	reason, found := "", false
	for _, f := range r.Findings {
		if f.Account != account {
			continue
		}
		if f.Status != check.Error || found && f.Reason != reason {
			return "", false
		}
		reason, found = f.Reason, true
	}
	return reason, found
}

// accountLabel names an account: "name (ID)" when its name is known.
func (r Report) accountLabel(account string) string {
	if name := r.Scan.AccountNames[account]; name != "" {
		return fmt.Sprintf("%s (%s)", name, account)
	}
	return account
}

func totalCounts(summaries []Summary) map[string]int {
	total := map[string]int{}
	for _, s := range summaries {
		for st, n := range s.Counts {
			total[st] += n
		}
	}
	return total
}

// accountTable ends an organization's table: one line per account with its
// findings per status, most urgent first.
func (out *tableWriter) accountTable(r Report, accounts []string) {
	header := []string{"Account", "Name"}
	for _, st := range check.Statuses {
		header = append(header, string(st))
	}
	rows := [][]string{header}
	for _, account := range accounts {
		counts := totalCounts(r.summariesOf(account))
		row := []string{account, r.Scan.AccountNames[account]}
		for _, st := range check.Statuses {
			row = append(row, fmt.Sprint(counts[string(st)]))
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	out.line("Findings per account:")
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-len([]rune(cell)))
			if i < 2 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(pad + cell)
			}
			b.WriteString(strings.Repeat(" ", cellGap))
		}
		// Short lines of columns: written as they are, never wrapped.
		out.line(detailIndent + strings.TrimRight(b.String(), " "))
	}
}

// checks writes one account's checks, most urgent first.
func (out *tableWriter) checks(r Report, summaries []Summary, byID map[string]check.Meta) {
	summaries = slices.Clone(summaries)
	sort.SliceStable(summaries, func(i, j int) bool {
		return slices.Index(tableOrder, summaries[i].Status) < slices.Index(tableOrder, summaries[j].Status)
	})
	showGreen := slices.Contains(r.StatusFilter, check.Green)
	for _, s := range summaries {
		var listed []check.Finding
		for _, f := range r.Findings {
			if f.CheckID == s.CheckID && f.Account == s.Account && !f.Suppressed && (f.Status != check.Green || showGreen) {
				listed = append(listed, f)
			}
		}
		if len(r.StatusFilter) > 0 && len(listed) == 0 {
			continue
		}
		mark, title := marks[s.Status], fmt.Sprintf("%s (%s)", s.CheckName, s.CheckID)
		switch s.Status {
		case string(check.Green):
			if !showGreen {
				out.titled(mark, fmt.Sprintf("%s: %s", title, plural(s.Counts[string(check.Green)], "resource")))
				continue
			}
		case NoResources:
			out.titled(mark, title+": nothing to look at")
			continue
		case NotImplemented:
			out.titled(mark, title)
			continue
		}
		out.blank()
		out.titled(mark, title)
		counts := countsLine(s.Counts)
		if s.Suppressed > 0 {
			counts += fmt.Sprintf(" (%d suppressed, listed below)", s.Suppressed)
		}
		out.wrapped(detailIndent, counts)
		if s.RecommendedAction != "" && slices.Contains(Failing, check.Status(s.Status)) {
			out.wrapped(detailIndent, "Recommended action: "+s.RecommendedAction)
		}
		var flagged, failed []check.Finding
		for _, f := range listed {
			if f.Status == check.Error || f.Status == check.Unavailable {
				failed = append(failed, f)
			} else {
				flagged = append(flagged, f)
			}
		}
		if len(flagged) > 0 {
			out.resourceTable(byID[s.CheckID], flagged)
		}
		// Error and unavailable findings have no resource columns: say what
		// could not be looked at, and why.
		for _, f := range failed {
			out.wrapped(detailIndent, fmt.Sprintf("%s %s %s: %s", marks[string(f.Status)], f.Region, f.ResourceID, f.Reason))
		}
		out.blank()
	}
}

// countsLine names the statuses a check's findings have, most urgent first.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, st := range check.Statuses {
		if n := counts[string(st)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", st, n))
		}
	}
	return strings.Join(parts, " · ")
}

// summaryLine closes the table: findings per status, checks per summary
// status, and what was scanned in how long.
func summaryLine(r Report) string {
	findings := map[string]int{}
	checks := map[string]int{}
	for _, s := range r.Summaries {
		checks[s.Status]++
		for st, n := range s.Counts {
			findings[st] += n
		}
	}
	var byStatus []string
	for _, st := range check.Statuses {
		byStatus = append(byStatus, fmt.Sprintf("%s %d", st, findings[string(st)]))
	}
	var byCheck []string
	for _, st := range tableOrder {
		if n := checks[st]; n > 0 {
			byCheck = append(byCheck, fmt.Sprintf("%d %s", n, strings.ReplaceAll(st, "_", " ")))
		}
	}
	duration := r.Scan.FinishedAt.Sub(r.Scan.StartedAt).Round(100 * time.Millisecond)
	// In an organization a check has one result per account.
	checksNoun := "checks"
	if len(r.accounts()) > 1 {
		checksNoun = "check results (check × account)"
	}
	return fmt.Sprintf("Summary: findings %s · %s %d (%s) · %s · %s · %s",
		strings.Join(byStatus, ", "), checksNoun, len(r.Summaries), strings.Join(byCheck, ", "),
		plural(len(r.accounts()), "account"), plural(len(r.Scan.Regions), "region"), duration)
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinStatuses(statuses []check.Status, sep string) string {
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = string(s)
	}
	return strings.Join(names, sep)
}

// tableWriter writes lines no wider than width, keeping the first write
// error.
type tableWriter struct {
	w         io.Writer
	width     int
	err       error
	lastBlank bool
}

func (t *tableWriter) line(s string) {
	s = strings.TrimRight(s, " ")
	if t.err == nil {
		_, t.err = fmt.Fprintln(t.w, s)
	}
	t.lastBlank = s == ""
}

// blank separates blocks with one empty line, however many blocks end there.
func (t *tableWriter) blank() {
	if !t.lastBlank {
		t.line("")
	}
}

// titled writes a check's line: its mark in markWidth columns, then text
// wrapped under itself.
func (t *tableWriter) titled(mark, text string) {
	lead := mark + strings.Repeat(" ", max(markWidth-textWidth(mark), 0)+1)
	lines := wrap(text, t.width-textWidth(lead))
	t.line(lead + lines[0])
	for _, l := range lines[1:] {
		t.line(strings.Repeat(" ", textWidth(lead)) + l)
	}
}

// wrapped writes text word-wrapped to the width, every line after indent.
func (t *tableWriter) wrapped(indent, text string) {
	for _, l := range wrap(text, t.width-len(indent)) {
		t.line(indent + l)
	}
}

// resourceTable writes the findings' report columns (plus Reason when the
// spec has no such column). When the columns fit the width (the last one,
// usually the reason, may wrap in no less than minLastColumn), they are
// aligned as a table; otherwise each finding is a block of "column: value"
// lines, which reads well at any width.
func (t *tableWriter) resourceTable(meta check.Meta, findings []check.Finding) {
	headers := slices.Clone(meta.Columns)
	hasReason := slices.Contains(headers, "Reason")
	if !hasReason {
		headers = append(headers, "Reason")
	}
	rows := [][]string{headers}
	for _, f := range findings {
		row := make([]string, len(headers))
		for i, h := range headers {
			row[i] = cell(f.Columns[h])
		}
		if !hasReason {
			row[len(row)-1] = cell(f.Reason)
		}
		rows = append(rows, row)
	}
	widths, fits := fitColumns(rows, t.width-len(detailIndent))
	if !fits {
		t.records(rows)
		return
	}
	for _, row := range rows {
		lastLines := wrap(row[len(row)-1], widths[len(row)-1])
		var b strings.Builder
		for i, c := range row[:len(row)-1] {
			b.WriteString(c + strings.Repeat(" ", widths[i]-textWidth(c)+cellGap))
		}
		lead := b.String()
		t.line(detailIndent + lead + lastLines[0])
		for _, l := range lastLines[1:] {
			t.line(detailIndent + strings.Repeat(" ", textWidth(lead)) + l)
		}
	}
}

// minLastColumn is the narrowest the last column (the reason) may wrap to
// before the table gives way to one block per finding.
const minLastColumn = 30

// fitColumns returns each column's width: its widest cell, except the last
// column, which takes what is left of avail. fits is false when that leaves
// the last column narrower than both its widest cell and minLastColumn.
func fitColumns(rows [][]string, avail int) (widths []int, fits bool) {
	widths = make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], textWidth(c))
		}
	}
	last := len(widths) - 1
	used := cellGap * last
	for _, w := range widths[:last] {
		used += w
	}
	left := avail - used
	if left >= widths[last] {
		return widths, true
	}
	widths[last] = left
	return widths, left >= minLastColumn
}

// records writes each data row of rows (rows[0] holds the headers) as a
// block of "header: value" lines, the values wrapped under themselves.
func (t *tableWriter) records(rows [][]string) {
	headers := rows[0]
	labelWidth := 0
	for _, h := range headers {
		labelWidth = max(labelWidth, textWidth(h)+1)
	}
	indent := detailIndent + "  "
	for n, row := range rows[1:] {
		if n > 0 {
			t.blank()
		}
		for i, value := range row {
			label := headers[i] + ":"
			label += strings.Repeat(" ", labelWidth-textWidth(label)+1)
			lines := wrap(value, t.width-len(indent)-textWidth(label))
			t.line(indent + label + lines[0])
			for _, l := range lines[1:] {
				t.line(indent + strings.Repeat(" ", textWidth(label)) + l)
			}
		}
	}
}

// wrap breaks text into lines of at most width characters, at spaces where
// it can and inside a word longer than a line.
func wrap(text string, width int) []string {
	width = max(width, minCell)
	var lines []string
	var current []rune
	for _, word := range strings.Fields(text) {
		w := []rune(word)
		if len(current) > 0 && len(current)+1+len(w) <= width {
			current = append(append(current, ' '), w...)
			continue
		}
		if len(current) > 0 {
			lines = append(lines, string(current))
		}
		for len(w) > width {
			lines = append(lines, string(w[:width]))
			w = w[width:]
		}
		current = w
	}
	if len(current) > 0 || len(lines) == 0 {
		lines = append(lines, string(current))
	}
	return lines
}

// textWidth is how many columns s takes: one per character (the marks and
// the text the checks write are single-width).
func textWidth(s string) int { return len([]rune(s)) }

// cell keeps a table cell on one line.
func cell(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	if s == "" {
		return "-"
	}
	return s
}

// CSVCommonColumns are the columns every CSV row starts with, whatever the
// check; the spec's own report columns of the scanned checks follow, in
// catalog order, except those the common set already carries (Status,
// Region and Reason are the finding's own).
var CSVCommonColumns = []string{"Check ID", "Check Slug", "Check Name", "Account", "Account Name", "Region", "Resource ID", "Status", "Reason", "Recommended Action", "Suppressed"}

// writeCSV writes one row per finding: the common columns, then one column
// per report column of the scanned checks.
func writeCSV(w io.Writer, r Report, checks []check.Check) error {
	var columns []string
	seen := map[string]bool{"Status": true, "Region": true, "Reason": true}
	actions := map[string]string{}
	for _, c := range checks {
		actions[c.Meta.ID] = c.Meta.RecommendedAction
		for _, col := range c.Meta.Columns {
			if !seen[col] {
				seen[col] = true
				columns = append(columns, col)
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clone(CSVCommonColumns), columns...)); err != nil {
		return err
	}
	for _, f := range r.Findings {
		suppressed := ""
		if f.Suppressed && f.Suppression != nil {
			suppressed = fmt.Sprintf("%s (%s, until %s)", f.Suppression.Reason, f.Suppression.Owner, f.Suppression.Expires)
		}
		row := []string{f.CheckID, f.Slug, f.CheckName, f.Account, f.AccountName, f.Region, f.ResourceID, f.Status.StatusText(), f.Reason, actions[f.CheckID], suppressed}
		for _, col := range columns {
			row = append(row, f.Columns[col])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
