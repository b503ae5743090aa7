package digest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// now is the digests' time in these tests: Monday 2026-11-30 08:00 UTC, the
// default schedule's.
var now = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

const (
	sgCheck = "HCP4007jGY" // Security Groups – Specific Ports Unrestricted
	s3Check = "Pfx0RwqBli" // Amazon S3 Bucket Permissions
	pwCheck = "Yw2K9puPzl" // IAM Password Policy
	prod    = "111122223333"
	sandbox = "444455556666"
)

// dayOf is a rule's last day.
func dayOf(date string) time.Time {
	d, err := time.Parse(suppress.DateLayout, date)
	if err != nil {
		panic(err)
	}
	return d
}

// ago is a time d before now.
func ago(d time.Duration) time.Time { return now.Add(-d) }

const day = 24 * time.Hour

// rec is a stored finding.
func rec(account, checkID, resource string, status check.Status, firstSeen, changedAt time.Time) store.Record {
	return store.Record{
		Finding: check.Finding{CheckID: checkID, Account: account, Region: "eu-west-1", ResourceID: resource, Status: status,
			Reason: resource + " is " + string(status)},
		FirstSeen: firstSeen, StatusChangedAt: changedAt,
	}
}

func suppressed(r store.Record) store.Record {
	r.Suppressed = true
	return r
}

func named(r store.Record, name string) store.Record {
	r.AccountName = name
	return r
}

// sum is a summary item scanned at scanned with the given counts.
func sum(account, checkID, region string, scanned time.Time, red, yellow, green, errors int) store.ScopeSummary {
	return store.ScopeSummary{Account: account, CheckID: checkID, Region: region, ScanTime: scanned, Counts: map[check.Status]int{
		check.Red: red, check.Yellow: yellow, check.Green: green, check.Error: errors, check.Unavailable: 0,
	}}
}

// section returns the lines of the section whose heading starts with
// title, without the heading and its underline: up to the blank line
// before the next heading, or the end. nil when there is no such section.
func section(body, title string) []string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, title) || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "---") {
			continue
		}
		out := slices.Clone(lines[i+2:])
		// Cut at the next heading (a line followed by its underline).
		for j := 0; j+1 < len(out); j++ {
			if strings.HasPrefix(out[j+1], "---") && out[j] != "" {
				out = out[:j]
				break
			}
		}
		for len(out) > 0 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		return out
	}
	return nil
}

// head returns the lines before the first heading.
func head(body string) []string {
	lines := strings.Split(body, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i+1], "---") {
			out := lines[:i]
			for len(out) > 0 && out[len(out)-1] == "" {
				out = out[:len(out)-1]
			}
			return out
		}
	}
	return lines
}

// week is a deployment of two accounts: prod has a port open for 40 days
// (red), one opened 2 days ago (red), one suppressed website bucket, one
// security group fixed this week and a bucket created green this week;
// sandbox has a yellow password policy and a scope not scanned for 9 days.
func week() Week {
	return Week{
		Summaries: []store.ScopeSummary{
			sum(prod, sgCheck, "eu-west-1", ago(time.Hour), 2, 0, 10, 0),
			sum(prod, s3Check, "global", ago(time.Hour), 1, 0, 4, 0),
			sum(prod, pwCheck, "global", ago(time.Hour), 0, 0, 1, 0),
			sum(sandbox, pwCheck, "global", ago(time.Hour), 0, 1, 0, 0),
			sum(sandbox, sgCheck, "us-east-1", ago(9*day), 0, 0, 3, 0),
		},
		Open: []store.Record{
			named(rec(prod, sgCheck, "sg-old", check.Red, ago(60*day), ago(40*day)), "prod"),
			rec(prod, sgCheck, "sg-new", check.Red, ago(2*day), ago(2*day)),
			suppressed(rec(prod, s3Check, "www.example.com", check.Red, ago(3*day), ago(3*day))),
			rec(sandbox, pwCheck, "password-policy", check.Yellow, ago(90*day), ago(90*day)),
		},
		TurnedGreen: []store.Record{
			rec(prod, sgCheck, "sg-fixed", check.Green, ago(30*day), ago(1*day)),
			rec(prod, s3Check, "new-bucket", check.Green, ago(1*day), ago(1*day)),
		},
		Rules: []suppress.Rule{
			{ID: "sup-20261101-ab12cd", Check: "s3-bucket-permissions", Account: "*", Region: "*", Resource: "www.example.com",
				Reason: "public website, reviewed", Owner: "web-team", Expires: dayOf("2026-12-05")},
			{ID: "sup-20260101-000000", Check: "*", Account: sandbox, Region: "*", Resource: "*", Reason: "sandbox", Owner: "platform",
				Expires: dayOf("2027-06-01")},
		},
	}
}

