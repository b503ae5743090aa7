// Package digest is the weekly summary of a deployment, as Trusted
// Advisor's weekly notification is: one plain-text message for the whole
// organization (not one per account) through the alert topic, saying per
// account and check what is red, yellow or in error now, what turned red
// and what was resolved during the week, the oldest open reds, what is
// suppressed (counted apart, never hidden) and which suppressions expire
// soon. Compose is pure; Collect reads the week from the findings table;
// Handler is the scheduled function.
package digest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// Period is how far back a digest looks: the week ending when it runs.
const Period = 7 * 24 * time.Hour

// ExpiryNotice is how far ahead a suppression's expiry is announced: a
// rule whose last day falls within it is listed, so that its owner renews
// or lets it lapse knowingly.
const ExpiryNotice = 14 * 24 * time.Hour

// Limits that keep the message readable and within SNS.
const (
	// maxListed caps each list of findings, scopes and rules; the rest is
	// counted ("and N more").
	maxListed = 20
	// maxOldestReds is how many of the oldest open reds are listed.
	maxOldestReds = 10
	// maxAccounts caps the accounts of the counts section, worst first.
	maxAccounts = 50
	// lineWidth is where text is wrapped: what email clients show without
	// wrapping it themselves (RFC 5322 recommends 78).
	lineWidth = 78
	// maxBody keeps the message under SNS's 256 KiB (262,144 bytes, which
	// also counts the subject and the message attributes) with room to spare.
	maxBody = 240 * 1024
)

// Week is what a digest is composed from: the table's items as
// store.WeekItems reads them for the week.
type Week = store.WeekItems

// Source reads the week's items; *store.Store.
type Source interface {
	WeekItems(ctx context.Context, since time.Time) (store.WeekItems, error)
}

var _ Source = (*store.Store)(nil)

// Collect reads the items of the week ending at now.
func Collect(ctx context.Context, src Source, now time.Time) (Week, error) {
	w, err := src.WeekItems(ctx, now.Add(-Period))
	if err != nil {
		return Week{}, fmt.Errorf("read the week's findings: %w", err)
	}
	return w, nil
}

// Compose writes the digest of w for the week ending at now: a subject
// within SNS's limit and a plain-text body that reads well in an email
// client (short lines, no tables, no markup).
//
// "Resolved" are the findings that turned green during the week. A finding
// whose resource was deleted is deleted with it: it cannot be listed as
// resolved, because nothing of it is left to read.
func Compose(w Week, now time.Time) (subject, body string) {
	d := newDigest(w, now)
	return d.subject(), d.body()
}

// digest is the week, sorted out for writing.
type digest struct {
	now, since, today time.Time
	names             map[string]string // account ID → name
	accounts          []*accountCounts  // worst first
	total             map[check.Status]int
	suppressed        map[check.Status]int
	checks            map[string]bool
	turnedRed         []store.Record
	resolved          []store.Record
	openRed           []store.Record // not suppressed, oldest first
	notScanned        []store.ScopeSummary
	failed            []store.ScopeSummary
	expiring          []suppress.Rule // by last day, expired first
	scopes            int
	empty             bool
}

// accountCounts are one account's counts, per check.
type accountCounts struct {
	id     string
	counts counts
	checks []*checkCounts // worst first
}

type checkCounts struct {
	id, name string
	counts   counts
}

// counts are findings per status, suppressed ones apart: a suppressed red
// or yellow finding is counted in suppressed, not in its status.
type counts struct {
	status     map[check.Status]int
	suppressed int
}

func newCounts() counts { return counts{status: map[check.Status]int{}} }

func (c *counts) add(o counts) {
	for st, n := range o.status {
		c.status[st] += n
	}
	c.suppressed += o.suppressed
}

// clean is true when nothing needs a look: only green and unavailable.
func (c counts) clean() bool {
	return c.status[check.Red] == 0 && c.status[check.Error] == 0 && c.status[check.Yellow] == 0 && c.suppressed == 0
}

