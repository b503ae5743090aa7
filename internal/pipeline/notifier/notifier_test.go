package notifier

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
)

type fakeSNS struct {
	mu        sync.Mutex
	published []*sns.PublishInput
	failNext  int
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return nil, errors.New("InternalError: SNS is down")
	}
	f.published = append(f.published, in)
	return &sns.PublishOutput{MessageId: aws.String("m")}, nil
}

type fakeMarks struct {
	mu    sync.Mutex
	marks map[string]bool
}

func (f *fakeMarks) MarkAlerted(_ context.Context, account, checkID, eventID string, _ time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.marks == nil {
		f.marks = map[string]bool{}
	}
	key := account + checkID + eventID
	if f.marks[key] {
		return false, nil
	}
	f.marks[key] = true
	return true, nil
}

func (f *fakeMarks) UnmarkAlerted(_ context.Context, account, checkID, eventID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.marks, account+checkID+eventID)
	return nil
}

// findingImage is a findings-table item as the stream carries it.
func findingImage(meta check.Meta, region, resource string, status check.Status, columns map[string]string) map[string]events.DynamoDBAttributeValue {
	cols := map[string]events.DynamoDBAttributeValue{}
	for k, v := range columns {
		cols[k] = events.NewStringAttribute(v)
	}
	img := map[string]events.DynamoDBAttributeValue{
		"kind": events.NewStringAttribute("finding"), "pk": events.NewStringAttribute("123456789012#" + meta.ID), "sk": events.NewStringAttribute(region + "#" + resource),
		"checkId": events.NewStringAttribute(meta.ID), "slug": events.NewStringAttribute(meta.Slug), "checkName": events.NewStringAttribute(meta.Name),
		"account": events.NewStringAttribute("123456789012"), "region": events.NewStringAttribute(region), "resourceId": events.NewStringAttribute(resource),
		"status": events.NewStringAttribute(string(status)), "reason": events.NewStringAttribute("because " + string(status)),
		"columns": events.NewMapAttribute(cols), "firstSeen": events.NewStringAttribute("2026-11-27T12:00:00Z"),
		"statusChangedAt": events.NewStringAttribute("2026-11-28T12:00:00Z"), "lastScanId": events.NewStringAttribute("s"),
		"scanTime": events.NewStringAttribute("2026-11-28T12:00:00.000000000Z"),
	}
	return img
}

// suppressed marks a finding image suppressed by rule, as the store writes it.
func suppressed(img map[string]events.DynamoDBAttributeValue, rule string) map[string]events.DynamoDBAttributeValue {
	img["suppressed"] = events.NewBooleanAttribute(true)
	img["suppression"] = events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
		"rule": events.NewStringAttribute(rule), "reason": events.NewStringAttribute("public website, reviewed"),
		"owner": events.NewStringAttribute("web-team"), "expires": events.NewStringAttribute("2026-12-31"),
	})
	return img
}

func record(id, seq, name string, old, new map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventID: id, EventName: name, Change: events.DynamoDBStreamRecord{SequenceNumber: seq, OldImage: old, NewImage: new}}
}

