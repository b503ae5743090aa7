package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

const (
	testTable  = "secadvisor-findings"
	testCheck  = "ePs02jT06w"
	testSlug   = "ebs-public-snapshots"
	testName   = "Amazon EBS Public Snapshots"
	testRegion = "eu-west-1"
)

// recordingAPI wraps the emulator's client, counting calls per operation
// (and which index Query used) and letting a test fail or short-change
// BatchWriteItem.
type recordingAPI struct {
	*dynamodb.Client
	mu    sync.Mutex
	calls map[string]int
	// batchWrite, when set, answers BatchWriteItem instead of the client
	// for the call numbered n (from 1).
	batchWrite func(n int, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error, bool)
}

func (r *recordingAPI) count(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[op]++
	return r.calls[op]
}

func (r *recordingAPI) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.calls)
}

func (r *recordingAPI) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

func (r *recordingAPI) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.count("Query " + aws.ToString(in.IndexName))
	return r.Client.Query(ctx, in, optFns...)
}

func (r *recordingAPI) Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	r.count("Scan")
	return r.Client.Scan(ctx, in, optFns...)
}

func (r *recordingAPI) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	n := r.count("BatchWriteItem")
	if r.batchWrite != nil {
		if out, err, handled := r.batchWrite(n, in); handled {
			return out, err
		}
	}
	return r.Client.BatchWriteItem(ctx, in, optFns...)
}

// newTestTable creates the findings table in this test's emulator account
// and returns the account's configuration, a client of the table and the
// account.
func newTestTable(t *testing.T) (aws.Config, *dynamodb.Client, string) {
	t.Helper()
	cfg, account := emutest.Config(t)
	client := dynamodb.NewFromConfig(cfg)
	if err := CreateTable(context.Background(), client, testTable); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return cfg, client, account
}

// newTestStore creates the findings table in a fresh emulated account.
func newTestStore(t *testing.T) (*Store, *recordingAPI, string) {
	t.Helper()
	_, client, account := newTestTable(t)
	api := &recordingAPI{Client: client}
	s := New(api, testTable)
	s.retryBase = time.Millisecond
	s.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	return s, api, account
}

func finding(account, region, resource string, status check.Status, columns map[string]string) check.Finding {
	return check.Finding{
		CheckID: testCheck, Slug: testSlug, CheckName: testName,
		Account: account, Region: region, ResourceID: resource,
		Status: status, Reason: "snapshot " + resource + " is " + string(status), Columns: columns,
	}
}

// at returns the n-th scan time of a test: n hours after a fixed start,
// with a fraction so that the fixed-width layout matters.
func at(n int) time.Time {
	return time.Date(2026, 2, 1, 0, 0, 0, 500_000_000, time.UTC).Add(time.Duration(n) * time.Hour)
}

// stored returns the findings of (account, testCheck, region) by resource ID.
func stored(t *testing.T, s *Store, account, region string) map[string]Record {
	t.Helper()
	records, err := s.Records(context.Background(), Filter{Account: account, CheckID: testCheck, Region: region})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	out := map[string]Record{}
	for _, r := range records {
		out[r.ResourceID] = r
	}
	return out
}

func statuses(records map[string]Record) map[string]check.Status {
	out := map[string]check.Status{}
	for id, r := range records {
		out[id] = r.Status
	}
	return out
}

// summary reads the summary item of (account, testCheck, region).
func summary(t *testing.T, api *recordingAPI, account, region string) map[string]any {
	t.Helper()
	out, err := api.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(testTable),
		Key: map[string]types.AttributeValue{
			AttrPK: &types.AttributeValueMemberS{Value: PartitionKey(account, testCheck)},
			AttrSK: &types.AttributeValueMemberS{Value: SummarySortKey(region)},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem summary: %v", err)
	}
	var m map[string]any
	if err := attributevalue.UnmarshalMap(out.Item, &m); err != nil {
		t.Fatalf("decode summary: %v", err)
	}
	return m
}