// worse orders counts by red, error, then yellow findings, most first.
func worse(a, b counts) int {
	return cmp.Or(cmp.Compare(b.status[check.Red], a.status[check.Red]), cmp.Compare(b.status[check.Error], a.status[check.Error]),
		cmp.Compare(b.status[check.Yellow], a.status[check.Yellow]))
}

// String is "2 red, 1 error, 3 yellow, 40 green, 1 suppressed": the
// statuses in reading order, zeros left out.
func (c counts) String() string {
	var parts []string
	for _, st := range check.Statuses {
		if n := c.status[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if c.suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", c.suppressed))
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

func newDigest(w Week, now time.Time) *digest {
	now = now.UTC()
	d := &digest{
		now: now, since: now.Add(-Period), today: now.Truncate(24 * time.Hour),
		names: map[string]string{}, total: map[check.Status]int{}, suppressed: map[check.Status]int{}, checks: map[string]bool{},
		scopes: len(w.Summaries), empty: len(w.Summaries) == 0 && len(w.Open) == 0 && len(w.TurnedGreen) == 0,
	}

	// Suppressed findings per (account, check) and status: the summaries
	// count them in their status; the digest counts them apart.
	type key struct{ account, check string }
	suppressedOf := map[key]map[check.Status]int{}
	for _, r := range w.Open {
		d.name(r.Account, r.AccountName)
		switch {
		case r.Suppressed:
			k := key{r.Account, r.CheckID}
			if suppressedOf[k] == nil {
				suppressedOf[k] = map[check.Status]int{}
			}
			suppressedOf[k][r.Status]++
			d.suppressed[r.Status]++
		case r.Status == check.Red:
			d.openRed = append(d.openRed, r)
			if d.inWeek(r.StatusChangedAt) {
				d.turnedRed = append(d.turnedRed, r)
			}
		}
	}
	for _, r := range w.TurnedGreen {
		d.name(r.Account, r.AccountName)
		// A resource first seen green this week was never anything else.
		if d.inWeek(r.StatusChangedAt) && r.FirstSeen.Before(r.StatusChangedAt) {
			d.resolved = append(d.resolved, r)
		}
	}

	byAccount := map[string]*accountCounts{}
	byCheck := map[key]*checkCounts{}
	for _, s := range w.Summaries {
		d.name(s.Account, s.AccountName)
		d.checks[s.CheckID] = true
		if s.ScanTime.Before(d.since) {
			d.notScanned = append(d.notScanned, s)
		}
		if s.Error != "" {
			d.failed = append(d.failed, s)
		}
		k := key{s.Account, s.CheckID}
		cc := byCheck[k]
		if cc == nil {
			cc = &checkCounts{id: s.CheckID, name: checkName(s.CheckID), counts: newCounts()}
			byCheck[k] = cc
		}
		for st, n := range s.Counts {
			cc.counts.status[st] += n
		}
	}
	// Take the suppressed findings out of their status. Summaries and
	// finding items are written by the same job, but a rule added or
	// removed since flips the findings' flag without rewriting the
	// summary, so a count is never taken below zero.
	for k, sup := range suppressedOf {
		cc := byCheck[k]
		if cc == nil {
			cc = &checkCounts{id: k.check, name: checkName(k.check), counts: newCounts()}
			byCheck[k] = cc
		}
		for st, n := range sup {
			cc.counts.status[st] = max(cc.counts.status[st]-n, 0)
			cc.counts.suppressed += n
		}
	}
	for k, cc := range byCheck {
		a := byAccount[k.account]
		if a == nil {
			a = &accountCounts{id: k.account, counts: newCounts()}
			byAccount[k.account] = a
		}
		a.checks = append(a.checks, cc)
		a.counts.add(cc.counts)
		for st, n := range cc.counts.status {
			d.total[st] += n
		}
	}
	for _, a := range byAccount {
		slices.SortFunc(a.checks, func(x, y *checkCounts) int {
			return cmp.Or(worse(x.counts, y.counts), cmp.Compare(x.name, y.name), cmp.Compare(x.id, y.id))
		})
		d.accounts = append(d.accounts, a)
	}
	slices.SortFunc(d.accounts, func(x, y *accountCounts) int { return cmp.Or(worse(x.counts, y.counts), cmp.Compare(x.id, y.id)) })

	byPlace := func(a, b store.Record) int {
		return cmp.Or(cmp.Compare(checkName(a.CheckID), checkName(b.CheckID)), cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region), cmp.Compare(a.ResourceID, b.ResourceID))
	}
	slices.SortFunc(d.turnedRed, byPlace)
	slices.SortFunc(d.resolved, byPlace)
	slices.SortFunc(d.openRed, func(a, b store.Record) int {
		return cmp.Or(a.StatusChangedAt.Compare(b.StatusChangedAt), byPlace(a, b))
	})
	byScope := func(a, b store.ScopeSummary) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(checkName(a.CheckID), checkName(b.CheckID)), cmp.Compare(a.Region, b.Region))
	}
	slices.SortFunc(d.notScanned, func(a, b store.ScopeSummary) int { return cmp.Or(a.ScanTime.Compare(b.ScanTime), byScope(a, b)) })
	slices.SortFunc(d.failed, byScope)

	for _, r := range w.Rules {
		if r.Expires.Before(d.today.Add(ExpiryNotice)) {
			d.expiring = append(d.expiring, r)
		}
	}
	slices.SortFunc(d.expiring, func(a, b suppress.Rule) int { return cmp.Or(a.Expires.Compare(b.Expires), cmp.Compare(a.ID, b.ID)) })
	return d
}