func TestComposeSections(t *testing.T) {
	t.Parallel()
	subject, body := Compose(week(), now)
	if want := "secadvisor weekly digest 2026-11-30: 2 red (1 new), 1 resolved, 2 accounts"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	tests := []struct {
		section string // "" = the lines before the first heading
		want    []string
	}{
		{"", []string{
			"secadvisor weekly digest, 2026-11-23 08:00 to 2026-11-30 08:00 (UTC)",
			"",
			"2 accounts, 3 checks, 5 scopes (account, check, region).",
			"Now: 2 red, 1 yellow, 18 green.",
			"Suppressed, accepted on purpose and counted apart: 1 (1 red, 0 yellow).",
			"This week: 1 turned red, 1 resolved.",
			"Not scanned this week: 1 of 5 scopes; their counts are older.",
		}},
		{"Turned red this week (1)", []string{
			"* sg-new",
			"  Security Groups – Specific Ports Unrestricted",
			"  prod (111122223333), eu-west-1, red since 2026-11-28 (2 days ago)",
			"  sg-new is red",
		}},
		// new-bucket was created green: never anything else, not resolved.
		{"Resolved this week (turned green) (1)", []string{
			"* sg-fixed",
			"  Security Groups – Specific Ports Unrestricted",
			"  prod (111122223333), eu-west-1, green since 2026-11-29 (1 day ago)",
			"  sg-fixed is green",
		}},
		// The suppressed bucket is not an open red.
		{"Open reds, oldest first (2)", []string{
			"* sg-old",
			"  Security Groups – Specific Ports Unrestricted",
			"  prod (111122223333), eu-west-1, red since 2026-10-21 (40 days ago)",
			"  sg-old is red",
			"* sg-new",
			"  Security Groups – Specific Ports Unrestricted",
			"  prod (111122223333), eu-west-1, red since 2026-11-28 (2 days ago)",
			"  sg-new is red",
		}},
		{"Suppressions expired or expiring within 14 days (1)", []string{
			"* sup-20261101-ab12cd: last day 2026-12-05 (in 5 days), owner web-team",
			"  check s3-bucket-permissions, account *, region *, resource www.example.com",
			"  Reason: public website, reviewed",
		}},
		{"Not scanned this week: counts below are older (1)", []string{
			"* 444455556666, us-east-1: Security Groups – Specific Ports Unrestricted",
			"  last scanned 2026-11-21",
		}},
		// Worst first; the suppressed bucket counted apart from red.
		{"By account and check, worst first (2)", []string{
			"prod (111122223333): 2 red, 15 green, 1 suppressed",
			"  Security Groups – Specific Ports Unrestricted: 2 red, 10 green",
			"  Amazon S3 Bucket Permissions: 4 green, 1 suppressed",
			"  1 other check: nothing red, yellow or in error.",
			"",
			"444455556666: 1 yellow, 3 green",
			"  IAM Password Policy: 1 yellow",
			"  1 other check: nothing red, yellow or in error.",
		}},
	}
	for _, tt := range tests {
		got := head(body)
		if tt.section != "" {
			got = section(body, tt.section)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("section %q:\ngot\n%s\nwant\n%s\nbody:\n%s", tt.section, strings.Join(got, "\n"), strings.Join(tt.want, "\n"), body)
		}
	}
	if s := section(body, "Could not be looked at"); s != nil {
		t.Errorf("a section of scopes in error with none in error:\n%s", strings.Join(s, "\n"))
	}
}