func TestNotifierSampleEvent(t *testing.T) {
	t.Parallel()
	var event events.DynamoDBEvent
	pipelinetest.ReadEvent(t, "dynamodb-stream-red.json", &event)
	pub := &fakeSNS{}
	n := &Notifier{SNS: pub, TopicARN: "arn:aws:sns:us-east-1:123456789012:alerts", Marks: &fakeMarks{}}
	resp, err := n.Handle(context.Background(), event)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v; want no failure", resp, err)
	}
	if len(pub.published) != 1 {
		t.Fatalf("published %d messages, want 1 (the green → red finding; the summary item is no alert)", len(pub.published))
	}
	msg := pub.published[0]
	subject := aws.ToString(msg.Subject)
	for _, want := range []string{"123456789012", "1 resource turned red", "Amazon EBS Public Snapshots"} {
		if !strings.Contains(subject, want) {
			t.Errorf("subject %q lacks %q", subject, want)
		}
	}
	body := aws.ToString(msg.Message)
	for _, want := range []string{"snap-0a1b2c3d4e5f60718 in eu-west-1: Red (was Green)", "Volume ID: vol-0f1e2d3c4b5a69788", "Recommended action:", "mark the snapshot as private"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	attrs := map[string]string{}
	for k, v := range msg.MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	if attrs["checkId"] != "ePs02jT06w" || attrs["account"] != "123456789012" || attrs["status"] != "red" {
		t.Errorf("message attributes = %v, want checkId, account and status", attrs)
	}
	// The same record delivered again alerts nobody.
	if _, err := n.Handle(context.Background(), event); err != nil || len(pub.published) != 1 {
		t.Errorf("duplicate delivery: %d messages published in all, want still 1 (err %v)", len(pub.published), err)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	ebs, iam := ebspublicsnapshots.Meta, iampasswordpolicy.Meta
	img := func(status check.Status) map[string]events.DynamoDBAttributeValue {
		return findingImage(ebs, "eu-west-1", "snap-1", status, nil)
	}
	broken := img(check.Red)
	broken["status"] = events.NewNumberAttribute("7")
	tests := []struct {
		name     string
		record   events.DynamoDBEventRecord
		resolved bool
		want     string // transition kind, "" for none, "bad" for unreadable
	}{
		{"new red finding", record("1", "1", "INSERT", nil, img(check.Red)), false, TurnedRed},
		{"new yellow finding", record("1", "1", "INSERT", nil, img(check.Yellow)), false, ""},
		{"yellow to red", record("1", "1", "MODIFY", img(check.Yellow), img(check.Red)), false, TurnedRed},
		{"green to red", record("1", "1", "MODIFY", img(check.Green), img(check.Red)), false, TurnedRed},
		{"error to red", record("1", "1", "MODIFY", img(check.Error), img(check.Red)), false, TurnedRed},
		{"red stays red (reason changed)", record("1", "1", "MODIFY", img(check.Red), img(check.Red)), true, ""},
		{"red to green, resolved off", record("1", "1", "MODIFY", img(check.Red), img(check.Green)), false, ""},
		{"red to green, resolved on", record("1", "1", "MODIFY", img(check.Red), img(check.Green)), true, Resolved},
		{"red to error is not resolved... but leaves red", record("1", "1", "MODIFY", img(check.Red), img(check.Error)), true, Resolved},
		{"red finding vanished", record("1", "1", "REMOVE", img(check.Red), nil), true, Resolved},
		{"green vanished", record("1", "1", "REMOVE", img(check.Green), nil), true, ""},
		{"new unavailable finding: no alert", record("1", "1", "INSERT", nil, img(check.Unavailable)), true, ""},
		{"green to unavailable: no alert", record("1", "1", "MODIFY", img(check.Green), img(check.Unavailable)), true, ""},
		{"unavailable to red", record("1", "1", "MODIFY", img(check.Unavailable), img(check.Red)), false, TurnedRed},
		{"unreadable image", record("1", "1", "INSERT", nil, broken), false, "bad"},
		{"another check's red", record("1", "1", "INSERT", nil, findingImage(iam, "global", "password-policy", check.Red, nil)), false, TurnedRed},
		// A suppressed finding alerts on nothing; one whose suppression ends while red alerts.
		{"new red, suppressed", record("1", "1", "INSERT", nil, suppressed(img(check.Red), "sup-1")), true, ""},
		{"green to red, suppressed", record("1", "1", "MODIFY", img(check.Green), suppressed(img(check.Red), "sup-1")), true, ""},
		{"red, suppression ended", record("1", "1", "MODIFY", suppressed(img(check.Red), "sup-1"), img(check.Red)), false, TurnedRed},
		{"suppressed yellow to red, rule removed", record("1", "1", "MODIFY", suppressed(img(check.Yellow), "sup-1"), img(check.Red)), false, TurnedRed},
		{"red becomes suppressed: not resolved", record("1", "1", "MODIFY", img(check.Red), suppressed(img(check.Red), "sup-1")), true, ""},
		{"suppressed red, another rule now", record("1", "1", "MODIFY", suppressed(img(check.Red), "sup-1"), suppressed(img(check.Red), "sup-2")), true, ""},
		{"suppressed red fixed: not resolved", record("1", "1", "MODIFY", suppressed(img(check.Red), "sup-1"), img(check.Green)), true, ""},
		{"suppressed red vanished: not resolved", record("1", "1", "REMOVE", suppressed(img(check.Red), "sup-1"), nil), true, ""},
	}
	for _, tt := range tests {
		got, bad := Transitions([]events.DynamoDBEventRecord{tt.record}, tt.resolved)
		kind := ""
		if len(bad) > 0 {
			kind = "bad"
		} else if len(got) == 1 {
			kind = got[0].Kind
		}
		if kind != tt.want || len(got) > 1 {
			t.Errorf("Transitions(%s) = %q (%d transitions, bad %v), want %q", tt.name, kind, len(got), bad, tt.want)
		}
	}
}

func TestNotifierGroupsAndRetriesFailedPublish(t *testing.T) {
	t.Parallel()
	ebs, iam := ebspublicsnapshots.Meta, iampasswordpolicy.Meta
	event := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("a", "100", "INSERT", nil, findingImage(ebs, "eu-west-1", "snap-1", check.Red, nil)),
		record("b", "101", "INSERT", nil, findingImage(ebs, "us-east-1", "snap-2", check.Red, nil)),
		record("c", "102", "INSERT", nil, findingImage(iam, "global", "password-policy", check.Red, nil)),
		record("a", "100", "INSERT", nil, findingImage(ebs, "eu-west-1", "snap-1", check.Red, nil)), // duplicate in the batch
	}}
	pub := &fakeSNS{failNext: 1}
	n := &Notifier{SNS: pub, TopicARN: "t", Marks: &fakeMarks{}}
	resp, _ := n.Handle(context.Background(), event)
	// Groups go out in (account, check ID) order: IAM (Yw2…) sorts first and fails, EBS (ePs…) is sent.
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "102" {
		t.Fatalf("failures = %+v, want a retry from sequence 102", resp.BatchItemFailures)
	}
	if len(pub.published) != 1 {
		t.Fatalf("published = %d, want only the EBS alert after the IAM publish failed", len(pub.published))
	}
	body := aws.ToString(pub.published[0].Message)
	if !strings.Contains(aws.ToString(pub.published[0].Subject), "2 resources turned red") || !strings.Contains(body, "snap-1") || !strings.Contains(body, "snap-2") {
		t.Errorf("EBS alert = %q / %q, want both snapshots in one message", aws.ToString(pub.published[0].Subject), body)
	}
	// Lambda retries the batch: IAM goes out once; EBS is not sent again.
	resp, _ = n.Handle(context.Background(), event)
	if len(resp.BatchItemFailures) != 0 || len(pub.published) != 2 {
		t.Fatalf("after retry: failures %+v, %d published; want none and 2", resp.BatchItemFailures, len(pub.published))
	}
	if !strings.Contains(aws.ToString(pub.published[1].Subject), "IAM Password Policy") {
		t.Errorf("retried alert = %q, want the IAM one", aws.ToString(pub.published[1].Subject))
	}
}

