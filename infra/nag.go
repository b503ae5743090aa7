package main

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/secadvisor/secadvisor/internal/check"
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

// suppressOrchestratorRole explains the orchestrator's wildcard: discovery.
func suppressOrchestratorRole(role awsiam.Role) {
	suppress(role, "AwsSolutions-IAM5", fmt.Sprintf(
		"the orchestrator discovers the account and its enabled regions with %s, which support no resource-level permission (resource *).",
		strings.Join(scan.DiscoveryActions, " and ")), "Resource::*")
}

// suppressNotifierRole explains the notifier's wildcards, all from the CDK's grants.
func suppressNotifierRole(role awsiam.Role) {
	suppress(role, "AwsSolutions-IAM5",
		"dynamodb:ListStreams (granted by the DynamoDB event source) supports no resource-level permission, so its resource is *; "+
			"the stream reads themselves are limited to the findings table's stream.",
		"Resource::*")
	suppress(role, "AwsSolutions-IAM5",
		"kms:GenerateDataKey* is how the CDK's topic.grantPublish lets SNS encrypt messages with the topic key; it is limited to that one key.",
		"Action::kms:GenerateDataKey*")
}
