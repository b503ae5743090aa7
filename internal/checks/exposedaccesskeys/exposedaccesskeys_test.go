package exposedaccesskeys

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// TestMain loads the AWS managed policies into this package's emulator
// (moto keeps them out by default), so tests can attach the quarantine
// policies as AWS does. The variable only reaches the moto_server this
// package's harness starts.
func TestMain(m *testing.M) {
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	os.Exit(emutest.Main(m))
}

// fakeHealth is a wire-level fake of the AWS Health API (awsJson1_1), just
// DescribeEvents and DescribeEventDetails: moto 5.2.1 does not implement
// AWS Health. Events and descriptions are shaped like AWS's answers.
type fakeHealth struct {
	events       []map[string]any
	descriptions map[string]string
	// errorType, when set, is the error every call answers (e.g. SubscriptionRequiredException).
	errorType string
	// detailsErrorType fails only DescribeEventDetails.
	detailsErrorType string

	mu       sync.Mutex
	requests []map[string]any
	targets  []string
	// scopes are the Health requests' SigV4 credential scopes
	// (date/region/service/aws4_request): which region the client signed for.
	scopes []string
}

func (f *fakeHealth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req map[string]any
	_ = json.Unmarshal(body, &req)
	target := r.Header.Get("X-Amz-Target")
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.targets = append(f.targets, target)
	if strings.HasPrefix(target, "AWSHealth_") {
		_, scope, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		scope, _, _ = strings.Cut(scope, ",")
		_, scope, _ = strings.Cut(scope, "/") // drop the access key ID
		f.scopes = append(f.scopes, scope)
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(errType string) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":%q,"message":"from the fake"}`, errType)
	}
	switch {
	case f.errorType != "":
		fail(f.errorType)
	case target == "AWSHealth_20160804.DescribeEvents":
		_ = json.NewEncoder(w).Encode(map[string]any{"events": f.events})
	case target == "AWSHealth_20160804.DescribeEventDetails" && f.detailsErrorType != "":
		fail(f.detailsErrorType)
	case target == "AWSHealth_20160804.DescribeEventDetails":
		var ok []map[string]any
		for _, arn := range req["eventArns"].([]any) {
			for _, e := range f.events {
				if e["arn"] == arn {
					ok = append(ok, map[string]any{"event": e, "eventDescription": map[string]any{"latestDescription": f.descriptions[arn.(string)]}, "eventMetadata": map[string]any{}})
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"successfulSet": ok, "failedSet": []any{}})
	default:
		fail("UnknownOperationException")
	}
}

// updated is when the tests' Health events were last updated.
var updated = time.Date(2026, 5, 30, 14, 0, 0, 0, time.UTC)

// accessKey is an access key as ListAccessKeys describes it, created three
// months before updated.
func accessKey(id string, status iamtypes.StatusType) iamtypes.AccessKeyMetadata {
	return iamtypes.AccessKeyMetadata{AccessKeyId: aws.String(id), Status: status, CreateDate: aws.Time(updated.AddDate(0, -3, 0))}
}

// healthEvent is an open RISK event as DescribeEvents describes it.
func healthEvent(arn, code string) healthtypes.Event {
	return healthtypes.Event{Arn: aws.String(arn), EventTypeCode: aws.String(code), StatusCode: healthtypes.EventStatusCodeOpen,
		LastUpdatedTime: aws.Time(updated), Service: aws.String("RISK")}
}

// riskEvent is an open RISK event as the Health API's JSON carries it.
func riskEvent(arn, code string) map[string]any {
	return map[string]any{"arn": arn, "service": "RISK", "eventTypeCode": code, "eventTypeCategory": "issue", "region": "global",
		"startTime": float64(updated.Add(-time.Hour).Unix()), "lastUpdatedTime": float64(updated.Unix()), "statusCode": "open", "eventScopeCode": "ACCOUNT_SPECIFIC"}
}

// healthClient is an AWS Health client of fake, in Health's home region.
func healthClient(t *testing.T, fake *fakeHealth) *health.Client {
	return health.NewFromConfig(checktest.FakeEndpoint(t, fake, "us-east-1"))
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "from the test", Fault: smithy.FaultClient}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	event := func(arn, code string) HealthEvent { return HealthEvent{Event: healthEvent(arn, code)} }
	exposedEvent := event("arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_abc", "AWS_RISK_CREDENTIALS_EXPOSED")
	exposedEvent.Description = "We have become aware that the AWS Access Key AKIAEXPOSED000000001, along with the corresponding Secret Key, is publicly available online at https://github.com/example/repo."
	tests := []struct {
		name string
		in   Input
		// want maps resource ID to "status|Access Key ID|User|Fraud Type|Time Updated".
		want map[string]string
	}{
		{"no signal in either source: one green per source", Input{},
			map[string]string{quarantineResource: "green||||", healthResource: "green||||"}},
		{"quarantined user with an active and an inactive key",
			Input{Quarantined: []QuarantinedUser{{UserName: "ci-deploy", Policies: []string{"AWSCompromisedKeyQuarantineV2"},
				Keys: []iamtypes.AccessKeyMetadata{accessKey("AKIAEXPOSED000000001", iamtypes.StatusTypeActive), accessKey("AKIAOLDKEY0000000002", iamtypes.StatusTypeInactive)}}}},
			map[string]string{"AKIAEXPOSED000000001": "red|AKIAEXPOSED000000001|ci-deploy|Exposed|", healthResource: "green||||"}},
		{"quarantined user with two policies and no active key: one red row for the user",
			Input{Quarantined: []QuarantinedUser{{UserName: "old-bot", Policies: []string{"AWSCompromisedKeyQuarantine", "AWSCompromisedKeyQuarantineV3"},
				Keys: []iamtypes.AccessKeyMetadata{accessKey("AKIAOLDKEY0000000002", iamtypes.StatusTypeInactive)}}}},
			map[string]string{"user/old-bot": "red||old-bot|Exposed|", healthResource: "green||||"}},
		{"quarantined user whose keys cannot be listed: red for the user and an error",
			Input{Quarantined: []QuarantinedUser{{UserName: "old-bot", Policies: []string{"AWSCompromisedKeyQuarantineV3"}, KeysErr: check.WrapOp("iam ListAccessKeys", apiErr("AccessDenied"))}}},
			map[string]string{"user/old-bot": "red||old-bot|Exposed|", "user/old-bot/access-keys": "error||||", healthResource: "green||||"}},
		{"health event naming a key",
			Input{Events: []HealthEvent{exposedEvent}},
			map[string]string{quarantineResource: "green||||", "AKIAEXPOSED000000001": "red|AKIAEXPOSED000000001||Exposed|2026-05-30T14:00:00Z"}},
		{"both sources name the same key: one merged row",
			Input{Quarantined: []QuarantinedUser{{UserName: "ci-deploy", Policies: []string{"AWSCompromisedKeyQuarantineV3"},
				Keys: []iamtypes.AccessKeyMetadata{accessKey("AKIAEXPOSED000000001", iamtypes.StatusTypeActive)}}}, Events: []HealthEvent{exposedEvent}},
			map[string]string{"AKIAEXPOSED000000001": "red|AKIAEXPOSED000000001|ci-deploy|Exposed|2026-05-30T14:00:00Z"}},
		{"health event without a key ID: a row for the event",
			Input{Events: []HealthEvent{event("arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED/x1", "AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED")}},
			map[string]string{quarantineResource: "green||||", "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED/x1": "red|||Suspected|2026-05-30T14:00:00Z"}},
		{"compromised event naming two keys",
			Input{Events: []HealthEvent{func() HealthEvent {
				e := event("arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_COMPROMISED/x2", "AWS_RISK_CREDENTIALS_COMPROMISED")
				e.Description = "Keys AKIAFIRST00000000001 and AKIASECOND0000000002 (and AKIAFIRST00000000001 again) were used from unusual locations."
				return e
			}()}},
			map[string]string{quarantineResource: "green||||",
				"AKIAFIRST00000000001": "red|AKIAFIRST00000000001||Potentially compromised|2026-05-30T14:00:00Z",
				"AKIASECOND0000000002": "red|AKIASECOND0000000002||Potentially compromised|2026-05-30T14:00:00Z"}},
		{"health not subscribed: unavailable, never green; the quarantine result stands",
			Input{HealthErr: check.WrapOp("health DescribeEvents", apiErr("SubscriptionRequiredException"))},
			map[string]string{quarantineResource: "green||||", healthResource: "unavailable||||"}},
		{"health not subscribed and a quarantined key: the red stands",
			Input{Quarantined: []QuarantinedUser{{UserName: "ci-deploy", Policies: []string{"AWSCompromisedKeyQuarantineV2"},
				Keys: []iamtypes.AccessKeyMetadata{accessKey("AKIAEXPOSED000000001", iamtypes.StatusTypeActive)}}},
				HealthErr: check.WrapOp("health DescribeEvents", apiErr("SubscriptionRequiredException"))},
			map[string]string{"AKIAEXPOSED000000001": "red|AKIAEXPOSED000000001|ci-deploy|Exposed|", healthResource: "unavailable||||"}},
		{"health denied: an error",
			Input{HealthErr: check.WrapOp("health DescribeEvents", apiErr("AccessDeniedException"))},
			map[string]string{quarantineResource: "green||||", healthResource: "error||||"}},
		{"health throttled: an error",
			Input{HealthErr: check.WrapOp("health DescribeEvents", apiErr("ThrottlingException"))},
			map[string]string{quarantineResource: "green||||", healthResource: "error||||"}},
		{"descriptions unreadable: the events stay red, and an error",
			Input{Events: []HealthEvent{event("arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x3", "AWS_RISK_CREDENTIALS_EXPOSED")},
				DetailsErr: check.WrapOp("health DescribeEventDetails", apiErr("AccessDeniedException"))},
			map[string]string{quarantineResource: "green||||", healthResource: "error||||",
				"arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x3": "red|||Exposed|2026-05-30T14:00:00Z"}},
		{"quarantine policies unreadable: an error",
			Input{QuarantineErr: check.WrapOp("iam ListEntitiesForPolicy", apiErr("AccessDenied"))},
			map[string]string{quarantineResource: "error||||", healthResource: "green||||"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := evaluate(checktest.Target(check.GlobalRegion), tt.in)
			checktest.ColumnsWithin(t, Meta, findings)
			got := map[string]string{}
			for _, f := range findings {
				got[f.ResourceID] = strings.Join([]string{string(f.Status), f.Columns["Access Key ID"], f.Columns["User Name (IAM or Root)"], f.Columns["Fraud Type"], f.Columns["Time Updated"]}, "|")
				for _, c := range []string{"Case ID", "Location", "Deadline", "Usage (USD per Day)"} {
					if f.Columns[c] != "" {
						t.Errorf("evaluate(%s) %s column %s = %q, want empty (not available to customers)", tt.name, f.ResourceID, c, f.Columns[c])
					}
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("evaluate(%s) =\n%v\nwant\n%v", tt.name, got, tt.want)
			}
		})
	}
}

func TestNotSubscribedReason(t *testing.T) {
	t.Parallel()
	notSubscribed := check.WrapOp("health DescribeEvents", apiErr("SubscriptionRequiredException"))
	tests := []struct {
		name string
		in   Input
		want []string
	}{
		{"quarantine read", Input{HealthErr: notSubscribed}, []string{
			"AWS Health API requires a Business, Enterprise On-Ramp or Enterprise support plan",
			"health DescribeEvents: not subscribed (SubscriptionRequiredException", "the quarantine-policy source was evaluated"}},
		{"quarantine unreadable", Input{HealthErr: notSubscribed, QuarantineErr: check.WrapOp("iam ListEntitiesForPolicy", apiErr("AccessDenied"))}, []string{
			"support plan", "the quarantine-policy source could not be read either"}},
	}
	for _, tt := range tests {
		f := checktest.ByResource(evaluate(checktest.Target(check.GlobalRegion), tt.in))[healthResource]
		if f.Status != check.Unavailable {
			t.Errorf("%s: health finding status = %s, want unavailable", tt.name, f.Status)
		}
		for _, want := range tt.want {
			if !strings.Contains(f.Reason, want) {
				t.Errorf("%s: reason = %q, want it to mention %q", tt.name, f.Reason, want)
			}
		}
	}
}

// TestExposedKeysHealthSubscriptionRequired: on a Basic or Developer support
// plan the Health API answers SubscriptionRequiredException; the quarantine
// policies (read from the emulator) still give their red finding, and Health
// is one unavailable finding naming the support plan. Any other Health
// failure (access denied, throttling) stays an error. moto has no Health
// API: the answers come from the wire-level fake, in AWS's awsJson1_1 error
// shape.
func TestExposedKeysHealthSubscriptionRequired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		errorType  string
		wantStatus check.Status
		wantText   string
	}{
		{"SubscriptionRequiredException", check.Unavailable, "unavailable: AWS Health API requires a Business, Enterprise On-Ramp or Enterprise support plan (health DescribeEvents: not subscribed (SubscriptionRequiredException"},
		{"AccessDeniedException", check.Error, "health DescribeEvents: access denied (AccessDeniedException"},
		{"ThrottlingException", check.Error, "health DescribeEvents: throttled (ThrottlingException"},
	}
	for _, tt := range tests {
		t.Run(tt.errorType, func(t *testing.T) {
			t.Parallel()
			cfg, _ := emutest.Config(t)
			client := iam.NewFromConfig(cfg)
			exposed, _ := seedQuarantine(t, client, "AWSCompromisedKeyQuarantineV3")
			in := collect(context.Background(), client, healthClient(t, &fakeHealth{errorType: tt.errorType}), "aws")
			findings := evaluate(checktest.Target(check.GlobalRegion), in)
			byID := checktest.ByResource(findings)
			if len(findings) != 2 {
				t.Errorf("Health answering %s: findings = %+v, want the quarantined key and one Health finding", tt.errorType, findings)
			}
			if f := byID[exposed]; f.Status != check.Red {
				t.Errorf("Health answering %s: quarantined key %s = %+v, want red (the quarantine source stands)", tt.errorType, exposed, f)
			}
			if f := byID[healthResource]; f.Status != tt.wantStatus || !strings.Contains(f.Reason, tt.wantText) {
				t.Errorf("Health answering %s: health finding = %s %q, want %s containing %q", tt.errorType, f.Status, f.Reason, tt.wantStatus, tt.wantText)
			}
		})
	}
}

