package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// UpdateItem counts Resuppress's writes (Apply's commit is one too).
func (r *recordingAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.count("UpdateItem")
	return r.Client.UpdateItem(ctx, in, optFns...)
}

// testToday is the day the tests add and apply rules: newTestStore's clock.
var testToday = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// rule builds a valid rule or fails the test.
func rule(t *testing.T, id, checkName, account, region, resource, expires string) suppress.Rule {
	t.Helper()
	r, err := suppress.New(id, checkName, account, region, resource, "accepted: "+id, "team-"+id, expires, testToday, suppress.DefaultMaxAhead)
	if err != nil {
		t.Fatalf("suppress.New(%s): %v", id, err)
	}
	return r
}

// ruleFields shows what a rule says (its compiled glob aside).
func ruleFields(rules ...suppress.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %q %q %s", r.ID, r.Check, r.Account, r.Region, r.Resource, r.Reason, r.Owner, r.Expires.Format(time.RFC3339)))
	}
	return out
}

func TestSuppressionsPutListDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newTestStore(t)
	if rules, err := s.Suppressions(ctx); err != nil || len(rules) != 0 {
		t.Fatalf("Suppressions of an empty table = %+v, %v; want none", rules, err)
	}
	web := rule(t, "sup-20260301-aaaaaa", testSlug, suppress.Any, suppress.Any, "www.example.com", "2026-12-31")
	old := rule(t, "sup-20250101-bbbbbb", "*", "111122223333", "eu-west-1", "snap-*", "2026-01-31") // expired: kept, to be reported
	for _, r := range []suppress.Rule{web, old} {
		if err := s.PutSuppression(ctx, r); err != nil {
			t.Fatalf("PutSuppression(%s): %v", r.ID, err)
		}
	}
	if err := s.PutSuppression(ctx, web); !errors.Is(err, ErrSuppressionExists) {
		t.Errorf("PutSuppression(%s) again = %v, want ErrSuppressionExists", web.ID, err)
	}
	if err := s.PutSuppression(ctx, suppress.Rule{}); err == nil {
		t.Error("PutSuppression(rule without ID) = nil, want an error")
	}

	got, err := s.Suppressions(ctx)
	if err != nil {
		t.Fatalf("Suppressions: %v", err)
	}
	// Ordered by ID; a stored rule reads back as the rule that was put, ready to match.
	if got, want := ruleFields(got...), ruleFields(old, web); !reflect.DeepEqual(got, want) {
		t.Errorf("Suppressions =\n %q\nwant\n %q", got, want)
	}
	public := check.Finding{CheckID: testCheck, Slug: testSlug, Account: "111122223333", Region: "us-east-1", ResourceID: "www.example.com", Status: check.Red}
	if len(got) == 2 && !got[1].Matches(public) {
		t.Errorf("stored rule %s does not match %+v", got[1].ID, public)
	}

	if err := s.DeleteSuppression(ctx, old.ID); err != nil {
		t.Fatalf("DeleteSuppression(%s): %v", old.ID, err)
	}
	if err := s.DeleteSuppression(ctx, old.ID); !errors.Is(err, ErrNoSuppression) || !strings.Contains(err.Error(), old.ID) {
		t.Errorf("DeleteSuppression(%s) again = %v, want ErrNoSuppression naming it", old.ID, err)
	}
	if got, err := s.Suppressions(ctx); err != nil || len(got) != 1 || got[0].ID != web.ID {
		t.Errorf("Suppressions after the delete = %+v, %v; want only %s", got, err, web.ID)
	}
}

