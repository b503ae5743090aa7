package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/securityhub"
	"github.com/secadvisor/secadvisor/internal/store"
)

// TestSecurityHubExport: with securityHub=true, one function on the
// table's stream, filtered to the account's findings, reporting batch item
// failures, bounded retries then a failure queue; its role may import
// findings to the account's default product only and read the stream; its
// errors and failure queue alarm. Without it, nothing of it is deployed.
func TestSecurityHubExport(t *testing.T) {
	forEachStack(t, []namedConfig{{"security hub", securityHubConfig()}, {"custom", customConfig()}, {"defaults", DefaultConfig()}}, func(t *testing.T, s *synthesized) {
		const description = "secadvisor Security Hub export"
		if !s.cfg.SecurityHub {
			for _, id := range s.doc.ofType("AWS::Lambda::Function") {
				if d, _ := s.doc.Resources[id].Properties["Description"].(string); strings.HasPrefix(d, description) {
					t.Errorf("function %s deployed without securityHub", id)
				}
			}
			if s.stack.SecurityHub != nil {
				t.Errorf("Stack.SecurityHub set without securityHub")
			}
			return
		}
		table := tableID(t, s.doc)
		fnID := functionByDescriptionPrefix(t, s.doc, description)
		fn := s.doc.Resources[fnID].Properties
		wantEnv := map[string]any{securityhub.EnvPartition: ref("AWS::Partition"), pipeline.EnvAccount: ref("AWS::AccountId")}
		if got := dig(fn, "Environment", "Variables"); jsonString(got) != jsonString(wantEnv) {
			t.Errorf("export environment = %s, want %s", jsonString(got), jsonString(wantEnv))
		}

		var mappings []map[string]any
		for _, id := range s.doc.ofType("AWS::Lambda::EventSourceMapping") {
			if m := s.doc.Resources[id].Properties; refID(m["FunctionName"]) == fnID {
				mappings = append(mappings, m)
			}
		}
		if len(mappings) != 1 {
			t.Fatalf("%d event source mappings invoke the export, want 1", len(mappings))
		}
		mapping := mappings[0]
		if jsonString(mapping["EventSourceArn"]) != jsonString(getAtt(table, "StreamArn")) {
			t.Errorf("export event source %s, want the table's stream", jsonString(mapping["EventSourceArn"]))
		}
		if got := strs(mapping["FunctionResponseTypes"]); !slices.Equal(got, []string{"ReportBatchItemFailures"}) {
			t.Errorf("export FunctionResponseTypes = %v, want ReportBatchItemFailures", got)
		}
		if mapping["BatchSize"] != float64(securityhub.MaxBatch) || mapping["BisectBatchOnFunctionError"] != true ||
			mapping["MaximumRetryAttempts"] != float64(securityHubRetryAttempts) || mapping["StartingPosition"] != "LATEST" {
			t.Errorf("export mapping = %s, want batches of %d, bisection, %d retries, from the latest record",
				jsonString(mapping), securityhub.MaxBatch, securityHubRetryAttempts)
		}
		failures := failureQueue(t, s.doc, mapping, "export")

		var patterns []string
		for _, f := range dig(mapping, "FilterCriteria", "Filters").([]any) {
			patterns = append(patterns, resolveJoin(t, dig(f, "Pattern")))
		}
		wantPatterns := []string{
			`{"dynamodb":{"NewImage":{"account":{"S":["${AWS::AccountId}"]},"kind":{"S":["finding"]}}}}`,
			`{"dynamodb":{"OldImage":{"account":{"S":["${AWS::AccountId}"]},"kind":{"S":["finding"]}}}}`,
		}
		if !slices.Equal(patterns, wantPatterns) {
			t.Errorf("export filters = %q, want %q", patterns, wantPatterns)
		}

		// The product ARN is built from the stack's pseudo parameters.
		var product any
		for _, st := range roleStatements(t, s.doc, roleOf(t, s.doc, fnID)) {
			if slices.Contains(strs(st["Action"]), "securityhub:BatchImportFindings") {
				product = st["Resource"]
			}
		}
		wantProduct := "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
		if product == nil || resolveJoin(t, product) != wantProduct {
			t.Fatalf("securityhub:BatchImportFindings on %s, want %s", jsonString(product), wantProduct)
		}
		got := grants(t, s.doc, roleOf(t, s.doc, fnID))
		want := wantGrants(
			logWriteActions, getAtt(refID(dig(fn, "LoggingConfig", "LogGroup")), "Arn"),
			securityHubImportActions, product,
			[]string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}, getAtt(failures, "Arn"),
			[]string{"dynamodb:ListStreams"}, "*",
			[]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}, getAtt(table, "StreamArn"),
		)
		if d := diffGrants(got, want); len(d) > 0 {
			t.Errorf("export role:\n  %s", strings.Join(d, "\n  "))
		}

		alarmed := map[string]string{}
		for _, id := range s.doc.ofType("AWS::CloudWatch::Alarm") {
			a := s.doc.Resources[id].Properties
			if dims, _ := a["Dimensions"].([]any); len(dims) == 1 {
				alarmed[refID(dig(dims[0], "Value"))] = a["MetricName"].(string)
			}
		}
		if alarmed[fnID] != "Errors" || alarmed[failures] != "ApproximateNumberOfMessagesVisible" {
			t.Errorf("export alarms: function %q, failure queue %q; want Errors and the queue depth", alarmed[fnID], alarmed[failures])
		}
		if s.stack.SecurityHub == nil {
			t.Errorf("Stack.SecurityHub not set")
		}
	})
}

