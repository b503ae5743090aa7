package main

import (
	"encoding/json"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	alerting "github.com/secadvisor/secadvisor/internal/pipeline/notifier"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// implemented is the catalog's implemented checks: each gets a function.
func implemented(cfg Config) []check.Check {
	var out []check.Check
	for _, c := range cfg.Checks {
		if c.Implemented() {
			out = append(out, c)
		}
	}
	return out
}

func TestResourceCountsFollowTheCatalog(t *testing.T) {
	forEachStack(t, []namedConfig{{"defaults", DefaultConfig()}, {"test triggers", triggerConfig()}, {"organization", orgConfig()}, {"digest off", listConfig()},
		{"security hub", securityHubConfig()}}, testResourceCounts)
}

func testResourceCounts(t *testing.T, s *synthesized) {
	n := len(implemented(s.cfg))
	if n == 0 {
		t.Fatal("no implemented check in the catalog")
	}
	rules, err := eventRules(s.cfg.Checks)
	if err != nil {
		t.Fatal(err)
	}
	r := len(rules)
	busPolicies := 0
	if s.cfg.ScansOtherAccounts() {
		busPolicies = 1
	}
	digestRule := 0
	if s.cfg.DigestSchedule != "" {
		digestRule = 1
	}
	// The Security Hub export: a function, its role, policy and log group,
	// its stream mapping, its failure queue (and queue policy), errors and
	// failures alarms.
	hub := 0
	if s.cfg.SecurityHub {
		hub = 1
	}
	want := map[string]int{
		"AWS::Lambda::Function":               n + 3 + hub,        // one per check, the orchestrator, the notifier, the digest (, the export)
		"AWS::SQS::Queue":                     2*n + 1 + hub,      // queue + DLQ per check, the notifier's (and the export's) failed batches
		"AWS::SQS::QueuePolicy":               2*n + 1 + hub,      // SSL enforced on each
		"AWS::Lambda::EventSourceMapping":     n + 1 + hub,        // SQS per check, the table's stream (twice with the export)
		"AWS::IAM::Role":                      n + 3 + hub,        // one role per function
		"AWS::Logs::LogGroup":                 n + 3 + hub,        // one per function
		"AWS::CloudWatch::Alarm":              2*n + 4 + 2*hub,    // errors + DLQ per check; orchestrator, notifier and digest errors; notifier failures (; export errors and failures)
		"AWS::DynamoDB::Table":                1,                  //
		"AWS::SNS::Topic":                     2,                  // alerts, operations
		"AWS::Events::Rule":                   3 + r + digestRule, // schedule, refresh, sweep, the re-check rules; the digest's schedule unless off
		"AWS::Events::EventBusPolicy":         busPolicies,        // the forwarders' statement, with other accounts
		"AWS::KMS::Key":                       1,                  // the topics' key
		"AWS::SNS::Subscription":              0,                  // no alertEmail given
		"AWS::Lambda::Permission":             3 + r + digestRule, // EventBridge → orchestrator per rule, → digest
		"AWS::SNS::TopicPolicy":               2,                  //
		"AWS::IAM::Policy":                    n + 3 + hub,        //
		"AWS::IAM::ManagedPolicy":             0,                  // no AWS managed policy either
		"AWS::EC2::SecurityGroup":             0,                  // no VPC: the functions reach AWS APIs (and, for the origin check, origins) directly
		"AWS::Lambda::LayerVersion":           0,                  //
		"AWS::Lambda::EventInvokeConfig":      0,                  //
		"AWS::Events::EventBus":               0,                  // the default bus
		"AWS::CloudFormation::CustomResource": 0,                  // no custom resource, no helper function
	}
	for typ, count := range want {
		assertJSII(t, typ, func() { s.template.ResourceCountIs(jsii.String(typ), jsii.Number(count)) })
	}
	// Nothing else: every resource type of the template is accounted for.
	for id, r := range s.doc.Resources {
		if _, ok := want[r.Type]; !ok {
			t.Errorf("unexpected resource %s of type %s", id, r.Type)
		}
	}
}

func TestFindingsTable(t *testing.T) {
	s := defaultSynth(t)
	assertJSII(t, "table properties", func() {
		s.template.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{
				"BillingMode": "PAY_PER_REQUEST",
				"KeySchema": []any{
					map[string]any{"AttributeName": store.AttrPK, "KeyType": "HASH"},
					map[string]any{"AttributeName": store.AttrSK, "KeyType": "RANGE"},
				},
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification":                 map[string]any{"SSEEnabled": true},
				"StreamSpecification":              map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": store.AttrTTL, "Enabled": true},
				"DeletionProtectionEnabled":        true,
				"GlobalSecondaryIndexes": []any{map[string]any{
					"IndexName": store.StatusIndex,
					"KeySchema": []any{
						map[string]any{"AttributeName": store.AttrStatusIndexPK, "KeyType": "HASH"},
						map[string]any{"AttributeName": store.AttrStatusIndexSK, "KeyType": "RANGE"},
					},
					"Projection": map[string]any{"ProjectionType": "ALL"},
				}},
			},
		})
	})

	destroy := synth(t, customConfig())
	assertJSII(t, "table with tableRemovalPolicy=destroy", func() {
		destroy.template.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"DeletionPolicy": "Delete",
			"Properties":     map[string]any{"DeletionProtectionEnabled": false},
		})
	})
}

// checkResourceIDs are the logical IDs of one check's resources, found by
// following the template's references from its function (described
// "secadvisor check <ID>: <name>").
type checkResourceIDs struct {
	function, role, queue, dlq, logGroup, mapping string
}

