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

// alertKey is the key of the marker of one stream record's alert. The
// marker lives in its own partition (alert#…), never among the findings.
func alertKey(account, checkID, eventID string) map[string]types.AttributeValue {
	return itemKey("alert#"+PartitionKey(account, checkID), eventID)
}

// MarkAlerted records that the stream record eventID of (account, checkID)
// is being alerted on, and reports whether it is the first to do so: the
// stream delivers a record at least once, and a redelivered record must not
// alert twice. The marker expires after ttl (DynamoDB's TTL deletes it, in
// its own time, after expiresAt).
func (s *Store) MarkAlerted(ctx context.Context, account, checkID, eventID string, ttl time.Duration) (bool, error) {
	item := alertKey(account, checkID, eventID)
	item[AttrKind] = &types.AttributeValueMemberS{Value: KindAlert}
	item[AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(s.now().Add(ttl).Unix(), 10)}
	return s.putIfAbsent(ctx, item, "alert marker "+eventID)
}

// putIfAbsent writes item unless an item with its key exists, and reports
// whether it wrote; what names the item in the error.
func (s *Store) putIfAbsent(ctx context.Context, item map[string]types.AttributeValue, what string) (bool, error) {
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	})
	return conditionHeld(err, "PutItem ("+what+")")
}

// UnmarkAlerted removes the marker MarkAlerted wrote, so that a record
// whose alert could not be published is alerted on when redelivered.
func (s *Store) UnmarkAlerted(ctx context.Context, account, checkID, eventID string) error {
	return s.deleteItem(ctx, alertKey(account, checkID, eventID), "alert marker "+eventID)
}

// deleteItem deletes the item of key; what names it in the error.
func (s *Store) deleteItem(ctx context.Context, key map[string]types.AttributeValue, what string) error {
	if _, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key}); err != nil {
		return fmt.Errorf("dynamodb DeleteItem (%s): %w", what, err)
	}
	return nil
}
