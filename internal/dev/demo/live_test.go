package demo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestCloudTrailEventIsShapedLikeTheSamples: the event the demo feeds has the
// envelope and the detail fields of the CloudTrail samples in events/, which
// are shaped like AWS's.
func TestCloudTrailEventIsShapedLikeTheSamples(t *testing.T) {
	t.Parallel()
	built, err := CloudTrailEvent("123456789012", "eu-west-1", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", time.Now(), map[string]any{"groupId": "sg-1"})
	if err != nil {
		t.Fatal(err)
	}
	samples, err := filepath.Glob(filepath.Join("..", "..", "..", "events", "cloudtrail-*.json"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no CloudTrail samples in events/ (%v)", err)
	}
	var builtDetail map[string]any
	if err := json.Unmarshal(built.Detail, &builtDetail); err != nil {
		t.Fatal(err)
	}
	for _, path := range samples {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var sample events.EventBridgeEvent
		if err := json.Unmarshal(raw, &sample); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var detail map[string]any
		if err := json.Unmarshal(sample.Detail, &detail); err != nil {
			t.Fatalf("%s detail: %v", path, err)
		}
		source, _ := detail["eventSource"].(string)
		if sample.DetailType != built.DetailType || sample.Source != "aws."+strings.TrimSuffix(source, ".amazonaws.com") {
			t.Errorf("%s: detail-type %q source %q; the demo builds %q and aws.<service>", path, sample.DetailType, sample.Source, built.DetailType)
		}
		for _, field := range []string{"eventSource", "eventName", "awsRegion", "recipientAccountId", "eventID", "eventTime", "userIdentity", "eventType", "readOnly"} {
			_, inSample := detail[field]
			_, inBuilt := builtDetail[field]
			if !inSample || !inBuilt {
				t.Errorf("%s: field %s in sample %v, in the demo's event %v; want both", path, field, inSample, inBuilt)
			}
		}
		if _, failed := detail["errorCode"]; failed {
			t.Errorf("%s: a sample of a successful call has errorCode", path)
		}
	}
	if built.Resources == nil {
		t.Error("resources is null; AWS sends []")
	}
}
