package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// ScopeSummary is the summary item of one (account, check, region): the
// counts of its last stored job.
type ScopeSummary struct {
	Account, AccountName, CheckID, Region string
	// Counts holds the findings per status; a suppressed finding is counted
	// in its status.
	Counts map[check.Status]int
	// ScanTime is when the job whose counts these are ran.
	ScanTime time.Time
	// Error is the reason of a job that could not look at its scope at all.
	Error string
}

// WeekItems is what the weekly digest reads from the table.
type WeekItems struct {
	// Summaries are every summary item, by account, check and region.
	Summaries []ScopeSummary
	// Open are the red and yellow findings, suppressed or not.
	Open []Record
	// TurnedGreen are the green findings whose status changed at or after
	// the time asked for. A resource that was deleted has no finding any
	// more (its item is deleted with it), so it is not among them.
	TurnedGreen []Record
	// Rules are the stored suppression rules, expired ones included, by ID.
	Rules []suppress.Rule
}

// WeekItems reads, in one Scan of the table, everything the weekly digest
// needs: the summary items, the red and yellow findings, the green
// findings whose status changed since since, and the suppression rules
// (decoded and checked as Suppressions does: an item that is not a valid
// rule is an error naming it).
//
// Greens that changed status can only be found by a Scan (the byStatus
// index holds no green), and a Scan reads, and is billed for, every item
// of the table whatever its filter: one Scan is then the cheapest read of
// the lot, once a week.
//
// statusChangedAt is RFC 3339 in UTC with whole seconds (the store writes
// it so), so the filter compares it as a string. The Scan is the only
// operation: the digest function's role allows dynamodb:Scan alone.
func (s *Store) WeekItems(ctx context.Context, since time.Time) (WeekItems, error) {
	e := newExpr()
	kind := func(k string) string { return e.eq(AttrKind, k) }
	status := func(st check.Status) string { return e.eq("status", string(st)) }
	changed, sinceValue := e.placeholders("statusChangedAt", since.UTC().Format(time.RFC3339))
	e.filter(kind(KindSummary) + " OR " + kind(KindSuppression) + " OR (" + kind(KindFinding) + " AND (" +
		status(check.Red) + " OR " + status(check.Yellow) + " OR (" + status(check.Green) + " AND " + changed + " >= " + sinceValue + ")))")
	pages := dynamodb.NewScanPaginator(s.api, e.scan(s.table))

	var out WeekItems
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return WeekItems{}, fmt.Errorf("dynamodb Scan (weekly digest): %w", err)
		}
		for _, av := range page.Items {
			if err := out.add(av); err != nil {
				return WeekItems{}, err
			}
		}
	}
	slices.SortFunc(out.Summaries, func(a, b ScopeSummary) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.CheckID, b.CheckID), cmp.Compare(a.Region, b.Region))
	})
	slices.SortFunc(out.Open, compareRecords)
	slices.SortFunc(out.TurnedGreen, compareRecords)
	slices.SortFunc(out.Rules, func(a, b suppress.Rule) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// add decodes one item the Scan returned into its list.
func (w *WeekItems) add(av map[string]types.AttributeValue) error {
	kindAV, _ := av[AttrKind].(*types.AttributeValueMemberS)
	if kindAV == nil {
		return fmt.Errorf("decode item: no %q string attribute", AttrKind)
	}
	switch kindAV.Value {
	case KindSummary:
		var it summaryItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return fmt.Errorf("decode summary item: %w", err)
		}
		sum := ScopeSummary{Account: it.Account, AccountName: it.AccountName, CheckID: it.CheckID, Region: it.Region,
			Counts: map[check.Status]int{}, Error: it.Error}
		for st, n := range it.Counts {
			sum.Counts[check.Status(st)] = n
		}
		// An unreadable time (an item written by hand) reads as zero: the
		// scope then shows as not scanned during the week, never as fresh.
		sum.ScanTime, _ = time.Parse(time.RFC3339Nano, it.ScanTime)
		w.Summaries = append(w.Summaries, sum)
	case KindSuppression:
		r, err := decodeRule(av)
		if err != nil {
			return err
		}
		w.Rules = append(w.Rules, r)
	case KindFinding:
		var it findingItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return fmt.Errorf("decode finding item: %w", err)
		}
		r := it.record()
		if r.Status == check.Green {
			w.TurnedGreen = append(w.TurnedGreen, r)
		} else {
			w.Open = append(w.Open, r)
		}
	}
	return nil
}
