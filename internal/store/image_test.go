package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/dev/streamevent"
)

// TestFindingFromStreamImages applies two scans, reads the records the
// table's stream really carries, delivers them as the Lambda service does
// (a JSON events.DynamoDBEvent) and decodes their images.
func TestFindingFromStreamImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, client, account := newTestTable(t)
	s := New(client, testTable)

	green := finding(account, testRegion, "snap-a", check.Green, map[string]string{"Status": "Green", "Region": testRegion, "Snapshot ID": "snap-a"})
	red := finding(account, testRegion, "snap-b", check.Red, map[string]string{"Status": "Red", "Region": testRegion, "Snapshot ID": "snap-b", "Description": "shared"})
	turnedRed := finding(account, testRegion, "snap-a", check.Red, map[string]string{"Status": "Red", "Region": testRegion, "Snapshot ID": "snap-a"})
	for i, fs := range [][]check.Finding{{green, red}, {turnedRed}} {
		if _, err := s.Apply(ctx, JobResult{Account: account, CheckID: testCheck, Region: testRegion, ScanID: fmt.Sprint(i), ScanTime: at(i), Findings: fs}); err != nil {
			t.Fatalf("Apply %d: %v", i, err)
		}
	}

	event := events.DynamoDBEvent{Records: readStream(t, cfg, client)}
	raw, err := json.Marshal(event)
	if err != nil {
		t.Fatalf("marshal event: %v", err)
	}
	var delivered events.DynamoDBEvent
	if err := json.Unmarshal(raw, &delivered); err != nil {
		t.Fatalf("unmarshal event: %v\n%s", err, raw)
	}

	type change struct {
		event    string
		old, new *check.Finding
	}
	var changes []change
	summaries := 0
	for _, r := range delivered.Records {
		decode := func(image map[string]events.DynamoDBAttributeValue) *check.Finding {
			if image == nil {
				return nil
			}
			f, kind, err := FindingFromImage(image)
			if err != nil {
				t.Fatalf("FindingFromImage(%v): %v (record %s %s)", image, err, r.EventName, show(r.Change))
			}
			if kind == KindSummary {
				summaries++
				return nil
			}
			if kind != KindFinding {
				t.Fatalf("FindingFromImage(%v) kind = %q", image, kind)
			}
			return &f
		}
		c := change{event: r.EventName, old: decode(r.Change.OldImage), new: decode(r.Change.NewImage)}
		if c.old != nil || c.new != nil {
			changes = append(changes, c)
		}
	}
	want := []change{
		{"INSERT", nil, &green},
		{"INSERT", nil, &red},
		{"MODIFY", &green, &turnedRed},
		{"REMOVE", &red, nil},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("finding changes on the stream:\n got %s\nwant %s", show(changes), show(want))
	}
	if summaries == 0 {
		t.Error("no summary image on the stream: want the summary writes decoded as kind summary")
	}
}

func show[T any](v T) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFindingFromImageRejectsForeignItems(t *testing.T) {
	t.Parallel()
	tests := []map[string]events.DynamoDBAttributeValue{
		{"pk": events.NewStringAttribute("x")},
		{"kind": events.NewNumberAttribute("1")},
		{"kind": events.NewStringAttribute(KindFinding), "columns": events.NewStringAttribute("not a map")},
	}
	for _, image := range tests {
		if f, kind, err := FindingFromImage(image); err == nil {
			t.Errorf("FindingFromImage(%v) = %+v, %q, nil; want an error", image, f, kind)
		}
	}
	if _, kind, err := FindingFromImage(map[string]events.DynamoDBAttributeValue{"kind": events.NewStringAttribute(KindAlert)}); err != nil || kind != KindAlert {
		t.Errorf("FindingFromImage(alert marker) = %q, %v; want kind alert", kind, err)
	}
}

// readStream returns every record of the table's stream, as the Lambda
// service would pass them to the notifier.
func readStream(t *testing.T, cfg aws.Config, client *dynamodb.Client) []events.DynamoDBEventRecord {
	t.Helper()
	ctx := context.Background()
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(testTable)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	streams := dynamodbstreams.NewFromConfig(cfg)
	stream, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	var records []events.DynamoDBEventRecord
	for _, shard := range stream.StreamDescription.Shards {
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: desc.Table.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		for iter := it.ShardIterator; iter != nil; {
			out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			if len(out.Records) == 0 {
				break
			}
			for _, r := range out.Records {
				rec := streamevent.FromStreamRecord(r)
				rec.EventSourceArn = aws.ToString(desc.Table.LatestStreamArn)
				records = append(records, rec)
			}
			iter = out.NextShardIterator
		}
	}
	return records
}
