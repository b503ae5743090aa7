// Package store is the DynamoDB findings table: one item per (account,
// check, region, resource), a sparse index of what is not green, and a
// summary item per (account, check, region).
//
// Writes are proportional to change: a job's result is diffed against the
// items already stored for its (account, check, region), and only new or
// changed findings are put and vanished ones deleted. The table's stream
// therefore carries exactly the transitions the notifier alerts on, and a
// re-scan of an unchanged account writes no finding item. A job older than
// (or the same as) the last one stored for its scope writes nothing, so a
// late or redelivered job never overwrites a newer result.
package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// The table's attribute names and item kinds. The CDK stack, the notifier
// and the `aws dynamodb query` examples in docs/findings-table.md use the same names.
const (
	// AttrPK is the partition key: <account>#<checkId> (alert markers: alert#<account>#<checkId>).
	AttrPK = "pk"
	// AttrSK is the sort key: <region>#<resourceId> for findings, #summary#<region> for summaries.
	AttrSK = "sk"
	// AttrStatusIndexPK is the partition key of StatusIndex, set only on
	// findings that are not green: the status (red, yellow or error).
	AttrStatusIndexPK = "statusKey"
	// AttrStatusIndexSK is the sort key of StatusIndex:
	// <account>#<checkId>#<region>#<resourceId>.
	AttrStatusIndexSK = "statusSort"
	// StatusIndex is the sparse global secondary index of non-green findings.
	StatusIndex = "byStatus"
	// AttrTTL is the table's time-to-live attribute (epoch seconds), set on alert markers.
	AttrTTL = "expiresAt"
	// AttrKind tells the item kinds apart.
	AttrKind = "kind"

	KindFinding = "finding"
	KindSummary = "summary"
	KindAlert   = "alert"
)

// ScanTimeLayout is how scanTime is stored: RFC 3339 in UTC with a fixed
// nine-digit fraction, so that comparing the strings (as the staleness
// condition does) compares the times. time.RFC3339Nano trims trailing zeros
// and would order "…:05Z" after "…:05.5Z".
const ScanTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// summarySKPrefix starts the sort key of summary items. It cannot start a
// finding's sort key, which starts with a region name.
const summarySKPrefix = "#summary#"

// API is the part of the DynamoDB client the store calls.
type API interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Store reads and writes findings in one DynamoDB table.
type Store struct {
	api   API
	table string
	// now stamps lastRefreshed; a field so tests can fix it.
	now func() time.Time
	// retryBase is the first backoff of the BatchWriteItem UnprocessedItems loop.
	retryBase time.Duration
}

// New returns a store over table.
func New(api API, table string) *Store {
	return &Store{api: api, table: table, now: time.Now, retryBase: 50 * time.Millisecond}
}

// Reachable tells, before a scan writes to it, whether the table exists and
// can be read, with one Query the store needs anyway (no extra IAM action):
// a missing table is ErrNoTable.
func (s *Store) Reachable(ctx context.Context) error {
	_, err := s.api.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "secadvisor#reachable"}},
		Limit:                     aws.Int32(1),
	})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return fmt.Errorf("%w: %s", ErrNoTable, s.table)
	}
	if err != nil {
		return fmt.Errorf("dynamodb Query (%s): %w", s.table, err)
	}
	return nil
}

// ErrNoTable is Reachable's answer for a table that does not exist.
var ErrNoTable = errors.New("no such DynamoDB table")

// JobResult is one job's findings. ScanTime orders results: an older or
// equal ScanTime than what is stored for (account, check, region) is stale
// and must not overwrite the newer one.
type JobResult struct {
	Account, CheckID, Region, ScanID string
	// AccountName is the account's name in its organization, when known.
	AccountName string
	ScanTime    time.Time
	Findings    []check.Finding
}

// ApplyStats says what Apply wrote. Stale means the result was older than
// (or the same as) the one stored and nothing was written, or — with Put or
// Deleted not zero — that a newer job claimed the scope while this one wrote
// (see Apply).
type ApplyStats struct {
	Put, Deleted, Unchanged int
	Stale                   bool
}