// TestApplyWritesOnlyChanges applies a sequence of scans of one scope and
// checks, after each, what was written and what the table holds.
func TestApplyWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	ctx := context.Background()
	cols := func(desc string) map[string]string {
		return map[string]string{"Status": "Red", "Region": testRegion, "Snapshot ID": "snap-b", "Description": desc}
	}
	base := []check.Finding{
		finding(account, testRegion, "snap-a", check.Green, nil),
		finding(account, testRegion, "snap-b", check.Red, cols("vendor copy")),
		finding(account, testRegion, "snap-c", check.Yellow, map[string]string{}),
	}
	with := func(fs []check.Finding, edit func(fs []check.Finding) []check.Finding) []check.Finding {
		return edit(slices.Clone(fs))
	}
	aRed := with(base, func(fs []check.Finding) []check.Finding {
		fs[0] = finding(account, testRegion, "snap-a", check.Red, nil)
		return fs
	})
	aRedBGreen := with(aRed, func(fs []check.Finding) []check.Finding {
		fs[1] = finding(account, testRegion, "snap-b", check.Green, cols("vendor copy"))
		return fs
	})
	bNewColumns := with(aRedBGreen, func(fs []check.Finding) []check.Finding {
		fs[1] = finding(account, testRegion, "snap-b", check.Green, cols("renamed"))
		return fs
	})
	cGone := bNewColumns[:2]
	wholeScopeError := []check.Finding{{CheckID: testCheck, Slug: testSlug, CheckName: testName, Account: account, Region: testRegion,
		ResourceID: check.WholeScope, Status: check.Error, Reason: "could not evaluate: ec2 DescribeSnapshots: AccessDenied"}}

	steps := []struct {
		name     string
		scanTime time.Time
		findings []check.Finding
		want     ApplyStats
		// wantStored is the status of each stored finding after the step.
		wantStored map[string]check.Status
		// wantRed is the resources the byStatus index lists as red.
		wantRed []string
	}{
		{"first scan writes every finding", at(1), base, ApplyStats{Put: 3},
			map[string]check.Status{"snap-a": check.Green, "snap-b": check.Red, "snap-c": check.Yellow}, []string{"snap-b"}},
		{"unchanged re-scan writes nothing", at(2), base, ApplyStats{Unchanged: 3},
			map[string]check.Status{"snap-a": check.Green, "snap-b": check.Red, "snap-c": check.Yellow}, []string{"snap-b"}},
		{"green to red is one put and joins the red index", at(3), aRed, ApplyStats{Put: 1, Unchanged: 2},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Red, "snap-c": check.Yellow}, []string{"snap-a", "snap-b"}},
		{"red to green leaves the red index", at(4), aRedBGreen, ApplyStats{Put: 1, Unchanged: 2},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green, "snap-c": check.Yellow}, []string{"snap-a"}},
		{"older scan is stale and writes nothing", at(3).Add(30 * time.Minute), base, ApplyStats{Stale: true},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green, "snap-c": check.Yellow}, []string{"snap-a"}},
		{"same scan delivered again is a no-op", at(4), base, ApplyStats{Stale: true},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green, "snap-c": check.Yellow}, []string{"snap-a"}},
		{"changed columns are a put", at(5), bNewColumns, ApplyStats{Put: 1, Unchanged: 2},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green, "snap-c": check.Yellow}, []string{"snap-a"}},
		{"vanished resource is deleted", at(6), cGone, ApplyStats{Deleted: 1, Unchanged: 2},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green}, []string{"snap-a"}},
		{"could not look: error item added, nothing deleted", at(7), wholeScopeError, ApplyStats{Put: 1},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green, check.WholeScope: check.Error}, []string{"snap-a"}},
		{"looking again removes the error item", at(8), cGone, ApplyStats{Deleted: 1, Unchanged: 2},
			map[string]check.Status{"snap-a": check.Red, "snap-b": check.Green}, []string{"snap-a"}},
	}
	for _, step := range steps {
		api.reset()
		got, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion,
			ScanID: "scan-" + step.scanTime.Format("15:04"), ScanTime: step.scanTime, Findings: step.findings})
		if err != nil {
			t.Fatalf("step %q: Apply: %v", step.name, err)
		}
		if got != step.want {
			t.Errorf("step %q: Apply stats = %+v, want %+v", step.name, got, step.want)
		}
		if wantBatches := (step.want.Put + step.want.Deleted + 24) / 25; api.snapshot()["BatchWriteItem"] != wantBatches {
			t.Errorf("step %q: BatchWriteItem calls = %d, want %d", step.name, api.snapshot()["BatchWriteItem"], wantBatches)
		}
		if got := statuses(stored(t, s, account, testRegion)); !maps.Equal(got, step.wantStored) {
			t.Errorf("step %q: stored = %v, want %v", step.name, got, step.wantStored)
		}
		red, err := s.Query(ctx, Filter{Status: check.Red, Account: account})
		if err != nil {
			t.Fatalf("step %q: Query red: %v", step.name, err)
		}
		var redIDs []string
		for _, f := range red {
			redIDs = append(redIDs, f.ResourceID)
		}
		if !slices.Equal(redIDs, step.wantRed) {
			t.Errorf("step %q: red index = %v, want %v", step.name, redIDs, step.wantRed)
		}
	}

	// History: snap-a was first seen in scan 1 and turned red in scan 3;
	// snap-b turned green in scan 4 and kept that date when only its columns
	// changed in scan 5, which rewrote it.
	final := stored(t, s, account, testRegion)
	hour := func(n int) time.Time { return at(n).Truncate(time.Second) }
	for _, c := range []struct {
		id                   string
		firstSeen, changedAt time.Time
		lastScan             string
	}{
		{"snap-a", hour(1), hour(3), "scan-03:00"},
		{"snap-b", hour(1), hour(4), "scan-05:00"},
	} {
		r := final[c.id]
		if !r.FirstSeen.Equal(c.firstSeen) || !r.StatusChangedAt.Equal(c.changedAt) || r.LastScanID != c.lastScan {
			t.Errorf("%s: firstSeen %v, statusChangedAt %v, lastScanId %q; want %v, %v, %q",
				c.id, r.FirstSeen, r.StatusChangedAt, r.LastScanID, c.firstSeen, c.changedAt, c.lastScan)
		}
	}
	if got := final["snap-b"].Columns["Description"]; got != "renamed" {
		t.Errorf("snap-b Description = %q, want the changed column", got)
	}

	sum := summary(t, api, account, testRegion)
	wantSummary := map[string]any{
		"kind": KindSummary, "account": account, "checkId": testCheck, "region": testRegion,
		"lastScanId": "scan-08:00", "scanTime": at(8).Format(ScanTimeLayout), "error": "",
		"lastRefreshed": "2026-03-01T12:00:00Z",
		"counts":        map[string]any{"red": 1.0, "yellow": 0.0, "error": 0.0, "unavailable": 0.0, "green": 1.0},
	}
	for k, want := range wantSummary {
		if got := sum[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("summary %s = %v, want %v (item %v)", k, got, want, sum)
		}
	}
	if _, pending := sum["pendingScanId"]; pending {
		t.Errorf("summary still holds pendingScanId after a committed apply: %v", sum)
	}
}