// TestComposeBoundaries moves one finding or rule across each boundary of
// the week and of the expiry notice.
func TestComposeBoundaries(t *testing.T) {
	t.Parallel()
	today := now.Truncate(day)
	rule := func(expires time.Time) suppress.Rule {
		return suppress.Rule{ID: "sup-x", Check: "*", Account: "*", Region: "*", Resource: "r", Reason: "why", Owner: "me", Expires: expires}
	}
	tests := []struct {
		name    string
		week    Week
		section string
		want    []string // the section's first line, or nil for "None."
	}{
		{"red since exactly a week: turned red this week",
			Week{Open: []store.Record{rec(prod, sgCheck, "sg", check.Red, ago(Period), ago(Period))}},
			"Turned red this week", []string{"* sg"}},
		{"red since a week and a second: not this week",
			Week{Open: []store.Record{rec(prod, sgCheck, "sg", check.Red, ago(Period+time.Second), ago(Period+time.Second))}},
			"Turned red this week", nil},
		{"a suppressed red that turned red this week: not listed",
			Week{Open: []store.Record{suppressed(rec(prod, sgCheck, "sg", check.Red, ago(day), ago(day)))}},
			"Turned red this week", nil},
		{"green since exactly a week: resolved this week",
			Week{TurnedGreen: []store.Record{rec(prod, sgCheck, "sg", check.Green, ago(30*day), ago(Period))}},
			"Resolved this week", []string{"* sg"}},
		{"green since a week and a second: not this week",
			Week{TurnedGreen: []store.Record{rec(prod, sgCheck, "sg", check.Green, ago(30*day), ago(Period+time.Second))}},
			"Resolved this week", nil},
		{"first seen green: not resolved",
			Week{TurnedGreen: []store.Record{rec(prod, sgCheck, "sg", check.Green, ago(day), ago(day))}},
			"Resolved this week", nil},
		{"last day today", Week{Rules: []suppress.Rule{rule(today)}},
			"Suppressions", []string{"* sup-x: last day today, owner me"}},
		{"last day in 13 days: listed", Week{Rules: []suppress.Rule{rule(today.Add(13 * day))}},
			"Suppressions", []string{"* sup-x: last day 2026-12-13 (in 13 days), owner me"}},
		{"last day in 14 days: not yet", Week{Rules: []suppress.Rule{rule(today.Add(14 * day))}},
			"Suppressions", nil},
		{"expired yesterday: listed", Week{Rules: []suppress.Rule{rule(today.Add(-day))}},
			"Suppressions", []string{"* sup-x: expired 2026-11-29, no longer applies, owner me"}},
		{"scanned exactly a week ago: scanned this week",
			Week{Summaries: []store.ScopeSummary{sum(prod, sgCheck, "eu-west-1", ago(Period), 0, 0, 1, 0)}},
			"Not scanned this week", nil},
		{"scanned a week and a second ago: not this week",
			Week{Summaries: []store.ScopeSummary{sum(prod, sgCheck, "eu-west-1", ago(Period+time.Second), 0, 0, 1, 0)}},
			"Not scanned this week", []string{"* 111122223333, eu-west-1: Security Groups – Specific Ports Unrestricted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, body := Compose(tt.week, now)
			got := section(body, tt.section)
			if tt.want == nil {
				if len(got) > 1 || len(got) == 1 && got[0] != "None." {
					t.Errorf("section %q = %q, want none\nweek: %+v", tt.section, got, tt.week)
				}
				return
			}
			if len(got) == 0 || got[0] != tt.want[0] {
				t.Errorf("section %q = %q, want it to start with %q\nweek: %+v\nbody:\n%s", tt.section, got, tt.want[0], tt.week, body)
			}
		})
	}
}

// TestComposeRulesOrder: by last day, expired first; rules further than
// the notice are left out.
func TestComposeRulesOrder(t *testing.T) {
	t.Parallel()
	w := Week{Rules: []suppress.Rule{
		{ID: "in-3-days", Expires: dayOf("2026-12-03")},
		{ID: "far", Expires: dayOf("2027-03-31")},
		{ID: "expired", Expires: dayOf("2026-10-01")},
		{ID: "in-1-day", Expires: dayOf("2026-12-01")},
	}}
	_, body := Compose(w, now)
	var ids []string
	for _, l := range section(body, "Suppressions") {
		if id, ok := strings.CutPrefix(l, "* "); ok {
			ids = append(ids, id[:strings.Index(id, ":")])
		}
	}
	if want := []string{"expired", "in-1-day", "in-3-days"}; !slices.Equal(ids, want) {
		t.Errorf("rules listed %q, want %q\nbody:\n%s", ids, want, body)
	}
}

