package store

import (
	"context"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// TestWeekItems stores two scans of a scope through Apply (the second
// turns one resource red, one green, and adds a green one), a suppressed red
// finding and a suppression rule as other writers store them, and the
// table's other items (alert marker, re-check window), then reads the week
// from between the scans: one Scan returns the summaries, the red and
// yellow findings, the greens changed since, and the rules — nothing else.
func TestWeekItems(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	ctx := context.Background()
	f := func(resource string, status check.Status) check.Finding {
		return finding(account, testRegion, resource, status, nil)
	}
	scans := []JobResult{
		{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "scan-1", ScanTime: at(1), Findings: []check.Finding{
			f("snap-a", check.Green), f("snap-b", check.Red), f("snap-c", check.Yellow), f("snap-d", check.Green), f("snap-e", check.Error),
		}},
		{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "scan-2", ScanTime: at(10), Findings: []check.Finding{
			f("snap-a", check.Red), f("snap-b", check.Green), f("snap-c", check.Yellow), f("snap-d", check.Green), f("snap-e", check.Error),
			f("snap-f", check.Green),
		}},
	}
	for _, r := range scans {
		if _, err := s.Apply(ctx, r); err != nil {
			t.Fatalf("Apply %s: %v", r.ScanID, err)
		}
	}
	const otherCheck = "Pfx0RwqBli"
	put := func(item map[string]types.AttributeValue) {
		t.Helper()
		if _, err := api.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	// A suppressed red finding, as the check function writes it once a
	// rule covers it (the flag by its name in the JSON report).
	put(map[string]types.AttributeValue{
		AttrPK: str(PartitionKey(account, otherCheck)), AttrSK: str(SortKey(testRegion, "www.example.com")), AttrKind: str(KindFinding),
		"checkId": str(otherCheck), "account": str(account), "region": str(testRegion), "resourceId": str("www.example.com"),
		"status": str("red"), "firstSeen": str("2026-01-05T00:00:00Z"), "statusChangedAt": str("2026-01-05T00:00:00Z"),
		"lastScanId": str("scan-0"), "scanTime": str("2026-01-05T00:00:00.000000000Z"),
		AttrStatusIndexPK: str("red"), AttrStatusIndexSK: str(StatusSortKey(account, otherCheck, testRegion, "www.example.com")),
		"suppressed": &types.AttributeValueMemberBOOL{Value: true},
	})
	// A stored rule, as `secadvisor suppress add` writes it.
	put(map[string]types.AttributeValue{
		AttrPK: str("suppression"), AttrSK: str("sup-20260201-ab12cd"), AttrKind: str("suppression"),
		"check": str("s3-bucket-permissions"), "account": str("*"), "region": str("*"), "resource": str("www.example.com"),
		"reason": str("public website, reviewed"), "owner": str("web-team"), "expires": str("2026-02-10"),
		"createdAt": str("2026-02-01T00:00:00Z"), "createdBy": str("arn:aws:iam::" + account + ":user/alice"),
	})
	if _, err := s.MarkAlerted(ctx, account, testCheck, "event-1", time.Hour); err != nil {
		t.Fatalf("MarkAlerted: %v", err)
	}
	if _, err := s.ClaimWindow(ctx, account, testCheck, testRegion, time.Minute); err != nil {
		t.Fatalf("ClaimWindow: %v", err)
	}

	api.reset()
	got, err := s.WeekItems(ctx, at(5))
	if err != nil {
		t.Fatalf("WeekItems: %v", err)
	}
	if calls := api.snapshot(); !maps.Equal(calls, map[string]int{"Scan": 1}) {
		t.Errorf("WeekItems calls %v, want one Scan (the digest's role allows dynamodb:Scan only)", calls)
	}

	wantSummaries := []ScopeSummary{{
		Account: account, CheckID: testCheck, Region: testRegion, ScanTime: at(10),
		Counts: map[check.Status]int{check.Red: 1, check.Yellow: 1, check.Green: 3, check.Error: 1, check.Unavailable: 0},
	}}
	if !reflect.DeepEqual(got.Summaries, wantSummaries) {
		t.Errorf("Summaries = %+v, want %+v", got.Summaries, wantSummaries)
	}

	type brief struct {
		check, resource            string
		status                     check.Status
		suppressed                 bool
		firstSeen, statusChangedAt time.Time
	}
	briefs := func(records []Record) []brief {
		var out []brief
		for _, r := range records {
			out = append(out, brief{r.CheckID, r.ResourceID, r.Status, r.Suppressed, r.FirstSeen, r.StatusChangedAt})
		}
		return out
	}
	hour := func(n int) time.Time { return at(n).Truncate(time.Second) }
	jan5 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	wantOpen := []brief{
		{otherCheck, "www.example.com", check.Red, true, jan5, jan5},
		{testCheck, "snap-a", check.Red, false, hour(1), hour(10)},
		{testCheck, "snap-c", check.Yellow, false, hour(1), hour(1)},
	}
	if got := briefs(got.Open); !reflect.DeepEqual(got, wantOpen) {
		t.Errorf("Open = %+v,\nwant %+v (red and yellow, not the error)", got, wantOpen)
	}
	// snap-d has been green since before the week: not listed.
	wantGreen := []brief{
		{testCheck, "snap-b", check.Green, false, hour(1), hour(10)},
		{testCheck, "snap-f", check.Green, false, hour(10), hour(10)},
	}
	if got := briefs(got.TurnedGreen); !reflect.DeepEqual(got, wantGreen) {
		t.Errorf("TurnedGreen = %+v,\nwant %+v", got, wantGreen)
	}

	type ruleBrief struct{ id, check, account, region, resource, reason, owner, expires string }
	var rules []ruleBrief
	for _, r := range got.Rules {
		rules = append(rules, ruleBrief{r.ID, r.Check, r.Account, r.Region, r.Resource, r.Reason, r.Owner, r.Expires.Format("2006-01-02")})
	}
	wantRules := []ruleBrief{{"sup-20260201-ab12cd", "s3-bucket-permissions", "*", "*", "www.example.com", "public website, reviewed", "web-team", "2026-02-10"}}
	if !reflect.DeepEqual(rules, wantRules) {
		t.Errorf("Rules = %+v, want %+v", rules, wantRules)
	}

	// A stored rule that is not valid (here: no owner) fails the read,
	// naming it, as Suppressions does: never a digest without it.
	put(map[string]types.AttributeValue{
		AttrPK: str("suppression"), AttrSK: str("sup-bad"), AttrKind: str("suppression"),
		"check": str("*"), "account": str("*"), "region": str("*"), "resource": str("*"),
		"reason": str("by hand"), "expires": str("2026-02-10"), "createdAt": str("2026-02-01T00:00:00Z"),
	})
	if _, err := s.WeekItems(ctx, at(5)); err == nil || !strings.Contains(err.Error(), "sup-bad") || !strings.Contains(err.Error(), "owner") {
		t.Errorf("WeekItems with an invalid stored rule: error = %v, want one naming sup-bad and its missing owner", err)
	}
}

// TestWeekItemsEmptyTable: a table with nothing in it reads as an empty
// week, not an error (the digest then says no scan has stored anything).
func TestWeekItemsEmptyTable(t *testing.T) {
	t.Parallel()
	s, _, _ := newTestStore(t)
	got, err := s.WeekItems(context.Background(), at(0))
	if err != nil {
		t.Fatalf("WeekItems: %v", err)
	}
	if len(got.Summaries)+len(got.Open)+len(got.TurnedGreen)+len(got.Rules) != 0 {
		t.Errorf("WeekItems of an empty table = %+v, want nothing", got)
	}
}