func TestApplyRecordsWholeScopeErrorOnSummary(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	reason := "could not evaluate: ec2 DescribeSnapshots: AccessDenied"
	_, err := s.Apply(context.Background(), JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s1", ScanTime: at(1),
		Findings: []check.Finding{{CheckID: testCheck, Account: account, Region: testRegion, ResourceID: check.WholeScope, Status: check.Error, Reason: reason}}})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	sum := summary(t, api, account, testRegion)
	if sum["error"] != reason || fmt.Sprint(sum["counts"].(map[string]any)["error"]) != "1" {
		t.Errorf("summary = %v, want error %q and one error counted", sum, reason)
	}
	errs, err := s.Query(context.Background(), Filter{Status: check.Error, Account: account, CheckID: testCheck, Region: testRegion})
	if err != nil || len(errs) != 1 || errs[0].Columns != nil {
		t.Errorf("error index = %+v, %v; want the one error finding without columns", errs, err)
	}
}

// TestApplyRetryAfterFailedWrite: a job whose writes failed (a Lambda that
// timed out, a throttled table) is redelivered with the same scan time; the
// retry must finish the job, and only then does a further copy become a no-op.
func TestApplyRetryAfterFailedWrite(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	api.batchWrite = func(n int, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error, bool) {
		if n == 1 {
			return nil, errors.New("injected: connection reset"), true
		}
		return nil, nil, false
	}
	job := JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s1", ScanTime: at(1),
		Findings: []check.Finding{finding(account, testRegion, "snap-a", check.Red, nil)}}
	if _, err := s.Apply(context.Background(), job); err == nil {
		t.Fatal("Apply with a failing BatchWriteItem: no error, want one")
	}
	for _, want := range []ApplyStats{{Put: 1}, {Stale: true}} {
		got, err := s.Apply(context.Background(), job)
		if err != nil || got != want {
			t.Errorf("Apply of the redelivered job = %+v, %v; want %+v", got, err, want)
		}
	}
	if got := statuses(stored(t, s, account, testRegion)); !maps.Equal(got, map[string]check.Status{"snap-a": check.Red}) {
		t.Errorf("stored = %v, want snap-a red", got)
	}
}

