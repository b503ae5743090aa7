package securityhub

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/asff"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

const (
	hubPartition = "aws"
	hubRegion    = "us-east-1"
	hubAccount   = "123456789012"
	otherAccount = "444455556666"
)

// sampleImage is the finding image of events/dynamodb-stream-red.json: an
// item as the findings table's stream carries it.
func sampleImage(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../../events/dynamodb-stream-red.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Records []struct {
			Dynamodb struct {
				NewImage map[string]any `json:"NewImage"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	return sample.Records[0].Dynamodb.NewImage
}

// item is one finding item of the table, as a test writes it.
type item struct {
	account, resource string
	status            check.Status
	kind              string // "" = finding
	unreadable        bool   // an image that cannot be decoded
}

// finding is the check.Finding the sample image holds for it.
func (it item) finding() check.Finding {
	return check.Finding{CheckID: "ePs02jT06w", Account: it.account, Region: "eu-west-1", ResourceID: it.resource, Status: it.status}
}

// image is the sample finding image rewritten for it, in the wire format.
func (it item) image(t *testing.T) map[string]any {
	t.Helper()
	b, _ := json.Marshal(sampleImage(t))
	var img map[string]any
	_ = json.Unmarshal(b, &img)
	s := func(v string) map[string]any { return map[string]any{"S": v} }
	img["account"], img["resourceId"], img["status"] = s(it.account), s(it.resource), s(string(it.status))
	img["pk"], img["sk"] = s(it.account+"#ePs02jT06w"), s("eu-west-1#"+it.resource)
	if it.kind != "" {
		img["kind"] = s(it.kind)
	}
	if it.unreadable {
		img["columns"] = map[string]any{"S": "not a map"}
	}
	return img
}

// change is one stream record: old and new items (nil when absent).
type change struct {
	old, new *item
}

// event builds the stream event Lambda delivers for changes, numbering
// the records from seq and timing them at at.
func event(t *testing.T, changes []change, seq int, at time.Time) events.DynamoDBEvent {
	t.Helper()
	var records []map[string]any
	for i, c := range changes {
		ddb := map[string]any{
			"ApproximateCreationDateTime": at.Unix(),
			"SequenceNumber":              sequence(seq + i),
			"StreamViewType":              "NEW_AND_OLD_IMAGES",
		}
		name := "MODIFY"
		switch {
		case c.old == nil:
			name = "INSERT"
		case c.new == nil:
			name = "REMOVE"
		}
		if c.old != nil {
			ddb["OldImage"] = c.old.image(t)
		}
		if c.new != nil {
			ddb["NewImage"] = c.new.image(t)
		}
		records = append(records, map[string]any{
			"eventID": fmt.Sprintf("event-%d", seq+i), "eventName": name, "eventSource": "aws:dynamodb", "awsRegion": hubRegion,
			"dynamodb": ddb, "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/secadvisor-findings/stream/2026-11-01T00:00:00.000",
		})
	}
	raw, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("decode the stream event: %v\n%s", err, raw)
	}
	return ev
}

func sequence(n int) string { return fmt.Sprintf("1111%020d", n) }

func red(resource string) *item {
	return &item{account: hubAccount, resource: resource, status: check.Red}
}
func green(resource string) *item {
	return &item{account: hubAccount, resource: resource, status: check.Green}
}

// want is the state of one finding in the fake hub after the batches.
type want struct {
	item                    *item
	recordState, compliance string
	imports                 int
	absent                  bool
}

func TestHandle(t *testing.T) {
	t.Parallel()
	many := make([]change, 250)
	for i := range many {
		many[i] = change{new: red(fmt.Sprintf("snap-%03d", i))}
	}
	tests := []struct {
		name    string
		batches [][]change
		// fail is how many times the finding of a resource fails (-1: always).
		fail map[string]int
		// wantCalls is the findings per BatchImportFindings request.
		wantCalls []int
		want      []want
		// wantFailed are the sequence numbers of the last batch reported failed.
		wantFailed []string
	}{
		{
			name:      "insert red: imported active and failed",
			batches:   [][]change{{{new: red("snap-a")}}},
			wantCalls: []int{1},
			want:      []want{{item: red("snap-a"), recordState: "ACTIVE", compliance: "FAILED", imports: 1}},
		},
		{
			name:      "modify to green: the same finding archived and passed",
			batches:   [][]change{{{new: red("snap-a")}}, {{old: red("snap-a"), new: green("snap-a")}}},
			wantCalls: []int{1, 1},
			want:      []want{{item: red("snap-a"), recordState: "ARCHIVED", compliance: "PASSED", imports: 2}},
		},
		{
			name:      "remove: the resource is gone, the finding archived",
			batches:   [][]change{{{new: red("snap-a")}}, {{old: red("snap-a")}}},
			wantCalls: []int{1, 1},
			want:      []want{{item: red("snap-a"), recordState: "ARCHIVED", compliance: "PASSED", imports: 2}},
		},
		{
			name:      "two changes of one finding in a batch: one import, the latest",
			batches:   [][]change{{{new: red("snap-a")}, {old: red("snap-a"), new: green("snap-a")}}},
			wantCalls: []int{1},
			want:      []want{{item: red("snap-a"), recordState: "ARCHIVED", compliance: "PASSED", imports: 1}},
		},
		{
			name:      "partial failure retried",
			batches:   [][]change{{{new: red("snap-a")}, {new: red("snap-b")}}},
			fail:      map[string]int{"snap-b": 2},
			wantCalls: []int{2, 1, 1},
			want: []want{
				{item: red("snap-a"), recordState: "ACTIVE", compliance: "FAILED", imports: 1},
				{item: red("snap-b"), recordState: "ACTIVE", compliance: "FAILED", imports: 1},
			},
		},
		{
			name:       "persistent failure: a batch item failure, the others imported",
			batches:    [][]change{{{new: red("snap-a")}, {new: red("snap-b")}, {new: red("snap-c")}}},
			fail:       map[string]int{"snap-b": -1},
			wantCalls:  []int{3, 1, 1},
			want:       []want{{item: red("snap-a"), recordState: "ACTIVE", compliance: "FAILED", imports: 1}, {item: red("snap-b"), absent: true}},
			wantFailed: []string{sequence(1)},
		},
		{
			name:      "250 records: 3 calls of at most 100",
			batches:   [][]change{many},
			wantCalls: []int{100, 100, 50},
			want: []want{
				{item: red("snap-000"), recordState: "ACTIVE", compliance: "FAILED", imports: 1},
				{item: red("snap-249"), recordState: "ACTIVE", compliance: "FAILED", imports: 1},
			},
		},
		{
			name: "other items and other accounts are not imported",
			batches: [][]change{{
				{new: &item{account: hubAccount, resource: "summary", status: check.Red, kind: "summary"}},
				{new: &item{account: otherAccount, resource: "snap-m", status: check.Red}},
				{new: red("snap-a")},
			}},
			wantCalls: []int{1},
			want: []want{
				{item: red("snap-a"), recordState: "ACTIVE", compliance: "FAILED", imports: 1},
				{item: &item{account: otherAccount, resource: "snap-m", status: check.Red}, absent: true},
			},
		},
		{
			name:       "unreadable record: a batch item failure, the others imported",
			batches:    [][]change{{{new: &item{account: hubAccount, resource: "snap-x", status: check.Red, unreadable: true}}, {new: red("snap-a")}}},
			wantCalls:  []int{1},
			want:       []want{{item: red("snap-a"), recordState: "ACTIVE", compliance: "FAILED", imports: 1}},
			wantFailed: []string{sequence(0)},
		},
		{
			name:      "nothing to import: no call",
			batches:   [][]change{{{new: &item{account: otherAccount, resource: "snap-m", status: check.Red}}}},
			wantCalls: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hub, client := newFakeHub(t, hubPartition, hubRegion, hubAccount)
			for resource, n := range tt.fail {
				hub.fail[asff.ID(red(resource).finding())] = n
			}
			var waits []time.Duration
			e := &Exporter{Hub: client, Partition: hubPartition, Region: hubRegion, Account: hubAccount,
				Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
			var resp events.DynamoDBEventResponse
			for i, batch := range tt.batches {
				var err error
				resp, err = e.Handle(context.Background(), event(t, batch, 1000*i, start.Add(time.Duration(i)*time.Hour)))
				if err != nil {
					t.Fatalf("Handle(batch %d) error = %v, want nil (failures go in the response)", i, err)
				}
			}
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("batch item failures = %v, want %v", failed, tt.wantFailed)
			}
			if !slices.Equal(hub.calls, tt.wantCalls) {
				t.Errorf("BatchImportFindings requests carried %v findings, want %v", hub.calls, tt.wantCalls)
			}
			for _, w := range tt.want {
				id := asff.ID(w.item.finding())
				got, ok := hub.findings[id]
				if w.absent {
					if ok {
						t.Errorf("finding %s of %s imported: %+v, want none", w.item.resource, w.item.account, got)
					}
					continue
				}
				if !ok {
					t.Errorf("finding %s (Id %s) not in Security Hub; it holds %d findings", w.item.resource, id, len(hub.findings))
					continue
				}
				if got.RecordState != w.recordState || got.ComplianceStatus != w.compliance || got.Imports != w.imports {
					t.Errorf("finding %s = %s/%s after %d imports, want %s/%s after %d", w.item.resource,
						got.RecordState, got.ComplianceStatus, got.Imports, w.recordState, w.compliance, w.imports)
				}
				if got.AwsAccountId != hubAccount || got.GeneratorId == "" {
					t.Errorf("finding %s: AwsAccountId %q, GeneratorId %q; want %s and the check", w.item.resource, got.AwsAccountId, got.GeneratorId, hubAccount)
				}
			}
			for i := 1; i < len(waits); i++ {
				if waits[i] != 2*waits[i-1] {
					t.Errorf("backoff waits %v, want each twice the previous", waits)
				}
			}
		})
	}
}

// TestUpdatedAtIsTheRecordTime: a retried record imports the same
// finding, and FirstObservedAt is the item's firstSeen.
func TestUpdatedAtIsTheRecordTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 12, 0, 7, 0, time.UTC)
	e := &Exporter{Partition: hubPartition, Region: hubRegion, Account: hubAccount}
	ev := event(t, []change{{old: green("snap-a"), new: red("snap-a")}}, 0, at)
	first, again := e.Convert(ev.Records), e.Convert(ev.Records)
	if len(first.Imports) != 1 {
		t.Fatalf("Convert(one red record) = %d imports, want 1", len(first.Imports))
	}
	f := first.Imports[0].Finding
	b1, _ := json.Marshal(f)
	b2, _ := json.Marshal(again.Imports[0].Finding)
	if string(b1) != string(b2) {
		t.Errorf("the same record converted twice differs:\n%s\n%s", b1, b2)
	}
	for name, got := range map[string]*string{"UpdatedAt": f.UpdatedAt, "FirstObservedAt": f.FirstObservedAt} {
		if got == nil {
			t.Errorf("%s not set", name)
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, *got)
		want := at
		if name == "FirstObservedAt" {
			want = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) // the sample's firstSeen
		}
		if err != nil || !ts.Equal(want) {
			t.Errorf("%s = %q, want %s", name, *got, want.Format(time.RFC3339))
		}
	}
	if !strings.HasPrefix(*f.ProductArn, "arn:aws:securityhub:us-east-1:123456789012:product/") {
		t.Errorf("ProductArn = %s, want the hub's", *f.ProductArn)
	}
}

// TestNewReadsItsEnvironment: a missing variable fails at init, naming it.
func TestNewReadsItsEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env     map[string]string
		region  string
		wantErr string
	}{
		{env: map[string]string{EnvPartition: "aws-us-gov", pipeline.EnvAccount: hubAccount}, region: "us-gov-west-1"},
		{env: map[string]string{pipeline.EnvAccount: hubAccount}, region: hubRegion, wantErr: EnvPartition},
		{env: map[string]string{EnvPartition: "aws"}, region: hubRegion, wantErr: pipeline.EnvAccount},
		{env: map[string]string{EnvPartition: "aws", pipeline.EnvAccount: hubAccount}, wantErr: "region"},
	}
	for _, tt := range tests {
		e, err := New(awsConfig(tt.region), func(k string) string { return tt.env[k] })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%v, region %q) error = %v, want one naming %s", tt.env, tt.region, err, tt.wantErr)
			}
			continue
		}
		if err != nil || e.Partition != tt.env[EnvPartition] || e.Account != tt.env[pipeline.EnvAccount] || e.Region != tt.region {
			t.Errorf("New(%v, region %q) = %+v, %v; want the environment's hub", tt.env, tt.region, e, err)
		}
	}
}

func awsConfig(region string) aws.Config { return aws.Config{Region: region} }
