package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// KindSuppression marks a stored suppression rule. The notifier's stream
// filter passes only findings, so storing or removing a rule alerts nobody
// by itself; the findings it changes do.
const KindSuppression = "suppression"

// SuppressionPartition is the partition key of every stored rule (the sort
// key is the rule's ID): the whole rule set is one Query.
const SuppressionPartition = "suppression"

// ErrNoSuppression is DeleteSuppression's answer for an ID the table does not hold.
var ErrNoSuppression = errors.New("no such suppression rule")

// ErrSuppressionExists is PutSuppression's answer for an ID already stored.
var ErrSuppressionExists = errors.New("a suppression rule with this ID is already stored")

// ruleItem is a suppression rule as stored.
type ruleItem struct {
	PK       string `dynamodbav:"pk"`
	SK       string `dynamodbav:"sk"`
	Kind     string `dynamodbav:"kind"`
	Check    string `dynamodbav:"check"`
	Account  string `dynamodbav:"account"`
	Region   string `dynamodbav:"region"`
	Resource string `dynamodbav:"resource"`
	Reason   string `dynamodbav:"reason"`
	Owner    string `dynamodbav:"owner"`
	// Expires is the rule's last day, YYYY-MM-DD.
	Expires string `dynamodbav:"expires"`
	// CreatedAt (RFC 3339) is when the rule was stored; the rule is
	// validated as of that day when read back (see Suppressions).
	CreatedAt string `dynamodbav:"createdAt"`
}

// suppressionAttr is a finding's suppression attribute: the rule that
// suppresses it.
type suppressionAttr struct {
	Rule    string `dynamodbav:"rule"`
	Reason  string `dynamodbav:"reason"`
	Owner   string `dynamodbav:"owner"`
	Expires string `dynamodbav:"expires"`
}

func newSuppressionAttr(s *check.Suppression) *suppressionAttr {
	if s == nil {
		return nil
	}
	return &suppressionAttr{Rule: s.Rule, Reason: s.Reason, Owner: s.Owner, Expires: s.Expires}
}

func (a *suppressionAttr) suppression() *check.Suppression {
	if a == nil {
		return nil
	}
	return &check.Suppression{Rule: a.Rule, Reason: a.Reason, Owner: a.Owner, Expires: a.Expires}
}

func (a *suppressionAttr) equal(s *check.Suppression) bool {
	if a == nil || s == nil {
		return a == nil && s == nil
	}
	return *a.suppression() == *s
}

// PutSuppression stores rule r under its ID, which must be new: a rule is
// never replaced silently (remove it, then add the new one).
func (s *Store) PutSuppression(ctx context.Context, r suppress.Rule) error {
	if r.ID == "" {
		return errors.New("store suppression: the rule has no ID")
	}
	item, err := attributevalue.MarshalMap(ruleItem{
		PK: SuppressionPartition, SK: r.ID, Kind: KindSuppression,
		Check: r.Check, Account: r.Account, Region: r.Region, Resource: r.Resource,
		Reason: r.Reason, Owner: r.Owner, Expires: r.Expires.Format(suppress.DateLayout),
		CreatedAt: s.now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("encode suppression %s: %w", r.ID, err)
	}
	written, err := s.putIfAbsent(ctx, item, "suppression "+r.ID)
	if err == nil && !written {
		err = fmt.Errorf("%w: %s", ErrSuppressionExists, r.ID)
	}
	return err
}

// Suppressions returns every stored rule, expired ones included, ordered by
// ID. Each is checked again with suppress.New as of the day it was stored
// (so a rule that was valid when added stays valid as its expiry nears):
// an item that does not make a valid rule (written by hand, or by a newer
// version) is an error naming its ID, never skipped, because skipping it
// would silently un-suppress what it covers.
func (s *Store) Suppressions(ctx context.Context) ([]suppress.Rule, error) {
	pages := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: SuppressionPartition}},
		// A rule just added is applied by the Resuppress that follows it.
		ConsistentRead: aws.Bool(true),
	})
	items, err := awsx.AllPages(ctx, pages, queryItems)
	if err != nil {
		return nil, fmt.Errorf("dynamodb Query (suppressions): %w", err)
	}
	rules := make([]suppress.Rule, 0, len(items))
	for _, av := range items {
		r, err := decodeRule(av)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func decodeRule(av map[string]types.AttributeValue) (suppress.Rule, error) {
	var it ruleItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		id, _ := av[AttrSK].(*types.AttributeValueMemberS)
		if id == nil {
			return suppress.Rule{}, fmt.Errorf("decode stored suppression: %w", err)
		}
		return suppress.Rule{}, fmt.Errorf("decode stored suppression %s: %w", id.Value, err)
	}
	if it.Kind != KindSuppression {
		return suppress.Rule{}, fmt.Errorf("stored suppression %s: kind %q, want %q", it.SK, it.Kind, KindSuppression)
	}
	created, err := time.Parse(time.RFC3339, it.CreatedAt)
	if err != nil {
		return suppress.Rule{}, fmt.Errorf("stored suppression %s: createdAt %q: want an RFC 3339 time", it.SK, it.CreatedAt)
	}
	r, err := suppress.New(it.SK, it.Check, it.Account, it.Region, it.Resource, it.Reason, it.Owner, it.Expires, created, suppress.DefaultMaxAhead)
	if err != nil {
		return suppress.Rule{}, fmt.Errorf("stored suppression %s: %w", it.SK, err)
	}
	return r, nil
}