// findingItem is a finding as stored. Timestamps are RFC 3339 strings so the
// items read well in the console and in `aws dynamodb query`.
type findingItem struct {
	PK              string            `dynamodbav:"pk"`
	SK              string            `dynamodbav:"sk"`
	Kind            string            `dynamodbav:"kind"`
	CheckID         string            `dynamodbav:"checkId"`
	Slug            string            `dynamodbav:"slug,omitempty"`
	CheckName       string            `dynamodbav:"checkName,omitempty"`
	Account         string            `dynamodbav:"account"`
	AccountName     string            `dynamodbav:"accountName,omitempty"`
	Region          string            `dynamodbav:"region"`
	ResourceID      string            `dynamodbav:"resourceId"`
	Status          string            `dynamodbav:"status"`
	Reason          string            `dynamodbav:"reason,omitempty"`
	Columns         map[string]string `dynamodbav:"columns,omitempty"`
	FirstSeen       string            `dynamodbav:"firstSeen"`
	StatusChangedAt string            `dynamodbav:"statusChangedAt"`
	LastScanID      string            `dynamodbav:"lastScanId"`
	ScanTime        string            `dynamodbav:"scanTime"`
	// The status index keys, absent on green findings (a sparse index).
	StatusKey  string `dynamodbav:"statusKey,omitempty"`
	StatusSort string `dynamodbav:"statusSort,omitempty"`
	// Suppressed and Suppression are absent on findings no rule suppresses.
	Suppressed  bool             `dynamodbav:"suppressed,omitempty"`
	Suppression *suppressionAttr `dynamodbav:"suppression,omitempty"`
}

func (it findingItem) finding() check.Finding {
	return check.Finding{
		CheckID:     it.CheckID,
		Slug:        it.Slug,
		CheckName:   it.CheckName,
		Account:     it.Account,
		AccountName: it.AccountName,
		Region:      it.Region,
		ResourceID:  it.ResourceID,
		Status:      check.Status(it.Status),
		Reason:      it.Reason,
		Columns:     it.Columns,
		Suppressed:  it.Suppressed,
		Suppression: it.Suppression.suppression(),
	}
}

// PartitionKey returns the partition key of (account, checkID)'s items.
func PartitionKey(account, checkID string) string { return account + "#" + checkID }

// SortKey returns the sort key of a finding item.
func SortKey(region, resourceID string) string { return region + "#" + resourceID }

// SummarySortKey returns the sort key of the summary item of region.
func SummarySortKey(region string) string { return summarySKPrefix + region }

// StatusSortKey returns the status index sort key of a finding.
func StatusSortKey(account, checkID, region, resourceID string) string {
	return account + "#" + checkID + "#" + region + "#" + resourceID
}

// sameState reports whether the stored item already says what f says, so
// that writing f would change nothing a reader or the notifier cares about.
func (it findingItem) sameState(f check.Finding) bool {
	return it.Status == string(f.Status) && it.Reason == f.Reason && it.Slug == f.Slug && it.CheckName == f.CheckName && it.AccountName == f.AccountName &&
		(len(it.Columns) == 0 && len(f.Columns) == 0 || maps.Equal(it.Columns, f.Columns)) &&
		it.Suppressed == f.Suppressed && it.Suppression.equal(f.Suppression)
}

// Apply stores r as the current state of (r.Account, r.CheckID, r.Region),
// writing only what changed:
//
//  1. Claim the scope with one conditional write of its summary item (the
//     new counts, scanTime, and pendingScanId): it succeeds only when no
//     result is stored yet, the stored scanTime is older, or the same job's
//     earlier attempt claimed it and did not finish (pendingScanId is still
//     there), so that a redelivered job can finish its own writes. A stale
//     or already-applied job gets Stale and writes nothing.
//  2. Read the scope's finding items (Query on pk, sk begins with region#).
//  3. Put new or changed findings (keeping firstSeen; statusChangedAt moves
//     when the status does), delete vanished ones, leave the rest untouched.
//  4. Commit: remove pendingScanId and stamp lastRefreshed, on condition
//     that the claim is still this job's.
//
// BatchWriteItem takes no conditions, so a newer job that claims the scope
// while an older one is between steps 2 and 4 can have its items
// overwritten by the older one; the older job then finds its commit refused
// and returns Stale with its counts. The next scan of the scope diffs
// against the items as they are and repairs them.
//
// A job that could not look at its scope at all (an error finding for
// check.WholeScope) deletes nothing: what was known about the resources is
// kept, and a red finding does not read as resolved because of an
// AccessDenied.
func (s *Store) Apply(ctx context.Context, r JobResult) (ApplyStats, error) {
	scanTime := r.ScanTime.UTC().Format(ScanTimeLayout)
	pk := PartitionKey(r.Account, r.CheckID)
	claimed, err := s.claim(ctx, r, scanTime)
	if err != nil {
		return ApplyStats{}, err
	}
	if !claimed {
		return ApplyStats{Stale: true}, nil
	}

	current, err := s.scopeItems(ctx, pk, r.Region)
	if err != nil {
		return ApplyStats{}, err
	}
	puts, deletes, stats := diff(r, current, scanTime)
	if err := s.batchWrite(ctx, pk, puts, deletes); err != nil {
		return ApplyStats{}, err
	}

	committed, err := s.commit(ctx, r, scanTime)
	if err != nil {
		return ApplyStats{}, err
	}
	stats.Stale = !committed
	return stats, nil
}