// TestSuppressionsRejectsBadItems: an item that is not a valid rule fails
// the whole read with its ID, because skipping it would un-suppress what
// it covers.
func TestSuppressionsRejectsBadItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, api, _ := newTestStore(t)
	good := map[string]string{"check": testSlug, "account": "*", "region": "*", "resource": "r", "reason": "why",
		"owner": "who", "expires": "2026-06-30", "createdAt": "2026-03-01T10:00:00Z"}
	tests := []struct {
		name    string
		change  map[string]string // attribute → value; "" removes it
		wantErr string
	}{
		{"unknown check", map[string]string{"check": "no-such-check"}, `check "no-such-check"`},
		{"no reason", map[string]string{"reason": ""}, "reason is required"},
		{"bad glob", map[string]string{"resource": "snap-[abc"}, "bad glob"},
		{"bad account", map[string]string{"account": "12345"}, `account "12345"`},
		{"expiry too far ahead of its creation", map[string]string{"expires": "2027-03-02"}, "more than 365 days ahead"},
		{"no createdAt", map[string]string{"createdAt": ""}, "createdAt"},
		{"bad kind", map[string]string{"kind": "finding"}, `kind "finding"`},
	}
	for i, tt := range tests {
		id := fmt.Sprintf("sup-bad-%d", i)
		item := map[string]types.AttributeValue{
			AttrPK: &types.AttributeValueMemberS{Value: SuppressionPartition}, AttrSK: &types.AttributeValueMemberS{Value: id},
			AttrKind: &types.AttributeValueMemberS{Value: KindSuppression},
		}
		for k, v := range good {
			item[k] = &types.AttributeValueMemberS{Value: v}
		}
		for k, v := range tt.change {
			if v == "" {
				delete(item, k)
			} else {
				item[k] = &types.AttributeValueMemberS{Value: v}
			}
		}
		if _, err := api.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item}); err != nil {
			t.Fatalf("%s: PutItem: %v", tt.name, err)
		}
		rules, err := s.Suppressions(ctx)
		if err == nil || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Suppressions with item %v = %+v, %v; want an error naming %s and %q", tt.name, tt.change, rules, err, id, tt.wantErr)
		}
		if err := s.DeleteSuppression(ctx, id); err != nil {
			t.Fatalf("%s: DeleteSuppression: %v", tt.name, err)
		}
	}
	// The good item itself reads, a year ahead of its creation at most.
	if rules, err := s.Suppressions(ctx); err != nil || len(rules) != 0 {
		t.Errorf("Suppressions after the deletes = %+v, %v; want none", rules, err)
	}
}

// TestApplyWritesSuppressionChanges: the finding item carries the
// suppression the worker applied, and a change of it alone is a write.
func TestApplyWritesSuppressionChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, account := newTestStore(t)
	red := finding(account, testRegion, "snap-1", check.Red, nil)
	suppressed := red
	suppressed.Suppressed, suppressed.Suppression = true, &check.Suppression{Rule: "sup-1", Reason: "ok", Owner: "web", Expires: "2026-12-31"}
	otherRule := suppressed
	otherRule.Suppression = &check.Suppression{Rule: "sup-2", Reason: "ok", Owner: "web", Expires: "2026-12-31"}
	steps := []struct {
		name    string
		finding check.Finding
		want    ApplyStats
	}{
		{"new red, suppressed", suppressed, ApplyStats{Put: 1}},
		{"same again", suppressed, ApplyStats{Unchanged: 1}},
		{"another rule suppresses it", otherRule, ApplyStats{Put: 1}},
		{"rule gone", red, ApplyStats{Put: 1}},
		{"unsuppressed again", red, ApplyStats{Unchanged: 1}},
	}
	for i, step := range steps {
		stats, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: fmt.Sprint(i), ScanTime: at(i), Findings: []check.Finding{step.finding}})
		if err != nil || stats != step.want {
			t.Errorf("step %q: Apply = %+v, %v; want %+v", step.name, stats, err, step.want)
		}
		got := stored(t, s, account, testRegion)["snap-1"]
		if got.Suppressed != step.finding.Suppressed || !reflect.DeepEqual(got.Suppression, step.finding.Suppression) {
			t.Errorf("step %q: stored suppressed=%v %+v, want %v %+v", step.name, got.Suppressed, got.Suppression, step.finding.Suppressed, step.finding.Suppression)
		}
		if !got.StatusChangedAt.Equal(at(0).Truncate(time.Second)) {
			t.Errorf("step %q: statusChangedAt = %v, want the first scan's %v: a suppression is no status change", step.name, got.StatusChangedAt, at(0))
		}
	}
}