// TestHealthRegionByPartition: AWS Health answers for the whole account from
// its partition's endpoint: us-east-1 in aws, cn-northwest-1 in aws-cn,
// us-gov-west-1 in aws-us-gov (AWS's endpoint metadata). The check picks it
// from the configured region's partition and signs for it.
func TestHealthRegionByPartition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		configRegion, wantPartition, wantHealth string
	}{
		{"us-east-1", "aws", "us-east-1"},
		{"eu-west-1", "aws", "us-east-1"},
		{"ap-northeast-3", "aws", "us-east-1"},
		{"cn-north-1", "aws-cn", "cn-northwest-1"},
		{"cn-northwest-1", "aws-cn", "cn-northwest-1"},
		{"us-gov-east-1", "aws-us-gov", "us-gov-west-1"},
		{"us-gov-west-1", "aws-us-gov", "us-gov-west-1"},
		// No partition-wide Health endpoint in the metadata: the configured region is asked.
		{"us-iso-east-1", "aws-iso", "us-iso-east-1"},
		// No region configured: the commercial partition.
		{"", "aws", "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.configRegion, func(t *testing.T) {
			t.Parallel()
			partition := partitionOf(tt.configRegion)
			if got := healthRegion(partition, tt.configRegion); partition != tt.wantPartition || got != tt.wantHealth {
				t.Errorf("config region %q: partition %q, Health region %q; want %q, %q", tt.configRegion, partition, got, tt.wantPartition, tt.wantHealth)
			}
			if tt.configRegion == "" {
				return
			}
			// The whole check, as the scanner runs it: every call goes to the
			// fake (IAM's fail there, which does not matter here); the Health
			// request must be signed for the partition's Health region.
			fake := &fakeHealth{}
			scan.RunJob(context.Background(), checktest.FakeEndpoint(t, fake, tt.configRegion), scan.Job{Check: Check, Account: "123456789012", Region: check.GlobalRegion}, 0)
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if len(fake.scopes) == 0 {
				t.Fatalf("config region %q: no Health request reached the fake", tt.configRegion)
			}
			for _, scope := range fake.scopes {
				if !strings.HasSuffix(scope, "/"+tt.wantHealth+"/health/aws4_request") {
					t.Errorf("config region %q: Health request signed for %q, want region %s", tt.configRegion, scope, tt.wantHealth)
				}
			}
		})
	}
}

