// Package functions_test runs the shipped Lambda binaries the way Lambda
// runs them: each is built as a linux `bootstrap` with -tags lambda.norpc and
// started under the Lambda runtime interface emulator (aws-lambda-rie), then
// invoked with the sample payloads in events/, against the AWS emulator.
package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/lambdabuild"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/digest"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
	"github.com/secadvisor/secadvisor/internal/pipeline/pipelinetest"
	"github.com/secadvisor/secadvisor/internal/pipeline/securityhub"
	"github.com/secadvisor/secadvisor/internal/store"
)

// rieBinary finds the runtime interface emulator: SECADVISOR_RIE (make test
// sets it to the pinned copy it installs in bin/tools), else the project's
// bin/tools, else PATH. A missing emulator fails the test, never skips it.
func rieBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SECADVISOR_RIE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SECADVISOR_RIE=%s: %v", p, err)
		}
		return p
	}
	if p, err := filepath.Abs(filepath.Join("..", "bin", "tools", "aws-lambda-rie")); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	t.Fatal("aws-lambda-rie not found: run `make test` (it installs the pinned version into bin/tools)")
	return ""
}

// buildBootstraps builds every function as `make build-lambdas` does (the
// checks' mains generated from the catalog), for this machine's architecture,
// and returns them by name with the folder they are in.
func buildBootstraps(t *testing.T) (map[string]lambdabuild.Function, string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := lambdabuild.Generate(root)
	if err != nil {
		t.Fatalf("generate the checks' mains: %v", err)
	}
	dir := t.TempDir()
	if err := lambdabuild.Build(root, dir, runtime.GOARCH, fns); err != nil {
		t.Fatal(err)
	}
	byName := map[string]lambdabuild.Function{}
	for _, fn := range fns {
		byName[fn.Name] = fn
	}
	return byName, dir
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// invoke starts bootstrap under aws-lambda-rie with env, sends payload and
// returns the response and what the runtime printed. Another process can
// take a port between picking it and the emulator binding it: then the
// emulator exits at once and invoke starts it again on other ports.
func invoke(t *testing.T, bootstrap string, env []string, payload []byte) (response []byte, logs string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		response, logs, err := invokeOnce(t, bootstrap, env, payload)
		if err == nil {
			return response, logs
		}
		if attempt == 3 || !strings.Contains(logs, "address already in use") {
			t.Fatalf("invoke: %v\nlogs:\n%s", err, logs)
		}
	}
}

func invokeOnce(t *testing.T, bootstrap string, env []string, payload []byte) ([]byte, string, error) {
	t.Helper()
	invokePort, apiPort := freePort(t), freePort(t)
	cmd := exec.Command(rieBinary(t),
		"--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", invokePort),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		bootstrap)
	cmd.Env = append(os.Environ(), env...)
	var out pipelinetest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aws-lambda-rie: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() { _ = cmd.Process.Kill(); <-exited }()

	url := fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", invokePort)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Post(url, "application/json", bytes.NewReader(payload))
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, out.String(), fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
			}
			// Let the emulator print its report lines.
			time.Sleep(200 * time.Millisecond)
			return body, out.String(), nil
		}
		select {
		case <-exited:
			return nil, out.String(), fmt.Errorf("aws-lambda-rie exited before answering")
		default:
		}
		if time.Now().After(deadline) {
			return nil, out.String(), fmt.Errorf("aws-lambda-rie did not answer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var initDuration = regexp.MustCompile(`Init Duration: ([0-9.]+ ms)`)

func report(t *testing.T, name, bootstrap, logs string) {
	t.Helper()
	info, err := os.Stat(bootstrap)
	if err != nil {
		t.Fatalf("stat bootstrap: %v", err)
	}
	init := "not printed"
	if m := initDuration.FindStringSubmatch(logs); m != nil {
		init = m[1]
	}
	t.Logf("%s: bootstrap %.1f MiB, init duration %s", name, float64(info.Size())/(1<<20), init)
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "events", name))
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return b
}

