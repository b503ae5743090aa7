package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// digestTimeout bounds one digest: a single Scan of the findings table,
// about 1 MB a page, reads a table of a few GB (an organization of
// thousands of accounts) in a few minutes.
const digestTimeout = 10 * time.Minute

// digestReadActions are what store.WeekItems calls on the table: one
// paginated Scan (its test asserts no other operation).
var digestReadActions = []string{"dynamodb:Scan"}

// digest is the function that publishes the weekly digest to the alert
// topic, on cfg.DigestSchedule; with the digest off it has no schedule and
// can still be invoked by hand.
func digest(stack awscdk.Stack, cfg Config, table awsdynamodb.Table, alerts awssns.Topic, alarmAction awscloudwatch.IAlarmAction) awslambda.Function {
	scope, logs, role := functionScope(stack, "Digest", cfg, "secadvisor digest: read the findings table, publish the weekly digest to the alert topic")
	allow(role, "ReadFindings", digestReadActions, table.TableArn())
	// sns:Publish on the alert topic, and the topic key's
	// kms:Decrypt/GenerateDataKey* that publishing to an encrypted topic needs.
	alerts.GrantPublish(role)
	fn := goFunction(scope, cfg, lambdabuild.Digest, "secadvisor digest: the weekly summary of the findings, to the alert topic", digestTimeout, role, logs,
		map[string]string{
			pipeline.EnvTableName: *table.TableName(),
			pipeline.EnvTopicARN:  *alerts.TopicArn(),
		})
	suppress(role, "AwsSolutions-IAM5",
		"kms:GenerateDataKey* is how the CDK's topic.grantPublish lets SNS encrypt messages with the topic key; it is limited to that one key.",
		"Action::kms:GenerateDataKey*")
	if cfg.DigestSchedule != "" {
		awsevents.NewRule(scope, jsii.String("Schedule"), &awsevents.RuleProps{
			Description: jsii.String("secadvisor: the weekly digest"),
			Schedule:    awsevents.Schedule_Expression(jsii.String(cfg.DigestSchedule)),
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
				// The digest covers the week ending at the event's time:
				// a retry sends the same week.
				RetryAttempts: jsii.Number(2),
				MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
			})},
		})
	}
	errorsAlarm(scope, fn, "secadvisor digest", alarmAction)
	return fn
}
