package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// assetDir holds one stand-in bootstrap per function TestMain lists, so
// `go test ./infra` never depends on an earlier `make build-lambdas`; built
// are the functions lambdabuild generates from the catalog.
var (
	assetDir string
	built    []lambdabuild.Function
)

// TestMain writes the stand-in bootstraps once. (Node 20's end-of-life banner is
// silenced by JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20, which the
// Makefile exports: set from here, it did not reach the jsii runtime.)
func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "secadvisor-lambda-assets-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if built, err = buildLambdas(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	assetDir = dir
	// jsii.Close stops the node child process and removes its temp folders.
	defer jsii.Close()
	return m.Run()
}

// buildLambdas lists every function as `make build-lambdas` does and writes
// a stand-in bootstrap for each, distinct per function: the template's
// assertions depend on the assets' folders and hashes, not on what runs in
// them. The real bootstraps are built and run by functions/lambda_test.go;
// building them here too would compile the SDK a second time, at the same
// moment, in every cold `make test`.
func buildLambdas(dir string) ([]lambdabuild.Function, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return nil, err
	}
	fns, err := lambdabuild.Generate(root)
	if err != nil {
		return nil, err
	}
	for _, fn := range fns {
		if err := os.MkdirAll(filepath.Join(dir, fn.Name), 0o755); err != nil {
			return nil, err
		}
		standIn := []byte("stand-in bootstrap of " + fn.Name + " (" + fn.Package + ")\n")
		if err := os.WriteFile(filepath.Join(dir, fn.Name, "bootstrap"), standIn, 0o755); err != nil {
			return nil, err
		}
	}
	return fns, nil
}

// synthesized is one synthesis of the app: the scanner stack and its
// template, and the member and events stacks' when cfg names the scanner
// account.
type synthesized struct {
	cfg   Config
	stack *Stack
	synthesizedTemplate
	// member and events are the member and events stacks' templates, nil
	// without cfg.ScannerAccount.
	member, events *synthesizedTemplate
}

// synthesizedTemplate is one stack's template: the CDK assertions template,
// and the same template decoded for checks that loop over it.
type synthesizedTemplate struct {
	cdkStack awscdk.Stack
	template assertions.Template
	doc      templateDoc
	raw      []byte
}

// templateOf synthesizes stack's template.
func templateOf(t *testing.T, stack awscdk.Stack) *synthesizedTemplate {
	t.Helper()
	template := assertions.Template_FromStack(stack, nil)
	raw, err := json.Marshal(template.ToJSON())
	if err != nil {
		t.Fatalf("template of %s to JSON: %v", *stack.StackName(), err)
	}
	var doc templateDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decode template of %s: %v", *stack.StackName(), err)
	}
	return &synthesizedTemplate{cdkStack: stack, template: template, doc: doc, raw: raw}
}

var (
	synthMu    sync.Mutex
	synthCache = map[string]*synthesized{}
)

// synth builds the app (stack and cdk-nag) for cfg once per test binary.
// jsii calls are serialized: the tests share one node process.
func synth(t *testing.T, cfg Config) *synthesized {
	t.Helper()
	cfg.LambdaAssets = assetDir
	key := fmt.Sprintf("%+v", cfg)
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synthCache[key]; ok {
		return s
	}
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stacks, err := newApp(app, cfg)
	if err != nil {
		t.Fatalf("newApp(%+v): %v", cfg, err)
	}
	s := &synthesized{cfg: cfg, stack: stacks.scanner, synthesizedTemplate: *templateOf(t, stacks.scanner.Stack)}
	if stacks.member != nil {
		s.member = templateOf(t, stacks.member.Stack)
	}
	if stacks.events != nil {
		s.events = templateOf(t, stacks.events.Stack)
	}
	synthCache[key] = s
	return s
}

// defaultSynth is the stack with no context option.
func defaultSynth(t *testing.T) *synthesized { return synth(t, DefaultConfig()) }

// namedConfig is a configuration a test runs on, named for its subtest.
type namedConfig struct {
	name string
	cfg  Config
}

// forEachStack runs test on the stack synthesized for each configuration,
// in a subtest named for it.
func forEachStack(t *testing.T, configs []namedConfig, test func(t *testing.T, s *synthesized)) {
	t.Helper()
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) { test(t, synth(t, c.cfg)) })
	}
}

// customConfig sets every context option away from its default.
func customConfig() Config {
	cfg := DefaultConfig()
	cfg.AlertEmail = "security@example.com"
	cfg.OpsEmail = "ops@example.com"
	cfg.Schedule = "cron(0 6 * * ? *)"
	cfg.Regions = []string{"eu-west-1", "us-east-1"}
	cfg.TableRemovalPolicy = removalDestroy
	cfg.NotifyResolved = false
	cfg.LogRetentionDays = 90
	cfg.CheckConcurrency = 5
	cfg.EventWindow = 2 * time.Minute
	cfg.DigestSchedule = "cron(30 6 ? * FRI *)"
	cfg.SecurityHub = true
	return cfg
}

// securityHubConfig is the default stack with the Security Hub export.
func securityHubConfig() Config {
	cfg := DefaultConfig()
	cfg.SecurityHub = true
	return cfg
}

// orgConfig scans the organization through a member role of another name,
// with an external ID, and names the scanner account and region: the
// member and events stacks are synthesized too. Its catalog has triggers
// (triggerChecks).
func orgConfig() Config {
	cfg := DefaultConfig()
	cfg.Accounts = pipeline.AccountsOrg
	cfg.OrganizationID = "o-abcdefghij"
	cfg.MemberRoleName = "audit-reader"
	cfg.ExternalID = "secadvisor-ext-1"
	cfg.ScannerAccount = "111122223333"
	cfg.ScannerRegion = "eu-west-1"
	cfg.Checks = triggerChecks()
	return cfg
}