// TestApplySupersededWhileWriting: a newer job claims the scope while an
// older one is writing. The older one's commit is refused and it says
// Stale; the summary is the newer job's.
func TestApplySupersededWhileWriting(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	newer := New(api.Client, testTable)
	api.batchWrite = func(n int, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error, bool) {
		if n == 1 {
			if _, err := newer.Apply(context.Background(), JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "newer", ScanTime: at(2)}); err != nil {
				t.Errorf("newer Apply: %v", err)
			}
		}
		return nil, nil, false
	}
	got, err := s.Apply(context.Background(), JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "older", ScanTime: at(1),
		Findings: []check.Finding{finding(account, testRegion, "snap-a", check.Red, nil)}})
	if want := (ApplyStats{Put: 1, Stale: true}); err != nil || got != want {
		t.Errorf("older Apply = %+v, %v; want %+v", got, err, want)
	}
	if sum := summary(t, api, account, testRegion); sum["lastScanId"] != "newer" || sum["pendingScanId"] != nil {
		t.Errorf("summary = %v, want the newer job's, committed", sum)
	}
}

// TestApplyRetriesUnprocessedItems: DynamoDB may accept part of a batch
// (partition throughput exceeded) and hand back the rest as UnprocessedItems.
// The emulator never does, so the wrapper answers the first call that way.
func TestApplyRetriesUnprocessedItems(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	api.batchWrite = func(n int, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error, bool) {
		if n == 1 {
			return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil, true
		}
		return nil, nil, false
	}
	var findings []check.Finding
	for i := range 30 {
		findings = append(findings, finding(account, testRegion, fmt.Sprintf("snap-%02d", i), check.Green, nil))
	}
	got, err := s.Apply(context.Background(), JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s1", ScanTime: at(1), Findings: findings})
	if err != nil || got != (ApplyStats{Put: 30}) {
		t.Fatalf("Apply = %+v, %v; want 30 puts", got, err)
	}
	// 30 writes are two chunks (25 + 5); the first chunk was sent twice.
	if calls := api.snapshot()["BatchWriteItem"]; calls != 3 {
		t.Errorf("BatchWriteItem calls = %d, want 3", calls)
	}
	if n := len(stored(t, s, account, testRegion)); n != 30 {
		t.Errorf("stored %d findings, want 30", n)
	}
}

func TestApplyGivesUpOnEndlessUnprocessedItems(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	api.batchWrite = func(n int, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error, bool) {
		return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil, true
	}
	_, err := s.Apply(context.Background(), JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: "s1", ScanTime: at(1),
		Findings: []check.Finding{finding(account, testRegion, "snap-a", check.Red, nil)}})
	if err == nil {
		t.Fatal("Apply with BatchWriteItem never processing: no error, want one")
	}
	if calls := api.snapshot()["BatchWriteItem"]; calls != maxBatchAttempts {
		t.Errorf("BatchWriteItem calls = %d, want the bound %d (err %v)", calls, maxBatchAttempts, err)
	}
}