// seedQuarantine creates IAM users on the emulator and attaches the given
// quarantine policy to the first, as AWS does after finding its key exposed.
func seedQuarantine(t *testing.T, client *iam.Client, policy string) (exposedKey, otherKey string) {
	t.Helper()
	ctx := context.Background()
	for _, user := range []string{"ci-deploy", "analyst"} {
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatal(err)
		}
	}
	k1, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("analyst")})
	if err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ci-deploy"),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/" + policy)}); err != nil {
			t.Fatalf("attach %s: %v", policy, err)
		}
	}
	return aws.ToString(k1.AccessKey.AccessKeyId), aws.ToString(k2.AccessKey.AccessKeyId)
}

// TestCollectOnEmulator reads the quarantine policies from the emulator
// (each of the three versions attached in turn) and Health events from the
// wire-level fake.
func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	for _, policy := range append([]string{""}, QuarantinePolicies...) {
		t.Run("attached="+policy, func(t *testing.T) {
			t.Parallel()
			cfg, _ := emutest.Config(t)
			client := iam.NewFromConfig(cfg)
			exposed, other := seedQuarantine(t, client, policy)
			fake := &fakeHealth{}
			in := collect(context.Background(), client, healthClient(t, fake), "aws")
			findings := evaluate(checktest.Target(check.GlobalRegion), in)
			checktest.ColumnsWithin(t, Meta, findings)
			byID := checktest.ByResource(findings)
			if policy == "" {
				if f := byID[quarantineResource]; f.Status != check.Green || len(findings) != 2 {
					t.Errorf("no policy attached: findings = %+v, want green for the quarantine policies and for Health", findings)
				}
				return
			}
			if f := byID[exposed]; f.Status != check.Red || f.Columns["User Name (IAM or Root)"] != "ci-deploy" || !strings.Contains(f.Reason, policy) {
				t.Errorf("%s attached: finding for %s = %+v, want red for ci-deploy naming the policy", policy, exposed, f)
			}
			if _, listed := byID[other]; listed {
				t.Errorf("%s attached to ci-deploy only: analyst's key %s is reported", policy, other)
			}
			if f := byID[healthResource]; f.Status != check.Green {
				t.Errorf("no Health event: %s finding = %+v, want green", healthResource, f)
			}
		})
	}
}

