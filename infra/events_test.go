package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// wantTriggerNames is what the rules must match, derived here from the
// catalog apart from eventRules: per CloudTrail event source, the sorted
// union of the event names the implemented checks declare.
func wantTriggerNames(checks []check.Check) map[string][]string {
	out := map[string][]string{}
	for _, c := range checks {
		if !c.Implemented() {
			continue
		}
		for _, tr := range c.Meta.Triggers {
			out[tr.Source] = sortedUnion(out[tr.Source], tr.Names)
		}
	}
	return out
}

// ruleTemplate is one rule of a template that matches CloudTrail events.
type ruleTemplate struct {
	id    string
	props map[string]any
	// pattern is the rule's EventPattern.
	pattern map[string]any
	// condition is the rule's CloudFormation condition, if any.
	condition string
}

// cloudTrailRules are a template's rules on "AWS API Call via CloudTrail" events.
func cloudTrailRules(t *testing.T, raw []byte) []ruleTemplate {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Condition  string         `json:"Condition"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []ruleTemplate
	for id, r := range doc.Resources {
		if r.Type != "AWS::Events::Rule" {
			continue
		}
		pattern, _ := r.Properties["EventPattern"].(map[string]any)
		if slices.Contains(strs(pattern["detail-type"]), pipeline.CloudTrailDetailType) {
			out = append(out, ruleTemplate{id: id, props: r.Properties, pattern: pattern, condition: r.Condition})
		}
	}
	slices.SortFunc(out, func(a, b ruleTemplate) int { return strings.Compare(a.id, b.id) })
	return out
}

// checkRulePatterns asserts that rules match exactly the derived triggers:
// per event source the union of the checks' names, only successful calls,
// the source EventBridge gives the service's events, each pattern within
// EventBridge's size.
func checkRulePatterns(t *testing.T, what string, rules []ruleTemplate, checks []check.Check) {
	t.Helper()
	want := wantTriggerNames(checks)
	got := map[string][]string{}
	for _, r := range rules {
		sources := strs(dig(r.pattern, "detail", "eventSource"))
		if len(sources) != 1 {
			t.Errorf("%s rule %s: detail.eventSource = %v, want one event source", what, r.id, sources)
			continue
		}
		src := sources[0]
		names := strs(dig(r.pattern, "detail", "eventName"))
		if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
			t.Errorf("%s rule %s: eventName %v, want sorted and without duplicates", what, r.id, names)
		}
		for _, n := range names {
			if slices.Contains(got[src], n) {
				t.Errorf("%s rule %s: %s %s is matched by another rule too", what, r.id, src, n)
			}
		}
		got[src] = sortedUnion(got[src], names)

		// ec2.amazonaws.com → aws.ec2: the EventBridge event reference's source of each service.
		if wantSource := "aws." + strings.TrimSuffix(src, ".amazonaws.com"); !slices.Equal(strs(r.pattern["source"]), []string{wantSource}) {
			t.Errorf("%s rule %s: source = %v, want [%s]", what, r.id, r.pattern["source"], wantSource)
		}
		if got := strs(r.pattern["detail-type"]); !slices.Equal(got, []string{pipeline.CloudTrailDetailType}) {
			t.Errorf("%s rule %s: detail-type = %v, want [%s]", what, r.id, got, pipeline.CloudTrailDetailType)
		}
		if got, want := jsonString(dig(r.pattern, "detail", "errorCode")), `[{"exists":false}]`; got != want {
			t.Errorf("%s rule %s: detail.errorCode = %s, want %s (successful calls only)", what, r.id, got, want)
		}
		if len(r.pattern) != 3 || len(dig(r.pattern, "detail").(map[string]any)) != 3 {
			t.Errorf("%s rule %s: pattern %s has fields beyond source, detail-type and detail.{eventSource,eventName,errorCode}", what, r.id, jsonString(r.pattern))
		}
		if n := len(jsonString(r.pattern)); n > maxEventPatternLength {
			t.Errorf("%s rule %s: pattern of %d characters, EventBridge allows %d", what, r.id, n, maxEventPatternLength)
		}
		if r.props["State"] != "ENABLED" || r.props["EventBusName"] != nil {
			t.Errorf("%s rule %s: State %v on bus %v, want ENABLED on the default bus", what, r.id, r.props["State"], r.props["EventBusName"])
		}
	}
	for _, src := range sortedUnion(slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(want))) {
		if !slices.Equal(got[src], want[src]) {
			t.Errorf("%s: rules match %s events %v, want the checks' triggers %v", what, src, got[src], want[src])
		}
	}
}

func TestReCheckRulesTargetTheOrchestrator(t *testing.T) {
	forEachStack(t, []namedConfig{{"catalog", DefaultConfig()}, {"test triggers", triggerConfig()}, {"organization, test triggers", orgConfig()}, {"account list", listConfig()}}, func(t *testing.T, s *synthesized) {
		rules := cloudTrailRules(t, s.raw)
		checkRulePatterns(t, "scanner", rules, s.cfg.Checks)

		fnID := functionByDescriptionPrefix(t, s.doc, "secadvisor orchestrator")
		wantTarget := map[string]any{
			"Arn":         getAtt(fnID, "Arn"),
			"RetryPolicy": map[string]any{"MaximumEventAgeInSeconds": float64(3600), "MaximumRetryAttempts": float64(2)},
		}
		for _, r := range rules {
			targets, _ := r.props["Targets"].([]any)
			if len(targets) != 1 {
				t.Errorf("rule %s: targets %s, want the orchestrator only", r.id, jsonString(targets))
				continue
			}
			target := targets[0].(map[string]any)
			for k, want := range wantTarget {
				if got := target[k]; jsonString(got) != jsonString(want) {
					t.Errorf("rule %s: target %s = %s, want %s", r.id, k, jsonString(got), jsonString(want))
				}
			}
			if _, ok := target["Input"]; ok {
				t.Errorf("rule %s: target has an Input, want the CloudTrail event itself", r.id)
			}
			// EventBridge may invoke the orchestrator for this rule.
			permitted := false
			for _, pid := range s.doc.ofType("AWS::Lambda::Permission") {
				p := s.doc.Resources[pid].Properties
				if jsonString(p["SourceArn"]) == jsonString(getAtt(r.id, "Arn")) && jsonString(p["FunctionName"]) == jsonString(getAtt(fnID, "Arn")) &&
					p["Principal"] == "events.amazonaws.com" && p["Action"] == "lambda:InvokeFunction" {
					permitted = true
				}
			}
			if !permitted {
				t.Errorf("rule %s: no permission for EventBridge to invoke the orchestrator", r.id)
			}
		}
	})
}

// TestTestTriggersSplitAnOverflowingSource: the test catalog's source with
// 150 names does not fit one pattern, and gets several rules.
func TestTestTriggersSplitAnOverflowingSource(t *testing.T) {
	s := synth(t, triggerConfig())
	rules := cloudTrailRules(t, s.raw)
	for src, names := range wantTriggerNames(s.cfg.Checks) {
		one := eventRule{EventSource: src, Source: "aws." + strings.TrimSuffix(src, ".amazonaws.com"), Names: names}
		n := 0
		for _, r := range rules {
			if slices.Equal(strs(dig(r.pattern, "detail", "eventSource")), []string{src}) {
				n++
			}
		}
		if overflows := one.patternLength() > maxEventPatternLength; (n > 1) != overflows {
			t.Errorf("%s (%d names, one pattern of %d characters): %d rules, want several exactly when one pattern exceeds %d",
				src, len(names), one.patternLength(), n, maxEventPatternLength)
		}
	}
	if len(rules) < 5 { // ec2, elasticloadbalancing, lambda, test-service in 2+ parts
		t.Errorf("test catalog: %d rules, want at least 5: the test triggers did not reach the stack", len(rules))
	}
}

func TestEventRules(t *testing.T) {
	t.Parallel()
	runner := DefaultConfig().Checks[0].Runner
	if runner == nil {
		t.Fatal("the catalog's first check is not implemented")
	}
	checkWith := func(id string, implemented bool, triggers ...check.Trigger) check.Check {
		c := check.Check{Meta: check.Meta{ID: id, Triggers: triggers}}
		if implemented {
			c.Runner = runner
		}
		return c
	}
	var many []string
	for i := range 200 {
		many = append(many, fmt.Sprintf("PutResourcePolicyVersion%03d", i))
	}
	tests := []struct {
		name    string
		checks  []check.Check
		want    []eventRule // Names of split rules are checked apart
		split   bool        // one source whose names need several rules
		wantErr []string
	}{
		{name: "no triggers, no rules", checks: []check.Check{checkWith("A", true)}},
		{
			name: "one rule per source, union of the names, sorted by source",
			checks: []check.Check{
				checkWith("A", true, check.Trigger{Source: "s3.amazonaws.com", Names: []string{"PutBucketPolicy", "DeleteBucketPolicy"}}),
				checkWith("B", true,
					check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"ModifySnapshotAttribute"}},
					check.Trigger{Source: "s3.amazonaws.com", Names: []string{"PutBucketAcl", "PutBucketPolicy"}}),
			},
			want: []eventRule{
				{EventSource: "ec2.amazonaws.com", Source: "aws.ec2", Names: []string{"ModifySnapshotAttribute"}},
				{EventSource: "s3.amazonaws.com", Source: "aws.s3", Names: []string{"DeleteBucketPolicy", "PutBucketAcl", "PutBucketPolicy"}},
			},
		},
		{
			name: "the service's endpoint prefix is the source",
			checks: []check.Check{checkWith("A", true,
				check.Trigger{Source: "elasticloadbalancing.amazonaws.com", Names: []string{"ModifyListener"}},
				check.Trigger{Source: "elb.amazonaws.com", Names: []string{"SetLoadBalancerPoliciesOfListener"}},
				check.Trigger{Source: "lambda.amazonaws.com", Names: []string{"UpdateFunctionConfiguration20150331v2"}})},
			want: []eventRule{
				{EventSource: "elasticloadbalancing.amazonaws.com", Source: "aws.elasticloadbalancing", Names: []string{"ModifyListener"}},
				{EventSource: "elb.amazonaws.com", Source: "aws.elb", Names: []string{"SetLoadBalancerPoliciesOfListener"}},
				{EventSource: "lambda.amazonaws.com", Source: "aws.lambda", Names: []string{"UpdateFunctionConfiguration20150331v2"}},
			},
		},
		{
			name: "an unimplemented check's triggers make no rule",
			checks: []check.Check{
				checkWith("A", false, check.Trigger{Source: "iam.amazonaws.com", Names: []string{"CreateAccessKey"}}),
				checkWith("B", true, check.Trigger{Source: "iam.amazonaws.com", Names: []string{"UpdateAccessKey"}}),
			},
			want: []eventRule{{EventSource: "iam.amazonaws.com", Source: "aws.iam", Names: []string{"UpdateAccessKey"}}},
		},
		{
			name:   "names beyond one pattern's size: several rules",
			checks: []check.Check{checkWith("A", true, check.Trigger{Source: "s3.amazonaws.com", Names: many})},
			split:  true,
		},
		{
			name: "an invalid event source, a trigger without names, an invalid name",
			checks: []check.Check{
				checkWith("A", true, check.Trigger{Source: "ec2", Names: []string{"RunInstances"}}),
				checkWith("B", true, check.Trigger{Source: "iam.amazonaws.com"}),
				checkWith("C", true, check.Trigger{Source: "s3.amazonaws.com", Names: []string{"Put Bucket"}}),
			},
			wantErr: []string{`check A: trigger source "ec2"`, "check B: trigger iam.amazonaws.com names no event", `check C: trigger s3.amazonaws.com: "Put Bucket"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := eventRules(tt.checks)
			if len(tt.wantErr) > 0 {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("eventRules(%+v) error = %v, want it to mention %q", tt.checks, err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("eventRules(%+v): %v", tt.checks, err)
			}
			if tt.split {
				// Every part within the size, and full: the next part's
				// first name would not have fitted.
				var union []string
				for i, r := range got {
					if r.Part != i+1 || r.Source != "aws.s3" || r.patternLength() > maxEventPatternLength {
						t.Errorf("part %d: %+v (pattern of %d characters), want part %d of aws.s3 within %d", i, r, r.patternLength(), i+1, maxEventPatternLength)
					}
					if i+1 < len(got) {
						fuller := r
						fuller.Names = append(slices.Clone(r.Names), got[i+1].Names[0])
						if fuller.patternLength() <= maxEventPatternLength {
							t.Errorf("part %d ends at %s (%d characters) but had room for %s", r.Part, r.Names[len(r.Names)-1], r.patternLength(), got[i+1].Names[0])
						}
					}
					union = append(union, r.Names...)
				}
				if len(got) < 2 || !slices.Equal(union, many) {
					t.Errorf("eventRules(%d names) = %d rules holding %d names, want several rules holding all, in order", len(many), len(got), len(union))
				}
				return
			}
			if jsonString(got) != jsonString(tt.want) {
				t.Errorf("eventRules(%+v)\n got %s\nwant %s", tt.checks, jsonString(got), jsonString(tt.want))
			}
		})
	}
}