// TestQueryFilters seeds two accounts, two checks and two regions and
// checks each filter's answer and the request it used.
func TestQueryFilters(t *testing.T) {
	t.Parallel()
	s, api, _ := newTestStore(t)
	ctx := context.Background()
	const otherCheck = "Yw2K9puPzl"
	seed := []struct {
		account, checkID, region string
		statuses                 map[string]check.Status
	}{
		{"111111111111", testCheck, "eu-west-1", map[string]check.Status{"r1": check.Red, "g1": check.Green, "y1": check.Yellow}},
		{"111111111111", testCheck, "us-east-1", map[string]check.Status{"r2": check.Red, "e2": check.Error}},
		{"111111111111", otherCheck, check.GlobalRegion, map[string]check.Status{"r3": check.Red}},
		{"222222222222", testCheck, "eu-west-1", map[string]check.Status{"r4": check.Red, "g4": check.Green}},
	}
	for _, sc := range seed {
		var fs []check.Finding
		for id, st := range sc.statuses {
			f := finding(sc.account, sc.region, id, st, map[string]string{"Region": sc.region})
			f.CheckID = sc.checkID
			fs = append(fs, f)
		}
		if _, err := s.Apply(ctx, JobResult{Account: sc.account, CheckID: sc.checkID, Region: sc.region, ScanID: "s", ScanTime: at(1), Findings: fs}); err != nil {
			t.Fatalf("seed %+v: %v", sc, err)
		}
	}
	// Results are ordered by account, check ID ("Yw2K9puPzl" < "ePs02jT06w"), region, resource.
	tests := []struct {
		filter Filter
		want   []string
		// wantOp is the one request kind the filter must use.
		wantOp string
	}{
		{Filter{Status: check.Red}, []string{"r3", "r1", "r2", "r4"}, "Query " + StatusIndex},
		{Filter{Status: check.Red, Account: "111111111111"}, []string{"r3", "r1", "r2"}, "Query " + StatusIndex},
		{Filter{Status: check.Red, Account: "111111111111", CheckID: testCheck}, []string{"r1", "r2"}, "Query " + StatusIndex},
		{Filter{Status: check.Red, Account: "111111111111", CheckID: testCheck, Region: "us-east-1"}, []string{"r2"}, "Query " + StatusIndex},
		{Filter{Status: check.Red, CheckID: testCheck}, []string{"r1", "r2", "r4"}, "Query " + StatusIndex},
		{Filter{Status: check.Red, Region: "eu-west-1"}, []string{"r1", "r4"}, "Query " + StatusIndex},
		{Filter{Status: check.Error}, []string{"e2"}, "Query " + StatusIndex},
		{Filter{Status: check.Yellow, Account: "222222222222"}, nil, "Query " + StatusIndex},
		{Filter{Account: "111111111111", CheckID: testCheck}, []string{"g1", "r1", "y1", "e2", "r2"}, "Query "},
		{Filter{Account: "111111111111", CheckID: testCheck, Region: "eu-west-1"}, []string{"g1", "r1", "y1"}, "Query "},
		{Filter{Account: "222222222222", CheckID: testCheck, Status: check.Green}, []string{"g4"}, "Query "},
		{Filter{Status: check.Green}, []string{"g1", "g4"}, "Scan"},
		{Filter{Account: "222222222222"}, []string{"g4", "r4"}, "Scan"},
		{Filter{}, []string{"r3", "g1", "r1", "y1", "e2", "r2", "g4", "r4"}, "Scan"},
	}
	for _, tc := range tests {
		api.reset()
		got, err := s.Query(ctx, tc.filter)
		if err != nil {
			t.Errorf("Query(%+v): %v", tc.filter, err)
			continue
		}
		var ids []string
		for _, f := range got {
			if tc.filter.Status != "" && f.Status != tc.filter.Status {
				t.Errorf("Query(%+v) returned %s with status %s", tc.filter, f.ResourceID, f.Status)
			}
			ids = append(ids, f.ResourceID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("Query(%+v) = %v, want %v", tc.filter, ids, tc.want)
		}
		if calls := api.snapshot(); calls[tc.wantOp] != 1 || len(calls) != 1 {
			t.Errorf("Query(%+v) made requests %v, want one %q", tc.filter, calls, tc.wantOp)
		}
	}
}

func TestMarkAlerted(t *testing.T) {
	t.Parallel()
	s, api, account := newTestStore(t)
	ctx := context.Background()
	mark := func() bool {
		t.Helper()
		first, err := s.MarkAlerted(ctx, account, testCheck, "event-1", 24*time.Hour)
		if err != nil {
			t.Fatalf("MarkAlerted: %v", err)
		}
		return first
	}
	if !mark() {
		t.Error("first MarkAlerted = false, want true")
	}
	if mark() {
		t.Error("second MarkAlerted of the same event = true, want false (a redelivery must not alert again)")
	}
	if first, err := s.MarkAlerted(ctx, account, testCheck, "event-2", time.Hour); err != nil || !first {
		t.Errorf("MarkAlerted of another event = %v, %v; want true", first, err)
	}
	if err := s.UnmarkAlerted(ctx, account, testCheck, "event-1"); err != nil {
		t.Fatalf("UnmarkAlerted: %v", err)
	}
	if !mark() {
		t.Error("MarkAlerted after UnmarkAlerted = false, want true (a failed publish is retried)")
	}
	out, err := api.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: alertKey(account, testCheck, "event-1")})
	if err != nil {
		t.Fatalf("GetItem marker: %v", err)
	}
	want := s.now().Add(24 * time.Hour).Unix()
	if ttl, ok := out.Item[AttrTTL].(*types.AttributeValueMemberN); !ok || ttl.Value != fmt.Sprint(want) || out.Item[AttrKind].(*types.AttributeValueMemberS).Value != KindAlert {
		t.Errorf("marker item = %v, want kind alert and %s = %d", out.Item, AttrTTL, want)
	}
	// Markers are not findings.
	if all, err := s.Query(ctx, Filter{}); err != nil || len(all) != 0 {
		t.Errorf("Query of a table with only markers = %v, %v; want no findings", all, err)
	}
}