// name remembers an account's name, when known.
func (d *digest) name(account, name string) {
	if name != "" && d.names[account] == "" {
		d.names[account] = name
	}
}

// inWeek is true for a time within the digest's week.
func (d *digest) inWeek(t time.Time) bool { return !t.Before(d.since) && !t.After(d.now) }

// dateLayout is how dates read in the digest, as a rule's expiry does.
const dateLayout = suppress.DateLayout

// accountLabel is "name (ID)" when the account's name is known, else its ID.
func (d *digest) accountLabel(id string) string {
	if n := d.names[id]; n != "" {
		return n + " (" + id + ")"
	}
	return id
}

// checkName is the check's name from the catalog; a check the catalog does
// not know (written by a newer version) is named by its ID.
func checkName(id string) string { return catalog.EntryFor(id, id).Name }

func (d *digest) subject() string {
	var s string
	if d.empty {
		s = fmt.Sprintf("secadvisor weekly digest %s: no scan results stored", d.now.Format(dateLayout))
	} else {
		s = fmt.Sprintf("secadvisor weekly digest %s: %d red (%d new), %d resolved",
			d.now.Format(dateLayout), d.total[check.Red], len(d.turnedRed), len(d.resolved))
		if n := d.total[check.Error]; n > 0 {
			s += ", " + plural(n, "error")
		}
		if n := len(d.accounts); n > 1 {
			s += fmt.Sprintf(", %d accounts", n)
		}
	}
	return pipeline.CutSubject(pipeline.NoControl(s))
}

