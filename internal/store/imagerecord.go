package store

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// RecordFromImage is FindingFromImage with the finding's history: its
// firstSeen and statusChangedAt, which the Security Hub export carries as
// FirstObservedAt. r is set only for finding items; other items return
// their kind and a zero record.
func RecordFromImage(image map[string]events.DynamoDBAttributeValue) (r Record, kind string, err error) {
	av, err := fromEventImage(image)
	if err != nil {
		return Record{}, "", err
	}
	kindAV, ok := av[AttrKind].(*types.AttributeValueMemberS)
	if !ok {
		return Record{}, "", fmt.Errorf("stream image has no %q string attribute: not a findings-table item", AttrKind)
	}
	if kindAV.Value != KindFinding {
		return Record{}, kindAV.Value, nil
	}
	var it findingItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return Record{}, KindFinding, fmt.Errorf("decode finding image: %w", err)
	}
	return it.record(), KindFinding, nil
}