// summaryItem is the summary of one (account, check, region).
type summaryItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	Kind        string `dynamodbav:"kind"`
	Account     string `dynamodbav:"account"`
	AccountName string `dynamodbav:"accountName,omitempty"`
	CheckID     string `dynamodbav:"checkId"`
	Region      string `dynamodbav:"region"`
	// Counts holds every status, zeros included.
	Counts        map[string]int `dynamodbav:"counts"`
	LastRefreshed string         `dynamodbav:"lastRefreshed"`
	LastScanID    string         `dynamodbav:"lastScanId"`
	ScanTime      string         `dynamodbav:"scanTime"`
	// Error is the reason of a job that could not look at its scope at all.
	Error string `dynamodbav:"error"`
	// PendingScanID is set from the claim to the commit of a job: the
	// job's own retry may claim again; no one else with its scan time may.
	PendingScanID string `dynamodbav:"pendingScanId,omitempty"`
}

// claim is step 1 of Apply: true when this job may write its scope. The
// claim writes the whole summary of r (its counts are known before any
// finding is written), marked pending until commit.
//
// It is a PutItem rather than an UpdateItem: an UpdateItem that creates an
// item makes moto put a keys-only item first, and its stream then carries an
// image with nothing but the keys.
func (s *Store) claim(ctx context.Context, r JobResult, scanTime string) (bool, error) {
	sum := summaryItem{
		PK: PartitionKey(r.Account, r.CheckID), SK: SummarySortKey(r.Region), Kind: KindSummary,
		Account: r.Account, AccountName: r.AccountName, CheckID: r.CheckID, Region: r.Region,
		Counts:        map[string]int{},
		LastRefreshed: s.now().UTC().Format(time.RFC3339), LastScanID: r.ScanID,
		ScanTime: scanTime, PendingScanID: r.ScanID,
	}
	for _, st := range check.Statuses {
		sum.Counts[string(st)] = 0
	}
	for _, f := range r.Findings {
		sum.Counts[string(f.Status)]++
		if wholeScopeError(f) {
			sum.Error = f.Reason
		}
	}
	item, err := attributevalue.MarshalMap(sum)
	if err != nil {
		return false, fmt.Errorf("encode summary %s %s: %w", sum.PK, sum.SK, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      item,
		ConditionExpression: aws.String("attribute_not_exists(#pk) OR #scanTime < :scanTime" +
			" OR (#scanTime = :scanTime AND #pending = :scanId)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#scanTime": "scanTime", "#pending": "pendingScanId"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":scanTime": &types.AttributeValueMemberS{Value: scanTime},
			":scanId":   &types.AttributeValueMemberS{Value: r.ScanID},
		},
	})
	return conditionHeld(err, fmt.Sprintf("PutItem (claim %s %s)", sum.PK, sum.SK))
}

// commit is step 4 of Apply: false when a newer job claimed the scope meanwhile.
func (s *Store) commit(ctx context.Context, r JobResult, scanTime string) (bool, error) {
	pk, sk := PartitionKey(r.Account, r.CheckID), SummarySortKey(r.Region)
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 itemKey(pk, sk),
		UpdateExpression:    aws.String("SET #lastRefreshed = :now REMOVE #pending"),
		ConditionExpression: aws.String("#scanTime = :scanTime AND #pending = :scanId"),
		ExpressionAttributeNames: map[string]string{
			"#lastRefreshed": "lastRefreshed", "#scanTime": "scanTime", "#pending": "pendingScanId",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":      &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339)},
			":scanId":   &types.AttributeValueMemberS{Value: r.ScanID},
			":scanTime": &types.AttributeValueMemberS{Value: scanTime},
		},
	})
	return conditionHeld(err, fmt.Sprintf("UpdateItem (commit %s %s)", pk, sk))
}