// findCheckResources finds the resources of every function described as a
// check's, by check ID.
func findCheckResources(t *testing.T, doc templateDoc) map[string]checkResourceIDs {
	t.Helper()
	out := map[string]checkResourceIDs{}
	for _, fnID := range doc.ofType("AWS::Lambda::Function") {
		fn := doc.Resources[fnID]
		description, _ := fn.Properties["Description"].(string)
		id, _, ok := strings.Cut(strings.TrimPrefix(description, "secadvisor check "), ":")
		if !ok || !strings.HasPrefix(description, "secadvisor check ") {
			continue
		}
		if _, dup := out[id]; dup {
			t.Errorf("two functions for check %s", id)
		}
		ids := checkResourceIDs{function: fnID, role: refID(fn.Properties["Role"]), logGroup: refID(dig(fn.Properties, "LoggingConfig", "LogGroup"))}
		for _, mID := range doc.ofType("AWS::Lambda::EventSourceMapping") {
			m := doc.Resources[mID]
			if refID(m.Properties["FunctionName"]) == fnID {
				ids.mapping, ids.queue = mID, refID(m.Properties["EventSourceArn"])
			}
		}
		ids.dlq = refID(dig(doc.Resources[ids.queue].Properties, "RedrivePolicy", "deadLetterTargetArn"))
		out[id] = ids
	}
	return out
}

// TestEachFunctionDeploysItsOwnBootstrap: every function's code is its own
// asset (the check functions' bootstraps each link one check), so no two
// functions share an S3 key.
func TestEachFunctionDeploysItsOwnBootstrap(t *testing.T) {
	t.Parallel()
	s := defaultSynth(t)
	byKey := map[string]string{}
	for _, fnID := range s.doc.ofType("AWS::Lambda::Function") {
		key, _ := dig(s.doc.Resources[fnID].Properties, "Code", "S3Key").(string)
		if key == "" {
			t.Errorf("function %s: Code = %s, want an S3 asset", fnID, jsonString(s.doc.Resources[fnID].Properties["Code"]))
			continue
		}
		if other, dup := byKey[key]; dup {
			t.Errorf("functions %s and %s deploy the same code %s, want each its own bootstrap", other, fnID, key)
		}
		byKey[key] = fnID
	}
}

func TestOneQueueDLQAndFunctionPerImplementedCheck(t *testing.T) {
	forEachStack(t, []namedConfig{{"defaults", DefaultConfig()}, {"custom", customConfig()}}, func(t *testing.T, s *synthesized) {
		found := findCheckResources(t, s.doc)
		var wantIDs []string
		for _, c := range implemented(s.cfg) {
			wantIDs = append(wantIDs, c.Meta.ID)
		}
		slices.Sort(wantIDs)
		gotIDs := slices.Sorted(maps.Keys(found))
		if !slices.Equal(gotIDs, wantIDs) {
			t.Fatalf("check functions for %v, want one per implemented check %v", gotIDs, wantIDs)
		}
		queues := map[string]bool{}
		for _, c := range implemented(s.cfg) {
			ids := found[c.Meta.ID]
			fn := s.doc.Resources[ids.function].Properties
			if ids.queue == "" || ids.dlq == "" || ids.role == "" || ids.logGroup == "" {
				t.Fatalf("check %s: resources %+v, want a queue, DLQ, role and log group", c.Meta.ID, ids)
			}
			if queues[ids.queue] || queues[ids.dlq] {
				t.Errorf("check %s shares a queue: %+v", c.Meta.ID, ids)
			}
			queues[ids.queue], queues[ids.dlq] = true, true

			wantFn := map[string]any{
				"Runtime": "provided.al2023", "Architectures": []any{"arm64"}, "Handler": "bootstrap",
				"Timeout":       checkFunctionTimeout.Seconds(),
				"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": ref(ids.logGroup)},
				"Environment": map[string]any{"Variables": map[string]any{
					pipeline.EnvTableName: ref(tableID(t, s.doc)), pipeline.EnvJobTimeout: scan.DefaultJobTimeout.String(),
				}},
			}
			for k, want := range wantFn {
				if got := fn[k]; jsonString(got) != jsonString(want) {
					t.Errorf("check %s function %s = %s, want %s", c.Meta.ID, k, jsonString(got), jsonString(want))
				}
			}
			timeout, _ := fn["Timeout"].(float64)
			if time.Duration(timeout)*time.Second <= scan.DefaultJobTimeout {
				t.Errorf("check %s function timeout %vs does not leave room after the job timeout %v", c.Meta.ID, timeout, scan.DefaultJobTimeout)
			}

			q := s.doc.Resources[ids.queue].Properties
			visibility, _ := q["VisibilityTimeout"].(float64)
			if visibility < 6*timeout {
				t.Errorf("check %s queue visibility timeout %vs < 6 × function timeout %vs", c.Meta.ID, visibility, timeout)
			}
			if got := dig(q, "RedrivePolicy", "maxReceiveCount"); got != float64(3) {
				t.Errorf("check %s queue maxReceiveCount = %v, want 3", c.Meta.ID, got)
			}
			for _, qid := range []string{ids.queue, ids.dlq} {
				if got := s.doc.Resources[qid].Properties["SqsManagedSseEnabled"]; got != true {
					t.Errorf("check %s queue %s SqsManagedSseEnabled = %v, want true", c.Meta.ID, qid, got)
				}
				if !enforcesSSL(s.doc, qid) {
					t.Errorf("check %s queue %s has no policy denying requests without TLS", c.Meta.ID, qid)
				}
			}

			if got := s.doc.Resources[ids.role].Properties["RoleName"]; got != checkRoleName(c) {
				t.Errorf("check %s role name = %v, want %q (the member role's trust names the check roles by it)", c.Meta.ID, got, checkRoleName(c))
			}

			m := s.doc.Resources[ids.mapping].Properties
			// Disabled: the orchestrator switches it on for a scan, its sweep off after.
			if got := m["Enabled"]; got != false {
				t.Errorf("check %s event source Enabled = %v, want false", c.Meta.ID, got)
			}
			if got := strs(m["FunctionResponseTypes"]); !slices.Equal(got, []string{"ReportBatchItemFailures"}) {
				t.Errorf("check %s event source FunctionResponseTypes = %v, want [ReportBatchItemFailures]", c.Meta.ID, got)
			}
			if got, want := dig(m, "ScalingConfig", "MaximumConcurrency"), s.cfg.concurrencyOf(c.Meta.Slug); got != float64(want) || want < 2 || want > 1000 {
				t.Errorf("check %s event source MaximumConcurrency = %v, want %d (2..1000)", c.Meta.ID, got, want)
			}
			if got := m["BatchSize"]; got != float64(checkBatchSize) {
				t.Errorf("check %s event source BatchSize = %v, want %d", c.Meta.ID, got, checkBatchSize)
			}
			if got := s.doc.Resources[ids.logGroup].Properties["RetentionInDays"]; got != float64(s.cfg.LogRetentionDays) {
				t.Errorf("check %s log retention = %v, want %d", c.Meta.ID, got, s.cfg.LogRetentionDays)
			}
		}
	})
}

