package store

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzFindingFromImage feeds FindingFromImage whatever a stream record's
// image can hold once Lambda has decoded the event JSON: any attribute
// types, missing or mistyped attributes, nesting. It must answer a finding
// or an error, never panic, and never call something a finding that is not
// marked as one.
func FuzzFindingFromImage(f *testing.F) {
	f.Add([]byte(`{"kind":{"S":"finding"},"pk":{"S":"123456789012#ePs02jT06w"},"sk":{"S":"eu-west-1#snap-1"},"checkId":{"S":"ePs02jT06w"},"account":{"S":"123456789012"},"region":{"S":"eu-west-1"},"resourceId":{"S":"snap-1"},"status":{"S":"red"},"reason":{"S":"public"},"columns":{"M":{"Snapshot ID":{"S":"snap-1"}}},"firstSeen":{"S":"2026-11-27T12:00:00Z"},"statusChangedAt":{"S":"2026-11-28T12:00:00Z"},"lastScanId":{"S":"s"},"scanTime":{"S":"2026-11-28T12:00:00Z"}}`))
	f.Add([]byte(`{"kind":{"S":"summary"},"pk":{"S":"123456789012#ePs02jT06w"}}`))
	f.Add([]byte(`{"kind":{"N":"1"}}`))
	f.Add([]byte(`{"kind":{"S":"finding"},"columns":{"L":[{"S":"x"},{"NULL":true}]},"status":{"BOOL":true}}`))
	f.Add([]byte(`{"kind":{"S":"finding"},"columns":{"M":{"a":{"SS":["x","y"]},"b":{"B":"AAEC"}}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var image map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal(data, &image); err != nil {
			return // Lambda would not have delivered it
		}
		_, kind, err := FindingFromImage(image)
		if err != nil {
			return
		}
		marked := image[AttrKind]
		if kind == KindFinding && (marked.DataType() != events.DataTypeString || marked.String() != KindFinding) {
			t.Errorf("FindingFromImage(%s) = a finding, but the image's %q attribute is not the string %q", data, AttrKind, KindFinding)
		}
	})
}