// awsEnv points a function at the emulator's default account, where the
// sample events' account (123456789012) lives.
func awsEnv(url string) []string {
	return []string{"AWS_ENDPOINT_URL=" + url, "AWS_ACCESS_KEY_ID=AKIAEMULATOR", "AWS_SECRET_ACCESS_KEY=emulator-secret",
		"AWS_REGION=us-east-1", "AWS_LAMBDA_FUNCTION_NAME=secadvisor-test"}
}

// orchestratorEnv is the orchestrator's environment: awsEnv, the own
// account as the stack sets it, and settings.
func orchestratorEnv(url string, settings ...string) []string {
	return append(awsEnv(url), append([]string{pipeline.EnvAccount + "=" + emulator.DefaultAccount}, settings...)...)
}

// sqsJob is an SQS event delivering job, of the current version and a
// fixed scan time, to its check's function.
func sqsJob(t *testing.T, job pipeline.JobMessage) []byte {
	t.Helper()
	job.Version, job.ScanTime = pipeline.JobVersion, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	event, err := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "job-" + job.ScanID, Body: job.Encode(), EventSource: "aws:sqs"}}})
	if err != nil {
		t.Fatal(err)
	}
	return event
}

// noBatchFailures reports whether a function's response to an SQS or
// stream batch reports no failed item.
func noBatchFailures(resp []byte) bool {
	got := strings.TrimSpace(string(resp))
	return got == `{"batchItemFailures":null}` || got == `{"batchItemFailures":[]}`
}

// checkQueues creates a queue, named prefix and the check's ID, for each
// implemented check, and returns their URLs by check ID.
func checkQueues(t *testing.T, sqsc *sqs.Client, prefix string) map[string]string {
	t.Helper()
	queues := map[string]string{}
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		q, err := sqsc.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(prefix + c.Meta.ID)})
		if err != nil {
			t.Fatalf("create queue: %v", err)
		}
		queues[c.Meta.ID] = aws.ToString(q.QueueUrl)
	}
	return queues
}