func tableID(t *testing.T, doc templateDoc) string {
	t.Helper()
	ids := doc.ofType("AWS::DynamoDB::Table")
	if len(ids) != 1 {
		t.Fatalf("tables %v, want one", ids)
	}
	return ids[0]
}

// enforcesSSL reports whether a queue policy of queue denies every request
// made without TLS.
func enforcesSSL(doc templateDoc, queue string) bool {
	for _, pid := range doc.ofType("AWS::SQS::QueuePolicy") {
		p := doc.Resources[pid].Properties
		if qs, _ := p["Queues"].([]any); len(qs) != 1 || refID(qs[0]) != queue {
			continue
		}
		for _, st := range statements(p["PolicyDocument"]) {
			if st["Effect"] == "Deny" && slices.Contains(strs(st["Action"]), "sqs:*") &&
				dig(st, "Condition", "Bool", "aws:SecureTransport") == "false" {
				return true
			}
		}
	}
	return false
}

// failureQueue returns a stream mapping's on-failure destination, which
// must be an encrypted, SSL-only queue; what names the mapping's function.
func failureQueue(t *testing.T, doc templateDoc, mapping map[string]any, what string) string {
	t.Helper()
	failures := refID(dig(mapping, "DestinationConfig", "OnFailure", "Destination"))
	if doc.Resources[failures].Type != "AWS::SQS::Queue" || !enforcesSSL(doc, failures) ||
		doc.Resources[failures].Properties["SqsManagedSseEnabled"] != true {
		t.Errorf("%s on-failure destination %s is not an encrypted, SSL-only queue", what, failures)
	}
	return failures
}

func statements(doc any) []map[string]any {
	list, _ := dig(doc, "Statement").([]any)
	var out []map[string]any
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// roleStatements are the statements of a role's inline and attached policies.
func roleStatements(t *testing.T, doc templateDoc, role string) []map[string]any {
	t.Helper()
	var out []map[string]any
	inline, _ := doc.Resources[role].Properties["Policies"].([]any)
	for _, p := range inline {
		out = append(out, statements(dig(p, "PolicyDocument"))...)
	}
	for _, pid := range doc.ofType("AWS::IAM::Policy") {
		p := doc.Resources[pid].Properties
		for _, rr := range p["Roles"].([]any) {
			if refID(rr) == role {
				out = append(out, statements(p["PolicyDocument"])...)
			}
		}
	}
	return out
}

// grants is what a role's policies allow: action → the resources (as JSON) it is allowed on.
func grants(t *testing.T, doc templateDoc, role string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(policyDoc any) {
		for _, st := range statements(policyDoc) {
			if st["Effect"] != "Allow" {
				t.Errorf("role %s: unexpected statement %s", role, jsonString(st))
				continue
			}
			var resources []string
			switch r := st["Resource"].(type) {
			case []any:
				for _, e := range r {
					resources = append(resources, jsonString(e))
				}
			default:
				resources = append(resources, jsonString(r))
			}
			for _, a := range strs(st["Action"]) {
				out[a] = sortedUnion(out[a], resources)
			}
		}
	}
	r := doc.Resources[role]
	if r.Type != "AWS::IAM::Role" {
		t.Fatalf("%s is a %q, not a role", role, r.Type)
	}
	if mp := r.Properties["ManagedPolicyArns"]; mp != nil {
		t.Errorf("role %s has managed policies %s", role, jsonString(mp))
	}
	inline, _ := r.Properties["Policies"].([]any)
	for _, p := range inline {
		add(dig(p, "PolicyDocument"))
	}
	for _, pid := range doc.ofType("AWS::IAM::Policy") {
		p := doc.Resources[pid].Properties
		for _, rr := range p["Roles"].([]any) {
			if refID(rr) == role {
				add(p["PolicyDocument"])
			}
		}
	}
	return out
}

// wantGrants builds the expected grants: each action list on one resource.
func wantGrants(pairs ...any) map[string][]string {
	out := map[string][]string{}
	for i := 0; i < len(pairs); i += 2 {
		for _, a := range pairs[i].([]string) {
			out[a] = sortedUnion(out[a], []string{jsonString(pairs[i+1])})
		}
	}
	return out
}

func diffGrants(got, want map[string][]string) []string {
	var diffs []string
	for _, a := range sortedUnion(slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(want))) {
		g, w := strings.Join(got[a], " "), strings.Join(want[a], " ")
		if g != w {
			diffs = append(diffs, a+": got ["+g+"] want ["+w+"]")
		}
	}
	return diffs
}

