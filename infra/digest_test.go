package main

import (
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// TestDigest: the digest function reads the table with one action, may
// publish to the alert topic only (with its key), has the table and the
// topic in its environment, runs on cfg.DigestSchedule — or on nothing
// when the digest is off — and can be invoked by hand (its name is an output).
func TestDigest(t *testing.T) {
	forEachStack(t, []namedConfig{{"defaults", DefaultConfig()}, {"custom", customConfig()}, {"off", listConfig()}}, func(t *testing.T, s *synthesized) {
		table := tableID(t, s.doc)
		fnID := functionByDescriptionPrefix(t, s.doc, "secadvisor digest")
		fn := s.doc.Resources[fnID].Properties
		alertTopic := topicByName(t, s.doc, "secadvisor alerts")

		wantEnv := map[string]any{pipeline.EnvTableName: ref(table), pipeline.EnvTopicARN: ref(alertTopic)}
		if got := dig(fn, "Environment", "Variables"); jsonString(got) != jsonString(wantEnv) {
			t.Errorf("digest environment = %s, want %s", jsonString(got), jsonString(wantEnv))
		}
		if got := fn["Timeout"]; got != digestTimeout.Seconds() {
			t.Errorf("digest timeout = %v, want %v s", got, digestTimeout.Seconds())
		}

		got := grants(t, s.doc, roleOf(t, s.doc, fnID))
		want := wantGrants(
			logWriteActions, getAtt(refID(dig(fn, "LoggingConfig", "LogGroup")), "Arn"),
			[]string{"dynamodb:Scan"}, getAtt(table, "Arn"),
			[]string{"sns:Publish"}, ref(alertTopic),
			[]string{"kms:Decrypt", "kms:GenerateDataKey*"}, getAtt(s.doc.ofType("AWS::KMS::Key")[0], "Arn"),
		)
		if d := diffGrants(got, want); len(d) > 0 {
			t.Errorf("digest role:\n  %s", strings.Join(d, "\n  "))
		}

		// The rules that invoke the digest: its schedule, or none.
		var schedules []any
		for _, rule := range s.doc.ofType("AWS::Events::Rule") {
			p := s.doc.Resources[rule].Properties
			for _, target := range dig(p, "Targets").([]any) {
				if jsonString(dig(target, "Arn")) != jsonString(getAtt(fnID, "Arn")) {
					continue
				}
				schedules = append(schedules, p["ScheduleExpression"])
				if p["State"] != "ENABLED" || p["EventPattern"] != nil || dig(target, "Input") != nil {
					t.Errorf("digest rule %s = %s, want an enabled schedule sending its own event", rule, jsonString(p))
				}
				if dig(target, "RetryPolicy", "MaximumRetryAttempts") != float64(2) {
					t.Errorf("digest rule %s retry policy %s, want 2 attempts", rule, jsonString(dig(target, "RetryPolicy")))
				}
			}
		}
		wantSchedules := []any{s.cfg.DigestSchedule}
		if s.cfg.DigestSchedule == "" {
			wantSchedules = nil
		}
		if jsonString(schedules) != jsonString(wantSchedules) {
			t.Errorf("digest schedules = %s, want %s (digestSchedule %q)", jsonString(schedules), jsonString(wantSchedules), s.cfg.DigestSchedule)
		}
		for _, id := range s.doc.ofType("AWS::Lambda::EventSourceMapping") {
			if refID(s.doc.Resources[id].Properties["FunctionName"]) == fnID {
				t.Errorf("event source mapping %s invokes the digest, want only its schedule", id)
			}
		}
		if got := dig(s.doc.Outputs, "DigestFunctionName", "Value"); jsonString(got) != jsonString(ref(fnID)) {
			t.Errorf("output DigestFunctionName = %s, want the digest function %s", jsonString(got), fnID)
		}
	})
}
