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
func TestCdkNagAwsSolutions(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), customConfig()} {
		s := synth(t, cfg)
		for _, level := range []string{"error", "warning"} {
			assertJSII(t, "cdk-nag "+level+"s", func() {
				annotations := assertions.Annotations_FromStack(s.stack.Stack)
				find := annotations.FindError
				if level == "warning" {
					find = annotations.FindWarning
				}
				for _, m := range *find(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
					t.Errorf("cdk-nag %s: %s", level, jsonString(m))
				}
			})
		}
		suppressions := 0
		for id, r := range s.doc.Resources {
			rules, _ := dig(r.Metadata, "cdk_nag", "rules_to_suppress").([]any)
			for _, rule := range rules {
				suppressions++
				ruleID, _ := dig(rule, "id").(string)
				reason, _ := dig(rule, "reason").(string)
				appliesTo := strs(dig(rule, "applies_to"))
				if len(reason) < 60 {
					t.Errorf("%s suppresses %s with a short reason %q: say specifically why", id, ruleID, reason)
				}
				if ruleID == "AwsSolutions-IAM5" && len(appliesTo) == 0 {
					t.Errorf("%s suppresses every IAM5 finding: list the wildcards it applies to", id)
				}
			}
		}
		if suppressions == 0 {
			t.Errorf("no suppression found in the template metadata: the test cannot see them")
		}
	}
}

// TestCfnLint lints the synthesized template with the Python cfn-lint
// (W3005, "DependsOn already implied", is the CDK's own style).
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH: pip install cfn-lint (make deps checks for it)")
	}
	// One run over both templates: cfn-lint's start-up dominates.
	dir := t.TempDir()
	args := []string{"-i", "W3005", "--"}
	for i, cfg := range []Config{DefaultConfig(), customConfig()} {
		path := filepath.Join(dir, fmt.Sprintf("Secadvisor-%d.template.json", i))
		if err := os.WriteFile(path, synth(t, cfg).raw, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("cfn-lint %v: %v\n%s", args, err, out)
	}
}