// TestCheckRolesGrantExactlyTheDeclaredActions is least privilege derived
// from the checks: each check's role allows its Meta.IAMActions (on every
// resource: they are read-only List/Describe/Get calls) and, on its own
// resources only, the fixed pipeline actions. Nothing else.
// When the scanner reaches other accounts, each check role may also assume
// the member role, by name, in any account — and only then.
func TestCheckRolesGrantExactlyTheDeclaredActions(t *testing.T) {
	forEachStack(t, []namedConfig{{"own account", DefaultConfig()}, {"organization", orgConfig()}, {"account list", listConfig()}}, func(t *testing.T, s *synthesized) {
		table := tableID(t, s.doc)
		found := findCheckResources(t, s.doc)
		for _, c := range implemented(s.cfg) {
			ids := found[c.Meta.ID]
			got := grants(t, s.doc, ids.role)
			want := wantGrants(
				c.Meta.IAMActions, "*",
				storeWriteActions(), getAtt(table, "Arn"),
				queueConsumeActions, getAtt(ids.queue, "Arn"),
				logWriteActions, getAtt(ids.logGroup, "Arn"),
			)
			if s.cfg.Accounts != "" {
				want[org.AssumeAction] = []string{jsonString(partitionJoin("arn:", ":iam::*:role/"+s.cfg.MemberRoleName))}
			}
			if d := diffGrants(got, want); len(d) > 0 {
				t.Errorf("accounts %q: check %s (%s) role %s differs from its declared actions %v + pipeline actions %v:\n  %s",
					s.cfg.Accounts, c.Meta.ID, c.Meta.Slug, ids.role, c.Meta.IAMActions, checkPipelineActions(), strings.Join(d, "\n  "))
			}
		}
	})
	s := defaultSynth(t)
	for _, c := range implemented(s.cfg) {
		for _, a := range c.Meta.IAMActions {
			verb := a[strings.Index(a, ":")+1:]
			if !strings.HasPrefix(verb, "Describe") && !strings.HasPrefix(verb, "List") && !strings.HasPrefix(verb, "Get") &&
				a != "iam:GenerateCredentialReport" { // writes nothing but the account's credential report
				t.Errorf("check %s declares %s, which is not read-only", c.Meta.ID, a)
			}
		}
	}
}

// partitionJoin is how the template writes a string around the partition:
// {"Fn::Join": ["", [before, {"Ref": "AWS::Partition"}, after]]}.
func partitionJoin(before, after string) any {
	return map[string]any{"Fn::Join": []any{"", []any{before, ref("AWS::Partition"), after}}}
}

// mappingARN is the ARN of the event source mapping with logical ID id, as
// the template writes it.
func mappingARN(id string) any {
	return map[string]any{"Fn::Join": []any{"", []any{
		"arn:", ref("AWS::Partition"), ":lambda:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":event-source-mapping:", ref(id),
	}}}
}

// TestCheckFunctionsReachOtherAccountsOnlyWhenTold: the member role's name
// and the external ID reach the check functions only when the scanner scans
// other accounts; the orchestrator gets the accounts.
func TestCheckFunctionsReachOtherAccountsOnlyWhenTold(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		// want are the variables each check function gets beyond TABLE_NAME and JOB_TIMEOUT.
		want map[string]any
	}{
		{"own account", DefaultConfig(), map[string]any{}},
		{"own account, member options set", func() Config {
			c := DefaultConfig()
			c.ExternalID, c.MemberRoleName, c.ScannerAccount, c.ScannerRegion = "x-1", "audit-reader", "111122223333", "eu-west-1"
			return c
		}(), map[string]any{}},
		{"organization", orgConfig(), map[string]any{pipeline.EnvMemberRoleName: orgConfig().MemberRoleName, pipeline.EnvExternalID: orgConfig().ExternalID}},
		{"account list, no external ID", listConfig(), map[string]any{pipeline.EnvMemberRoleName: org.DefaultRoleName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := synth(t, tc.cfg)
			for id, ids := range findCheckResources(t, s.doc) {
				env, _ := dig(s.doc.Resources[ids.function].Properties, "Environment", "Variables").(map[string]any)
				got := map[string]any{}
				for k, v := range env {
					if k != pipeline.EnvTableName && k != pipeline.EnvJobTimeout {
						got[k] = v
					}
				}
				if jsonString(got) != jsonString(tc.want) {
					t.Errorf("accounts %q: check %s environment beyond the table and timeout = %s, want %s", s.cfg.Accounts, id, jsonString(got), jsonString(tc.want))
				}
			}
			fn := s.doc.Resources[functionByDescriptionPrefix(t, s.doc, "secadvisor orchestrator")].Properties
			accounts, set := dig(fn, "Environment", "Variables").(map[string]any)[pipeline.EnvAccounts]
			if want := s.cfg.Accounts; (want == "" && set) || (want != "" && accounts != want) {
				t.Errorf("orchestrator %s = %v (set %v), want %q (unset for the own account)", pipeline.EnvAccounts, accounts, set, want)
			}
		})
	}
}