// TestComposeAlertNamesTheAccount: "name (ID)" when the name is known, the
// ID alone otherwise, in the subject and the body; the subject stays within
// SNS's limit (a long name is shortened first, keeping the ID and the
// count) and has no control character.
func TestComposeAlertNamesTheAccount(t *testing.T) {
	t.Parallel()
	iam := iampasswordpolicy.Meta
	long := check.Meta{ID: "XXXXXXXXXX", Name: strings.Repeat("A very long check name ", 10)}
	name50 := strings.Repeat("n", 50)
	tests := []struct {
		name        string
		meta        check.Meta
		accountName string
		wantSubject string // exact, or "" to check only wantIn
		wantIn      []string
		wantBody    string
	}{
		{"no name", iam, "", "secadvisor 123456789012: 1 resource turned red: IAM Password Policy", nil, "in account 123456789012 for"},
		{"name", iam, "prod", "secadvisor prod (123456789012): 1 resource turned red: IAM Password Policy", nil, "in account prod (123456789012) for"},
		{"longest name, shortened", iam, name50, "secadvisor " + name50[:28] + "… (123456789012): 1 resource turned red: IAM Password Policy", nil, "in account " + name50 + " (123456789012)"},
		{"long name, long check", long, name50, "", []string{"secadvisor " + name50[:20] + "… (123456789012): 1 resource turned red: A very long"}, name50 + " (123456789012)"},
		{"no name, long check", long, "", "", []string{"secadvisor 123456789012: 1 resource turned red: A very long"}, "in account 123456789012 for"},
		{"line break in the name", iam, "prod\nBcc: x", "secadvisor prod Bcc: x (123456789012): 1 resource turned red: IAM Password Policy", nil, "prod"},
	}
	for _, tt := range tests {
		f := tt.meta.NewFinding(check.Target{Account: "123456789012", Region: "eu-west-1"}, "r", check.Red, "x", nil)
		f.AccountName = tt.accountName
		a := ComposeAlert([]Transition{{Kind: TurnedRed, Finding: f}})
		if tt.wantSubject != "" && a.Subject != tt.wantSubject {
			t.Errorf("%s: subject = %q, want %q", tt.name, a.Subject, tt.wantSubject)
		}
		for _, want := range tt.wantIn {
			if !strings.Contains(a.Subject, want) {
				t.Errorf("%s: subject %q lacks %q", tt.name, a.Subject, want)
			}
		}
		if n := len([]rune(a.Subject)); n > pipeline.MaxSubject || strings.ContainsFunc(a.Subject, unicode.IsControl) {
			t.Errorf("%s: subject %q has %d characters or a control character; SNS allows %d, none", tt.name, a.Subject, n, pipeline.MaxSubject)
		}
		if !strings.Contains(a.Body, tt.wantBody) {
			t.Errorf("%s: body lacks %q:\n%s", tt.name, tt.wantBody, a.Body)
		}
	}
}