func (d *digest) body() string {
	var b writer
	b.line(fmt.Sprintf("secadvisor weekly digest, %s to %s (UTC)", d.since.Format("2006-01-02 15:04"), d.now.Format("2006-01-02 15:04")))
	b.blank()
	if d.empty {
		b.wrap("", "The findings table holds no scan result: no scan has stored anything yet, "+
			"or every result was deleted. Look at the orchestrator's schedule and at the alarms on the operations topic.")
		if len(d.expiring) > 0 {
			d.rules(&b)
		}
		return b.done()
	}
	d.overview(&b)
	d.records(&b, "Turned red this week", d.turnedRed, maxListed, "red since", "secadvisor findings --status red lists every red")
	d.records(&b, "Resolved this week (turned green)", d.resolved, maxListed, "green since", "")
	d.records(&b, "Open reds, oldest first", d.openRed, maxOldestReds, "red since", "secadvisor findings --status red lists them all")
	d.rules(&b)
	d.scopeList(&b, "Not scanned this week: counts below are older", d.notScanned, func(s store.ScopeSummary) string {
		if s.ScanTime.IsZero() {
			return "never scanned"
		}
		return "last scanned " + s.ScanTime.Format(dateLayout)
	})
	d.scopeList(&b, "Could not be looked at (error)", d.failed, func(s store.ScopeSummary) string { return clean(s.Error) })
	d.countsSection(&b)
	return b.done()
}

// overview is the week in a few lines.
func (d *digest) overview(b *writer) {
	b.wrap("", fmt.Sprintf("%s, %s, %s (account, check, region).", plural(len(d.accounts), "account"), plural(len(d.checks), "check"),
		plural(d.scopes, "scope")))
	now := counts{status: d.total}
	b.wrap("", "Now: "+now.String()+".")
	if n := d.suppressed[check.Red] + d.suppressed[check.Yellow]; n > 0 {
		b.wrap("", fmt.Sprintf("Suppressed, accepted on purpose and counted apart: %d (%d red, %d yellow).",
			n, d.suppressed[check.Red], d.suppressed[check.Yellow]))
	}
	b.wrap("", fmt.Sprintf("This week: %d turned red, %d resolved.", len(d.turnedRed), len(d.resolved)))
	if n := len(d.notScanned); n > 0 {
		b.wrap("", fmt.Sprintf("Not scanned this week: %d of %d scopes; their counts are older.", n, d.scopes))
	}
	if n := len(d.failed); n > 0 {
		b.wrap("", fmt.Sprintf("Could not be looked at: %s.", plural(n, "scope")))
	}
}

// records lists findings under a heading with their count, at most limit
// of them; more says where to see the rest.
func (d *digest) records(b *writer, title string, rs []store.Record, limit int, since, more string) {
	b.heading(title, len(rs))
	if len(rs) == 0 {
		b.line("None.")
		return
	}
	for _, r := range rs[:min(len(rs), limit)] {
		b.wrap("* ", clean(r.ResourceID))
		b.wrap("  ", checkName(r.CheckID))
		when := since + " " + r.StatusChangedAt.UTC().Format(dateLayout) + " (" + age(d.now.Sub(r.StatusChangedAt)) + ")"
		b.wrap("  ", d.accountLabel(r.Account)+", "+r.Region+", "+when)
		if reason := clean(r.Reason); reason != "" {
			b.wrap("  ", reason)
		}
	}
	if n := len(rs) - limit; n > 0 {
		text := fmt.Sprintf("And %d more.", n)
		if more != "" {
			text = fmt.Sprintf("And %d more: %s.", n, more)
		}
		b.wrap("", text)
	}
}

// rules lists the suppressions whose last day is past or within ExpiryNotice.
func (d *digest) rules(b *writer) {
	b.heading(fmt.Sprintf("Suppressions expired or expiring within %d days", int(ExpiryNotice.Hours()/24)), len(d.expiring))
	if len(d.expiring) == 0 {
		b.line("None.")
		return
	}
	for _, r := range d.expiring[:min(len(d.expiring), maxListed)] {
		var when string
		last := r.Expires
		days := int(last.Sub(d.today).Hours() / 24)
		switch {
		case days < 0:
			when = "expired " + last.Format(dateLayout) + ", no longer applies"
		case days == 0:
			when = "last day today"
		default:
			when = fmt.Sprintf("last day %s (in %s)", last.Format(dateLayout), plural(days, "day"))
		}
		b.wrap("* ", clean(r.ID)+": "+when+", owner "+clean(r.Owner))
		b.wrap("  ", fmt.Sprintf("check %s, account %s, region %s, resource %s", clean(r.Check), clean(r.Account), clean(r.Region), clean(r.Resource)))
		b.wrap("  ", "Reason: "+clean(r.Reason))
	}
	if n := len(d.expiring) - maxListed; n > 0 {
		b.wrap("", fmt.Sprintf("And %d more: secadvisor suppress list shows them all.", n))
	}
}

