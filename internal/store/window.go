package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// KindWindow marks a re-check window claim (ClaimWindow).
const KindWindow = "window"

// attrWindowEnd is when a claimed window closes, in epoch milliseconds
// (seconds would cut a short window by up to one).
const attrWindowEnd = "windowEnd"

// windowKey is the key of the window claim of one (account, check, region).
// It lives in its own partition (window#…), never among the findings.
func windowKey(account, checkID, region string) map[string]types.AttributeValue {
	return itemKey("window#"+PartitionKey(account, checkID), region)
}

// ClaimWindow claims the re-check window of (account, checkID, region) that
// starts now and lasts window, and reports whether this call claimed it:
// true when no window of that scope is open, false when one is (its job is
// already on its way and will see this change too). One conditional write,
// so that of a burst of events handled by concurrent invocations exactly
// one claims. The claim expires with DynamoDB's TTL some time after the
// window closes; until then the condition compares the window's end.
func (s *Store) ClaimWindow(ctx context.Context, account, checkID, region string, window time.Duration) (bool, error) {
	now := s.now()
	end := now.Add(window)
	item := windowKey(account, checkID, region)
	item[AttrKind] = &types.AttributeValueMemberS{Value: KindWindow}
	item[attrWindowEnd] = &types.AttributeValueMemberN{Value: strconv.FormatInt(end.UnixMilli(), 10)}
	// Kept a day past its end: DynamoDB's TTL deletes within days, and the
	// condition below does not rely on it.
	item[AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(end.Add(24*time.Hour).Unix(), 10)}
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #end <= :now"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#end": attrWindowEnd},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
		},
	})
	return conditionHeld(err, fmt.Sprintf("PutItem (re-check window %s %s/%s)", checkID, account, region))
}

// ReleaseWindow closes the re-check window of (account, checkID, region)
// that this caller claimed but whose job it could not send, so that the
// event's retry (EventBridge retries a failed invocation) claims it again
// instead of being coalesced into a job that never ran.
func (s *Store) ReleaseWindow(ctx context.Context, account, checkID, region string) error {
	return s.deleteItem(ctx, windowKey(account, checkID, region), fmt.Sprintf("re-check window %s %s/%s", checkID, account, region))
}
