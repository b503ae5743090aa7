package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// functionNames lists every function whose bootstrap the stack deploys from
// <LambdaAssets>/<name>/bootstrap (`make build-lambdas` builds them): the
// orchestrator, the notifier, the digest, the Security Hub export when
// cfg.SecurityHub is set, and each implemented check's own bootstrap, which
// links only that check.
func functionNames(cfg Config) []string {
	names := []string{lambdabuild.Orchestrator, lambdabuild.Notifier, lambdabuild.Digest}
	if cfg.SecurityHub {
		names = append(names, lambdabuild.SecurityHub)
	}
	for _, c := range cfg.Checks {
		if c.Implemented() {
			names = append(names, lambdabuild.CheckFunction(c.Meta.Slug))
		}
	}
	return names
}

// Timing of the check functions. A job is bounded by the worker's
// JOB_TIMEOUT; the function gets a margin on top to store the findings.
// SQS delivers one job per invocation, so the function timeout bounds one
// job, and the queue's visibility timeout is 6× the function timeout, as
// Lambda recommends for SQS event sources (room for retries of throttled
// invocations without a second delivery of the same message).
const (
	jobTimeout            = scan.DefaultJobTimeout
	checkStoreMargin      = time.Minute
	checkFunctionTimeout  = jobTimeout + checkStoreMargin
	checkVisibilityFactor = 6
	checkBatchSize        = 1
	// maxReceiveCount moves a job to its DLQ after three failed attempts.
	maxReceiveCount = 3
	// dlqRetention is SQS's longest retention: time to look at a failed job.
	dlqRetention = 14 * 24 * time.Hour

	// orchestratorTimeout leaves room for an organization: planning 196,000
	// jobs (1,000 accounts) takes seconds of concurrent SendMessageBatch
	// calls, but organizations:ListAccounts is throttled at a few calls a
	// second and the adaptive retryer may wait.
	orchestratorTimeout = 5 * time.Minute
	notifierTimeout     = time.Minute
	notifierBatchSize   = 100
	// notifierRetryAttempts bounds retries of a failing stream batch (with
	// bisection); after them the batch's description goes to the notifier's
	// failure queue, whose depth alarms. notifierMaxRecordAge bounds how old
	// a red transition may be and still be alerted, well inside the alert
	// markers' TTL (DefaultMarkTTL in internal/pipeline/notifier) so a retried record is not
	// alerted twice.
	notifierRetryAttempts = 10
	notifierMaxRecordAge  = 24 * time.Hour

	functionMemoryMB = 256
	alarmPeriod      = 5 * time.Minute
)

// statusAttribute is the finding items' status attribute (store's findingItem
// `dynamodbav:"status"`), which the notifier's stream filter matches.
const statusAttribute = "status"

// Stack is the secadvisor stack and the constructs the tests look at.
type Stack struct {
	awscdk.Stack
	Table        awsdynamodb.Table
	AlertTopic   awssns.Topic
	OpsTopic     awssns.Topic
	Orchestrator awslambda.Function
	Notifier     awslambda.Function
	Digest       awslambda.Function
	// SecurityHub is the Security Hub export, nil unless cfg.SecurityHub.
	SecurityHub awslambda.Function
	// Checks holds, per implemented check ID, its queue, DLQ, function and role.
	Checks map[string]*CheckResources
}

// CheckResources are the resources of one check.
type CheckResources struct {
	Check    check.Check
	Queue    awssqs.Queue
	DLQ      awssqs.Queue
	Function awslambda.Function
	Role     awsiam.Role
	// Source is the SQS event source mapping, created disabled: the
	// orchestrator enables it when it sends the check jobs.
	Source awslambdaeventsources.SqsEventSource
}