// TestCheckRoleNamesFitIAM: every check's role name is a valid IAM role name
// that the member role's trust pattern admits.
func TestCheckRoleNamesFitIAM(t *testing.T) {
	t.Parallel()
	for _, c := range implemented(DefaultConfig()) {
		name := checkRoleName(c)
		if len(name) > maxRoleNameLength || !roleNamePattern.MatchString(name) {
			t.Errorf("check %s: role name %q (%d characters) is not an IAM role name of at most %d characters", c.Meta.ID, name, len(name), maxRoleNameLength)
		}
		if ok, _ := path.Match(checkRoleNamePrefix+"*", name); !ok {
			t.Errorf("check %s: role name %q does not match the member trust's %s*", c.Meta.ID, name, checkRoleNamePrefix)
		}
	}
}

func TestStoreWriteActionsAreTheStoreAPI(t *testing.T) {
	t.Parallel()
	want := []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"}
	if got := storeWriteActions(); !slices.Equal(got, want) {
		t.Errorf("storeWriteActions() = %v, want %v (store.API changed: review the check roles)", got, want)
	}
}

func roleOf(t *testing.T, doc templateDoc, fnID string) string {
	t.Helper()
	return refID(doc.Resources[fnID].Properties["Role"])
}

// functionByDescriptionPrefix finds the orchestrator and the notifier.
func functionByDescriptionPrefix(t *testing.T, doc templateDoc, prefix string) string {
	t.Helper()
	var found []string
	for _, id := range doc.ofType("AWS::Lambda::Function") {
		if d, _ := doc.Resources[id].Properties["Description"].(string); strings.HasPrefix(d, prefix) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("functions described %q: %v, want one", prefix, found)
	}
	return found[0]
}

func TestOrchestrator(t *testing.T) {
	forEachStack(t, []namedConfig{{"defaults", DefaultConfig()}, {"custom", customConfig()}, {"organization", orgConfig()}, {"account list", listConfig()}}, func(t *testing.T, s *synthesized) {
		fnID := functionByDescriptionPrefix(t, s.doc, "secadvisor orchestrator")
		fn := s.doc.Resources[fnID].Properties
		env, _ := dig(fn, "Environment", "Variables").(map[string]any)

		found := findCheckResources(t, s.doc)
		// perCheck reads a variable holding a JSON object with one entry per check.
		perCheck := func(name string) map[string]string {
			raw := resolveJoin(t, env[name])
			var m map[string]string
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatalf("%s = %s is not a JSON object: %v", name, raw, err)
			}
			if len(m) != len(found) {
				t.Errorf("%s has %d checks, want %d", name, len(m), len(found))
			}
			return m
		}
		// CHECK_QUEUES is {"<check ID>": "<its queue URL>", ...}: rebuild it with the queues' logical IDs.
		queues := perCheck(pipeline.EnvCheckQueues)
		// EVENT_SOURCE_MAPPINGS is {"<check ID>": "<its mapping's UUID>", ...}.
		mappings := perCheck(pipeline.EnvEventSourceMappings)
		var queueARNs, mappingARNs []any
		for id, ids := range found {
			if got := queues[id]; got != "${"+ids.queue+"}" {
				t.Errorf("%s[%s] = %q, want the URL of %s", pipeline.EnvCheckQueues, id, got, ids.queue)
			}
			if got := mappings[id]; got != "${"+ids.mapping+"}" {
				t.Errorf("%s[%s] = %q, want the UUID (Ref) of %s", pipeline.EnvEventSourceMappings, id, got, ids.mapping)
			}
			queueARNs = append(queueARNs, getAtt(ids.queue, "Arn"))
			mappingARNs = append(mappingARNs, mappingARN(ids.mapping))
		}

		// The own account is the stack's, from CloudFormation.
		if got := env[pipeline.EnvAccount]; jsonString(got) != jsonString(ref("AWS::AccountId")) {
			t.Errorf("%s = %s, want %s", pipeline.EnvAccount, jsonString(got), jsonString(ref("AWS::AccountId")))
		}

		// The window claims: the table and the window.
		table := tableID(t, s.doc)
		if got := env[pipeline.EnvTableName]; jsonString(got) != jsonString(ref(table)) {
			t.Errorf("%s = %s, want the findings table %s", pipeline.EnvTableName, jsonString(got), jsonString(ref(table)))
		}
		if got, want := env[pipeline.EnvEventWindow], s.cfg.EventWindow.String(); got != want {
			t.Errorf("%s = %v, want %q", pipeline.EnvEventWindow, got, want)
		} else if d, err := time.ParseDuration(want); err != nil || d != s.cfg.EventWindow {
			t.Errorf("%s = %q reads as %v (%v), want %v", pipeline.EnvEventWindow, want, d, err, s.cfg.EventWindow)
		}

		regions, set := env[pipeline.EnvRegions]
		if want := strings.Join(s.cfg.Regions, ","); (want == "" && set) || (want != "" && regions != want) {
			t.Errorf("%s = %v (set %v), want %q (unset when empty: discover enabled regions)", pipeline.EnvRegions, regions, set, want)
		}

		// Discovery; the organization's accounts only when it scans them;
		// jobs to and depth of the check queues; switching exactly the
		// check functions' event source mappings.
		got := grants(t, s.doc, roleOf(t, s.doc, fnID))
		want := wantGrants(scan.DiscoveryActions, "*", logWriteActions, getAtt(refID(dig(fn, "LoggingConfig", "LogGroup")), "Arn"))
		addGrants := func(actions []string, resources []any) {
			for _, r := range resources {
				for k, v := range wantGrants(actions, r) {
					want[k] = sortedUnion(want[k], v)
				}
			}
		}
		if s.cfg.Accounts == pipeline.AccountsOrg {
			addGrants([]string{"organizations:ListAccounts"}, []any{"*"})
		}
		addGrants([]string{"sqs:SendMessage", "sqs:GetQueueAttributes"}, queueARNs)
		addGrants([]string{"lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"}, mappingARNs)
		addGrants([]string{"dynamodb:PutItem"}, []any{getAtt(table, "Arn")})
		if d := diffGrants(got, want); len(d) > 0 {
			t.Errorf("orchestrator role:\n  %s", strings.Join(d, "\n  "))
		}
		// The PutItem is only for the window claims' partition keys.
		wantCondition := map[string]any{
			"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []any{"window#*"}},
			"Null":                    map[string]any{"dynamodb:LeadingKeys": "false"},
		}
		puts := 0
		for _, st := range roleStatements(t, s.doc, roleOf(t, s.doc, fnID)) {
			if !slices.Contains(strs(st["Action"]), "dynamodb:PutItem") {
				continue
			}
			puts++
			if got := st["Condition"]; jsonString(got) != jsonString(wantCondition) {
				t.Errorf("orchestrator PutItem condition = %s, want %s", jsonString(got), jsonString(wantCondition))
			}
		}
		if puts != 1 {
			t.Errorf("orchestrator role: %d statements allow dynamodb:PutItem, want 1", puts)
		}

		assertJSII(t, "schedule rule", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"ScheduleExpression": s.cfg.Schedule,
				"State":              "ENABLED",
				"Targets":            assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Arn": getAtt(fnID, "Arn")})}),
			})
		})
		assertJSII(t, "refresh rule", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"EventPattern": map[string]any{"detail-type": []any{pipeline.RefreshDetailType}},
				"State":        "ENABLED",
				"Targets":      assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Arn": getAtt(fnID, "Arn")})}),
			})
		})
		assertJSII(t, "sweep rule", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"ScheduleExpression": "rate(15 minutes)",
				"State":              "ENABLED",
				"Targets": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"Arn": getAtt(fnID, "Arn"), "Input": assertions.Match_AnyValue(),
				})}),
			})
		})
		// The sweep's input, read as the orchestrator reads its event.
		sweeps := 0
		for _, rule := range s.doc.ofType("AWS::Events::Rule") {
			for _, target := range dig(s.doc.Resources[rule].Properties, "Targets").([]any) {
				input, ok := dig(target, "Input").(string)
				if !ok {
					continue
				}
				var event events.EventBridgeEvent
				if err := json.Unmarshal([]byte(input), &event); err != nil {
					t.Fatalf("rule %s input %s: %v", rule, input, err)
				}
				if event.DetailType != pipeline.SweepDetailType {
					t.Errorf("rule %s sends detail-type %q, want %q", rule, event.DetailType, pipeline.SweepDetailType)
				}
				sweeps++
			}
		}
		if sweeps != 1 {
			t.Errorf("%d rules send a constant input, want the sweep only", sweeps)
		}
		for _, rule := range s.doc.ofType("AWS::Events::Rule") {
			if bus := s.doc.Resources[rule].Properties["EventBusName"]; bus != nil {
				t.Errorf("rule %s on bus %v, want the default bus", rule, bus)
			}
		}
	})
}

