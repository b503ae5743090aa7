package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/diff"
	"github.com/secadvisor/secadvisor/internal/report"
)

// diffHelp is what `secadvisor diff -h` prints above the flags.
const diffHelp = `Usage: secadvisor diff OLD.json NEW.json [flags]

Compares two reports of secadvisor scan --format json: the red, yellow and
error findings NEW has and OLD has not, those OLD had and NEW resolved, and
the status changes. Exit codes: 0 nothing new at or above --fail-on, 1
something new (or worsened) at or above it, 2 usage error or a file that
cannot be read as a report.

Examples:
  secadvisor diff base.json new.json
  secadvisor diff base.json new.json --fail-on yellow --format json

Flags:
`

// runDiff is `secadvisor diff OLD.json NEW.json`.
func runDiff(args []string, env Env) int {
	fs := newFlagSet("diff", env)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), diffHelp)
		fs.PrintDefaults()
	}
	var format, failOn string
	fs.StringVar(&format, "format", "table", "output `format`: table or json")
	fs.StringVar(&failOn, "fail-on", "red", "exit 1 when a new or worsened finding is at or above this `status`: red, yellow or never (error findings fail both; suppressed and unavailable ones neither)")
	files, code, done := parseInterspersed(fs, args, env)
	if done {
		return code
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "secadvisor diff: "+format+"\n", a...)
		return ExitUsage
	}
	threshold, ok := map[string]check.Status{"red": check.Red, "yellow": check.Yellow, "never": ""}[failOn]
	switch {
	case len(files) != 2:
		return usageError("want two reports, OLD.json NEW.json; got %d arguments (see secadvisor diff -h)", len(files))
	case format != "table" && format != "json":
		return usageError("--format %q: want table or json", format)
	case !ok:
		return usageError("--fail-on %q: want red, yellow or never", failOn)
	}
	var reports [2]report.Report
	for i, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return usageError("%v", err)
		}
		if reports[i], err = diff.Parse(data); err != nil {
			return usageError("%s: %v", name, err)
		}
	}
	res := diff.Compare(reports[0], reports[1])
	if format == "json" {
		if err := writeIndentedJSON(env.Stdout, res); err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor diff: %v\n", err)
			return ExitUsage
		}
	} else {
		// A failed write of the table is reported by Main (stickyWriter).
		writeDiffTable(env.Stdout, files, reports, res, failOn, len(res.Failing(threshold)))
	}
	if res.Fails(threshold) {
		return ExitFindings
	}
	return ExitOK
}

// parseInterspersed parses args into fs, flags before, between or after
// the positional arguments (the flag package stops at the first of them),
// and returns the positional ones. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string, env Env) (positional []string, code int, done bool) {
	for {
		if code, done := parseFlags(fs, args, env); done {
			return nil, code, true
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), 0, false
		}
		if len(rest) == 0 {
			return positional, 0, false
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// writeDiffTable writes the three sections, each with its count and most
// severe first, what was not compared, and what fails --fail-on.
func writeDiffTable(w io.Writer, files []string, reports [2]report.Report, res diff.Result, failOn string, failing int) {
	scanned := func(i int) string {
		return fmt.Sprintf("%s (scan of %s)", files[i], reports[i].Scan.FinishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	fmt.Fprintf(w, "secadvisor diff: %s → %s\n", scanned(0), scanned(1))

	fmt.Fprintf(w, "\nNew: %d\n", len(res.New))
	findingRows(w, len(res.New), "STATUS", func(i int) (string, check.Finding) {
		return statusCell(res.New[i]), res.New[i]
	})
	fmt.Fprintf(w, "\nResolved: %d\n", len(res.Resolved))
	findingRows(w, len(res.Resolved), "STATUS", func(i int) (string, check.Finding) {
		return statusCell(res.Resolved[i]), res.Resolved[i]
	})
	fmt.Fprintf(w, "\nChanged: %d\n", len(res.Changed))
	findingRows(w, len(res.Changed), "BEFORE → AFTER", func(i int) (string, check.Finding) {
		c := res.Changed[i]
		return statusCell(c.Before) + " → " + statusCell(c.After), c.After
	})

	fmt.Fprintln(w)
	if res.NotCompared > 0 {
		fmt.Fprintf(w, "Not compared: %d red, error or yellow findings of %s where %s's scan did not look (other checks, accounts or regions, or a scope it could not look at).\n",
			res.NotCompared, files[0], files[1])
	}
	switch {
	case failOn == "never":
		fmt.Fprintln(w, "--fail-on never: nothing fails.")
	case failing > 0:
		fmt.Fprintf(w, "Fails --fail-on %s: %d new or worsened findings.\n", failOn, failing)
	default:
		fmt.Fprintf(w, "Nothing new or worsened at or above --fail-on %s.\n", failOn)
	}
}

// findingRows writes n findings as an indented table, the first column
// (headed first) given by row with the finding.
func findingRows(w io.Writer, n int, first string, row func(int) (string, check.Finding)) {
	if n == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\tCHECK\tACCOUNT\tREGION\tRESOURCE\tREASON\n", first)
	for i := range n {
		status, f := row(i)
		name := f.Slug
		if name == "" {
			name = f.CheckID
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", status, name, f.Account, f.Region, f.ResourceID, f.Reason)
	}
	tw.Flush()
}

// statusCell is a finding's status, and whether a rule suppresses it.
func statusCell(f check.Finding) string {
	if f.Suppressed {
		return string(f.Status) + " (suppressed)"
	}
	return string(f.Status)
}