// NewStack builds the secadvisor stack from cfg.
func NewStack(scope constructs.Construct, id string, props *awscdk.StackProps, cfg Config) (*Stack, error) {
	rules, err := eventRules(cfg.Checks)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	s := &Stack{Stack: stack, Checks: map[string]*CheckResources{}}

	s.Table = findingsTable(stack, cfg)

	topicKey := awskms.NewKey(stack, jsii.String("TopicKey"), &awskms.KeyProps{
		Description:       jsii.String("secadvisor: encrypts the alert and operations SNS topics"),
		EnableKeyRotation: jsii.Bool(true),
		// Only the topics use the key; they go with the stack.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	// CloudWatch alarms publish to the operations topic; SNS needs the key
	// to do so on their behalf, and the key policy must say so (an AWS
	// managed alias/aws/sns key cannot, which is why this is a CMK).
	topicKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToUseTheKey"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)

	s.AlertTopic = topic(stack, "AlertTopic", "secadvisor alerts", topicKey, cfg.AlertEmail)
	s.OpsTopic = topic(stack, "OpsTopic", "secadvisor operations", topicKey, cfg.OpsEmail)
	s.OpsTopic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*s.OpsTopic.TopicArn()),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()},
			"ArnLike":      map[string]interface{}{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", *stack.Partition(), *stack.Region(), *stack.Account())},
		},
	}))
	alarmAction := awscloudwatchactions.NewSnsAction(s.OpsTopic)

	// One queue, DLQ, role and function per implemented check.
	for _, c := range cfg.Checks {
		if !c.Implemented() {
			continue
		}
		s.Checks[c.Meta.ID] = checkResources(stack, cfg, c, s.Table, alarmAction)
	}

	s.Orchestrator = orchestrator(stack, cfg, s.Checks, s.Table, rules, alarmAction)
	if cfg.ScansOtherAccounts() {
		forwarderBusPolicy(stack, cfg)
	}
	s.Notifier = notifier(stack, cfg, s.Table, s.AlertTopic, alarmAction)
	s.Digest = digest(stack, cfg, s.Table, s.AlertTopic, alarmAction)
	if cfg.SecurityHub {
		s.SecurityHub = securityHubExport(stack, cfg, s.Table, alarmAction)
	}

	for _, o := range []struct {
		id, description string
		value           *string
	}{
		{"TableName", "The findings table: secadvisor findings --table <this>", s.Table.TableName()},
		{"AlertTopicArn", "SNS topic of red findings: subscribe more endpoints here", s.AlertTopic.TopicArn()},
		{"OpsTopicArn", "SNS topic of the operational alarms (DLQ depth, function errors)", s.OpsTopic.TopicArn()},
		{"OrchestratorFunctionName", "aws lambda invoke --function-name <this> to start a scan now", s.Orchestrator.FunctionName()},
		{"DigestFunctionName", "aws lambda invoke --function-name <this> to send the weekly digest now", s.Digest.FunctionName()},
	} {
		awscdk.NewCfnOutput(stack, jsii.String(o.id), &awscdk.CfnOutputProps{Description: jsii.String(o.description), Value: o.value})
	}
	return s, nil
}

// findingsTable is the table store.CreateTable creates locally, as production needs it.
func findingsTable(stack awscdk.Stack, cfg Config) awsdynamodb.Table {
	removal, protect := awscdk.RemovalPolicy_RETAIN, true
	if cfg.TableRemovalPolicy == removalDestroy {
		removal, protect = awscdk.RemovalPolicy_DESTROY, false
	}
	str := awsdynamodb.AttributeType_STRING
	table := awsdynamodb.NewTable(stack, jsii.String("Findings"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(store.AttrPK), Type: str},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String(store.AttrSK), Type: str},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		// The AWS managed key (alias/aws/dynamodb): encryption at rest that
		// shows in CloudTrail, with no key policy to maintain.
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		Stream:              awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		TimeToLiveAttribute: jsii.String(store.AttrTTL),
		RemovalPolicy:       removal,
		DeletionProtection:  jsii.Bool(protect),
	})
	table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(store.StatusIndex),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(store.AttrStatusIndexPK), Type: str},
		SortKey:        &awsdynamodb.Attribute{Name: jsii.String(store.AttrStatusIndexSK), Type: str},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})
	return table
}

