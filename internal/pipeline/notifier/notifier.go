// Package notifier is the logic of the function on the findings table's
// stream: it publishes findings that turned red (and, when asked, those that
// stopped being red) to the alert topic. It names checks from the catalog's
// metadata, so the function links no check and no AWS client beyond SNS and
// DynamoDB.
package notifier

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
)

// New builds the notifier from its environment.
func New(cfg aws.Config, getenv pipeline.Getenv) (*Notifier, error) {
	topic, table, err := pipeline.TopicAndTable(getenv)
	if err != nil {
		return nil, err
	}
	resolved := false
	if v := getenv(pipeline.EnvNotifyResolved); v != "" {
		if resolved, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("%s %q is not true or false", pipeline.EnvNotifyResolved, v)
		}
	}
	return &Notifier{
		SNS:            sns.NewFromConfig(cfg),
		TopicARN:       topic,
		Marks:          store.New(dynamodb.NewFromConfig(cfg), table),
		NotifyResolved: resolved,
	}, nil
}

// Transition kinds an alert is about.
const (
	TurnedRed = "red"
	Resolved  = "resolved"
)

// Transition is one finding that turned red, or stopped being red.
type Transition struct {
	Kind           string
	Finding        check.Finding
	PreviousStatus check.Status
	// FormerSuppression is the suppression a red finding no longer has
	// (its rule was removed or expired): it alerts as if it turned red.
	FormerSuppression *check.Suppression
	EventID           string
	SequenceNumber    string
}

// Transitions picks, from stream records, the findings that turned red (a
// new red finding, yellow/green/error → red, or a red finding whose
// suppression ended) and, when resolved is set, those that stopped being
// red (changed status, or vanished). A suppressed finding alerts on
// nothing: not when it turns red, not when it is resolved. Records of other
// items (summaries, alert markers, suppression rules) are ignored. A record
// whose images cannot be read is returned in bad with the reason.
func Transitions(records []events.DynamoDBEventRecord, resolved bool) (out []Transition, bad []error) {
	seen := map[string]bool{}
	for _, r := range records {
		// A stream can deliver the same record twice in one batch.
		if seen[r.EventID] {
			continue
		}
		seen[r.EventID] = true
		newF, newKind, newOK, err := image(r.Change.NewImage)
		if err != nil {
			bad = append(bad, fmt.Errorf("stream record %s new image: %w", r.EventID, err))
			continue
		}
		oldF, oldKind, oldOK, err := image(r.Change.OldImage)
		if err != nil {
			bad = append(bad, fmt.Errorf("stream record %s old image: %w", r.EventID, err))
			continue
		}
		if (newOK && newKind != store.KindFinding) || (oldOK && oldKind != store.KindFinding) {
			continue
		}
		t := Transition{EventID: r.EventID, SequenceNumber: r.Change.SequenceNumber}
		// alerting: red and not suppressed.
		oldAlerting := oldOK && oldF.Status == check.Red && !oldF.Suppressed
		newAlerting := newOK && newF.Status == check.Red && !newF.Suppressed
		switch {
		case newAlerting && !oldAlerting:
			t.Kind, t.Finding = TurnedRed, newF
			if oldOK {
				t.PreviousStatus = oldF.Status
				if oldF.Suppressed {
					t.FormerSuppression = oldF.Suppression
					if t.FormerSuppression == nil {
						t.FormerSuppression = &check.Suppression{}
					}
				}
			}
		case resolved && oldAlerting && (!newOK || newF.Status != check.Red):
			t.Kind, t.Finding, t.PreviousStatus = Resolved, oldF, check.Red
			if newOK {
				t.Finding = newF
			}
		default:
			continue
		}
		out = append(out, t)
	}
	return out, bad
}

func image(img map[string]events.DynamoDBAttributeValue) (check.Finding, string, bool, error) {
	if len(img) == 0 {
		return check.Finding{}, "", false, nil
	}
	f, kind, err := store.FindingFromImage(img)
	if err != nil {
		return check.Finding{}, "", false, err
	}
	if kind == store.KindFinding && f.Status.Severity() < 0 {
		return check.Finding{}, "", false, fmt.Errorf("finding %s has unknown status %q", f.ResourceID, f.Status)
	}
	return f, kind, true, nil
}