// resolveJoin renders an Fn::Join of strings and Refs as a string, each Ref as ${id}.
func resolveJoin(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	join, ok := dig(v, "Fn::Join").([]any)
	if !ok || len(join) != 2 {
		t.Fatalf("%s is not an Fn::Join", jsonString(v))
	}
	var b strings.Builder
	parts, _ := join[1].([]any)
	for i, p := range parts {
		if i > 0 {
			b.WriteString(join[0].(string))
		}
		if s, ok := p.(string); ok {
			b.WriteString(s)
		} else if id := refID(p); id != "" {
			b.WriteString("${" + id + "}")
		} else {
			t.Fatalf("unexpected join part %s", jsonString(p))
		}
	}
	return b.String()
}

func TestNotifier(t *testing.T) {
	forEachStack(t, []namedConfig{{"defaults", DefaultConfig()}, {"custom", customConfig()}}, func(t *testing.T, s *synthesized) {
		table := tableID(t, s.doc)
		fnID := functionByDescriptionPrefix(t, s.doc, "secadvisor notifier")
		fn := s.doc.Resources[fnID].Properties
		alertTopic := topicByName(t, s.doc, "secadvisor alerts")
		wantEnv := map[string]any{
			pipeline.EnvTopicARN: ref(alertTopic), pipeline.EnvTableName: ref(table),
			pipeline.EnvNotifyResolved: strconv.FormatBool(s.cfg.NotifyResolved),
		}
		if got := dig(fn, "Environment", "Variables"); jsonString(got) != jsonString(wantEnv) {
			t.Errorf("notifier environment = %s, want %s", jsonString(got), jsonString(wantEnv))
		}

		var mapping map[string]any
		for _, id := range s.doc.ofType("AWS::Lambda::EventSourceMapping") {
			if m := s.doc.Resources[id].Properties; refID(m["FunctionName"]) == fnID {
				mapping = m
			}
		}
		if jsonString(mapping["EventSourceArn"]) != jsonString(getAtt(table, "StreamArn")) {
			t.Fatalf("notifier event source %s, want the table's stream", jsonString(mapping["EventSourceArn"]))
		}
		if got := strs(mapping["FunctionResponseTypes"]); !slices.Equal(got, []string{"ReportBatchItemFailures"}) {
			t.Errorf("notifier FunctionResponseTypes = %v", got)
		}
		if mapping["BisectBatchOnFunctionError"] != true {
			t.Errorf("notifier BisectBatchOnFunctionError = %v, want true", mapping["BisectBatchOnFunctionError"])
		}
		if r, _ := mapping["MaximumRetryAttempts"].(float64); r < 0 || r > 100 || mapping["MaximumRetryAttempts"] == nil {
			t.Errorf("notifier MaximumRetryAttempts = %v, want a bound", mapping["MaximumRetryAttempts"])
		}
		failures := failureQueue(t, s.doc, mapping, "notifier")

		// The filters: red new images, and red old images when resolved alerts are on.
		var patterns []string
		for _, f := range dig(mapping, "FilterCriteria", "Filters").([]any) {
			patterns = append(patterns, dig(f, "Pattern").(string))
		}
		want := []string{`{"dynamodb":{"NewImage":{"kind":{"S":["finding"]},"status":{"S":["red"]}}}}`}
		if s.cfg.NotifyResolved {
			want = append(want, `{"dynamodb":{"OldImage":{"kind":{"S":["finding"]},"status":{"S":["red"]}}}}`)
		}
		if !slices.Equal(patterns, want) {
			t.Errorf("notifier filters = %q, want %q", patterns, want)
		}

		got := grants(t, s.doc, roleOf(t, s.doc, fnID))
		wantG := wantGrants(
			logWriteActions, getAtt(refID(dig(fn, "LoggingConfig", "LogGroup")), "Arn"),
			alertMarkActions, getAtt(table, "Arn"),
			[]string{"sns:Publish"}, ref(alertTopic),
			[]string{"kms:Decrypt", "kms:GenerateDataKey*"}, getAtt(s.doc.ofType("AWS::KMS::Key")[0], "Arn"),
			[]string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}, getAtt(failures, "Arn"),
			[]string{"dynamodb:ListStreams"}, "*",
			[]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}, getAtt(table, "StreamArn"),
		)
		if d := diffGrants(got, wantG); len(d) > 0 {
			t.Errorf("notifier role:\n  %s", strings.Join(d, "\n  "))
		}
	})
}