func TestCreateTable(t *testing.T) {
	t.Parallel()
	_, api, _ := newTestStore(t)
	ctx := context.Background()
	if err := CreateTable(ctx, api.Client, testTable); err != nil {
		t.Errorf("CreateTable of an existing table: %v, want nil", err)
	}
	desc, err := api.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(testTable)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	tbl := desc.Table
	if tbl.StreamSpecification == nil || !aws.ToBool(tbl.StreamSpecification.StreamEnabled) || tbl.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream = %+v, want NEW_AND_OLD_IMAGES", tbl.StreamSpecification)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 || aws.ToString(tbl.GlobalSecondaryIndexes[0].IndexName) != StatusIndex ||
		tbl.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("indexes = %+v, want %s projecting all", tbl.GlobalSecondaryIndexes, StatusIndex)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing = %+v, want PAY_PER_REQUEST", tbl.BillingModeSummary)
	}
	ttl, err := api.Client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(testTable)})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != AttrTTL {
		t.Errorf("TTL = %+v, %v; want enabled on %s", ttl, err, AttrTTL)
	}
}

// TestCountsByAccount: the per-account summary adds up every check and
// region of each account from the summary items, with the account's name,
// and a changed account name is written even when nothing else changed.
func TestCountsByAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newTestStore(t)
	const member, other = "444455556666", "777788889999"
	results := []JobResult{
		{Account: member, AccountName: "workloads", CheckID: testCheck, Region: "eu-west-1", ScanID: "s1", ScanTime: at(1), Findings: []check.Finding{
			finding(member, "eu-west-1", "snap-1", check.Red, nil), finding(member, "eu-west-1", "snap-2", check.Green, nil)}},
		{Account: member, AccountName: "workloads", CheckID: testCheck, Region: "us-east-1", ScanID: "s1", ScanTime: at(1), Findings: []check.Finding{
			finding(member, "us-east-1", "snap-3", check.Red, nil)}},
		{Account: member, AccountName: "workloads", CheckID: "Yw2K9puPzl", Region: check.GlobalRegion, ScanID: "s1", ScanTime: at(1), Findings: []check.Finding{
			{CheckID: "Yw2K9puPzl", Account: member, Region: check.GlobalRegion, ResourceID: "password-policy", Status: check.Yellow}}},
		{Account: other, CheckID: testCheck, Region: "eu-west-1", ScanID: "s1", ScanTime: at(1), Findings: []check.Finding{
			finding(other, "eu-west-1", check.WholeScope, check.Error, nil)}},
	}
	if _, err := s.ApplyAll(ctx, results, 2); err != nil {
		t.Fatalf("ApplyAll: %v", err)
	}
	got, err := s.CountsByAccount(ctx)
	if err != nil {
		t.Fatalf("CountsByAccount: %v", err)
	}
	want := []AccountCounts{
		{Account: member, AccountName: "workloads", Counts: map[string]int{"red": 2, "error": 0, "yellow": 1, "unavailable": 0, "green": 1}},
		{Account: other, Counts: map[string]int{"red": 0, "error": 1, "yellow": 0, "unavailable": 0, "green": 0}},
	}
	if !slices.EqualFunc(got, want, func(a, b AccountCounts) bool {
		return a.Account == b.Account && a.AccountName == b.AccountName && maps.Equal(a.Counts, b.Counts)
	}) {
		t.Errorf("CountsByAccount = %+v, want %+v", got, want)
	}
	// The stored findings carry the account's name.
	if r := stored(t, s, member, "eu-west-1")["snap-1"]; r.AccountName != "" && r.AccountName != "workloads" {
		t.Errorf("stored finding's account name = %q, want workloads", r.AccountName)
	}
}