func TestHealthWireFake(t *testing.T) {
	t.Parallel()
	var events []map[string]any
	descriptions := map[string]string{}
	// 12 events: more than DescribeEventDetails takes at once (10).
	for i := range 12 {
		arn := fmt.Sprintf("arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_%02d", i)
		events = append(events, riskEvent(arn, "AWS_RISK_CREDENTIALS_EXPOSED"))
		descriptions[arn] = fmt.Sprintf("Your AWS Access Key AKIAEXPOSED0000000%02d was found publicly available at https://github.com/example/repo.", i)
	}
	cfg, _ := emutest.Config(t)
	fake := &fakeHealth{events: events, descriptions: descriptions}
	in := collect(context.Background(), iam.NewFromConfig(cfg), healthClient(t, fake), "aws")
	if in.HealthErr != nil || in.DetailsErr != nil {
		t.Fatalf("collect: health errors %v, %v", in.HealthErr, in.DetailsErr)
	}
	findings := evaluate(checktest.Target(check.GlobalRegion), in)
	byID := checktest.ByResource(findings)
	for i := range 12 {
		id := fmt.Sprintf("AKIAEXPOSED0000000%02d", i)
		if f := byID[id]; f.Status != check.Red || f.Columns["Time Updated"] != "2026-05-30T14:00:00Z" || f.Columns["Fraud Type"] != "Exposed" {
			t.Errorf("finding for %s = %+v, want red, Exposed, updated 2026-05-30T14:00:00Z", id, f)
		}
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	wantTargets := []string{"AWSHealth_20160804.DescribeEvents", "AWSHealth_20160804.DescribeEventDetails", "AWSHealth_20160804.DescribeEventDetails"}
	if !slices.Equal(fake.targets, wantTargets) {
		t.Errorf("calls = %v, want %v", fake.targets, wantTargets)
	}
	filter, _ := fake.requests[0]["filter"].(map[string]any)
	codes := fmt.Sprint(filter["eventTypeCodes"])
	statuses := fmt.Sprint(filter["eventStatusCodes"])
	if codes != fmt.Sprint(EventTypeCodes) || statuses != "[open upcoming]" || fake.requests[0]["maxResults"] != float64(100) {
		t.Errorf("DescribeEvents request = %v, want filter codes %v, statuses [open upcoming], maxResults 100", fake.requests[0], EventTypeCodes)
	}
}

// TestHealthDetailsDeniedOnTheWire: the events were listed but their
// descriptions could not be read; each event stays red (named by its ARN,
// since its key is unknown) beside an error for the descriptions. Health
// answers from the wire-level fake, in AWS's awsJson1_1 error shape.
func TestHealthDetailsDeniedOnTheWire(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:health:global::event/RISK/AWS_RISK_IAM_QUARANTINE/q1"
	fake := &fakeHealth{events: []map[string]any{riskEvent(arn, "AWS_RISK_IAM_QUARANTINE")},
		detailsErrorType: "AccessDeniedException"}
	cfg, _ := emutest.Config(t)
	in := collect(context.Background(), iam.NewFromConfig(cfg), healthClient(t, fake), "aws")
	byID := checktest.ByResource(evaluate(checktest.Target(check.GlobalRegion), in))
	const wantText = "could not evaluate: the events' descriptions (the affected keys): health DescribeEventDetails: access denied (AccessDeniedException"
	if f := byID[healthResource]; f.Status != check.Error || !strings.Contains(f.Reason, wantText) {
		t.Errorf("health finding = %+v, want an error containing %q", f, wantText)
	}
	if f := byID[arn]; f.Status != check.Red {
		t.Errorf("event %s = %+v, want red: the event stands without its description", arn, f)
	}
}

// TestRunOnEmulator runs the whole check as the scanner does. moto has no
// AWS Health API; the emulator patch answers as AWS does for an account with
// no Health events, so that source is green.
func TestRunOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	exposed, _ := seedQuarantine(t, iam.NewFromConfig(cfg), "AWSCompromisedKeyQuarantineV3")
	findings := scan.RunJob(context.Background(), cfg, scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
	checktest.ColumnsWithin(t, Meta, findings)
	byID := checktest.ByResource(findings)
	if f := byID[exposed]; f.Status != check.Red {
		t.Errorf("finding for the quarantined user's key = %+v, want red", f)
	}
	if f := byID[healthResource]; f.Status != check.Green {
		t.Errorf("health finding on the emulator (no Health events) = %+v, want green", f)
	}
}

// TestIAMDeniedKeepsTheOtherSignals: an IAM read denied costs only what it
// reads. ListEntitiesForPolicy denied: the quarantine source is an error and
// Health is still judged. ListAccessKeys denied: the quarantined user is
// still red (named by user) beside an error for its keys. That any denial is
// an error finding is covered by internal/failclosed.
func TestIAMDeniedKeepsTheOtherSignals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op string
		// want maps resource ID to status.
		want map[string]check.Status
	}{
		{"ListEntitiesForPolicy", map[string]check.Status{quarantineResource: check.Error, healthResource: check.Green}},
		{"ListAccessKeys", map[string]check.Status{"user/ci-deploy": check.Red, "user/ci-deploy/access-keys": check.Error, healthResource: check.Green}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			t.Parallel()
			cfg, _ := emutest.Config(t)
			seedQuarantine(t, iam.NewFromConfig(cfg), "AWSCompromisedKeyQuarantineV2")
			in := collect(context.Background(), iam.NewFromConfig(emutest.Deny(cfg, tt.op)), healthClient(t, &fakeHealth{}), "aws")
			findings := evaluate(checktest.Target(check.GlobalRegion), in)
			checktest.WantStatuses(t, "with "+tt.op+" denied", findings, tt.want)
			for _, f := range findings {
				if f.Status == check.Error && !strings.Contains(f.Reason, "iam "+tt.op+": access denied (AccessDenied") {
					t.Errorf("with %s denied, %s reason = %q, want it to name the operation and AccessDenied", tt.op, f.ResourceID, f.Reason)
				}
			}
		})
	}
}