// TestNotifierFiltersAdmitWhatTheNotifierAlertsOn runs the stream filters
// (exact-value patterns, as Lambda evaluates them) over records shaped like
// the table's stream, and compares with alerting.Transitions: every record
// the notifier would alert on must pass the filter.
func TestNotifierFiltersAdmitWhatTheNotifierAlertsOn(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../events/dynamodb-stream-red.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Records []map[string]any `json:"Records"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	if len(sample.Records) == 0 {
		t.Fatal("no record in events/dynamodb-stream-red.json")
	}
	base := sample.Records[0]
	baseImage, ok := dig(base, "dynamodb", "NewImage").(map[string]any)
	if !ok {
		t.Fatal("the sample record has no new image")
	}
	clone := func(v map[string]any) map[string]any {
		b, _ := json.Marshal(v)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return out
	}
	// withStatus is the sample record with the given statuses ("" = no such image: insert or delete).
	withStatus := func(oldStatus, newStatus, kind string) map[string]any {
		r := clone(base)
		ddb := r["dynamodb"].(map[string]any)
		for image, status := range map[string]string{"OldImage": oldStatus, "NewImage": newStatus} {
			delete(ddb, image)
			if status != "" {
				img := clone(baseImage)
				img[statusAttribute] = map[string]any{"S": status}
				img[store.AttrKind] = map[string]any{"S": kind}
				ddb[image] = img
			}
		}
		return r
	}
	cases := []struct {
		old, new, kind string
	}{
		{"green", "red", "finding"}, {"", "red", "finding"}, {"yellow", "red", "finding"}, {"error", "red", "finding"},
		{"red", "green", "finding"}, {"red", "", "finding"}, {"red", "red", "finding"},
		{"green", "yellow", "finding"}, {"", "green", "finding"}, {"green", "", "finding"},
		{"red", "red", "summary"},
	}
	for _, resolved := range []bool{true, false} {
		filters := notifierFiltersJSON(t, resolved)
		for _, c := range cases {
			rec := withStatus(c.old, c.new, c.kind)
			admitted := false
			for _, f := range filters {
				admitted = admitted || matchPattern(f, rec)
			}
			alerts := transitionsOf(t, rec, resolved)
			if alerts > 0 && !admitted {
				t.Errorf("resolved=%v %s %q→%q: the notifier alerts on it but the filter drops it", resolved, c.kind, c.old, c.new)
			}
			if c.kind != store.KindFinding && admitted {
				t.Errorf("resolved=%v %s item admitted by the filter", resolved, c.kind)
			}
			if !resolved && c.new != string(check.Red) && admitted {
				t.Errorf("resolved=false %q→%q admitted: without resolved alerts only red new images should invoke", c.old, c.new)
			}
		}
	}
}

// notifierFiltersJSON decodes the filters' patterns ({"pattern": "<JSON>"}).
func notifierFiltersJSON(t *testing.T, resolved bool) []map[string]any {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	var out []map[string]any
	for _, f := range notifierFilters(resolved) {
		pattern, ok := (*f)["pattern"].(string)
		if !ok {
			t.Fatalf("filter %v has no pattern", *f)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(pattern), &m); err != nil {
			t.Fatalf("filter pattern %s: %v", pattern, err)
		}
		out = append(out, m)
	}
	return out
}

// matchPattern is Lambda's event filtering for exact-value patterns: every
// key of the pattern must be in the event; a list matches when the event's
// value is one of its elements.
func matchPattern(pattern, event map[string]any) bool {
	for k, p := range pattern {
		v, ok := event[k]
		if !ok {
			return false
		}
		switch p := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchPattern(p, sub) {
				return false
			}
		case []any:
			if !slices.Contains(p, v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// transitionsOf is how many alerts the notifier's own logic draws from rec.
func transitionsOf(t *testing.T, rec map[string]any, resolved bool) int {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": []any{rec}})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("decode stream record %s: %v", b, err)
	}
	out, bad := alerting.Transitions(ev.Records, resolved)
	if len(bad) > 0 {
		t.Fatalf("stream record %s unreadable: %v", b, bad)
	}
	return len(out)
}

func topicByName(t *testing.T, doc templateDoc, name string) string {
	t.Helper()
	for _, id := range doc.ofType("AWS::SNS::Topic") {
		if doc.Resources[id].Properties["DisplayName"] == name {
			return id
		}
	}
	t.Fatalf("no topic named %q", name)
	return ""
}

func TestTopicsAndSubscriptions(t *testing.T) {
	s := defaultSynth(t)
	key := s.doc.ofType("AWS::KMS::Key")[0]
	if s.doc.Resources[key].Properties["EnableKeyRotation"] != true {
		t.Errorf("topic key rotation is off")
	}
	for _, id := range s.doc.ofType("AWS::SNS::Topic") {
		if got := s.doc.Resources[id].Properties["KmsMasterKeyId"]; jsonString(got) != jsonString(getAtt(key, "Arn")) {
			t.Errorf("topic %s KmsMasterKeyId = %s, want the stack's key", id, jsonString(got))
		}
	}
	for _, id := range s.doc.ofType("AWS::SNS::TopicPolicy") {
		ssl := false
		for _, st := range statements(s.doc.Resources[id].Properties["PolicyDocument"]) {
			ssl = ssl || (st["Effect"] == "Deny" && dig(st, "Condition", "Bool", "aws:SecureTransport") == "false")
		}
		if !ssl {
			t.Errorf("topic policy %s does not deny publishing without TLS", id)
		}
	}
	// The key lets CloudWatch alarms publish to the encrypted operations topic.
	cloudwatch := false
	for _, st := range statements(s.doc.Resources[key].Properties["KeyPolicy"]) {
		cloudwatch = cloudwatch || dig(st, "Principal", "Service") == "cloudwatch.amazonaws.com"
	}
	if !cloudwatch {
		t.Errorf("the topic key policy does not allow CloudWatch alarms")
	}

	custom := synth(t, customConfig())
	alerts, ops := topicByName(t, custom.doc, "secadvisor alerts"), topicByName(t, custom.doc, "secadvisor operations")
	for topic, email := range map[string]string{alerts: custom.cfg.AlertEmail, ops: custom.cfg.OpsEmail} {
		assertJSII(t, "email subscription of "+topic, func() {
			custom.template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
				"Protocol": "email", "Endpoint": email, "TopicArn": ref(topic),
			})
		})
	}
}

func TestAlarmsOnEveryDLQAndFunction(t *testing.T) {
	s := defaultSynth(t)
	ops := topicByName(t, s.doc, "secadvisor operations")
	alarmed := map[string]string{} // resource → metric
	for _, id := range s.doc.ofType("AWS::CloudWatch::Alarm") {
		a := s.doc.Resources[id].Properties
		if jsonString(a["AlarmActions"]) != jsonString([]any{ref(ops)}) {
			t.Errorf("alarm %s actions %s, want the operations topic", id, jsonString(a["AlarmActions"]))
		}
		if a["Threshold"] != float64(0) || a["ComparisonOperator"] != "GreaterThanThreshold" {
			t.Errorf("alarm %s: %v %v, want > 0", id, a["ComparisonOperator"], a["Threshold"])
		}
		dims, _ := a["Dimensions"].([]any)
		if len(dims) != 1 {
			t.Errorf("alarm %s dimensions %s", id, jsonString(dims))
			continue
		}
		alarmed[refID(dig(dims[0], "Value"))] = a["MetricName"].(string)
	}
	for _, fn := range s.doc.ofType("AWS::Lambda::Function") {
		if alarmed[fn] != "Errors" {
			t.Errorf("function %s has no errors alarm", fn)
		}
	}
	dlqs := 0
	for _, q := range s.doc.ofType("AWS::SQS::Queue") {
		if _, isWorkQueue := s.doc.Resources[q].Properties["RedrivePolicy"]; isWorkQueue {
			continue
		}
		dlqs++
		if alarmed[q] != "ApproximateNumberOfMessagesVisible" {
			t.Errorf("dead-letter queue %s has no depth alarm", q)
		}
	}
	if want := len(implemented(s.cfg)) + 1; dlqs != want {
		t.Errorf("%d dead-letter queues, want %d", dlqs, want)
	}
}

func TestLogGroupsAndJSONLogs(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), customConfig()} {
		s := synth(t, cfg)
		for _, fn := range s.doc.ofType("AWS::Lambda::Function") {
			p := s.doc.Resources[fn].Properties
			if dig(p, "LoggingConfig", "LogFormat") != "JSON" {
				t.Errorf("function %s log format %v, want JSON", fn, dig(p, "LoggingConfig", "LogFormat"))
			}
			lg := refID(dig(p, "LoggingConfig", "LogGroup"))
			if got := s.doc.Resources[lg].Properties["RetentionInDays"]; got != float64(cfg.LogRetentionDays) {
				t.Errorf("function %s log group %s retention %v, want %d", fn, lg, got, cfg.LogRetentionDays)
			}
			if p["Runtime"] != "provided.al2023" || jsonString(p["Architectures"]) != `["arm64"]` {
				t.Errorf("function %s runs %v on %v, want provided.al2023 on arm64", fn, p["Runtime"], p["Architectures"])
			}
		}
	}
}