// busARN is the default event bus of account in region, as the template writes it.
func busARN(region, account string) any {
	return partitionJoin("arn:", ":events:"+region+":"+account+":event-bus/default")
}

// TestForwarderBusPolicy: with other accounts, the scanner's default bus
// admits events:PutEvents from the organization only, or from the listed
// accounts only; with its own account alone it has no policy.
func TestForwarderBusPolicy(t *testing.T) {
	ownBus := map[string]any{"Fn::Join": []any{"", []any{
		"arn:", ref("AWS::Partition"), ":events:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":event-bus/default",
	}}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want map[string]any // the statement; nil: no policy
	}{
		{"own account", DefaultConfig(), nil},
		{"organization", orgConfig(), map[string]any{
			"Sid": forwarderStatementID, "Effect": "Allow", "Action": "events:PutEvents", "Resource": ownBus, "Principal": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgConfig().OrganizationID}},
		}},
		{"account list", listConfig(), map[string]any{
			"Sid": forwarderStatementID, "Effect": "Allow", "Action": "events:PutEvents", "Resource": ownBus,
			"Principal": map[string]any{"AWS": []any{"444455556666", "777788889999"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := synth(t, tc.cfg)
			policies := s.doc.ofType("AWS::Events::EventBusPolicy")
			if tc.want == nil {
				if len(policies) != 0 {
					t.Errorf("accounts %q: bus policies %v, want none", s.cfg.Accounts, policies)
				}
				return
			}
			if len(policies) != 1 {
				t.Fatalf("accounts %q: bus policies %v, want one", s.cfg.Accounts, policies)
			}
			p := s.doc.Resources[policies[0]].Properties
			if p["EventBusName"] != "default" || p["StatementId"] != forwarderStatementID {
				t.Errorf("bus policy on %v as %v, want the default bus as %s", p["EventBusName"], p["StatementId"], forwarderStatementID)
			}
			if got := p["Statement"]; jsonString(got) != jsonString(tc.want) {
				t.Errorf("accounts %q: bus policy statement\n got %s\nwant %s", s.cfg.Accounts, jsonString(got), jsonString(tc.want))
			}
		})
	}
}

