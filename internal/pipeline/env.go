package pipeline

import (
	"fmt"
	"strings"
)

// Environment variables the functions read. The CDK stack sets them.
const (
	EnvCheckQueues    = "CHECK_QUEUES"    // orchestrator: JSON object, check ID → queue URL
	EnvRegions        = "REGIONS"         // orchestrator: comma-separated regions (default: enabled regions)
	EnvTableName      = "TABLE_NAME"      // check, notifier: the findings table
	EnvJobTimeout     = "JOB_TIMEOUT"     // check: Go duration bounding one job (default 5m)
	EnvTopicARN       = "TOPIC_ARN"       // notifier: the alert topic
	EnvNotifyResolved = "NOTIFY_RESOLVED" // notifier: "true" to also send resolved alerts
)

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

// RefreshDetail narrows a scan to some checks (IDs or slugs) and regions.
type RefreshDetail struct {
	Checks  []string `json:"checks"`
	Regions []string `json:"regions"`
}