// scopeList lists scopes (account, check, region), at most maxListed, when there are any.
func (d *digest) scopeList(b *writer, title string, scopes []store.ScopeSummary, detail func(store.ScopeSummary) string) {
	if len(scopes) == 0 {
		return
	}
	b.heading(title, len(scopes))
	for _, s := range scopes[:min(len(scopes), maxListed)] {
		b.wrap("* ", d.accountLabel(s.Account)+", "+s.Region+": "+checkName(s.CheckID))
		b.wrap("  ", detail(s))
	}
	if n := len(scopes) - maxListed; n > 0 {
		b.wrap("", fmt.Sprintf("And %d more.", n))
	}
}

// countsSection is the counts per account and check, worst first; checks
// with nothing to look at are counted, not listed.
func (d *digest) countsSection(b *writer) {
	b.heading("By account and check, worst first", len(d.accounts))
	for i, a := range d.accounts {
		if i == maxAccounts {
			b.wrap("", fmt.Sprintf("And %d more accounts: secadvisor findings --by-account counts them all.", len(d.accounts)-maxAccounts))
			break
		}
		if i > 0 {
			b.blank()
		}
		b.wrap("", d.accountLabel(a.id)+": "+a.counts.String())
		quiet := 0
		for _, c := range a.checks {
			if c.counts.clean() {
				quiet++
				continue
			}
			b.wrap("  ", c.name+": "+c.counts.String())
		}
		if quiet > 0 {
			b.wrap("  ", fmt.Sprintf("%s: nothing red, yellow or in error.", pluralWord(quiet, "1 other check", fmt.Sprintf("%d other checks", quiet))))
		}
	}
}

// age is a duration in whole days ago ("today" under one).
func age(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days < 1 {
		return "today"
	}
	return plural(days, "day") + " ago"
}

func plural(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, pluralWord(n, noun, noun+"s"))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clean puts a stored value on one line: control characters (line breaks
// in a reason) become spaces.
func clean(s string) string { return strings.Join(strings.Fields(pipeline.NoControl(s)), " ") }

// writer builds the body: lines wrapped at lineWidth, headings, and a size
// bound.
type writer struct {
	b strings.Builder
}

func (w *writer) line(s string) { w.b.WriteString(s + "\n") }

func (w *writer) blank() { w.b.WriteString("\n") }

// heading is a section title with its count, underlined.
func (w *writer) heading(title string, n int) {
	t := fmt.Sprintf("%s (%d)", title, n)
	w.blank()
	w.line(t)
	w.line(strings.Repeat("-", utf8.RuneCountInString(t)))
}

// wrap writes text in lines of at most lineWidth characters, the first
// starting with prefix and the others indented as deep. A word longer than
// a line (an ARN) is kept whole, on a line of its own.
func (w *writer) wrap(prefix, text string) {
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	line, n := prefix, utf8.RuneCountInString(prefix)
	empty := true
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		if !empty && n+1+wn > lineWidth {
			w.line(line)
			line, n, empty = indent, len(indent), true
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wn
		empty = false
	}
	w.line(line)
}

// done returns the body, cut at a line within maxBody (with a note saying
// so) should the caps above still leave it too long.
func (w *writer) done() string {
	s := w.b.String()
	if len(s) <= maxBody {
		return s
	}
	const note = "\n[The digest is cut here: SNS messages are limited to 256 KB.]\n"
	cut := strings.LastIndexByte(s[:maxBody-len(note)], '\n')
	return s[:cut+1] + note
}