// listConfig scans two named accounts through the default member role,
// without an external ID, and names the scanner account and region; its
// catalog is the real one. Its weekly digest is off.
func listConfig() Config {
	cfg := DefaultConfig()
	cfg.DigestSchedule = ""
	cfg.Accounts = "444455556666,777788889999"
	cfg.ScannerAccount = "111122223333"
	cfg.ScannerRegion = "us-east-2"
	return cfg
}

// triggerConfig is the own-account stack with the catalog of triggerChecks.
func triggerConfig() Config {
	cfg := DefaultConfig()
	cfg.Checks = triggerChecks()
	return cfg
}

// triggerChecks is the catalog with test triggers of its own, whatever the
// checks declare: the rules' tests must not depend on what the catalog's
// triggers are today. The first implemented checks get triggers on a
// shared source with overlapping names, one on a source whose names
// overflow one pattern, and an unimplemented copy of a check declares a
// source no rule may match.
func triggerChecks() []check.Check {
	all := slices.Clone(checks.All())
	var impl []int
	for i, c := range all {
		if c.Implemented() {
			impl = append(impl, i)
		}
	}
	if len(impl) < 3 { // TestTestTriggersSplitAnOverflowingSource fails: it finds too few rules
		return all
	}
	var many []string
	for i := range 150 {
		many = append(many, fmt.Sprintf("ModifyTestResourceAttribute%03d", i))
	}
	set := func(i int, triggers ...check.Trigger) {
		meta := all[i].Meta
		meta.Triggers = append(slices.Clone(meta.Triggers), triggers...)
		all[i].Meta = meta
	}
	set(impl[0],
		check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress"}},
		check.Trigger{Source: "elasticloadbalancing.amazonaws.com", Names: []string{"CreateListener", "ModifyListener"}})
	set(impl[1],
		check.Trigger{Source: "ec2.amazonaws.com", Names: []string{"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"}},
		check.Trigger{Source: "lambda.amazonaws.com", Names: []string{"UpdateFunctionConfiguration20150331v2"}})
	set(impl[2], check.Trigger{Source: "test-service.amazonaws.com", Names: many})
	ghost := all[impl[0]]
	ghost.Runner = nil
	ghost.Meta.ID, ghost.Meta.Slug = "TestGhost01", "test-ghost"
	ghost.Meta.Triggers = []check.Trigger{{Source: "ghost.amazonaws.com", Names: []string{"HauntBucket"}}}
	return append(all, ghost)
}

// assertJSII runs a CDK assertion, which panics with the mismatch when it fails.
func assertJSII(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	synthMu.Lock()
	defer synthMu.Unlock()
	f()
}

// templateDoc is the part of a CloudFormation template the tests read.
type templateDoc struct {
	Resources  map[string]resource `json:"Resources"`
	Outputs    map[string]any      `json:"Outputs"`
	Conditions map[string]any      `json:"Conditions"`
}

type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Metadata       map[string]any `json:"Metadata"`
}

// ofType returns the logical IDs of the resources of type typ.
func (d templateDoc) ofType(typ string) []string {
	var ids []string
	for id, r := range d.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// getAtt returns {"Fn::GetAtt": [id, attr]} as the template holds it.
func getAtt(id, attr string) any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

// ref returns {"Ref": id}.
func ref(id string) any { return map[string]any{"Ref": id} }

// refID returns the logical ID a {"Ref": id} or {"Fn::GetAtt": [id, attr]} names.
func refID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if id, ok := m["Ref"].(string); ok {
		return id
	}
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
		id, _ := att[0].(string)
		return id
	}
	return ""
}

// jsonString renders v compactly for comparisons and messages.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// dig follows keys through nested maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// strs returns a string or a list of strings as a list.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

func TestCheckAssetsNamesTheMissingBootstrapAndTheFix(t *testing.T) {
	t.Parallel()
	cfg := securityHubConfig()
	empty := t.TempDir()
	err := checkAssets(empty, cfg)
	if err == nil {
		t.Fatalf("checkAssets(%s) = nil, want an error for the missing bootstraps", empty)
	}
	want := []string{"make build-lambdas"}
	for _, name := range functionNames(cfg) {
		want = append(want, filepath.Join(empty, name, "bootstrap"))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("checkAssets(empty) = %q, want it to mention %q", err, w)
		}
	}
	if err := checkAssets(assetDir, cfg); err != nil {
		t.Errorf("checkAssets(built assets) = %v, want nil", err)
	}
}

// TestTheStackDeploysWhatMakeBuildLambdasBuilds: the stack's functions are
// exactly the bootstraps lambdabuild generates and builds from the catalog,
// one per implemented check among them; without securityHub, all but the
// Security Hub export.
func TestTheStackDeploysWhatMakeBuildLambdasBuilds(t *testing.T) {
	t.Parallel()
	var names []string
	for _, fn := range built {
		names = append(names, fn.Name)
	}
	if got, want := functionNames(securityHubConfig()), names; !slices.Equal(got, want) {
		t.Errorf("the stack deploys %q with securityHub=true, make build-lambdas builds %q", got, want)
	}
	without := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == lambdabuild.SecurityHub })
	if got := functionNames(DefaultConfig()); !slices.Equal(got, without) {
		t.Errorf("the stack deploys %q by default, want %q (no Security Hub export)", got, without)
	}
}