// TestClaimWindow: of many claims of one scope's window, concurrent or in a
// row, exactly one wins until the window closes; other scopes are apart;
// once it has closed the next claim wins again.
func TestClaimWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, account := newTestStore(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimWindow(ctx, account, testCheck, testRegion, time.Minute)
			if err != nil {
				t.Errorf("ClaimWindow: %v", err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("20 concurrent claims of one window: %d won, want 1", won.Load())
	}
	for _, tt := range []struct {
		name          string
		after         time.Duration
		region, check string
		want          bool
	}{
		{"same scope, window open", 59 * time.Second, testRegion, testCheck, false},
		{"another region", 59 * time.Second, "us-east-1", testCheck, true},
		{"another check", 59 * time.Second, testRegion, "Yw2K9puPzl", true},
		{"same scope, window closed", 60 * time.Second, testRegion, testCheck, true},
		{"same scope, the new window open", 61 * time.Second, testRegion, testCheck, false},
	} {
		s.now = func() time.Time { return now.Add(tt.after) }
		got, err := s.ClaimWindow(ctx, account, tt.check, tt.region, time.Minute)
		if err != nil || got != tt.want {
			t.Errorf("%s: ClaimWindow after %s = %v, %v; want %v", tt.name, tt.after, got, err, tt.want)
		}
	}
	// A released window (its job could not be sent) is claimed again at once.
	s.now = func() time.Time { return now.Add(62 * time.Second) }
	if err := s.ReleaseWindow(ctx, account, testCheck, testRegion); err != nil {
		t.Fatalf("ReleaseWindow: %v", err)
	}
	if got, err := s.ClaimWindow(ctx, account, testCheck, testRegion, time.Minute); err != nil || !got {
		t.Errorf("ClaimWindow after ReleaseWindow = %v, %v; want true", got, err)
	}
	// Claims are not findings.
	if records, err := s.Records(ctx, Filter{Account: account, CheckID: testCheck}); err != nil || len(records) != 0 {
		t.Errorf("findings after window claims = %+v, %v; want none", records, err)
	}
}