// pagedIAM answers ListEntitiesForPolicy and ListAccessKeys in the pages
// given, as IAM pages (IsTruncated, Marker); only
// AWSCompromisedKeyQuarantineV3 is attached to anyone.
type pagedIAM struct {
	users [][]iamtypes.PolicyUser
	keys  map[string][][]iamtypes.AccessKeyMetadata
}

func (p pagedIAM) ListEntitiesForPolicy(_ context.Context, in *iam.ListEntitiesForPolicyInput, _ ...func(*iam.Options)) (*iam.ListEntitiesForPolicyOutput, error) {
	if aws.ToString(in.PolicyArn) != "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3" {
		return &iam.ListEntitiesForPolicyOutput{}, nil
	}
	users, next := checktest.Page(p.users, in.Marker)
	return &iam.ListEntitiesForPolicyOutput{PolicyUsers: users, IsTruncated: next != nil, Marker: next}, nil
}

func (p pagedIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	keys, next := checktest.Page(p.keys[aws.ToString(in.UserName)], in.Marker)
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: keys, IsTruncated: next != nil, Marker: next}, nil
}

// pagedHealth answers DescribeEvents in the pages given (NextToken), and
// DescribeEventDetails with the events' descriptions.
type pagedHealth struct {
	events       [][]healthtypes.Event
	descriptions map[string]string
}

