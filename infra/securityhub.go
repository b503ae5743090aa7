package main

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/securityhub"
)

// Timing of the Security Hub export. A batch of 100 records is one
// BatchImportFindings call and at most two retries of its failed findings
// (a few seconds of backoff); a minute leaves room for the SDK's throttling
// retries (Security Hub allows 10 requests a second, bursts of 30).
const (
	securityHubTimeout   = time.Minute
	securityHubBatchSize = securityhub.MaxBatch
	// securityHubRetryAttempts and securityHubMaxRecordAge bound how long a
	// failing record holds its shard; then its batch goes to the failure
	// queue, whose depth alarms. A day is well inside the stream's 24 h
	// retention and Security Hub's 90 days of keeping a finding.
	securityHubRetryAttempts = 10
	securityHubMaxRecordAge  = 24 * time.Hour
)

// securityHubImportActions is what securityhub.Exporter calls: BatchImportFindings,
// authorized on the product ARN the findings name.
var securityHubImportActions = []string{"securityhub:BatchImportFindings"}

// accountAttribute is the finding items' account attribute (store's
// findingItem `dynamodbav:"account"`), which the export's filters match.
const accountAttribute = "account"

// securityHubProductARN is the default product of a custom integration in
// the stack's account and region: the only product the function imports to.
func securityHubProductARN(stack awscdk.Stack) string {
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", *stack.Partition(), *stack.Region(), *stack.Account(), *stack.Account())
}

// securityHubFilters admit the stream records of the stack's own account's
// findings: a new or changed one (new image) and a deleted one (old image
// only). BatchImportFindings accepts from this account only its own
// findings, so the other accounts' never invoke the function.
func securityHubFilters(account string) []*map[string]interface{} {
	return []*map[string]interface{}{findingFilter("NewImage", accountAttribute, account), findingFilter("OldImage", accountAttribute, account)}
}

// securityHubExport is the function on the table's stream that imports
// every change of the account's findings into its Security Hub.
func securityHubExport(stack awscdk.Stack, cfg Config, table awsdynamodb.Table, alarmAction awscloudwatch.IAlarmAction) awslambda.Function {
	scope, logs, role := functionScope(stack, "SecurityHub", cfg,
		"secadvisor Security Hub export: read the findings stream, import findings into this account's Security Hub")
	allow(role, "ImportFindings", securityHubImportActions, jsii.String(securityHubProductARN(stack)))
	fn := goFunction(scope, cfg, lambdabuild.SecurityHub, "secadvisor Security Hub export: imports the findings of this account into Security Hub (ASFF)",
		securityHubTimeout, role, logs, map[string]string{
			securityhub.EnvPartition: *stack.Partition(),
			pipeline.EnvAccount:      *stack.Account(),
		})
	readStream(scope, fn, table, streamReader{
		name: "Security Hub export", lost: "findings not in Security Hub", filters: securityHubFilters(*stack.Account()),
		batchSize: securityHubBatchSize, retries: securityHubRetryAttempts, maxAge: securityHubMaxRecordAge,
	}, alarmAction)
	errorsAlarm(scope, fn, "secadvisor Security Hub export", alarmAction)
	return fn
}
