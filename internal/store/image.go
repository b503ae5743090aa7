package store

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// FindingFromImage decodes an item image of a stream record (NewImage or
// OldImage, as the notifier receives them) and returns its kind. f is set
// only for finding items; summaries and alert markers return their kind and
// a zero finding, so the notifier can skip them.
func FindingFromImage(image map[string]events.DynamoDBAttributeValue) (f check.Finding, kind string, err error) {
	it, kind, err := findingItemFromImage(image)
	if it == nil {
		return check.Finding{}, kind, err
	}
	return it.finding(), kind, nil
}

// RecordFromImage is FindingFromImage with the finding's history: its
// firstSeen and statusChangedAt, which the Security Hub export carries as
// FirstObservedAt. r is set only for finding items; other items return
// their kind and a zero record.
func RecordFromImage(image map[string]events.DynamoDBAttributeValue) (r Record, kind string, err error) {
	it, kind, err := findingItemFromImage(image)
	if it == nil {
		return Record{}, kind, err
	}
	return it.record(), kind, nil
}

// findingItemFromImage decodes a stream image and returns its kind, and the
// finding item when it is one (nil for any other kind, and on error).
func findingItemFromImage(image map[string]events.DynamoDBAttributeValue) (*findingItem, string, error) {
	av, err := fromEventImage(image)
	if err != nil {
		return nil, "", err
	}
	kindAV, ok := av[AttrKind].(*types.AttributeValueMemberS)
	if !ok {
		return nil, "", fmt.Errorf("stream image has no %q string attribute: not a findings-table item", AttrKind)
	}
	if kindAV.Value != KindFinding {
		return nil, kindAV.Value, nil
	}
	var it findingItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, KindFinding, fmt.Errorf("decode finding image: %w", err)
	}
	return &it, KindFinding, nil
}

// fromEventImage converts a Lambda event image to the SDK's attribute values.
func fromEventImage(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(image))
	for name, v := range image {
		av, err := fromEventValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out[name] = av
	}
	return out, nil
}

func fromEventValue(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeMap:
		m, err := fromEventImage(v.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case events.DataTypeList:
		list := make([]types.AttributeValue, 0, len(v.List()))
		for i, elem := range v.List() {
			av, err := fromEventValue(elem)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			list = append(list, av)
		}
		return &types.AttributeValueMemberL{Value: list}, nil
	}
	return nil, fmt.Errorf("unknown DynamoDB data type %v", v.DataType())
}