// TestEventsStackForwardsToTheScannerBus: the forwarder has the scanner's
// rules, each sending to the scanner account's default bus in the
// scanner's region with a role that may put events there and nothing else;
// in the scanner's own account and region its rules are not created.
func TestEventsStackForwardsToTheScannerBus(t *testing.T) {
	forEachStack(t, []namedConfig{{"organization, test triggers", orgConfig()}, {"account list, catalog", listConfig()}}, func(t *testing.T, s *synthesized) {
		e := s.events
		if e == nil {
			t.Fatalf("no events stack with scannerAccount %q", s.cfg.ScannerAccount)
		}
		checkNoBootstrap(t, "events", e)

		rules := cloudTrailRules(t, e.raw)
		checkRulePatterns(t, "forwarder", rules, s.cfg.Checks)
		// The same patterns as the scanner's rules.
		var scannerPatterns, forwarderPatterns []string
		for _, r := range cloudTrailRules(t, s.raw) {
			scannerPatterns = append(scannerPatterns, jsonString(r.pattern))
		}
		for _, r := range rules {
			forwarderPatterns = append(forwarderPatterns, jsonString(r.pattern))
		}
		slices.Sort(scannerPatterns)
		slices.Sort(forwarderPatterns)
		if !slices.Equal(scannerPatterns, forwarderPatterns) {
			t.Errorf("forwarder patterns %v, want the scanner's %v", forwarderPatterns, scannerPatterns)
		}

		roles := e.doc.ofType("AWS::IAM::Role")
		if len(roles) != 1 {
			t.Fatalf("events stack roles %v, want one", roles)
		}
		role := roles[0]
		for id, r := range e.doc.Resources {
			if id != role && r.Type != "AWS::Events::Rule" {
				t.Errorf("events template resource %s of type %s, want the role and the rules only", id, r.Type)
			}
		}
		bus := busARN(s.cfg.ScannerRegion, s.cfg.ScannerAccount)
		wantTarget := []any{map[string]any{"Arn": bus, "Id": "ScannerBus", "RoleArn": getAtt(role, "Arn")}}
		for _, r := range rules {
			if got := r.props["Targets"]; jsonString(got) != jsonString(wantTarget) {
				t.Errorf("forwarder rule %s targets\n got %s\nwant %s", r.id, jsonString(got), jsonString(wantTarget))
			}
			if r.condition != "NotTheScannerBus" {
				t.Errorf("forwarder rule %s condition %q, want NotTheScannerBus", r.id, r.condition)
			}
		}
		wantCondition := map[string]any{"Fn::Not": []any{map[string]any{"Fn::And": []any{
			map[string]any{"Fn::Equals": []any{ref("AWS::AccountId"), s.cfg.ScannerAccount}},
			map[string]any{"Fn::Equals": []any{ref("AWS::Region"), s.cfg.ScannerRegion}},
		}}}}
		if got := dig(e.doc.Conditions, "NotTheScannerBus"); jsonString(got) != jsonString(wantCondition) {
			t.Errorf("condition NotTheScannerBus\n got %s\nwant %s", jsonString(got), jsonString(wantCondition))
		}

		props := e.doc.Resources[role].Properties
		if name, ok := props["RoleName"]; ok {
			t.Errorf("forwarder role named %v: the stack is in every region, IAM names are global", name)
		}
		trust := statements(props["AssumeRolePolicyDocument"])
		wantTrust := map[string]any{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}}
		if len(trust) != 1 || jsonString(trust[0]) != jsonString(wantTrust) {
			t.Errorf("forwarder role trust %s, want EventBridge only %s", jsonString(trust), jsonString(wantTrust))
		}
		if d := diffGrants(grants(t, e.doc, role), wantGrants([]string{"events:PutEvents"}, bus)); len(d) > 0 {
			t.Errorf("forwarder role, want events:PutEvents on the scanner bus only:\n  %s", strings.Join(d, "\n  "))
		}
	})
}

// TestEventsStackNeedsTheScannerAccountAndRegion: building the events stack
// without them says what is missing.
func TestEventsStackNeedsTheScannerAccountAndRegion(t *testing.T) {
	if s := defaultSynth(t); s.events != nil {
		t.Errorf("events stack synthesized without scannerAccount")
	}
	synthMu.Lock()
	defer synthMu.Unlock()
	for _, cfg := range []Config{DefaultConfig(), func() Config { c := DefaultConfig(); c.ScannerAccount = "111122223333"; return c }()} {
		app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
		_, err := NewEventsStack(app, eventsStackName, &awscdk.StackProps{}, cfg)
		if err == nil || !strings.Contains(err.Error(), "-c scannerAccount=") || !strings.Contains(err.Error(), "-c scannerRegion=") ||
			!strings.Contains(err.Error(), eventsStackName) {
			t.Errorf("NewEventsStack(scannerAccount %q, scannerRegion %q): error %v, want one naming %s, -c scannerAccount= and -c scannerRegion=",
				cfg.ScannerAccount, cfg.ScannerRegion, err, eventsStackName)
		}
	}
}