// TestSecurityHubFiltersAdmitWhatTheExportImports runs the filters (with a
// literal account, as CloudFormation resolves the stack's) over stream
// records shaped like the table's, and compares with the exporter's own
// conversion: every record it imports passes the filters, and the filters
// admit neither other items nor other accounts' findings.
func TestSecurityHubFiltersAdmitWhatTheExportImports(t *testing.T) {
	t.Parallel()
	const account, other = "123456789012", "444455556666"
	synthMu.Lock()
	var filters []map[string]any
	for _, f := range securityHubFilters(account) {
		var m map[string]any
		if err := json.Unmarshal([]byte((*f)["pattern"].(string)), &m); err != nil {
			synthMu.Unlock()
			t.Fatalf("filter pattern %v: %v", *f, err)
		}
		filters = append(filters, m)
	}
	synthMu.Unlock()

	image := func(acct, kind, status string) map[string]any {
		return map[string]any{
			store.AttrKind: map[string]any{"S": kind}, accountAttribute: map[string]any{"S": acct}, statusAttribute: map[string]any{"S": status},
			"checkId": map[string]any{"S": "ePs02jT06w"}, "region": map[string]any{"S": "eu-west-1"}, "resourceId": map[string]any{"S": "snap-a"},
			"firstSeen": map[string]any{"S": "2026-11-27T12:00:00Z"},
		}
	}
	e := &securityhub.Exporter{Partition: "aws", Region: "us-east-1", Account: account}
	for _, c := range []struct {
		event, account, kind, old, new string
	}{
		{"INSERT", account, "finding", "", "red"}, {"MODIFY", account, "finding", "red", "green"}, {"REMOVE", account, "finding", "red", ""},
		{"INSERT", account, "finding", "", "green"}, {"MODIFY", account, "finding", "green", "error"},
		{"INSERT", other, "finding", "", "red"}, {"REMOVE", other, "finding", "red", ""},
		{"INSERT", account, "summary", "", "red"}, {"REMOVE", account, "alert", "red", ""},
	} {
		ddb := map[string]any{"ApproximateCreationDateTime": 1795867260, "SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"}
		if c.old != "" {
			ddb["OldImage"] = image(c.account, c.kind, c.old)
		}
		if c.new != "" {
			ddb["NewImage"] = image(c.account, c.kind, c.new)
		}
		rec := map[string]any{"eventID": "1", "eventName": c.event, "dynamodb": ddb}
		admitted := false
		for _, f := range filters {
			admitted = admitted || matchPattern(f, rec)
		}
		b, _ := json.Marshal(map[string]any{"Records": []any{rec}})
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		conv := e.Convert(ev.Records)
		what := fmt.Sprintf("%s of a %s of account %s (%q→%q)", c.event, c.kind, c.account, c.old, c.new)
		if len(conv.Unreadable) > 0 {
			t.Fatalf("%s unreadable: %v", what, conv.Unreadable[0].Err)
		}
		if len(conv.Imports) > 0 && !admitted {
			t.Errorf("%s: the export imports it but the filters drop it", what)
		}
		if (c.kind != store.KindFinding || c.account != account) && admitted {
			t.Errorf("%s admitted by the filters, want it dropped before the function", what)
		}
	}
}
