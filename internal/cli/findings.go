package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/awsx/awsconfig"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// accountID is the form of an AWS account ID.
var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// runFindings is `secadvisor findings`: what the findings table holds now.
func runFindings(ctx context.Context, args []string, env Env) int {
	fs := newFlagSet("findings", env)
	var (
		table, status, checkName, format, since string
		filter                                  store.Filter
		endpointURL, profile                    string
		useEmulator, byAccount                  bool
	)
	fs.StringVar(&table, "table", "", "the DynamoDB findings `table` (required)")
	fs.StringVar(&status, "status", "", "only findings with this `status`: red, yellow, error, unavailable or green")
	fs.StringVar(&checkName, "check", "", "only this `check` (ID or slug)")
	fs.StringVar(&filter.Account, "account", "", "only this `account` ID (12 digits)")
	fs.StringVar(&filter.Region, "region", "", "only this `region` (global for global checks)")
	fs.StringVar(&since, "since", "", "only findings whose status changed within this `duration` (statusChangedAt): 36h, 7d, 2w")
	fs.StringVar(&format, "format", "table", "output `format`: table, json, or a standard format of the scan report: ocsf, ocsf-jsonl, asff or html")
	fs.BoolVar(&byAccount, "by-account", false, "print one line per account: its findings per status, over every check and region the table holds (no other filter applies)")
	fs.StringVar(&endpointURL, "endpoint-url", "", "send every AWS call to this endpoint `url` (a local emulator); AWS_ENDPOINT_URL works too")
	fs.StringVar(&profile, "profile", "", "AWS shared-config `profile` (default: the standard credential chain)")
	fs.BoolVar(&useEmulator, "emulator", false, "the endpoint is the moto emulator: use static credentials")
	if code, done := parseFlags(fs, args, env); done {
		return code
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "secadvisor findings: "+format+"\n", a...)
		return ExitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q", fs.Arg(0))
	case table == "":
		return usageError("--table is required")
	case !slices.Contains(findingsFormats, format):
		return usageError("--format %q: want %s", format, strings.Join(findingsFormats, ", "))
	case useEmulator && endpointURL == "":
		return usageError("--emulator needs --endpoint-url")
	case byAccount && (status != "" || checkName != "" || filter.Account != "" || filter.Region != "" || since != ""):
		return usageError("--by-account counts every finding: it takes no --status, --check, --account, --region or --since")
	}
	var changedAfter time.Time
	if since != "" {
		d, err := parseSince(since)
		if err != nil {
			return usageError("--since %q: %v", since, err)
		}
		changedAfter = time.Now().Add(-d)
	}
	if err := validEndpoint(endpointURL); err != nil {
		return usageError("%v", err)
	}
	if status != "" {
		filter.Status = check.Status(status)
		if filter.Status.Severity() < 0 {
			return usageError("--status %q: want red, yellow, error, unavailable or green", status)
		}
	}
	if filter.Account != "" && !accountID.MatchString(filter.Account) {
		return usageError("--account %q: want a 12-digit AWS account ID", filter.Account)
	}
	if filter.Region != "" && filter.Region != check.GlobalRegion && !awsregions.Known(filter.Region) {
		return usageError("--region %q: unknown region (AWS's endpoint metadata as of %s; global for global checks)", filter.Region, awsregions.AsOf())
	}
	if checkName != "" {
		selected, err := checks.Select([]string{checkName})
		if err != nil {
			return usageError("%v", err)
		}
		filter.CheckID = selected[0].Meta.ID
	}

	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Profile: profile, EndpointURL: endpointURL})
	if err != nil {
		return usageError("%v", err)
	}
	if useEmulator {
		cfg = emulator.Adapt(cfg)
	}
	if byAccount {
		counts, err := store.New(dynamodb.NewFromConfig(cfg), table).CountsByAccount(ctx)
		if err == nil {
			err = writeAccountCounts(env.Stdout, format, counts)
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "secadvisor findings: %v\n", err)
			return ExitUsage
		}
		return ExitOK
	}
	records, err := queryRecords(ctx, store.New(dynamodb.NewFromConfig(cfg), table), filter)
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor findings: %v\n", err)
		return ExitUsage
	}
	if since != "" {
		records = changedSince(records, changedAfter)
	}
	switch format {
	case "json":
		err = writeRecordsJSON(env.Stdout, records)
	case "table":
		err = writeRecordsTable(env.Stdout, records)
	default:
		err = writeRecordsAs(env.Stdout, format, records)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor findings: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}