// DeleteSuppression removes the stored rule id; ErrNoSuppression when there is none.
func (s *Store) DeleteSuppression(ctx context.Context, id string) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      itemKey(SuppressionPartition, id),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	})
	deleted, err := conditionHeld(err, "DeleteItem (suppression "+id+")")
	if err == nil && !deleted {
		err = fmt.Errorf("%w: %s", ErrNoSuppression, id)
	}
	return err
}

// Resuppress applies rules (the whole stored rule set) on day today to the
// stored findings, so that adding, removing or the expiry of a rule shows
// without waiting for the next scan of each scope, and returns how many
// findings it changed. Only the findings whose suppressed flag or
// suppression changes are written, one UpdateItem each; the stream then
// carries exactly those changes (a red finding no longer suppressed alerts).
//
// It reads the byStatus index for red, then yellow: only those statuses are
// ever suppressed, so the index holds every finding a current rule can
// concern and every finding a removed or expired rule still marks. (A
// Query per rule's partition would miss the latter, which no remaining
// rule names.) That reads every red and yellow finding of the table, not
// its green inventory.
//
// Each update is conditional on the item's scanTime being the one read: a
// finding a job rewrote meanwhile was written with the rules applied by
// that job, and one deleted meanwhile must not come back as a fragment.
func (s *Store) Resuppress(ctx context.Context, rules []suppress.Rule, today time.Time) (int, error) {
	changed := 0
	for _, status := range []check.Status{check.Red, check.Yellow} {
		p := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			IndexName:                 aws.String(StatusIndex),
			KeyConditionExpression:    aws.String("#key = :status"),
			ExpressionAttributeNames:  map[string]string{"#key": AttrStatusIndexPK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":status": &types.AttributeValueMemberS{Value: string(status)}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return changed, fmt.Errorf("dynamodb Query %s (%s findings): %w", StatusIndex, status, err)
			}
			var items []findingItem
			if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
				return changed, fmt.Errorf("decode %s findings: %w", status, err)
			}
			for _, it := range items {
				f := []check.Finding{it.finding()}
				suppress.Apply(f, rules, today, nil)
				if it.Suppressed == f[0].Suppressed && it.Suppression.equal(f[0].Suppression) {
					continue
				}
				updated, err := s.setSuppression(ctx, it, f[0])
				if err != nil {
					return changed, err
				}
				if updated {
					changed++
				}
			}
		}
	}
	return changed, nil
}

// setSuppression writes f's suppression on the stored item it, unless the
// item changed since it was read (false).
func (s *Store) setSuppression(ctx context.Context, it findingItem, f check.Finding) (bool, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      itemKey(it.PK, it.SK),
		ConditionExpression:      aws.String("#scanTime = :scanTime"),
		ExpressionAttributeNames: map[string]string{"#scanTime": "scanTime", "#suppressed": "suppressed", "#suppression": "suppression"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":scanTime": &types.AttributeValueMemberS{Value: it.ScanTime},
		},
	}
	if f.Suppressed {
		attr, err := attributevalue.Marshal(newSuppressionAttr(f.Suppression))
		if err != nil {
			return false, fmt.Errorf("encode suppression of %s %s: %w", it.PK, it.SK, err)
		}
		in.UpdateExpression = aws.String("SET #suppressed = :true, #suppression = :suppression")
		in.ExpressionAttributeValues[":true"] = &types.AttributeValueMemberBOOL{Value: true}
		in.ExpressionAttributeValues[":suppression"] = attr
	} else {
		in.UpdateExpression = aws.String("REMOVE #suppressed, #suppression")
	}
	_, err := s.api.UpdateItem(ctx, in)
	return conditionHeld(err, fmt.Sprintf("UpdateItem (suppression of %s %s)", it.PK, it.SK))
}
