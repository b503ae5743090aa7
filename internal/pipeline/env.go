package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// Environment variables the functions read. The CDK stack sets them.
const (
	EnvCheckQueues    = "CHECK_QUEUES"    // orchestrator: JSON object, check ID → queue URL
	EnvRegions        = "REGIONS"         // orchestrator: comma-separated regions (default: enabled regions)
	EnvTableName      = "TABLE_NAME"      // check, notifier, orchestrator (re-check windows): the findings table
	EnvJobTimeout     = "JOB_TIMEOUT"     // check: Go duration bounding one job (default 5m)
	EnvTopicARN       = "TOPIC_ARN"       // notifier: the alert topic
	EnvNotifyResolved = "NOTIFY_RESOLVED" // notifier: "true" to also send resolved alerts
	// EnvAccount is the orchestrator's own account ID, the deploying
	// account as the stack knows it (AWS::AccountId): the account scanned
	// when EnvAccounts is empty. Set rather than asked of STS, so that the
	// orchestrator links no STS client.
	EnvAccount = "ACCOUNT_ID"
	// EnvAccounts is what the orchestrator scans: empty for its own account,
	// AccountsOrg for every active account of the organization, or a
	// comma-separated list of account IDs.
	EnvAccounts = "ACCOUNTS"
	// EnvMemberRoleName is the role a check function assumes in a member
	// account (org.DefaultRoleName when empty).
	EnvMemberRoleName = "MEMBER_ROLE_NAME"
	// EnvExternalID is the external ID passed when assuming the member role.
	EnvExternalID = "EXTERNAL_ID"
	// EnvEventSourceMappings is the orchestrator's JSON object, check ID →
	// the UUID of the check function's SQS event source mapping: the
	// orchestrator enables the mappings when it sends jobs and disables them
	// once the queues are drained, so idle mappings do not long-poll SQS.
	EnvEventSourceMappings = "EVENT_SOURCE_MAPPINGS"
	// EnvEventWindow is the orchestrator's re-check window (a Go duration,
	// default DefaultEventWindow): the first CloudTrail event of an
	// (account, region, check) claims it and sends one job delayed by it,
	// so a burst of changes costs one job that sees all of them.
	EnvEventWindow = "EVENT_WINDOW"
)

// DefaultEventWindow is the re-check window when EnvEventWindow is not set:
// long enough for a burst of changes (a Terraform apply) to end before its
// one job runs, short enough for a red alert within two minutes of the call.
const DefaultEventWindow = 60 * time.Second

// AccountsOrg is EnvAccounts' value for "every active account of the organization".
const AccountsOrg = "org"

// Getenv reads one environment variable (os.Getenv in production).
type Getenv func(string) string

// Required returns the environment variable name, or an error saying it is not set.
func Required(getenv Getenv, name string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

// RefreshDetailType is the detail-type of a manual refresh event; its detail
// is a RefreshDetail. Any other event (the scheduled one) scans everything.
const RefreshDetailType = "secadvisor refresh"

// SweepDetailType is the detail-type of the event a schedule sends the
// orchestrator every 15 minutes: it turns off the event source mappings of
// the check queues that are drained, so idle mappings do not long-poll SQS.
const SweepDetailType = "secadvisor sweep"

// RefreshDetail narrows a scan to some checks (IDs or slugs) and regions.
type RefreshDetail struct {
	Checks  []string `json:"checks"`
	Regions []string `json:"regions"`
}

// CloudTrailDetailType is the detail-type of the EventBridge events that
// CloudTrail delivers for AWS API calls; the orchestrator re-checks what
// such an event can change (check.Meta.Triggers).
const CloudTrailDetailType = "AWS API Call via CloudTrail"

// TopicAndTable returns the alert topic (EnvTopicARN) and the findings table
// (EnvTableName), both required, of a function that reads the table and
// publishes to the topic: the notifier and the digest.
func TopicAndTable(getenv Getenv) (topic, table string, err error) {
	if topic, err = Required(getenv, EnvTopicARN); err != nil {
		return "", "", err
	}
	if table, err = Required(getenv, EnvTableName); err != nil {
		return "", "", err
	}
	return topic, table, nil
}

// SplitList reads a comma-separated setting (EnvRegions, EnvAccounts, and
// the CLI's list flags): its items with spaces trimmed, empty ones dropped.
func SplitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