// parseSince reads a --since duration: a Go duration in hours or minutes
// (36h, 90m) or a whole number of days or weeks (7d, 2w), positive.
func parseSince(s string) (time.Duration, error) {
	bad := errors.New("want a positive duration such as 36h, 7d or 2w")
	if len(s) > 1 {
		if unit, ok := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]; ok {
			n, err := strconv.Atoi(s[:len(s)-1])
			if err != nil || n < 1 || n > int(math.MaxInt64/unit) {
				return 0, bad
			}
			return time.Duration(n) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// changedSince keeps the records whose status changed at or after t. It
// filters what the query read rather than adding a filter expression: a
// DynamoDB filter is applied after the read and billed the same, and the
// table's keys cannot select on statusChangedAt.
func changedSince(records []store.Record, t time.Time) []store.Record {
	var kept []store.Record
	for _, r := range records {
		if !r.StatusChangedAt.Before(t) {
			kept = append(kept, r)
		}
	}
	return kept
}

// queryRecords reads the findings f selects. An account without a check
// (and without a status the index holds) is one Query per check of the
// catalog, each on its own partition, rather than a Scan of the whole table.
func queryRecords(ctx context.Context, s *store.Store, f store.Filter) ([]store.Record, error) {
	if f.Account == "" || f.CheckID != "" || (f.Status != "" && f.Status != check.Green) {
		return s.Records(ctx, f)
	}
	var all []store.Record
	for _, c := range checks.All() {
		f.CheckID = c.Meta.ID
		records, err := s.Records(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, records...)
	}
	return all, nil
}

func writeRecordsJSON(w io.Writer, records []store.Record) error {
	if records == nil {
		records = []store.Record{}
	}
	return writeIndentedJSON(w, struct {
		SchemaVersion int            `json:"schemaVersion"`
		Findings      []store.Record `json:"findings"`
	}{report.SchemaVersion, records})
}

// writeIndentedJSON writes v as indented JSON, as every JSON output of the CLI reads.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeRecordsTable(w io.Writer, records []store.Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tCHECK\tREGION\tRESOURCE\tSTATUS\tSINCE\tREASON")
	for _, r := range records {
		name := r.Slug
		if name == "" {
			name = r.CheckID
		}
		status := string(r.Status)
		if r.Suppressed {
			status += " (suppressed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Account, name, r.Region, r.ResourceID, status,
			r.StatusChangedAt.Format(time.RFC3339), r.Reason)
	}
	fmt.Fprintf(tw, "%d findings\n", len(records))
	return tw.Flush()
}

// findingsFormats are the formats of `findings`: its own table and JSON
// (with each finding's history), and the scan report's standard formats.
var findingsFormats = []string{"table", "json", "ocsf", "ocsf-jsonl", "asff", "html"}

// writeRecordsAs writes the stored findings in one of the scan report's
// standard formats, as a report of what the table holds now.
func writeRecordsAs(w io.Writer, format string, records []store.Record) error {
	info := report.ScanInfo{AccountNames: map[string]string{}}
	var findings []check.Finding
	for _, r := range records {
		findings = append(findings, r.Finding)
		if !slices.Contains(info.Accounts, r.Account) {
			info.Accounts = append(info.Accounts, r.Account)
		}
		if r.AccountName != "" {
			info.AccountNames[r.Account] = r.AccountName
		}
		if r.Region != check.GlobalRegion && !slices.Contains(info.Regions, r.Region) {
			info.Regions = append(info.Regions, r.Region)
		}
	}
	// The report is of what the table holds at this moment.
	info.StartedAt = time.Now().UTC()
	info.FinishedAt = info.StartedAt
	all := checks.All()
	return report.Write(w, format, report.New(info, all, findings), all, 0)
}

// writeAccountCounts writes the accounts × statuses summary.
func writeAccountCounts(w io.Writer, format string, counts []store.AccountCounts) error {
	if format == "json" {
		return writeIndentedJSON(w, struct {
			SchemaVersion int                   `json:"schemaVersion"`
			Accounts      []store.AccountCounts `json:"accounts"`
		}{report.SchemaVersion, counts})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "ACCOUNT\tNAME\t"
	for _, st := range check.Statuses {
		header += strings.ToUpper(string(st)) + "\t"
	}
	fmt.Fprintln(tw, header)
	total := map[string]int{}
	for _, a := range counts {
		line := a.Account + "\t" + a.AccountName + "\t"
		for _, st := range check.Statuses {
			line += fmt.Sprint(a.Counts[string(st)]) + "\t"
			total[string(st)] += a.Counts[string(st)]
		}
		fmt.Fprintln(tw, line)
	}
	line := fmt.Sprintf("total (%d accounts)\t\t", len(counts))
	for _, st := range check.Statuses {
		line += fmt.Sprint(total[string(st)]) + "\t"
	}
	fmt.Fprintln(tw, line)
	return tw.Flush()
}

// storeConcurrency bounds the jobs written to the table at once.
const storeConcurrency = 8

// storeFindings writes a scan's findings to table, one store.Apply per job
// (a job with no finding still clears what its scope held), and reports the
// items written on stderr.
func storeFindings(ctx context.Context, cfg aws.Config, table string, jobs []scan.Job, findings []check.Finding, scanTime time.Time, stderr io.Writer) error {
	scanID, err := newScanID(scanTime)
	if err != nil {
		return err
	}
	results := make([]store.JobResult, len(jobs))
	for i, fs := range scan.FindingsByJob(jobs, findings) {
		job := jobs[i]
		results[i] = store.JobResult{Account: job.Account, AccountName: job.AccountName, CheckID: job.Check.Meta.ID, Region: job.Region,
			ScanID: scanID, ScanTime: scanTime, Findings: fs}
	}
	total, err := store.New(dynamodb.NewFromConfig(cfg), table).ApplyAll(ctx, results, storeConcurrency)
	fmt.Fprintf(stderr, "findings table %s: %d items written (%d put, %d deleted), %d unchanged, scan %s",
		table, total.Put+total.Deleted, total.Put, total.Deleted, total.Unchanged, scanID)
	if total.Stale > 0 {
		fmt.Fprintf(stderr, "; %d jobs not written: the table holds a newer scan of them", total.Stale)
	}
	fmt.Fprintln(stderr)
	return err
}

// newScanID names a CLI scan: its start time, readable, and a random suffix
// so that two scans started in the same second differ.
func newScanID(started time.Time) (string, error) {
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return "", fmt.Errorf("scan id: %w", err)
	}
	return "cli-" + started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(suffix), nil
}
