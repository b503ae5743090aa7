package main

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// MemberStack is the stack deployed to every account the scanner scans
// besides its own (a service-managed StackSet does it organization-wide):
// the one role the scanner's check functions assume there.
type MemberStack struct {
	awscdk.Stack
	Role awsiam.Role
}

// memberActions is what the member role allows: every implemented check's
// read-only IAMActions and the scan's own discovery actions, sorted. Each
// check's session narrows it to that check's actions (org.SessionPolicy).
func memberActions(checks []check.Check) []string {
	lists := [][]string{scan.DiscoveryActions}
	for _, c := range checks {
		if c.Implemented() {
			lists = append(lists, c.Meta.IAMActions)
		}
	}
	return sortedUnion(lists...)
}

// NewMemberStack builds the member stack from cfg, which must name the
// scanner account.
//
// It needs no CDK bootstrap in the accounts it goes to: its template is
// deployed by a StackSet to accounts nobody ran `cdk bootstrap` in, so it
// has no assets and no bootstrap-version check.
func NewMemberStack(scope constructs.Construct, id string, props *awscdk.StackProps, cfg Config) (*MemberStack, error) {
	if cfg.ScannerAccount == "" {
		return nil, fmt.Errorf("stack %s: context %s is not set: give the 12-digit ID of the account the scanner stack runs in (-c %s=111122223333)",
			id, ctxScannerAccount, ctxScannerAccount)
	}
	p := *props
	p.Synthesizer = awscdk.NewBootstraplessSynthesizer(nil)
	stack := awscdk.NewStack(scope, jsii.String(id), &p)

	// The scanner account is the principal; the condition narrows it to the
	// check functions' roles, named secadvisor-check-<slug> (checkRoleName),
	// so no other identity of the scanner account can assume this role.
	conditions := map[string]interface{}{
		"ArnLike": map[string]interface{}{
			"aws:PrincipalArn": fmt.Sprintf("arn:%s:iam::%s:role/%s*", *stack.Partition(), cfg.ScannerAccount, checkRoleNamePrefix),
		},
	}
	if cfg.ExternalID != "" {
		conditions["StringEquals"] = map[string]interface{}{"sts:ExternalId": cfg.ExternalID}
	}
	actions := memberActions(cfg.Checks)
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		RoleName: jsii.String(cfg.MemberRoleName),
		Description: jsii.String(fmt.Sprintf("secadvisor member role: read-only actions of every check, for the scanner's check functions in account %s",
			cfg.ScannerAccount)),
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewAccountPrincipal(jsii.String(cfg.ScannerAccount)), &conditions),
		// One session runs one job, bounded by the job timeout: the
		// shortest session IAM allows, one hour, is enough.
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"ReadOnlyChecks": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("CheckReadOnly"),
					Actions:   jsii.Strings(slices.Clone(actions)...),
					Resources: jsii.Strings("*"),
				})},
			}),
		},
	})
	suppressMemberRole(role, actions)

	awscdk.NewCfnOutput(stack, jsii.String("MemberRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("The role the scanner's check functions assume in this account"),
		Value:       role.RoleArn(),
	})
	return &MemberStack{Stack: stack, Role: role}, nil
}