func (p pagedHealth) DescribeEvents(_ context.Context, in *health.DescribeEventsInput, _ ...func(*health.Options)) (*health.DescribeEventsOutput, error) {
	events, next := checktest.Page(p.events, in.NextToken)
	return &health.DescribeEventsOutput{Events: events, NextToken: next}, nil
}

func (p pagedHealth) DescribeEventDetails(_ context.Context, in *health.DescribeEventDetailsInput, _ ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error) {
	out := &health.DescribeEventDetailsOutput{}
	for _, arn := range in.EventArns {
		out.SuccessfulSet = append(out.SuccessfulSet, healthtypes.EventDetails{Event: &healthtypes.Event{Arn: aws.String(arn)},
			EventDescription: &healthtypes.EventDescription{LatestDescription: aws.String(p.descriptions[arn])}})
	}
	return out, nil
}

// TestCollectFollowsPages: every paginated read answers in two pages, and a
// signal is only on the second: a quarantined user (ListEntitiesForPolicy),
// the active keys of the quarantined users (ListAccessKeys), an event naming
// a key (DescribeEvents). Read from first pages alone, each would be missing
// or named by user instead of key.
func TestCollectFollowsPages(t *testing.T) {
	t.Parallel()
	const (
		suspectedArn = "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED/p1"
		exposedArn   = "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/p2"
	)
	iamAPI := pagedIAM{
		users: [][]iamtypes.PolicyUser{{{UserName: aws.String("ci-deploy")}}, {{UserName: aws.String("build-bot")}}},
		keys: map[string][][]iamtypes.AccessKeyMetadata{
			"ci-deploy": {{accessKey("AKIAOLDKEY0000000001", iamtypes.StatusTypeInactive)}, {accessKey("AKIAEXPOSED000000001", iamtypes.StatusTypeActive)}},
			"build-bot": {nil, {accessKey("AKIABUILDBOT00000001", iamtypes.StatusTypeActive)}},
		},
	}
	healthAPI := pagedHealth{
		events: [][]healthtypes.Event{
			{healthEvent(suspectedArn, "AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED")},
			{healthEvent(exposedArn, "AWS_RISK_CREDENTIALS_EXPOSED")},
		},
		descriptions: map[string]string{exposedArn: "Your AWS Access Key AKIAHEALTHNAMED00001 was found publicly available at https://github.com/example/repo."},
	}
	in := collect(context.Background(), iamAPI, healthAPI, "aws")
	checktest.WantStatuses(t, "collect then evaluate, signals on second pages", evaluate(checktest.Target(check.GlobalRegion), in), map[string]check.Status{
		"AKIAEXPOSED000000001": check.Red, // ci-deploy's active key, on ListAccessKeys' second page
		"AKIABUILDBOT00000001": check.Red, // build-bot, on ListEntitiesForPolicy's second page
		suspectedArn:           check.Red,
		"AKIAHEALTHNAMED00001": check.Red, // named by the event on DescribeEvents' second page
	})
}

func TestPartition(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{"us-east-1": "aws", "eu-west-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "eu-south-9": "aws", "": "aws", "moon-base-1": "aws"} {
		if got := partitionOf(region); got != want {
			t.Errorf("partitionOf(%q) = %q, want %q", region, got, want)
		}
	}
}