// PublishAPI is the part of the SNS client the notifier calls.
type PublishAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ PublishAPI = (*sns.Client)(nil)

// AlertMarks remembers which stream records were alerted on; *store.Store.
type AlertMarks interface {
	MarkAlerted(ctx context.Context, account, checkID, eventID string, ttl time.Duration) (bool, error)
	UnmarkAlerted(ctx context.Context, account, checkID, eventID string) error
}

// Notifier publishes red transitions from the findings table's stream to SNS.
type Notifier struct {
	SNS      PublishAPI
	TopicARN string
	Marks    AlertMarks
	// NotifyResolved also publishes findings that stopped being red.
	NotifyResolved bool
	// MarkTTL is how long an alert is remembered (Lambda retries a stream
	// batch for at most a day by default; a week is safe).
	MarkTTL time.Duration
}

// DefaultMarkTTL is Notifier.MarkTTL when unset.
const DefaultMarkTTL = 7 * 24 * time.Hour

// Handle publishes one message per (account, check, transition kind) in the
// batch. A record already alerted on (a duplicate delivery) is not alerted
// again. When publishing fails, the batch is reported failed from that
// group's first record, so Lambda retries it; groups already published are
// then skipped by their marks.
func (n *Notifier) Handle(ctx context.Context, event events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	transitions, bad := Transitions(event.Records, n.NotifyResolved)
	for _, err := range bad {
		// Retrying cannot repair a record: log it loudly and go on with the rest.
		slog.Error("unreadable stream record", "err", err.Error())
	}
	ttl := n.MarkTTL
	if ttl == 0 {
		ttl = DefaultMarkTTL
	}
	var failedFrom string
	for _, group := range groupTransitions(transitions) {
		if err := n.alert(ctx, group, ttl); err != nil {
			slog.Error("alert not sent", "check_id", group[0].Finding.CheckID, "account", group[0].Finding.Account, "err", err.Error())
			for _, t := range group {
				if failedFrom == "" || sequenceLess(t.SequenceNumber, failedFrom) {
					failedFrom = t.SequenceNumber
				}
			}
		}
	}
	var resp events.DynamoDBEventResponse
	if failedFrom != "" {
		resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: failedFrom}}
	}
	return resp, nil
}

func (n *Notifier) alert(ctx context.Context, group []Transition, ttl time.Duration) error {
	var fresh []Transition
	for _, t := range group {
		first, err := n.Marks.MarkAlerted(ctx, t.Finding.Account, t.Finding.CheckID, t.EventID, ttl)
		if err != nil {
			n.unmark(ctx, fresh)
			return fmt.Errorf("mark alert: %w", err)
		}
		if first {
			fresh = append(fresh, t)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	msg := ComposeAlert(fresh)
	in := &sns.PublishInput{
		TopicArn: aws.String(n.TopicARN),
		Subject:  aws.String(msg.Subject),
		Message:  aws.String(msg.Body),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"checkId": {DataType: aws.String("String"), StringValue: aws.String(fresh[0].Finding.CheckID)},
			"account": {DataType: aws.String("String"), StringValue: aws.String(fresh[0].Finding.Account)},
			"status":  {DataType: aws.String("String"), StringValue: aws.String(fresh[0].Kind)},
		},
	}
	// SNS refuses an empty attribute value: the name goes only when known.
	if name := fresh[0].Finding.AccountName; name != "" {
		in.MessageAttributes["accountName"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(name)}
	}
	_, err := n.SNS.Publish(ctx, in)
	if err != nil {
		n.unmark(ctx, fresh)
		return check.WrapOp("sns Publish", err)
	}
	slog.Info("alert sent", "check_id", fresh[0].Finding.CheckID, "account", fresh[0].Finding.Account, "kind", fresh[0].Kind, "resources", len(fresh))
	return nil
}

func (n *Notifier) unmark(ctx context.Context, ts []Transition) {
	for _, t := range ts {
		if err := n.Marks.UnmarkAlerted(ctx, t.Finding.Account, t.Finding.CheckID, t.EventID); err != nil {
			slog.Error("could not undo alert mark", "check_id", t.Finding.CheckID, "account", t.Finding.Account, "err", err.Error())
		}
	}
}

// groupTransitions groups by (account, check, kind), in a stable order.
func groupTransitions(ts []Transition) [][]Transition {
	groups := map[string][]Transition{}
	for _, t := range ts {
		key := t.Finding.Account + "#" + t.Finding.CheckID + "#" + t.Kind
		groups[key] = append(groups[key], t)
	}
	out := make([][]Transition, 0, len(groups))
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, groups[k])
	}
	return out
}

