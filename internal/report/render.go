package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
)

// Formats are the output formats of the scan command.
var Formats = []string{"table", "json", "csv"}

// Write renders r in format to w.
func Write(w io.Writer, format string, r Report, checks []check.Check) error {
	switch format {
	case "table":
		return writeTable(w, r, checks)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return writeCSV(w, r, checks)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

var marks = map[string]string{
	string(check.Red):         "✖ red",
	string(check.Yellow):      "! yellow",
	string(check.Green):       "✔ green",
	string(check.Error):       "? error",
	string(check.Unavailable): "∅ unavailable",
	NotImplemented:            "– not implemented",
}

// writeTable reads like the Trusted Advisor console: per check a status mark,
// its name and counts, then the flagged resources with the spec's columns.
func writeTable(w io.Writer, r Report, checks []check.Check) error {
	byID := map[string]check.Meta{}
	for _, c := range checks {
		byID[c.Meta.ID] = c.Meta
	}
	fmt.Fprintf(w, "secadvisor scan of account %s, regions %s (%s)\n\n",
		strings.Join(r.Scan.Accounts, ", "), strings.Join(r.Scan.Regions, ", "), r.Scan.FinishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	for _, s := range r.Summaries {
		fmt.Fprintf(w, "%-18s %s (%s)\n", marks[s.Status], s.CheckName, s.CheckID)
		if !s.Implemented {
			continue
		}
		fmt.Fprintf(w, "%18s red %d · yellow %d · green %d · error %d · unavailable %d\n", "",
			s.Counts["red"], s.Counts["yellow"], s.Counts["green"], s.Counts["error"], s.Counts["unavailable"])
		var flagged, failed []check.Finding
		for _, f := range r.Findings {
			switch {
			case f.CheckID != s.CheckID || f.Status == check.Green:
			case f.Status == check.Error || f.Status == check.Unavailable:
				failed = append(failed, f)
			default:
				flagged = append(flagged, f)
			}
		}
		if len(flagged) > 0 {
			if err := writeFlagged(w, byID[s.CheckID], flagged); err != nil {
				return err
			}
		}
		// Error and unavailable findings have no resource columns: say what
		// could not be looked at, and why.
		for _, f := range failed {
			fmt.Fprintf(w, "%18s %s %s %s: %s\n", "", marks[string(f.Status)], f.Region, f.ResourceID, cell(f.Reason))
		}
		if len(failed) > 0 {
			fmt.Fprintln(w)
		}
	}
	return nil
}

func writeFlagged(w io.Writer, meta check.Meta, findings []check.Finding) error {
	headers := append([]string{}, meta.Columns...)
	hasReason := false
	for _, c := range headers {
		hasReason = hasReason || c == "Reason"
	}
	if !hasReason {
		headers = append(headers, "Reason")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\n", strings.Join(headers, "\t"))
	for _, f := range findings {
		row := make([]string, len(headers))
		for i, h := range headers {
			row[i] = cell(f.Columns[h])
		}
		if !hasReason {
			row[len(row)-1] = cell(f.Reason)
		}
		fmt.Fprintf(tw, "\t%s\n", strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// cell keeps a table cell on one line.
func cell(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	if s == "" {
		return "-"
	}
	return s
}

// writeCSV writes one row per finding: the finding's fields, then one column
// per report column of the scanned checks (union, in catalog order).
func writeCSV(w io.Writer, r Report, checks []check.Check) error {
	var columns []string
	seen := map[string]bool{}
	for _, c := range checks {
		for _, col := range c.Meta.Columns {
			if !seen[col] {
				seen[col] = true
				columns = append(columns, col)
			}
		}
	}
	cw := csv.NewWriter(w)
	header := append([]string{"Check ID", "Slug", "Check Name", "Account", "Scan Region", "Resource ID", "Scan Status", "Scan Reason"}, columns...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, f := range r.Findings {
		row := []string{f.CheckID, f.Slug, f.CheckName, f.Account, f.Region, f.ResourceID, string(f.Status), f.Reason}
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
