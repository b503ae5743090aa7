package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Filter selects findings. Empty fields match everything.
type Filter struct {
	Status  check.Status
	CheckID string
	Account string
	Region  string
}

// Record is a stored finding with its history.
type Record struct {
	check.Finding
	// FirstSeen is the scan time the resource was first reported.
	FirstSeen time.Time `json:"firstSeen"`
	// StatusChangedAt is the scan time the finding took its current status.
	StatusChangedAt time.Time `json:"statusChangedAt"`
	// LastScanID is the scan that last wrote the item (an unchanged finding
	// is not rewritten, so it can be older than the latest scan).
	LastScanID string `json:"lastScanId"`
}

// Query returns the findings matching f; see Records for how it reads.
func (s *Store) Query(ctx context.Context, f Filter) ([]check.Finding, error) {
	records, err := s.Records(ctx, f)
	if err != nil {
		return nil, err
	}
	findings := make([]check.Finding, len(records))
	for i, r := range records {
		findings[i] = r.Finding
	}
	return findings, nil
}

// Records returns the stored findings matching f, ordered by account,
// check, region and resource. It reads with the narrowest request the keys
// allow:
//   - a status other than green: one Query of the byStatus index, narrowed by
//     the account, check and region given as a key prefix;
//   - an account and a check: one Query of their partition (and of the
//     region's sort-key prefix);
//   - anything else (no filter, or only green, a check, an account or a
//     region across the whole table): a Scan of the table with a filter.
//     The keys cannot answer those; a Scan reads, and is billed for, every
//     item of the table.
func (s *Store) Records(ctx context.Context, f Filter) ([]Record, error) {
	e := newExpr()
	var items []map[string]types.AttributeValue
	var err error
	switch {
	case f.Status != "" && f.Status != check.Green:
		key := e.eq(AttrStatusIndexPK, string(f.Status))
		// The index sort key is account#check#region#resource: a filter
		// narrows the key range as far as its fields form a prefix of it.
		checkInKey, regionInKey := false, false
		if f.Account != "" {
			prefix := f.Account + "#"
			if f.CheckID != "" {
				prefix, checkInKey = prefix+f.CheckID+"#", true
				if f.Region != "" {
					prefix, regionInKey = prefix+f.Region+"#", true
				}
			}
			key += " AND " + e.beginsWith(AttrStatusIndexSK, prefix)
		}
		if f.CheckID != "" && !checkInKey {
			e.filter(e.eq("checkId", f.CheckID))
		}
		if f.Region != "" && !regionInKey {
			e.filter(e.eq("region", f.Region))
		}
		items, err = awsx.AllPages(ctx, dynamodb.NewQueryPaginator(s.api, e.query(s.table, aws.String(StatusIndex), key)), queryItems)
	case f.Account != "" && f.CheckID != "":
		key := e.eq(AttrPK, PartitionKey(f.Account, f.CheckID))
		if f.Region != "" {
			key += " AND " + e.beginsWith(AttrSK, f.Region+"#")
		}
		e.filter(e.eq(AttrKind, KindFinding))
		if f.Status != "" {
			e.filter(e.eq("status", string(f.Status)))
		}
		items, err = awsx.AllPages(ctx, dynamodb.NewQueryPaginator(s.api, e.query(s.table, nil, key)), queryItems)
	default:
		e.filter(e.eq(AttrKind, KindFinding))
		for _, c := range [][2]string{{"status", string(f.Status)}, {"checkId", f.CheckID}, {"account", f.Account}, {"region", f.Region}} {
			if c[1] != "" {
				e.filter(e.eq(c[0], c[1]))
			}
		}
		items, err = awsx.AllPages(ctx, dynamodb.NewScanPaginator(s.api, e.scan(s.table)), scanItems)
	}
	if err != nil {
		return nil, fmt.Errorf("dynamodb %s: %w", e.op, err)
	}

	records := make([]Record, 0, len(items))
	for _, av := range items {
		var it findingItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode finding item: %w", err)
		}
		records = append(records, it.record())
	}
	slices.SortFunc(records, compareRecords)
	return records, nil
}

// compareRecords orders records by account, check, region and resource.
func compareRecords(a, b Record) int {
	return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.CheckID, b.CheckID),
		cmp.Compare(a.Region, b.Region), cmp.Compare(a.ResourceID, b.ResourceID))
}