// TestNotifierPublishesTheAccountName: the account's name from the stream
// image reaches the subject, the body and a message attribute.
func TestNotifierPublishesTheAccountName(t *testing.T) {
	t.Parallel()
	img := findingImage(ebspublicsnapshots.Meta, "eu-west-1", "snap-1", check.Red, nil)
	img["accountName"] = events.NewStringAttribute("prod")
	pub := &fakeSNS{}
	n := &Notifier{SNS: pub, TopicARN: "t", Marks: &fakeMarks{}}
	resp, err := n.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("1", "1", "INSERT", nil, img)}})
	if err != nil || len(resp.BatchItemFailures) != 0 || len(pub.published) != 1 {
		t.Fatalf("Handle = %+v, %v, %d published; want one alert", resp, err, len(pub.published))
	}
	msg := pub.published[0]
	if s := aws.ToString(msg.Subject); !strings.HasPrefix(s, "secadvisor prod (123456789012): ") {
		t.Errorf("subject = %q, want the account named", s)
	}
	if b := aws.ToString(msg.Message); !strings.Contains(b, "in account prod (123456789012)") {
		t.Errorf("body lacks the account's name:\n%s", b)
	}
	if got := aws.ToString(msg.MessageAttributes["accountName"].StringValue); got != "prod" {
		t.Errorf("accountName attribute = %q, want prod", got)
	}
}

// TestRawPayloadsThroughTheLambdaHandler: see pipelinetest.RawPayloads.
func TestRawPayloadsThroughTheLambdaHandler(t *testing.T) {
	t.Parallel()
	n := &Notifier{SNS: &fakeSNS{}, TopicARN: "t", Marks: &fakeMarks{}}
	pipelinetest.RawPayloads(t, pipelinetest.Notifier, n.Handle)
}

// TestNotifierAlertsWhenASuppressionEnds: a suppressed red finding sends
// nothing; a red finding whose suppression ended (its rule removed or
// expired) sends a red alert that says so, on its own or beside findings
// that turned red.
func TestNotifierAlertsWhenASuppressionEnds(t *testing.T) {
	t.Parallel()
	ebs := ebspublicsnapshots.Meta
	red := func(resource string) map[string]events.DynamoDBAttributeValue {
		return findingImage(ebs, "eu-west-1", resource, check.Red, nil)
	}
	const lifted = "snap-b in eu-west-1: Red (no longer suppressed: rule sup-1 (owner web-team, expires 2026-12-31) was removed or expired)"
	tests := []struct {
		name        string
		records     []events.DynamoDBEventRecord
		wantSubject string
		wantBody    []string
		notInBody   []string
	}{
		{
			name: "suppression ended",
			records: []events.DynamoDBEventRecord{
				record("a", "100", "INSERT", nil, suppressed(red("snap-a"), "sup-1")),
				record("b", "101", "MODIFY", suppressed(red("snap-b"), "sup-1"), red("snap-b")),
			},
			wantSubject: "1 resource red (no longer suppressed): Amazon EBS Public Snapshots",
			wantBody:    []string{"1 resource red (no longer suppressed) in account", lifted, "Recommended action:"},
			notInBody:   []string{"snap-a", "was Red"},
		},
		{
			name: "beside a finding that turned red",
			records: []events.DynamoDBEventRecord{
				record("b", "101", "MODIFY", suppressed(red("snap-b"), "sup-1"), red("snap-b")),
				record("c", "102", "MODIFY", findingImage(ebs, "eu-west-1", "snap-c", check.Green, nil), red("snap-c")),
			},
			wantSubject: "2 resources turned red",
			wantBody:    []string{lifted, "snap-c in eu-west-1: Red (was Green)\n"},
		},
	}
	for _, tt := range tests {
		pub := &fakeSNS{}
		n := &Notifier{SNS: pub, TopicARN: "t", Marks: &fakeMarks{}, NotifyResolved: true}
		resp, err := n.Handle(context.Background(), events.DynamoDBEvent{Records: tt.records})
		if err != nil || len(resp.BatchItemFailures) != 0 || len(pub.published) != 1 {
			t.Errorf("%s: Handle = %+v, %v, %d messages; want one message", tt.name, resp, err, len(pub.published))
			continue
		}
		msg := pub.published[0]
		subject, body := aws.ToString(msg.Subject), aws.ToString(msg.Message)
		if !strings.Contains(subject, tt.wantSubject) || aws.ToString(msg.MessageAttributes["status"].StringValue) != "red" {
			t.Errorf("%s: subject %q, status %q; want %q and red", tt.name, subject, aws.ToString(msg.MessageAttributes["status"].StringValue), tt.wantSubject)
		}
		for _, want := range tt.wantBody {
			if !strings.Contains(body, want) {
				t.Errorf("%s: body lacks %q:\n%s", tt.name, want, body)
			}
		}
		for _, unwanted := range tt.notInBody {
			if strings.Contains(body, unwanted) {
				t.Errorf("%s: body has %q:\n%s", tt.name, unwanted, body)
			}
		}
	}
}