// topic is an encrypted, SSL-only SNS topic with an optional email subscription.
func topic(stack awscdk.Stack, id, displayName string, key awskms.IKey, email string) awssns.Topic {
	t := awssns.NewTopic(stack, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(displayName),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	if email != "" {
		t.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return t
}

// encryptedQueue is an SQS queue with SQS-managed encryption (no KMS key for
// the functions to be granted) that denies any request not over TLS.
func encryptedQueue(scope constructs.Construct, id string, props *awssqs.QueueProps) awssqs.Queue {
	props.Encryption = awssqs.QueueEncryption_SQS_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	return awssqs.NewQueue(scope, jsii.String(id), props)
}

// deadLetterQueue is an encrypted queue that keeps what failed for
// dlqRetention, time to look at it.
func deadLetterQueue(scope constructs.Construct, id string) awssqs.Queue {
	return encryptedQueue(scope, id, &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Seconds(jsii.Number(dlqRetention.Seconds())),
	})
}

// functionScope is the construct of a function the stack has one of
// (orchestrator, notifier, digest, Security Hub export), with the log group
// and role it starts from (logsAndRole). The check functions call
// logsAndRole themselves: their construct holds their queues too, created
// first. The role's name is generated: only the check roles need fixed
// names (checkRoleNamePrefix).
func functionScope(stack awscdk.Stack, id string, cfg Config, roleDescription string) (constructs.Construct, awslogs.LogGroup, awsiam.Role) {
	scope := constructs.NewConstruct(stack, jsii.String(id))
	logs, role := logsAndRole(scope, cfg, nil, roleDescription)
	return scope, logs, role
}

// logsAndRole are a function's own log group and role. Each function has a
// role of its own so that it gets only what it calls: to start with, writing
// to its own log group; the caller adds the rest. roleName is the role's
// name, or nil for one CloudFormation generates.
func logsAndRole(scope constructs.Construct, cfg Config, roleName *string, roleDescription string) (awslogs.LogGroup, awsiam.Role) {
	logs := logGroup(scope, cfg)
	role := awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:    roleName,
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(roleDescription),
	})
	allow(role, "WriteOwnLogs", logWriteActions, logs.LogGroupArn())
	return logs, role
}

// allow adds to role's policy the statement sid allowing actions on
// resources, and nothing else: the shape of nearly every permission of the
// stack's roles. A statement with conditions is written out where it is
// needed.
func allow(role awsiam.Role, sid string, actions []string, resources ...*string) {
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	}))
}

// goFunction is one of the Go functions: provided.al2023 on arm64, its own
// log group with a retention, JSON logs (the functions log with slog's JSON
// handler, so Lambda keeps their fields).
func goFunction(scope constructs.Construct, cfg Config, name, description string, timeout time.Duration, role awsiam.IRole, logs awslogs.LogGroup, env map[string]string) awslambda.Function {
	envp := map[string]*string{}
	for k, v := range env {
		envp[k] = jsii.String(v)
	}
	return awslambda.NewFunction(scope, jsii.String("Function"), &awslambda.FunctionProps{
		Description:   jsii.String(description),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(filepath.Join(cfg.LambdaAssets, name)), nil),
		MemorySize:    jsii.Number(functionMemoryMB),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(timeout.Seconds())),
		Role:          role,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment:   &envp,
	})
}

// logGroup is a function's log group. It goes with the stack: the findings
// table, not the logs, is the record worth keeping.
func logGroup(scope constructs.Construct, cfg Config) awslogs.LogGroup {
	return awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     logRetention[cfg.LogRetentionDays],
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}

// errorsAlarm alarms on any error of fn in a period.
func errorsAlarm(scope constructs.Construct, fn awslambda.Function, what string, action awscloudwatch.IAlarmAction) {
	anyAlarm(scope, "ErrorsAlarm", what+" failed: see its log group",
		fn.MetricErrors(alarmMetric("Sum")), action)
}