// sequenceLess compares stream sequence numbers: decimal strings of up to 40 digits.
func sequenceLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Alert is a composed notification.
type Alert struct {
	Subject string
	Body    string
}

// minSubjectName is how many characters of a long account name a subject
// keeps.
const minSubjectName = 20

// accountLabel names an account in alerts: "name (ID)" when its name is
// known, else its ID.
func accountLabel(f check.Finding) string {
	if f.AccountName == "" {
		return f.Account
	}
	return f.AccountName + " (" + f.Account + ")"
}

// ComposeAlert writes the message for transitions of one (account, check, kind).
func ComposeAlert(ts []Transition) Alert {
	first := ts[0].Finding
	meta := catalog.EntryFor(first.CheckID, first.CheckName)
	noun := "resource"
	if len(ts) > 1 {
		noun = "resources"
	}
	var verb string
	switch {
	case ts[0].Kind == Resolved:
		verb = "no longer red"
	case !slices.ContainsFunc(ts, func(t Transition) bool { return t.FormerSuppression == nil }):
		verb = "red (no longer suppressed)"
	default:
		verb = "turned red"
	}
	subject := composeSubject(first, fmt.Sprintf(": %d %s %s: %s", len(ts), noun, verb, meta.Name))
	sorted := append([]Transition(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Finding.Region != sorted[j].Finding.Region {
			return sorted[i].Finding.Region < sorted[j].Finding.Region
		}
		return sorted[i].Finding.ResourceID < sorted[j].Finding.ResourceID
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s in account %s for the check %q (%s).\n\n", len(ts), noun, verb, accountLabel(first), meta.Name, first.CheckID)
	for _, t := range sorted {
		f := t.Finding
		fmt.Fprintf(&b, "* %s in %s: %s", f.ResourceID, f.Region, f.Status.StatusText())
		var notes []string
		if t.PreviousStatus != "" && (t.FormerSuppression == nil || t.PreviousStatus != f.Status) {
			notes = append(notes, "was "+t.PreviousStatus.StatusText())
		}
		if s := t.FormerSuppression; s != nil {
			notes = append(notes, fmt.Sprintf("no longer suppressed: rule %s (owner %s, expires %s) was removed or expired", s.Rule, s.Owner, s.Expires))
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, "; "))
		}
		fmt.Fprintf(&b, "\n  %s\n", f.Reason)
		for _, col := range meta.Columns {
			if v, ok := f.Columns[col]; ok && v != "" {
				fmt.Fprintf(&b, "  %s: %s\n", col, v)
			}
		}
	}
	if ts[0].Kind == TurnedRed && meta.RecommendedAction != "" {
		fmt.Fprintf(&b, "\nRecommended action:\n%s\n", meta.RecommendedAction)
	}
	return Alert{Subject: subject, Body: b.String()}
}

// composeSubject is "secadvisor <account><rest>" within pipeline.MaxSubject
// characters and without control characters (SNS refuses both). A long
// account name is shortened first (Organizations allows 50 characters), so
// that the ID, the count and the check's name stay; what is still too long
// is cut at the end.
func composeSubject(f check.Finding, rest string) string {
	const prefix = "secadvisor "
	name := []rune(pipeline.NoControl(f.AccountName))
	rest = pipeline.NoControl(rest)
	label := func(name []rune) string {
		return accountLabel(check.Finding{Account: f.Account, AccountName: string(name)})
	}
	subject := prefix + label(name) + rest
	if over := utf8.RuneCountInString(subject) - pipeline.MaxSubject; over > 0 {
		// The name keeps at least minSubjectName characters: with a long
		// check name, the check's name is cut instead.
		if keep := max(len(name)-over-1, minSubjectName); keep < len(name) {
			name = append(name[:keep:keep], '…')
			subject = prefix + label(name) + rest
		}
	}
	return pipeline.CutSubject(subject)
}