// conditionHeld reads the outcome of a conditional write: true when it was
// written, false when its condition failed (an answer, not an error), and
// any other failure wrapped with op, the operation and what it wrote.
func conditionHeld(err error, op string) (bool, error) {
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dynamodb %s: %w", op, err)
	}
	return true, nil
}

// itemKey is the primary key of the item (pk, sk).
func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: pk},
		AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// wholeScopeError reports whether f says the job could not look at its scope at all.
func wholeScopeError(f check.Finding) bool {
	return f.Status == check.Error && f.ResourceID == check.WholeScope
}

// scopeItems reads the finding items of (pk, region), keyed by sort key.
func (s *Store) scopeItems(ctx context.Context, pk, region string) (map[string]findingItem, error) {
	pages := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: pk},
			":prefix": &types.AttributeValueMemberS{Value: region + "#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	raw, err := awsx.AllPages(ctx, pages, queryItems)
	if err != nil {
		return nil, fmt.Errorf("dynamodb Query (%s %s): %w", pk, region, err)
	}
	var got []findingItem
	if err := attributevalue.UnmarshalListOfMaps(raw, &got); err != nil {
		return nil, fmt.Errorf("decode items of %s %s: %w", pk, region, err)
	}
	items := make(map[string]findingItem, len(got))
	for _, it := range got {
		items[it.SK] = it
	}
	return items, nil
}

// diff returns the items to put and the keys to delete so that the scope
// holds exactly r's findings, and counts what it decided.
func diff(r JobResult, current map[string]findingItem, scanTime string) (puts []findingItem, deletes []string, stats ApplyStats) {
	// One finding per resource: BatchWriteItem refuses two writes of one key
	// in a call. Should a check ever emit two, the more severe one is kept.
	latest := map[string]check.Finding{}
	var order []string
	for _, f := range r.Findings {
		sk := SortKey(r.Region, f.ResourceID)
		prev, seen := latest[sk]
		if !seen {
			order = append(order, sk)
		}
		if !seen || f.Status.Severity() > prev.Status.Severity() {
			latest[sk] = f
		}
	}
	changedAt := r.ScanTime.UTC().Format(time.RFC3339)
	keepsVanished := false
	for _, sk := range order {
		f := latest[sk]
		keepsVanished = keepsVanished || wholeScopeError(f)
		old, exists := current[sk]
		if exists && old.sameState(f) {
			stats.Unchanged++
			continue
		}
		it := findingItem{
			PK: PartitionKey(r.Account, r.CheckID), SK: sk, Kind: KindFinding,
			CheckID: r.CheckID, Slug: f.Slug, CheckName: f.CheckName,
			Account: r.Account, AccountName: f.AccountName, Region: r.Region, ResourceID: f.ResourceID,
			Status: string(f.Status), Reason: f.Reason, Columns: f.Columns,
			FirstSeen: changedAt, StatusChangedAt: changedAt,
			LastScanID: r.ScanID, ScanTime: scanTime,
			Suppressed: f.Suppressed, Suppression: newSuppressionAttr(f.Suppression),
		}
		if len(it.Columns) == 0 {
			it.Columns = nil
		}
		if exists {
			it.FirstSeen = old.FirstSeen
			if old.Status == it.Status {
				it.StatusChangedAt = old.StatusChangedAt
			}
		}
		if f.Status != check.Green {
			it.StatusKey = string(f.Status)
			it.StatusSort = StatusSortKey(r.Account, r.CheckID, r.Region, f.ResourceID)
		}
		puts = append(puts, it)
	}
	if !keepsVanished {
		for sk := range current {
			if _, ok := latest[sk]; !ok {
				deletes = append(deletes, sk)
			}
		}
	}
	slices.Sort(deletes)
	stats.Put, stats.Deleted = len(puts), len(deletes)
	return puts, deletes, stats
}