// TestResuppress: the stored red and yellow findings take the current
// rules' suppression (an added rule suppresses, a removed or expired one
// stops), greens and errors never; only changes are written; the stream
// carries them.
func TestResuppress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, client, account := newTestTable(t)
	api := &recordingAPI{Client: client}
	s := New(api, testTable)
	const other = "222222222222"

	gone := &check.Suppression{Rule: "sup-removed", Reason: "was accepted", Owner: "ops", Expires: "2026-12-31"}
	seed := map[string][]check.Finding{
		account: {
			finding(account, testRegion, "red-added", check.Red, nil),
			finding(account, testRegion, "yellow-expired", check.Yellow, nil),
			finding(account, testRegion, "green", check.Green, nil),
			finding(account, testRegion, "error", check.Error, nil),
			finding(account, testRegion, "red-removed", check.Red, nil),
			finding(account, testRegion, "red-kept", check.Red, nil),
		},
		other: {finding(other, "us-east-1", "red-other-account", check.Red, nil)},
	}
	// Findings already suppressed: by a rule since removed, and by the rule that stays.
	seed[account][4].Suppressed, seed[account][4].Suppression = true, gone
	expiredRule := rule(t, "sup-expired", testSlug, account, testRegion, "yellow-*", "2026-02-27")
	seed[account][1].Suppressed, seed[account][1].Suppression = true, expiredRule.Suppression()
	kept := rule(t, "sup-kept", testCheck, account, testRegion, "red-kept", "2026-12-31")
	seed[account][5].Suppressed, seed[account][5].Suppression = true, kept.Suppression()
	for acct, fs := range seed {
		region := fs[0].Region
		if _, err := s.Apply(ctx, JobResult{Account: acct, CheckID: testCheck, Region: region, ScanID: "s", ScanTime: at(1), Findings: fs}); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	streamBefore := len(readStream(t, cfg, client))

	rules := []suppress.Rule{
		rule(t, "sup-added", "*", suppress.Any, suppress.Any, "red-added", "2026-12-31"),
		expiredRule,
		rule(t, "sup-green-and-error", testSlug, account, suppress.Any, "[ge]*", "2026-12-31"), // matches only a green and an error
		kept,
		rule(t, "sup-other", testSlug, other, "us-east-1", "red-other-*", "2026-12-31"),
	}
	today := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	api.reset()
	changed, err := s.Resuppress(ctx, rules, today)
	if err != nil {
		t.Fatalf("Resuppress: %v", err)
	}
	if changed != 4 || api.snapshot()["UpdateItem"] != 4 {
		t.Errorf("Resuppress changed %d findings in %d UpdateItem calls, want 4 and 4 (added, expired, removed, other account)", changed, api.snapshot()["UpdateItem"])
	}
	if calls := api.snapshot(); calls["Scan"] != 0 || calls["Query "+StatusIndex] != 2 {
		t.Errorf("Resuppress requests = %v, want one Query of %s per suppressible status and no Scan", calls, StatusIndex)
	}
	want := map[string]string{
		"red-added": "sup-added", "yellow-expired": "", "green": "", "error": "",
		"red-removed": "", "red-kept": "sup-kept", "red-other-account": "sup-other",
	}
	got := map[string]string{}
	for _, acct := range []string{account, other} {
		for id, r := range stored(t, s, acct, seed[acct][0].Region) {
			got[id] = ""
			if r.Suppressed != (r.Suppression != nil) {
				t.Errorf("%s: suppressed=%v with suppression %+v", id, r.Suppressed, r.Suppression)
			}
			if r.Suppression != nil {
				got[id] = r.Suppression.Rule
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("suppressing rule by resource after Resuppress = %v, want %v", got, want)
	}

	// The stream carries the four changes, each an update of an existing finding.
	records := readStream(t, cfg, client)[streamBefore:]
	var changes []string
	for _, r := range records {
		oldF, _, err1 := FindingFromImage(r.Change.OldImage)
		newF, _, err2 := FindingFromImage(r.Change.NewImage)
		if err1 != nil || err2 != nil || r.EventName != string(events.DynamoDBOperationTypeModify) {
			t.Errorf("stream record %s: %v, %v; want a MODIFY of a finding", r.EventName, err1, err2)
			continue
		}
		changes = append(changes, fmt.Sprintf("%s %v→%v", newF.ResourceID, oldF.Suppressed, newF.Suppressed))
	}
	if len(changes) != 4 {
		t.Errorf("stream after Resuppress = %q, want the 4 suppression changes", changes)
	}

	// Nothing more to change: nothing written.
	api.reset()
	if changed, err := s.Resuppress(ctx, rules, today); err != nil || changed != 0 || api.snapshot()["UpdateItem"] != 0 {
		t.Errorf("second Resuppress = %d, %v, %d UpdateItem calls; want 0, nil, 0", changed, err, api.snapshot()["UpdateItem"])
	}
}

// TestSetSuppressionLosesToANewerWrite: an item rewritten (or deleted)
// since Resuppress read it is left alone, and a deleted one is not recreated.
func TestSetSuppressionLosesToANewerWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, api, account := newTestStore(t)
	f := finding(account, testRegion, "snap-1", check.Red, nil)
	if _, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s1", ScanTime: at(1), Findings: []check.Finding{f}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	items, err := s.scopeItems(ctx, PartitionKey(account, testCheck), testRegion)
	if err != nil {
		t.Fatalf("scopeItems: %v", err)
	}
	read := items[SortKey(testRegion, "snap-1")]
	suppressed := f
	suppressed.Suppressed, suppressed.Suppression = true, &check.Suppression{Rule: "sup-1", Reason: "r", Owner: "o", Expires: "2026-12-31"}

	// A newer job rewrites the finding (yellow now).
	f.Status = check.Yellow
	if _, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s2", ScanTime: at(2), Findings: []check.Finding{f}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if ok, err := s.setSuppression(ctx, read, suppressed); ok || err != nil {
		t.Errorf("setSuppression on a rewritten item = %v, %v; want false, nil", ok, err)
	}
	if got := stored(t, s, account, testRegion)["snap-1"]; got.Suppressed || got.Status != check.Yellow {
		t.Errorf("rewritten item = %+v, want the newer job's unsuppressed yellow", got)
	}

	// The finding vanishes: the update must not bring back a fragment of it.
	if _, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s3", ScanTime: at(3)}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if ok, err := s.setSuppression(ctx, read, suppressed); ok || err != nil {
		t.Errorf("setSuppression on a deleted item = %v, %v; want false, nil", ok, err)
	}
	out, err := api.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: read.PK}, AttrSK: &types.AttributeValueMemberS{Value: read.SK}}, ConsistentRead: aws.Bool(true)})
	if err != nil || len(out.Item) != 0 {
		t.Errorf("deleted item after setSuppression = %v, %v; want none", out.Item, err)
	}
}

