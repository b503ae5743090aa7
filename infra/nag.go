package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// suppress records a cdk-nag suppression of rule on construct and its
// children, with the reason it is acceptable. For the granular rules
// (IAM5), appliesTo limits it to the listed findings: never a blanket
// suppression of the rule.
func suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		applies := make([]interface{}, 0, len(appliesTo))
		for _, a := range appliesTo {
			applies = append(applies, a)
		}
		s.AppliesTo = &applies
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// suppressCheckRole explains the one wildcard of a check's role: its
// read-only actions apply to every resource of the account.
func suppressCheckRole(role awsiam.Role, c check.Check, actions []string) {
	suppress(role, "AwsSolutions-IAM5", fmt.Sprintf(
		"check %s (%s) must inspect every resource of the account with the read-only List/Describe/Get actions %s; "+
			"these enumerate resources before any ARN is known (most support no resource-level permission), so their resource is *.",
		c.Meta.ID, c.Meta.Slug, strings.Join(actions, ", ")), "Resource::*")
}

// suppressAssumeMemberRole explains a check role's account wildcard: it may
// assume the member role in any account.
// cdk-nag names the resource with the partition as <AWS::Partition>.
func suppressAssumeMemberRole(role awsiam.Role, c check.Check, roleName string) {
	suppress(role, "AwsSolutions-IAM5", fmt.Sprintf(
		"check %s (%s) scans the organization's accounts, known only when the orchestrator lists them (and too many for IAM's policy size), "+
			"so it may assume the one member role name in any account; each member role's trust policy admits only this account's "+
			"secadvisor-check-* roles, and every session is limited by a session policy to the check's own read-only actions.",
		c.Meta.ID, c.Meta.Slug), "Resource::arn:<AWS::Partition>:iam::*:role/"+roleName)
}

// suppressOrchestratorRole explains the orchestrator's wildcard: discovery,
// and listing the organization's accounts when it scans the organization.
func suppressOrchestratorRole(role awsiam.Role, organization bool) {
	actions := slices.Clone(scan.DiscoveryActions)
	what := "the account and its enabled regions"
	if organization {
		actions = append(actions, org.ListActions...)
		what = "the account, its enabled regions and the organization's accounts"
	}
	suppress(role, "AwsSolutions-IAM5", fmt.Sprintf(
		"the orchestrator discovers %s with %s, which support no resource-level permission (resource *).",
		what, strings.Join(actions, ", ")), "Resource::*")
}

// suppressMemberRole explains the member role's wildcard: like a check's
// role, it reads every resource of the account, for every check.
func suppressMemberRole(role awsiam.Role, actions []string) {
	suppress(role, "AwsSolutions-IAM5", fmt.Sprintf(
		"the member role lets the scanner's check functions inspect every resource of this account with the checks' read-only "+
			"List/Describe/Get actions and the scan's discovery actions (%s); these enumerate resources before any ARN is known "+
			"(most support no resource-level permission), so their resource is *. Each check's session narrows it to its own actions.",
		strings.Join(actions, ", ")), "Resource::*")
}

// suppressNotifierRole explains the notifier's topic-key wildcard, from the
// CDK's grant (readStream explains its stream wildcard).
func suppressNotifierRole(role awsiam.Role) {
	suppress(role, "AwsSolutions-IAM5",
		"kms:GenerateDataKey* is how the CDK's topic.grantPublish lets SNS encrypt messages with the topic key; it is limited to that one key.",
		"Action::kms:GenerateDataKey*")
}