func TestLambdaBinariesUnderTheRuntimeEmulator(t *testing.T) {
	ctx := context.Background()
	server := emutest.Server(t)
	cfg := emulator.Config(server.URL, emulator.DefaultAccount)
	table := "secadvisor-rie-findings"
	if err := store.CreateTable(ctx, dynamodb.NewFromConfig(cfg), table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	sqsc := sqs.NewFromConfig(cfg)
	queuesJSON, _ := json.Marshal(checkQueues(t, sqsc, "rie-"))
	alerts, inbox := pipelinetest.SubscribedQueue(t, cfg, "rie-alerts")
	// An organization of the default account and two members; the first
	// has the member role and a complete password policy.
	members := emutest.Organization(t, emulator.DefaultAccount, emulator.Member{Name: "prod", Role: org.DefaultRoleName}, emulator.Member{Name: "sandbox"})
	if _, err := iam.NewFromConfig(emulator.Config(server.URL, members[0])).UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, RequireNumbers: true, RequireSymbols: true, MinimumPasswordLength: aws.Int32(14),
	}); err != nil {
		t.Fatalf("set the member's password policy: %v", err)
	}
	orgQueues := checkQueues(t, sqsc, "rie-org-")
	orgQueuesJSON, _ := json.Marshal(orgQueues)
	fns, dir := buildBootstraps(t)
	bootstrap := func(name string) string { return filepath.Join(dir, name, "bootstrap") }

	t.Run("orchestrator", func(t *testing.T) {
		t.Parallel()
		resp, logs := invoke(t, bootstrap(lambdabuild.Orchestrator), orchestratorEnv(server.URL, pipeline.EnvCheckQueues+"="+string(queuesJSON), pipeline.EnvRegions+"=eu-west-1,us-east-1"), sample(t, "scheduled.json"))
		report(t, lambdabuild.Orchestrator, bootstrap(lambdabuild.Orchestrator), logs)
		var summary orchestrator.ScanSummary
		if err := json.Unmarshal(resp, &summary); err != nil {
			t.Fatalf("response %s is not a scan summary: %v\nlogs:\n%s", resp, err, logs)
		}
		if summary.Accounts != 1 || !slices.Equal(summary.AccountIDs, []string{emulator.DefaultAccount}) || summary.Jobs["ePs02jT06w"] != 2 || summary.Jobs["Yw2K9puPzl"] != 1 {
			t.Errorf("summary = %+v, want 2 EBS jobs and 1 password-policy job for %s", summary, emulator.DefaultAccount)
		}
	})

	// ACCOUNTS=org: the accounts come from Organizations, named.
	t.Run("orchestrator organization", func(t *testing.T) {
		t.Parallel()
		resp, logs := invoke(t, bootstrap(lambdabuild.Orchestrator), orchestratorEnv(server.URL, pipeline.EnvCheckQueues+"="+string(orgQueuesJSON),
			pipeline.EnvRegions+"=eu-west-1", pipeline.EnvAccounts+"="+pipeline.AccountsOrg), sample(t, "scheduled.json"))
		var summary orchestrator.ScanSummary
		if err := json.Unmarshal(resp, &summary); err != nil {
			t.Fatalf("response %s is not a scan summary: %v\nlogs:\n%s", resp, err, logs)
		}
		want := slices.Sorted(slices.Values(append([]string{emulator.DefaultAccount}, members...)))
		if !slices.Equal(summary.AccountIDs, want) || summary.Jobs[iampasswordpolicy.Meta.ID] != 3 {
			t.Fatalf("summary = %+v, want one password-policy job for each of %q\nlogs:\n%s", summary, want, logs)
		}
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(orgQueues[iampasswordpolicy.Meta.ID]), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatalf("receive jobs: %v", err)
		}
		names := map[string]string{}
		for _, m := range out.Messages {
			job, err := pipeline.DecodeJobMessage(aws.ToString(m.Body))
			if err != nil {
				t.Fatalf("job %s: %v", aws.ToString(m.Body), err)
			}
			names[job.Account] = job.AccountName
		}
		if names[members[0]] != "prod" || names[members[1]] != "sandbox" {
			t.Errorf("account names in the jobs = %v, want prod and sandbox for %q", names, members)
		}
	})

	// A CloudTrail event: one re-check job, delayed by the window, for each
	// check its call triggers, the window claimed in the table; the same
	// event again is coalesced.
	t.Run("orchestrator cloudtrail event", func(t *testing.T) {
		t.Parallel()
		payload := sample(t, "cloudtrail-security-group.json")
		var event struct {
			Detail struct{ EventSource, EventName, AWSRegion string } `json:"detail"`
		}
		if err := json.Unmarshal(payload, &event); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		eventQueues := checkQueues(t, sqsc, "rie-event-")
		for _, c := range checks.All() {
			if !c.Implemented() {
				continue
			}
			for _, tr := range c.Meta.Triggers {
				if tr.Source == event.Detail.EventSource && slices.Contains(tr.Names, event.Detail.EventName) {
					want[c.Meta.ID] = 1
				}
			}
		}
		if len(want) == 0 {
			t.Fatalf("no check is triggered by %+v: the test tests nothing", event.Detail)
		}
		queuesJSON, _ := json.Marshal(eventQueues)
		env := orchestratorEnv(server.URL, pipeline.EnvCheckQueues+"="+string(queuesJSON), pipeline.EnvRegions+"=eu-west-1,us-east-1",
			pipeline.EnvTableName+"="+table)
		for i, again := range []bool{false, true} {
			resp, logs := invoke(t, bootstrap(lambdabuild.Orchestrator), env, payload)
			var summary orchestrator.ScanSummary
			if err := json.Unmarshal(resp, &summary); err != nil || summary.Event == nil {
				t.Fatalf("event %d: response %s is not an event summary: %v\nlogs:\n%s", i+1, resp, err, logs)
			}
			coalesced := map[string]int{}
			for _, id := range summary.Event.Coalesced {
				coalesced[id]++
			}
			wantJobs, wantCoalesced := want, map[string]int{}
			if again {
				wantJobs, wantCoalesced = map[string]int{}, want
			}
			if !maps.Equal(summary.Jobs, wantJobs) || !maps.Equal(coalesced, wantCoalesced) {
				t.Errorf("event %d: jobs %v, coalesced %v; want %v and %v\nlogs:\n%s", i+1, summary.Jobs, coalesced, wantJobs, wantCoalesced, logs)
			}
		}
		for id := range want {
			out, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(eventQueues[id]),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
			if err != nil {
				t.Fatalf("queue attributes: %v", err)
			}
			if got := out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed)]; got != "1" {
				t.Errorf("queue of %s: %s messages delayed, want the one re-check job", id, got)
			}
		}
	})

	// A job for a member account: the check function assumes the member
	// role there and reads the member's state (its password policy is
	// complete; the function's own account has none).
	t.Run("check member account", func(t *testing.T) {
		t.Parallel()
		c := iampasswordpolicy.Check
		event := sqsJob(t, pipeline.JobMessage{ScanID: "scan-rie-member", CheckID: c.Meta.ID, Account: members[0], AccountName: "prod", Region: check.GlobalRegion})
		resp, logs := invoke(t, bootstrap(lambdabuild.CheckFunction(c.Meta.Slug)),
			append(awsEnv(server.URL), pipeline.EnvTableName+"="+table, pipeline.EnvMemberRoleName+"="+org.DefaultRoleName), event)
		if !noBatchFailures(resp) {
			t.Fatalf("response = %s, want no failure\nlogs:\n%s", resp, logs)
		}
		findings, err := store.New(dynamodb.NewFromConfig(cfg), table).Query(ctx, store.Filter{Account: members[0], CheckID: c.Meta.ID})
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if len(findings) != 1 || findings[0].Status != check.Green || findings[0].AccountName != "prod" {
			t.Errorf("member findings = %+v, want the member's green password policy, named prod\nlogs:\n%s", findings, logs)
		}
	})

	// The sample batch: a good EBS job and a truncated message.
	t.Run("check sample batch", func(t *testing.T) {
		t.Parallel()
		ebs := bootstrap(lambdabuild.CheckFunction(ebspublicsnapshots.Check.Meta.Slug))
		resp, logs := invoke(t, ebs, append(awsEnv(server.URL), pipeline.EnvTableName+"="+table), sample(t, "sqs-jobs.json"))
		want := `{"batchItemFailures":[{"itemIdentifier":"5a1e0c77-0d4b-4a8a-8f7e-aa0000000bad"}]}`
		if strings.TrimSpace(string(resp)) != want {
			t.Errorf("response = %s, want %s (the truncated message failed, the good job stored)\nlogs:\n%s", resp, want, logs)
		}
	})

	// Every check's own bootstrap starts and runs one job of its check.
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		name := lambdabuild.CheckFunction(c.Meta.Slug)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if fns[name].CheckID != c.Meta.ID {
				t.Fatalf("function %s runs check %q, want %s", name, fns[name].CheckID, c.Meta.ID)
			}
			region := "us-east-1"
			if c.Meta.Scope == check.Global {
				region = check.GlobalRegion
			}
			job := sqsJob(t, pipeline.JobMessage{ScanID: "scan-rie-" + c.Meta.ID, CheckID: c.Meta.ID, Account: emulator.DefaultAccount, Region: region})
			resp, logs := invoke(t, bootstrap(name), append(awsEnv(server.URL), pipeline.EnvTableName+"="+table), job)
			report(t, name, bootstrap(name), logs)
			if !noBatchFailures(resp) {
				t.Errorf("response = %s, want no failure\nlogs:\n%s", resp, logs)
			}
			if want := `"msg":"job done","check_id":"` + c.Meta.ID + `"`; !strings.Contains(logs, want) {
				t.Errorf("logs do not say %s:\n%s", want, logs)
			}
		})
	}

	// The weekly digest, on the sample schedule event: one message on its
	// own topic (the notifier's inbox must hold only the notifier's alert).
	t.Run("digest", func(t *testing.T) {
		t.Parallel()
		digestTopic, digestInbox := pipelinetest.SubscribedQueue(t, cfg, "rie-digest")
		resp, logs := invoke(t, bootstrap(lambdabuild.Digest), append(awsEnv(server.URL), pipeline.EnvTopicARN+"="+digestTopic,
			pipeline.EnvTableName+"="+table), sample(t, "scheduled.json"))
		report(t, lambdabuild.Digest, bootstrap(lambdabuild.Digest), logs)
		var result digest.Result
		if err := json.Unmarshal(resp, &result); err != nil || result.MessageID == "" {
			t.Fatalf("response %s is not a sent digest: %v\nlogs:\n%s", resp, err, logs)
		}
		// The sample event's time ends the week.
		if want := "secadvisor weekly digest 2026-11-28: "; !strings.HasPrefix(result.Subject, want) {
			t.Errorf("subject = %q, want it to start with %q", result.Subject, want)
		}
		msgs, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(digestInbox), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatalf("receive digest: %v", err)
		}
		if len(msgs.Messages) != 1 || !strings.Contains(aws.ToString(msgs.Messages[0].Body), "secadvisor weekly digest, 2026-11-21 12:00 to 2026-11-28 12:00 (UTC)") {
			t.Errorf("digests = %d, want 1 for the week to the event's time\nlogs:\n%s", len(msgs.Messages), logs)
		}
	})

	t.Run("notifier", func(t *testing.T) {
		t.Parallel()
		resp, logs := invoke(t, bootstrap(lambdabuild.Notifier), append(awsEnv(server.URL), pipeline.EnvTopicARN+"="+alerts, pipeline.EnvTableName+"="+table), sample(t, "dynamodb-stream-red.json"))
		report(t, lambdabuild.Notifier, bootstrap(lambdabuild.Notifier), logs)
		if !noBatchFailures(resp) {
			t.Errorf("response = %s, want no failures\nlogs:\n%s", resp, logs)
		}
		msgs, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(inbox), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatalf("receive alert: %v", err)
		}
		if len(msgs.Messages) != 1 || !strings.Contains(aws.ToString(msgs.Messages[0].Body), "snap-0a1b2c3d4e5f60718") {
			t.Errorf("alerts = %d, want 1 naming the snapshot", len(msgs.Messages))
		}
	})

	// The Security Hub export, on the same stream sample: one
	// BatchImportFindings request with the red finding, to a recorder
	// standing in for Security Hub (its validation is tested in
	// internal/pipeline/securityhub; here, that the binary starts, reads its
	// environment and signs a request the SDK's way).
	t.Run("securityhub", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var imported []map[string]any
		hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Findings []map[string]any }
			if r.URL.Path != "/findings/import" || !strings.Contains(r.Header.Get("Authorization"), "/securityhub/aws4_request") ||
				json.NewDecoder(r.Body).Decode(&in) != nil {
				w.Header().Set("X-Amzn-ErrorType", "InvalidInputException")
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			mu.Lock()
			imported = append(imported, in.Findings...)
			mu.Unlock()
			_, _ = w.Write([]byte(fmt.Sprintf(`{"FailedCount":0,"SuccessCount":%d,"FailedFindings":[]}`, len(in.Findings))))
		}))
		defer hub.Close()
		name := lambdabuild.SecurityHub
		resp, logs := invoke(t, bootstrap(name), append(awsEnv(hub.URL), securityhub.EnvPartition+"=aws", pipeline.EnvAccount+"="+emulator.DefaultAccount),
			sample(t, "dynamodb-stream-red.json"))
		report(t, name, bootstrap(name), logs)
		if strings.Contains(string(resp), "ItemIdentifier") {
			t.Errorf("response = %s, want no failures\nlogs:\n%s", resp, logs)
		}
		mu.Lock()
		defer mu.Unlock()
		wantARN := "arn:aws:securityhub:us-east-1:" + emulator.DefaultAccount + ":product/" + emulator.DefaultAccount + "/default"
		if len(imported) != 1 || imported[0]["ProductArn"] != wantARN || imported[0]["AwsAccountId"] != emulator.DefaultAccount ||
			dig(imported[0], "Compliance", "Status") != "FAILED" {
			t.Errorf("imported %v, want the red snapshot's finding to %s\nlogs:\n%s", imported, wantARN, logs)
		}
	})
}

// dig walks nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}
