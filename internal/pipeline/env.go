package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/scan"
	"github.com/secadvisor/secadvisor/internal/store"
)

// Environment variables the functions read. The CDK stack sets them.
const (
	EnvCheckQueues    = "CHECK_QUEUES"    // orchestrator: JSON object, check ID → queue URL
	EnvRegions        = "REGIONS"         // orchestrator: comma-separated regions (default: enabled regions)
	EnvCheckID        = "CHECK_ID"        // check: the check this function runs
	EnvTableName      = "TABLE_NAME"      // check, notifier: the findings table
	EnvJobTimeout     = "JOB_TIMEOUT"     // check: Go duration bounding one job (default 5m)
	EnvTopicARN       = "TOPIC_ARN"       // notifier: the alert topic
	EnvNotifyResolved = "NOTIFY_RESOLVED" // notifier: "true" to also send resolved alerts
)

// Getenv reads one environment variable (os.Getenv in production).
type Getenv func(string) string

func required(getenv Getenv, name string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

// NewOrchestrator builds the orchestrator from its environment.
func NewOrchestrator(cfg aws.Config, getenv Getenv) (*Orchestrator, error) {
	raw, err := required(getenv, EnvCheckQueues)
	if err != nil {
		return nil, err
	}
	var queues map[string]string
	if err := json.Unmarshal([]byte(raw), &queues); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of check ID to queue URL: %w", EnvCheckQueues, err)
	}
	for id := range queues {
		if _, err := checks.Select([]string{id}); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCheckQueues, err)
		}
	}
	return &Orchestrator{
		SQS:     sqs.NewFromConfig(cfg),
		Queues:  queues,
		Regions: splitComma(getenv(EnvRegions)),
		Discovery: Discovery{
			Account: func(ctx context.Context) (string, error) { return scan.CallerAccount(ctx, cfg) },
			Regions: func(ctx context.Context) ([]string, error) { return scan.EnabledRegions(ctx, cfg) },
		},
	}, nil
}

// NewWorker builds a check function's worker from its environment. It asks
// STS once, at cold start, which account it runs in.
func NewWorker(ctx context.Context, cfg aws.Config, getenv Getenv) (*Worker, error) {
	id, err := required(getenv, EnvCheckID)
	if err != nil {
		return nil, err
	}
	selected, err := checks.Select([]string{id})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCheckID, err)
	}
	if !selected[0].Implemented() {
		return nil, fmt.Errorf("%s: check %s is not implemented", EnvCheckID, id)
	}
	table, err := required(getenv, EnvTableName)
	if err != nil {
		return nil, err
	}
	timeout := scan.DefaultJobTimeout
	if v := getenv(EnvJobTimeout); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("%s %q is not a positive duration", EnvJobTimeout, v)
		}
	}
	account, err := scan.CallerAccount(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Worker{
		Check:      selected[0],
		Account:    account,
		Config:     cfg,
		Store:      store.New(dynamodb.NewFromConfig(cfg), table),
		JobTimeout: timeout,
	}, nil
}

// NewNotifier builds the notifier from its environment.
func NewNotifier(cfg aws.Config, getenv Getenv) (*Notifier, error) {
	topic, err := required(getenv, EnvTopicARN)
	if err != nil {
		return nil, err
	}
	table, err := required(getenv, EnvTableName)
	if err != nil {
		return nil, err
	}
	resolved := false
	if v := getenv(EnvNotifyResolved); v != "" {
		if resolved, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("%s %q is not true or false", EnvNotifyResolved, v)
		}
	}
	return &Notifier{
		SNS:            sns.NewFromConfig(cfg),
		TopicARN:       topic,
		Marks:          store.New(dynamodb.NewFromConfig(cfg), table),
		NotifyResolved: resolved,
	}, nil
}

// LoadConfig is the functions' AWS configuration: the Lambda role's
// credentials from the standard chain, adaptive retries.
func LoadConfig(ctx context.Context) (aws.Config, error) {
	return awsx.Load(ctx, awsx.Options{})
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