// depthAlarm alarms as soon as a dead-letter queue holds a message.
func depthAlarm(scope constructs.Construct, q awssqs.Queue, what string, action awscloudwatch.IAlarmAction) {
	anyAlarm(scope, "DLQAlarm", what+": messages are in the dead-letter queue",
		q.MetricApproximateNumberOfMessagesVisible(alarmMetric("Maximum")), action)
}

// alarmMetric is a metric's statistic over one alarm period.
func alarmMetric(statistic string) *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{
		Period:    awscdk.Duration_Seconds(jsii.Number(alarmPeriod.Seconds())),
		Statistic: jsii.String(statistic),
	}
}

// anyAlarm alarms when metric is above zero in one period; no data (no
// invocation, an empty queue) is not a breach.
func anyAlarm(scope constructs.Construct, id, description string, metric awscloudwatch.IMetric, action awscloudwatch.IAlarmAction) {
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(action)
}

// checkResources is one check's queue, DLQ, role, function and alarms.
func checkResources(stack awscdk.Stack, cfg Config, c check.Check, table awsdynamodb.Table, alarmAction awscloudwatch.IAlarmAction) *CheckResources {
	scope := constructs.NewConstruct(stack, jsii.String(checkConstructID(c)))
	r := &CheckResources{Check: c}
	r.DLQ = deadLetterQueue(scope, "DLQ")
	r.Queue = encryptedQueue(scope, "Queue", &awssqs.QueueProps{
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(checkVisibilityFactor * checkFunctionTimeout.Seconds())),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: r.DLQ, MaxReceiveCount: jsii.Number(maxReceiveCount)},
	})

	logs, role := logsAndRole(scope, cfg, jsii.String(checkRoleName(c)),
		fmt.Sprintf("secadvisor check %s (%s): read-only actions of the check, findings table, own queue", c.Meta.ID, c.Meta.Slug))
	r.Role = role
	actions := slices.Sorted(slices.Values(c.Meta.IAMActions))
	allow(r.Role, "CheckReadOnly", actions, jsii.String("*"))
	allow(r.Role, "WriteFindings", storeWriteActions(), table.TableArn())

	env := map[string]string{
		pipeline.EnvTableName:  *table.TableName(),
		pipeline.EnvJobTimeout: jobTimeout.String(),
	}
	if cfg.ScansOtherAccounts() {
		// Jobs for another account run in the member role there, with a
		// session policy limited to this check's actions (org.SessionPolicy).
		allow(r.Role, "AssumeMemberRole", []string{org.AssumeAction}, jsii.String(memberRoleARNPattern(stack, cfg)))
		env[pipeline.EnvMemberRoleName] = cfg.MemberRoleName
		if cfg.ExternalID != "" {
			env[pipeline.EnvExternalID] = cfg.ExternalID
		}
	}

	r.Function = goFunction(scope, cfg, lambdabuild.CheckFunction(c.Meta.Slug), fmt.Sprintf("secadvisor check %s: %s", c.Meta.ID, c.Meta.Name),
		checkFunctionTimeout, r.Role, logs, env)
	// SqsEventSource grants the consume actions on this queue only. The
	// mapping starts disabled: an enabled SQS mapping long-polls its queue
	// all the time, which is most of an idle deployment's cost; the
	// orchestrator enables it right before sending jobs and its sweep
	// disables it again once the queue is drained.
	r.Source = awslambdaeventsources.NewSqsEventSource(r.Queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(checkBatchSize),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(float64(cfg.concurrencyOf(c.Meta.Slug))),
		Enabled:                 jsii.Bool(false),
	})
	r.Function.AddEventSource(r.Source)
	suppressCheckRole(r.Role, c, actions)
	if cfg.ScansOtherAccounts() {
		suppressAssumeMemberRole(r.Role, c, cfg.MemberRoleName)
	}

	errorsAlarm(scope, r.Function, "secadvisor check "+c.Meta.Slug, alarmAction)
	depthAlarm(scope, r.DLQ, "secadvisor check "+c.Meta.Slug+" jobs failed 3 times", alarmAction)
	return r
}

