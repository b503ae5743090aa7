package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestCdkNagAwsSolutions: the AWS Solutions rules find nothing that is not
// suppressed, and every suppression says specifically why.
// Every stack, the member and events stacks in two configurations.
func TestCdkNagAwsSolutions(t *testing.T) {
	for _, tmpl := range allTemplates(t) {
		for _, level := range []string{"error", "warning"} {
			assertJSII(t, "cdk-nag "+level+"s", func() {
				annotations := assertions.Annotations_FromStack(tmpl.cdkStack)
				find := annotations.FindError
				if level == "warning" {
					find = annotations.FindWarning
				}
				for _, m := range *find(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
					t.Errorf("%s cdk-nag %s: %s", tmpl.name, level, jsonString(m))
				}
			})
		}
		suppressions := 0
		for id, r := range tmpl.doc.Resources {
			rules, _ := dig(r.Metadata, "cdk_nag", "rules_to_suppress").([]any)
			for _, rule := range rules {
				suppressions++
				ruleID, _ := dig(rule, "id").(string)
				reason, _ := dig(rule, "reason").(string)
				appliesTo := strs(dig(rule, "applies_to"))
				if len(reason) < 60 {
					t.Errorf("%s: %s suppresses %s with a short reason %q: say specifically why", tmpl.name, id, ruleID, reason)
				}
				if ruleID == "AwsSolutions-IAM5" && len(appliesTo) == 0 {
					t.Errorf("%s: %s suppresses every IAM5 finding: list the wildcards it applies to", tmpl.name, id)
				}
			}
		}
		if suppressions == 0 && tmpl.suppresses {
			t.Errorf("%s: no suppression found in the template metadata: the test cannot see them", tmpl.name)
		}
	}
}

// namedTemplate is one stack's template and what it was synthesized from.
type namedTemplate struct {
	name string
	*synthesizedTemplate
	// suppresses says the template has cdk-nag suppressions: the events
	// stack needs none (its one role allows one action on one bus).
	suppresses bool
}

// allTemplates are the templates the linters run on: the scanner stack for
// its own account with defaults and custom options, with test triggers, for
// an organization and for a list of accounts; the member stack with and
// without external ID; the events stack with test triggers and with the
// catalog's.
func allTemplates(t *testing.T) []namedTemplate {
	t.Helper()
	var out []namedTemplate
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"defaults", DefaultConfig()}, {"custom", customConfig()}, {"test triggers", triggerConfig()}, {"organization", orgConfig()}, {"account list", listConfig()}, {"security hub", securityHubConfig()}} {
		s := synth(t, c.cfg)
		out = append(out, namedTemplate{stackName + " " + c.name, &s.synthesizedTemplate, true})
		if s.member != nil {
			out = append(out, namedTemplate{memberStackName + " " + c.name, s.member, true})
		}
		if s.events != nil {
			out = append(out, namedTemplate{eventsStackName + " " + c.name, s.events, false})
		}
	}
	return out
}

// TestCfnLint lints the synthesized templates with the Python cfn-lint
// (W3005, "DependsOn already implied", is the CDK's own style).
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH: pip install cfn-lint (make deps checks for it)")
	}
	// One run over every template: cfn-lint's start-up dominates.
	dir := t.TempDir()
	args := []string{"-i", "W3005", "--"}
	for i, tmpl := range allTemplates(t) {
		path := filepath.Join(dir, fmt.Sprintf("%d-%s.template.json", i, strings.ReplaceAll(tmpl.name, " ", "-")))
		if err := os.WriteFile(path, tmpl.raw, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("cfn-lint %v: %v\n%s", args, err, out)
	}
}