func (it findingItem) record() Record {
	// Unparsable timestamps (an item written by hand) read as zero times
	// rather than failing the whole query.
	firstSeen, _ := time.Parse(time.RFC3339, it.FirstSeen)
	changedAt, _ := time.Parse(time.RFC3339, it.StatusChangedAt)
	return Record{Finding: it.finding(), FirstSeen: firstSeen, StatusChangedAt: changedAt, LastScanID: it.LastScanID}
}

// expr accumulates the placeholders and filter conditions of one request.
type expr struct {
	names   map[string]string
	values  map[string]types.AttributeValue
	filters []string
	op      string
}

func newExpr() *expr {
	return &expr{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

// placeholders names attr and value with fresh placeholders (every name is
// aliased: status and region are DynamoDB reserved words).
func (e *expr) placeholders(attr, value string) (name, val string) {
	n := len(e.values)
	name, val = fmt.Sprintf("#a%d", n), fmt.Sprintf(":v%d", n)
	e.names[name] = attr
	e.values[val] = &types.AttributeValueMemberS{Value: value}
	return name, val
}

func (e *expr) eq(attr, value string) string {
	name, val := e.placeholders(attr, value)
	return name + " = " + val
}

func (e *expr) beginsWith(attr, prefix string) string {
	name, val := e.placeholders(attr, prefix)
	return "begins_with(" + name + ", " + val + ")"
}

func (e *expr) filter(cond string) { e.filters = append(e.filters, cond) }

func (e *expr) filterExpression() *string {
	if len(e.filters) == 0 {
		return nil
	}
	return aws.String(strings.Join(e.filters, " AND "))
}

func (e *expr) query(table string, index *string, key string) *dynamodb.QueryInput {
	e.op = "Query"
	if index != nil {
		e.op += " " + *index
	}
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 index,
		KeyConditionExpression:    aws.String(key),
		FilterExpression:          e.filterExpression(),
		ExpressionAttributeNames:  e.names,
		ExpressionAttributeValues: e.values,
	}
}

func (e *expr) scan(table string) *dynamodb.ScanInput {
	e.op = "Scan"
	return &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		FilterExpression:          e.filterExpression(),
		ExpressionAttributeNames:  e.names,
		ExpressionAttributeValues: e.values,
	}
}

// queryItems and scanItems are the items of one page (awsx.AllPages).
func queryItems(page *dynamodb.QueryOutput) []map[string]types.AttributeValue { return page.Items }

func scanItems(page *dynamodb.ScanOutput) []map[string]types.AttributeValue { return page.Items }

// AccountCounts is one account's findings per status, over every check and
// region the table holds for it.
type AccountCounts struct {
	Account     string         `json:"account"`
	AccountName string         `json:"accountName,omitempty"`
	Counts      map[string]int `json:"counts"`
}

// CountsByAccount adds up the summary items (one per account, check and
// region, each holding its counts) into one line per account, sorted by
// account ID. It reads only summary items: a Scan filtered on their kind,
// which returns a few hundred bytes per job instead of every finding.
func (s *Store) CountsByAccount(ctx context.Context) ([]AccountCounts, error) {
	e := newExpr()
	e.filter(e.eq(AttrKind, KindSummary))
	pages := dynamodb.NewScanPaginator(s.api, e.scan(s.table))
	byAccount := map[string]*AccountCounts{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamodb Scan (summaries): %w", err)
		}
		for _, av := range page.Items {
			var sum summaryItem
			if err := attributevalue.UnmarshalMap(av, &sum); err != nil {
				return nil, fmt.Errorf("decode summary item: %w", err)
			}
			a, ok := byAccount[sum.Account]
			if !ok {
				a = &AccountCounts{Account: sum.Account, Counts: map[string]int{}}
				for _, st := range check.Statuses {
					a.Counts[string(st)] = 0
				}
				byAccount[sum.Account] = a
			}
			a.AccountName = cmp.Or(a.AccountName, sum.AccountName)
			for st, n := range sum.Counts {
				a.Counts[st] += n
			}
		}
	}
	out := make([]AccountCounts, 0, len(byAccount))
	for _, id := range slices.Sorted(maps.Keys(byAccount)) {
		out = append(out, *byAccount[id])
	}
	return out, nil
}