// checkRoleNamePrefix starts the name of every check function's role. The
// names are fixed so that the member stack's trust policy, deployed before or
// without the scanner stack, can admit exactly these roles by pattern
// (aws:PrincipalArn like arn:<partition>:iam::<scanner account>:role/secadvisor-check-*).
// A fixed name also means one scanner stack per account: IAM is global.
const checkRoleNamePrefix = "secadvisor-check-"

// maxRoleNameLength is IAM's limit on a role name.
const maxRoleNameLength = 64

// checkRoleName is the name of a check function's role.
func checkRoleName(c check.Check) string { return checkRoleNamePrefix + c.Meta.Slug }

// memberRoleARNPattern is the member role in any account: what a check
// function may assume. Any account, because the organization's accounts are
// only known when the orchestrator lists them (and thousands of ARNs would
// not fit IAM's policy size); the member role's trust policy is what admits
// only this account's check roles.
func memberRoleARNPattern(stack awscdk.Stack, cfg Config) string {
	return fmt.Sprintf("arn:%s:iam::*:role/%s", *stack.Partition(), cfg.MemberRoleName)
}

// checkConstructID names a check's construct after its slug, so the
// resources read well in the console: ebs-public-snapshots → CheckEbsPublicSnapshots.
func checkConstructID(c check.Check) string {
	var b strings.Builder
	b.WriteString("Check")
	for _, part := range strings.Split(c.Meta.Slug, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// sweepPeriod is how often the orchestrator sweeps: it disables the event
// source mapping of every check queue that is drained. A drained queue's
// mapping thus long-polls for at most this long after a scan.
const sweepPeriod = 15 * time.Minute

// sweepEvent is the event the sweep schedule sends the orchestrator: an
// EventBridge event whose detail-type says "sweep, do not scan".
func sweepEvent() map[string]interface{} {
	return map[string]interface{}{
		"source":      "secadvisor.sweep",
		"detail-type": pipeline.SweepDetailType,
		"detail":      map[string]interface{}{},
	}
}

// windowKeyPrefix starts the partition key of every re-check window claim
// (store.ClaimWindow): the only items the orchestrator may write.
const windowKeyPrefix = "window#"

// windowClaimActions is what store.ClaimWindow calls on the table: one
// conditional PutItem.
var windowClaimActions = []string{"dynamodb:PutItem"}

// windowClaimConditions limit the orchestrator's PutItem to the window
// claims' partition keys. dynamodb:LeadingKeys is multivalued: it needs a
// set operator, StringLike for the wildcard, and a Null check because
// ForAllValues is also true when the key is absent
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
func windowClaimConditions() map[string]any {
	return map[string]any{
		"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []any{windowKeyPrefix + "*"}},
		"Null":                    map[string]any{"dynamodb:LeadingKeys": "false"},
	}
}

// orchestrator is the function that plans scans: on the schedule, and on
// "secadvisor refresh" events on the default bus; re-checks what a
// CloudTrail event can change (rules); and, every 15 minutes, sweeps the
// check queues' event source mappings.
func orchestrator(stack awscdk.Stack, cfg Config, checks map[string]*CheckResources, table awsdynamodb.Table, rules []eventRule,
	alarmAction awscloudwatch.IAlarmAction) awslambda.Function {
	queues := map[string]interface{}{}
	mappings := map[string]interface{}{}
	var queueARNs, mappingARNs []*string
	for _, id := range slices.Sorted(maps.Keys(checks)) {
		r := checks[id]
		queues[id] = r.Queue.QueueUrl()
		queueARNs = append(queueARNs, r.Queue.QueueArn())
		mappings[id] = r.Source.EventSourceMappingId()
		mappingARNs = append(mappingARNs, r.Source.EventSourceMappingArn())
	}

	scope, logs, role := functionScope(stack, "Orchestrator", cfg,
		"secadvisor orchestrator: discover accounts and regions, send jobs to the check queues, switch their event sources")
	allow(role, "Discovery", slices.Sorted(slices.Values(scan.DiscoveryActions)), jsii.String("*"))
	if cfg.ScansOrganization() {
		allow(role, "ListOrganizationAccounts", org.ListActions, jsii.String("*"))
	}
	// One statement for the jobs and the sweep's queue depths: the queue
	// ARNs once keep the role's policy within IAM's inline size.
	allow(role, "SendJobsAndReadQueueDepth", sortedUnion(sendJobActions, queueDepthActions), queueARNs...)
	allow(role, "SwitchEventSources", switchMappingActions, mappingARNs...)
	conditions := windowClaimConditions()
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ClaimReCheckWindows"),
		Actions:    jsii.Strings(windowClaimActions...),
		Resources:  &[]*string{table.TableArn()},
		Conditions: &conditions,
	}))
	env := map[string]string{
		// The stack's account is the orchestrator's own: no need to ask STS.
		pipeline.EnvAccount:             *stack.Account(),
		pipeline.EnvCheckQueues:         *stack.ToJsonString(queues, nil),
		pipeline.EnvEventSourceMappings: *stack.ToJsonString(mappings, nil),
		pipeline.EnvTableName:           *table.TableName(),
		pipeline.EnvEventWindow:         cfg.EventWindow.String(),
	}
	if len(cfg.Regions) > 0 {
		env[pipeline.EnvRegions] = strings.Join(cfg.Regions, ",")
	}
	if cfg.ScansOtherAccounts() {
		env[pipeline.EnvAccounts] = cfg.Accounts
	}
	fn := goFunction(scope, cfg, lambdabuild.Orchestrator, "secadvisor orchestrator: plans a scan, one SQS job per (account, region, check)",
		orchestratorTimeout, role, logs, env)
	suppressOrchestratorRole(role, cfg.ScansOrganization())

	target := func() awsevents.IRuleTarget {
		return awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
			MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
		})
	}
	awsevents.NewRule(scope, jsii.String("Schedule"), &awsevents.RuleProps{
		Description: jsii.String("secadvisor: full scan on a schedule"),
		Schedule:    awsevents.Schedule_Expression(jsii.String(cfg.Schedule)),
		Targets:     &[]awsevents.IRuleTarget{target()},
	})
	awsevents.NewRule(scope, jsii.String("Refresh"), &awsevents.RuleProps{
		Description:  jsii.String(`secadvisor: scan now on a "` + pipeline.RefreshDetailType + `" event (detail: {"checks": [...], "regions": [...]})`),
		EventPattern: &awsevents.EventPattern{DetailType: jsii.Strings(pipeline.RefreshDetailType)},
		Targets:      &[]awsevents.IRuleTarget{target()},
	})
	recheckRules(scope, rules, target)
	awsevents.NewRule(scope, jsii.String("Sweep"), &awsevents.RuleProps{
		Description: jsii.String("secadvisor: disable the event sources of drained check queues (no idle long polling)"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(sweepPeriod.Minutes()))),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			Event:         awsevents.RuleTargetInput_FromObject(sweepEvent()),
			RetryAttempts: jsii.Number(2),
			// A sweep older than the next one is superseded by it.
			MaxEventAge: awscdk.Duration_Minutes(jsii.Number(sweepPeriod.Minutes())),
		})},
	})
	errorsAlarm(scope, fn, "secadvisor orchestrator", alarmAction)
	return fn
}