// TestComposeCaps: long lists are cut with a count of the rest.
func TestComposeCaps(t *testing.T) {
	t.Parallel()
	var w Week
	for i := range 25 {
		w.Open = append(w.Open, rec(prod, sgCheck, fmt.Sprintf("sg-%02d", i), check.Red, ago(day), ago(time.Duration(i+1)*time.Hour)))
	}
	for i := range 60 {
		account := fmt.Sprintf("%012d", 100000000000+i)
		// Account i has i reds: the worst come first.
		w.Summaries = append(w.Summaries, sum(account, sgCheck, "eu-west-1", ago(time.Hour), i, 0, 1, 0))
	}
	_, body := Compose(w, now)

	turned := section(body, "Turned red this week (25)")
	if got := strings.Count(strings.Join(turned, "\n"), "\n* ") + 1; got != maxListed {
		t.Errorf("turned red lists %d findings, want %d:\n%s", got, maxListed, strings.Join(turned, "\n"))
	}
	if last := turned[len(turned)-1]; last != "And 5 more: secadvisor findings --status red lists every red." {
		t.Errorf("turned red ends with %q, want the count of the rest", last)
	}
	oldest := section(body, "Open reds, oldest first (25)")
	if len(oldest) < 5 || oldest[0] != "* sg-24" || oldest[len(oldest)-1] != "And 15 more: secadvisor findings --status red lists them all." {
		t.Errorf("oldest reds: want sg-24 first, 10 listed and 15 more:\n%s", strings.Join(oldest, "\n"))
	}
	accounts := section(body, "By account and check, worst first (60)")
	if accounts[0] != "100000000059: 59 red, 1 green" {
		t.Errorf("first account line %q, want the one with the most reds", accounts[0])
	}
	if last := accounts[len(accounts)-1]; last != "And 10 more accounts: secadvisor findings --by-account counts them all." {
		t.Errorf("accounts section ends with %q, want the count of the rest", last)
	}
	blocks := 0
	for _, l := range accounts {
		if l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "And ") {
			blocks++
		}
	}
	if blocks != maxAccounts {
		t.Errorf("%d accounts listed, want %d:\n%s", blocks, maxAccounts, strings.Join(accounts, "\n"))
	}
}

// TestComposeReadsInAnEmailClient: lines of at most 78 characters, except
// a single word that cannot be cut (an ARN); no control characters from
// the stored values; the subject within SNS's 99.
func TestComposeReadsInAnEmailClient(t *testing.T) {
	t.Parallel()
	w := week()
	long := rec(prod, sgCheck, "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0123456789abcdef", check.Red, ago(day), ago(day))
	long.Reason = "Port 22 (SSH) is open to 0.0.0.0/0\nand ::/0;\tthis reason is long enough to wrap over more than one line of the message."
	w.Open = append(w.Open, long)
	w.Summaries = append(w.Summaries, store.ScopeSummary{Account: prod, CheckID: "NewCheck01", Region: "ap-south-1", ScanTime: ago(time.Hour),
		Counts: map[check.Status]int{check.Error: 1}, Error: "could not evaluate: ec2 DescribeSecurityGroups:\nAccessDenied"})
	subject, body := Compose(w, now)
	if n := utf8.RuneCountInString(subject); n > pipeline.MaxSubject {
		t.Errorf("subject %q has %d characters, want at most %d", subject, n, pipeline.MaxSubject)
	}
	for i, l := range strings.Split(body, "\n") {
		words := strings.Fields(strings.TrimPrefix(l, "* "))
		if n := utf8.RuneCountInString(l); n > lineWidth && len(words) > 1 {
			t.Errorf("line %d has %d characters and could be wrapped: %q", i+1, n, l)
		}
		if strings.ContainsAny(l, "\t\r") {
			t.Errorf("line %d holds a control character: %q", i+1, l)
		}
	}
	if want := "  Port 22 (SSH) is open to 0.0.0.0/0 and ::/0; this reason is long enough to\n" +
		"  wrap over more than one line of the message.\n"; !strings.Contains(body, want) {
		t.Errorf("body does not wrap the reason as %q:\n%s", want, body)
	}
	// A check the catalog does not know is named by its ID; its error is said.
	if s := section(body, "Could not be looked at (error) (1)"); !slices.Equal(s, []string{
		"* prod (111122223333), ap-south-1: NewCheck01",
		"  could not evaluate: ec2 DescribeSecurityGroups: AccessDenied",
	}) {
		t.Errorf("scopes in error:\n%s\nbody:\n%s", strings.Join(s, "\n"), body)
	}
}

