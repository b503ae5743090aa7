package main

import (
	"reflect"
	"slices"

	"github.com/secadvisor/secadvisor/internal/store"
)

// storeWriteActions are the DynamoDB actions a check function needs on the
// findings table: exactly the operations of store.API, the interface
// through which store.Store.Apply reads the items it diffs against and
// writes the changes. Deriving them from the interface keeps the policy in
// step with the code: a new operation in store.API is a new action here.
func storeWriteActions() []string {
	api := reflect.TypeFor[store.API]()
	actions := make([]string, 0, api.NumMethod())
	for i := range api.NumMethod() {
		actions = append(actions, "dynamodb:"+api.Method(i).Name)
	}
	slices.Sort(actions)
	return actions
}

// alertMarkActions are what the notifier calls on the table: the alert
// markers of store.MarkAlerted (PutItem) and store.UnmarkAlerted (DeleteItem).
var alertMarkActions = []string{"dynamodb:DeleteItem", "dynamodb:PutItem"}

// sendJobActions is what the orchestrator calls on the check queues:
// SendMessageBatch, which IAM authorizes as sqs:SendMessage.
var sendJobActions = []string{"sqs:SendMessage"}

// queueDepthActions are what the orchestrator's sweep calls on the check
// queues: GetQueueAttributes, for ApproximateNumberOfMessages, …NotVisible
// and …Delayed.
var queueDepthActions = []string{"sqs:GetQueueAttributes"}

// switchMappingActions are what the orchestrator calls on the check
// functions' SQS event source mappings: it enables them before sending jobs
// and its sweep disables them once their queue is drained. Both actions take
// the mapping's ARN (arn:<partition>:lambda:<region>:<account>:event-source-mapping:<UUID>)
// as their resource.
var switchMappingActions = []string{"lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"}

// queueConsumeActions are what the SQS event source mapping needs on a
// check's own queue (granted by the CDK's SqsEventSource).
var queueConsumeActions = []string{
	"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage",
}

// logWriteActions are what a function needs on its own log group.
var logWriteActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}

// checkPipelineActions are the actions every check role holds besides its
// check's read-only IAMActions: write the findings table, consume its own
// queue, write its own log group. (sts:GetCallerIdentity, called at cold
// start, needs no permission.)
func checkPipelineActions() []string {
	return sortedUnion(storeWriteActions(), queueConsumeActions, logWriteActions)
}

// sortedUnion is the sorted set of the given action lists.
func sortedUnion(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, a := range l {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}