// notifierFilters admit the stream records the notifier can alert on: a
// finding whose new image is red (turned red), and — when resolved alerts
// are on — a finding whose old image was red (stopped being red, or
// vanished). Transitions in internal/pipeline/notifier decides among them; the filters only
// spare the invocations for everything else (greens, summaries, markers).
func notifierFilters(notifyResolved bool) []*map[string]interface{} {
	filters := []*map[string]interface{}{findingFilter("NewImage", statusAttribute, string(check.Red))}
	if notifyResolved {
		filters = append(filters, findingFilter("OldImage", statusAttribute, string(check.Red)))
	}
	return filters
}

// findingFilter admits the stream records whose image (NewImage or
// OldImage) is a finding item with the string attribute equal to value.
func findingFilter(image, attribute, value string) *map[string]interface{} {
	return awslambda.FilterCriteria_Filter(&map[string]interface{}{
		"dynamodb": map[string]interface{}{
			image: map[string]interface{}{
				store.AttrKind: map[string]interface{}{"S": awslambda.FilterRule_IsEqual(store.KindFinding)},
				attribute:      map[string]interface{}{"S": awslambda.FilterRule_IsEqual(value)},
			},
		},
	})
}

// notifier is the function on the table's stream that publishes red transitions.
func notifier(stack awscdk.Stack, cfg Config, table awsdynamodb.Table, alerts awssns.Topic, alarmAction awscloudwatch.IAlarmAction) awslambda.Function {
	scope, logs, role := functionScope(stack, "Notifier", cfg, "secadvisor notifier: read the findings stream, mark alerts, publish to the alert topic")
	allow(role, "AlertMarks", alertMarkActions, table.TableArn())
	alerts.GrantPublish(role)

	fn := goFunction(scope, cfg, lambdabuild.Notifier, "secadvisor notifier: alerts on findings that turn red", notifierTimeout, role, logs,
		map[string]string{
			pipeline.EnvTopicARN:       *alerts.TopicArn(),
			pipeline.EnvTableName:      *table.TableName(),
			pipeline.EnvNotifyResolved: strconv.FormatBool(cfg.NotifyResolved),
		})
	readStream(scope, fn, table, streamReader{
		name: "notifier", lost: "alerts lost", filters: notifierFilters(cfg.NotifyResolved),
		batchSize: notifierBatchSize, retries: notifierRetryAttempts, maxAge: notifierMaxRecordAge,
	}, alarmAction)
	suppressNotifierRole(role)
	errorsAlarm(scope, fn, "secadvisor notifier", alarmAction)
	return fn
}

