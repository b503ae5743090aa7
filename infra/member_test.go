package main

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// memberTemplate is s's member stack's template: s's configuration names
// the scanner account.
func memberTemplate(t *testing.T, s *synthesized) *synthesizedTemplate {
	t.Helper()
	if s.member == nil {
		t.Fatalf("no member stack with scannerAccount %q", s.cfg.ScannerAccount)
	}
	return s.member
}

// memberRole is the member stack's one role.
func memberRole(t *testing.T, m *synthesizedTemplate) string {
	t.Helper()
	roles := m.doc.ofType("AWS::IAM::Role")
	if len(roles) != 1 {
		t.Fatalf("member stack roles %v, want one", roles)
	}
	return roles[0]
}

// TestMemberPolicyIsTheUnionOfTheChecks: the member role allows, on every
// resource, exactly what the implemented checks declare and what the scan
// itself calls to discover the account and its regions; nothing else.
func TestMemberPolicyIsTheUnionOfTheChecks(t *testing.T) {
	m := memberTemplate(t, synth(t, orgConfig()))
	want := map[string][]string{}
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		for _, a := range c.Meta.IAMActions {
			want[a] = []string{`"*"`}
		}
	}
	for _, a := range scan.DiscoveryActions {
		want[a] = []string{`"*"`}
	}
	if len(want) == 0 {
		t.Fatal("the catalog declares no action")
	}
	got := grants(t, m.doc, memberRole(t, m))
	if d := diffGrants(got, want); len(d) > 0 {
		t.Errorf("member role differs from the union of the checks' IAMActions and scan.DiscoveryActions:\n  %s", strings.Join(d, "\n  "))
	}
	for a := range got {
		verb := a[strings.Index(a, ":")+1:]
		if !slices.ContainsFunc([]string{"Describe", "List", "Get"}, func(p string) bool { return strings.HasPrefix(verb, p) }) &&
			a != "iam:GenerateCredentialReport" { // writes nothing but the account's credential report
			t.Errorf("member role allows %s, which is not read-only", a)
		}
	}
}

// TestMemberTrust: only the scanner account's check roles may assume the
// member role, with the external ID when one is set; the role has the
// configured name.
func TestMemberTrust(t *testing.T) {
	forEachStack(t, []namedConfig{{"external ID, other role name", orgConfig()}, {"no external ID, default role name", listConfig()}}, func(t *testing.T, s *synthesized) {
		m := memberTemplate(t, s)
		role := m.doc.Resources[memberRole(t, m)].Properties
		if got := role["RoleName"]; got != s.cfg.MemberRoleName {
			t.Errorf("member role name = %v, want %q", got, s.cfg.MemberRoleName)
		}
		sts := statements(role["AssumeRolePolicyDocument"])
		if len(sts) != 1 {
			t.Fatalf("member trust statements %s, want one", jsonString(sts))
		}
		conditions := map[string]any{
			"ArnLike": map[string]any{"aws:PrincipalArn": partitionJoin("arn:", ":iam::"+s.cfg.ScannerAccount+":role/secadvisor-check-*")},
		}
		if s.cfg.ExternalID != "" {
			conditions["StringEquals"] = map[string]any{"sts:ExternalId": s.cfg.ExternalID}
		}
		want := map[string]any{
			"Effect":    "Allow",
			"Action":    org.AssumeAction,
			"Principal": map[string]any{"AWS": partitionJoin("arn:", ":iam::"+s.cfg.ScannerAccount+":root")},
			"Condition": conditions,
		}
		if jsonString(sts[0]) != jsonString(want) {
			t.Errorf("member trust statement\n got %s\nwant %s", jsonString(sts[0]), jsonString(want))
		}

		// The trust's pattern, as the template holds it, admits every
		// check role of the scanner stack and nothing else of it.
		parts, _ := dig(sts[0], "Condition", "ArnLike", "aws:PrincipalArn", "Fn::Join").([]any)
		var suffix string
		if len(parts) == 2 {
			if p, _ := parts[1].([]any); len(p) == 3 {
				suffix, _ = p[2].(string)
			}
		}
		_, pattern, ok := strings.Cut(suffix, ":role/")
		if !ok {
			t.Fatalf("member trust aws:PrincipalArn %s names no role pattern", jsonString(dig(sts[0], "Condition", "ArnLike")))
		}
		checkRoles := map[string]bool{}
		for id, ids := range findCheckResources(t, s.doc) {
			name, _ := s.doc.Resources[ids.role].Properties["RoleName"].(string)
			checkRoles[ids.role] = true
			if ok, _ := path.Match(pattern, name); !ok {
				t.Errorf("check %s role %q is not admitted by the member trust's %s", id, name, pattern)
			}
		}
		for _, id := range s.doc.ofType("AWS::IAM::Role") {
			name, _ := s.doc.Resources[id].Properties["RoleName"].(string)
			if ok, _ := path.Match(pattern, name); ok && !checkRoles[id] {
				t.Errorf("scanner role %s (%q) is admitted by the member trust's %s but is no check's", id, name, pattern)
			}
		}
	})
}

// TestMemberStackDeploysWithoutBootstrap: a StackSet deploys the template to
// accounts where nobody ran `cdk bootstrap`: no asset, no bootstrap-version
// parameter or rule; one role, no other resource.
func TestMemberStackDeploysWithoutBootstrap(t *testing.T) {
	m := memberTemplate(t, synth(t, orgConfig()))
	checkNoBootstrap(t, "member", m)
	for id, r := range m.doc.Resources {
		if r.Type != "AWS::IAM::Role" {
			t.Errorf("member template resource %s of type %s, want the role only", id, r.Type)
		}
	}
}

// checkNoBootstrap: a StackSet deploys the template, which what names, to
// accounts where nobody ran `cdk bootstrap`, so it may have no
// bootstrap-version parameter or rule.
func checkNoBootstrap(t *testing.T, what string, tmpl *synthesizedTemplate) {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(tmpl.raw, &raw); err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"Parameters", "Rules"} {
		if v, ok := raw[section]; ok {
			t.Errorf("%s template has %s %s, want none (no CDK bootstrap in member accounts)", what, section, jsonString(v))
		}
	}
}

// TestMemberStackNeedsTheScannerAccount: without scannerAccount the app has
// the scanner stack only, and building the member stack says what is missing.
func TestMemberStackNeedsTheScannerAccount(t *testing.T) {
	if s := defaultSynth(t); s.member != nil {
		t.Errorf("member stack synthesized without scannerAccount")
	}
	synthMu.Lock()
	defer synthMu.Unlock()
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	_, err := NewMemberStack(app, memberStackName, &awscdk.StackProps{}, DefaultConfig())
	if err == nil || !strings.Contains(err.Error(), "-c scannerAccount=") || !strings.Contains(err.Error(), memberStackName) {
		t.Errorf("NewMemberStack without scannerAccount: error %v, want one naming %s and -c scannerAccount=", err, memberStackName)
	}
}