// TestComposeSuppressedCountsApart: suppressed findings come out of their
// status, never below zero (a rule added after the summary was written).
func TestComposeSuppressedCountsApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		week Week
		want string
	}{
		{"one of two reds suppressed",
			Week{Summaries: []store.ScopeSummary{sum(prod, s3Check, "global", ago(time.Hour), 2, 1, 0, 0)},
				Open: []store.Record{suppressed(rec(prod, s3Check, "a", check.Red, ago(day), ago(day)))}},
			"111122223333: 1 red, 1 yellow, 1 suppressed"},
		{"a suppressed yellow",
			Week{Summaries: []store.ScopeSummary{sum(prod, s3Check, "global", ago(time.Hour), 0, 1, 2, 0)},
				Open: []store.Record{suppressed(rec(prod, s3Check, "a", check.Yellow, ago(day), ago(day)))}},
			"111122223333: 2 green, 1 suppressed"},
		{"more suppressed than the summary counts: no negative count",
			Week{Summaries: []store.ScopeSummary{sum(prod, s3Check, "global", ago(time.Hour), 0, 0, 2, 0), sum(prod, sgCheck, "eu-west-1", ago(time.Hour), 1, 0, 0, 0)},
				Open: []store.Record{suppressed(rec(prod, s3Check, "a", check.Red, ago(day), ago(day)))}},
			"111122223333: 1 red, 2 green, 1 suppressed"},
		{"suppressed in a scope without summary",
			Week{Open: []store.Record{suppressed(rec(prod, s3Check, "a", check.Red, ago(day), ago(day)))}},
			"111122223333: 1 suppressed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, body := Compose(tt.week, now)
			got := section(body, "By account and check")
			if len(got) == 0 || got[0] != tt.want {
				t.Errorf("week %+v: account line %q, want %q", tt.week, got, tt.want)
			}
		})
	}
}

func TestComposeEmptyTable(t *testing.T) {
	t.Parallel()
	subject, body := Compose(Week{}, now)
	if want := "secadvisor weekly digest 2026-11-30: no scan results stored"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	if !strings.Contains(body, "The findings table holds no scan result") {
		t.Errorf("body of an empty week does not say the table is empty:\n%s", body)
	}
	// Rules alone are no scan result.
	if subject, _ := Compose(Week{Rules: []suppress.Rule{{ID: "r", Expires: dayOf("2027-01-01")}}}, now); !strings.HasSuffix(subject, "no scan results stored") {
		t.Errorf("subject with rules and nothing else = %q, want no scan results", subject)
	}
}

// TestWriterDoneStaysUnderTheLimit: a body over maxBody is cut at a line,
// with a note, within maxBody.
func TestWriterDoneStaysUnderTheLimit(t *testing.T) {
	t.Parallel()
	for _, lines := range []int{10, maxBody / 40, maxBody/40 + 1, maxBody / 10} {
		var w writer
		for i := range lines {
			w.line(fmt.Sprintf("line %05d %s", i, strings.Repeat("x", 28))) // 40 bytes with its newline
		}
		got := w.done()
		over := lines*40 > maxBody
		if len(got) > maxBody || over != strings.Contains(got, "cut here") || !strings.HasSuffix(got, "\n") {
			t.Errorf("%d lines of 40 bytes: %d bytes, cut %v; want at most %d, cut only when over", lines, len(got), strings.Contains(got, "cut here"), maxBody)
		}
	}
}