// streamReader says how a function reads the findings table's stream.
type streamReader struct {
	// name is the function's, in its failure queue's alarm: "notifier".
	name string
	// lost is what a batch failed past its retries costs: "alerts lost".
	lost      string
	filters   []*map[string]interface{}
	batchSize int
	// retries and maxAge bound how long a failing record holds its shard.
	retries int
	maxAge  time.Duration
}

// readStream has fn read the table's stream as r says: from the latest
// record, reporting the failed records of a batch and bisecting a failing
// batch. A batch that fails past r's retries or age goes, described, to the
// function's failure queue, whose depth alarms. The event source grants the
// stream's read actions, with one wildcard cdk-nag is told about.
func readStream(scope constructs.Construct, fn awslambda.Function, table awsdynamodb.Table, r streamReader, alarmAction awscloudwatch.IAlarmAction) {
	failures := deadLetterQueue(scope, "FailedBatches")
	fn.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_LATEST,
		BatchSize:               jsii.Number(r.batchSize),
		Filters:                 &r.filters,
		ReportBatchItemFailures: jsii.Bool(true),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(r.retries),
		MaxRecordAge:            awscdk.Duration_Seconds(jsii.Number(r.maxAge.Seconds())),
		OnFailure:               awslambdaeventsources.NewSqsDlq(failures),
	}))
	suppress(failures, "AwsSolutions-SQS3",
		"this queue is itself a dead-letter queue: the on-failure destination of the "+r.name+"'s stream event source mapping "+
			"(cdk-nag only recognizes redrive-policy DLQs); nothing consumes it, its depth alarms.")
	depthAlarm(scope, failures, "secadvisor "+r.name+": stream batches failed past their retries ("+r.lost+")", alarmAction)
	suppress(fn.Role(), "AwsSolutions-IAM5",
		"dynamodb:ListStreams (granted by the DynamoDB event source) supports no resource-level permission, so its resource is *; "+
			"the stream reads themselves are limited to the findings table's stream.",
		"Resource::*")
}