// TestFindingFromImageReadsTheSuppression: the notifier sees a stored
// finding's suppression in the stream images.
func TestFindingFromImageReadsTheSuppression(t *testing.T) {
	t.Parallel()
	image := map[string]events.DynamoDBAttributeValue{
		"kind": events.NewStringAttribute(KindFinding), "checkId": events.NewStringAttribute(testCheck),
		"resourceId": events.NewStringAttribute("snap-1"), "status": events.NewStringAttribute("red"),
		"suppressed": events.NewBooleanAttribute(true),
		"suppression": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"rule": events.NewStringAttribute("sup-1"), "reason": events.NewStringAttribute("website"),
			"owner": events.NewStringAttribute("web"), "expires": events.NewStringAttribute("2026-12-31"),
		}),
	}
	f, _, err := FindingFromImage(image)
	want := &check.Suppression{Rule: "sup-1", Reason: "website", Owner: "web", Expires: "2026-12-31"}
	if err != nil || !f.Suppressed || !reflect.DeepEqual(f.Suppression, want) {
		t.Errorf("FindingFromImage(suppressed image) = suppressed %v %+v, %v; want true %+v", f.Suppressed, f.Suppression, err, want)
	}
	delete(image, "suppressed")
	delete(image, "suppression")
	if f, _, err := FindingFromImage(image); err != nil || f.Suppressed || f.Suppression != nil {
		t.Errorf("FindingFromImage(image without suppression) = %v %+v, %v; want unsuppressed", f.Suppressed, f.Suppression, err)
	}
}
