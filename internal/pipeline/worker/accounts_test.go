package worker

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/iampasswordpolicy"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/member"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/store/storetest"
)

// assumeCalls records the AssumeRole requests a configuration makes.
type assumeCalls struct {
	mu    sync.Mutex
	calls []sts.AssumeRoleInput
}

func (a *assumeCalls) record(cfg aws.Config) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(c.APIOptions[:len(c.APIOptions):len(c.APIOptions)], func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("recordAssumeRole",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if params, ok := in.Parameters.(*sts.AssumeRoleInput); ok {
					a.mu.Lock()
					a.calls = append(a.calls, *params)
					a.mu.Unlock()
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
	return c
}

// TestWorkerScansMemberAccounts runs the password-policy check's worker, as
// built by New, on jobs for its own account and three others, on the
// emulator: a member whose role it assumes (its findings are the member's
// own state), a member without the role, and a member whose AssumeRole is
// denied. An account not entered gets one error finding naming the role
// and the error code, stored like any finding; AssumeRole is called once
// per account for two jobs there, with the check's session policy.
func TestWorkerScansMemberAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := emutest.Server(t).URL
	own, withRole, noRole, denied := emutest.Account(), emutest.Account(), emutest.Account(), emutest.Account()
	for _, account := range []string{withRole, denied} {
		if _, err := iam.NewFromConfig(emulator.Config(url, account)).CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(org.DefaultRoleName),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`),
		}); err != nil {
			t.Fatalf("create the member role in %s: %v", account, err)
		}
	}
	// The member has a full password policy (green); the own account has
	// none (red): a member job read with the own credentials would be red.
	if _, err := iam.NewFromConfig(emulator.Config(url, withRole)).UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, RequireNumbers: true, RequireSymbols: true, MinimumPasswordLength: aws.Int32(14),
	}); err != nil {
		t.Fatalf("set the member's password policy: %v", err)
	}
	base := emulator.Config(url, own)
	table := "worker-org-findings"
	storetest.Table(t, base, table)
	env := map[string]string{pipeline.EnvTableName: table}

	var calls assumeCalls
	w, err := New(ctx, calls.record(base), iampasswordpolicy.Check, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if w.Account != own {
		t.Fatalf("worker account = %s, want %s", w.Account, own)
	}
	wDenied, err := New(ctx, emutest.Deny(base, "AssumeRole"), iampasswordpolicy.Check, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("New (AssumeRole denied): %v", err)
	}

	scanTime := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	message := func(account, name string) events.SQSMessage {
		j := pipeline.JobMessage{Version: pipeline.JobVersion, ScanID: "scan-org", ScanTime: scanTime, CheckID: iampasswordpolicy.Meta.ID,
			Account: account, AccountName: name, Region: check.GlobalRegion}
		return events.SQSMessage{MessageId: account, Body: j.Encode()}
	}
	resp, err := w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		message(own, "management"), message(withRole, "prod"), message(noRole, "sandbox"),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v; want every job done", resp, err)
	}
	// A second job for the member, later in the warm function: the cached
	// credentials serve it.
	later := message(withRole, "prod")
	later.MessageId = "again"
	if resp, err := w.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{later}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle (second member job) = %+v, %v", resp, err)
	}
	if resp, err := wDenied.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{message(denied, "audit")}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle (AssumeRole denied) = %+v, %v", resp, err)
	}

	st := store.New(dynamodb.NewFromConfig(base), table)
	roleOf := func(account string) string { return "arn:aws:iam::" + account + ":role/" + org.DefaultRoleName }
	tests := []struct {
		name, account, accountName string
		wantStatus                 check.Status
		wantResource               string
		wantReason                 []string
	}{
		{"own account, own credentials", own, "management", check.Red, iampasswordpolicy.ResourceID, nil},
		{"member, role assumed", withRole, "prod", check.Green, iampasswordpolicy.ResourceID, nil},
		{"member without the role", noRole, "sandbox", check.Error, check.WholeScope, []string{roleOf(noRole), "AccessDenied"}},
		{"member, AssumeRole denied", denied, "audit", check.Error, check.WholeScope, []string{roleOf(denied), "AccessDenied"}},
	}
	for _, tt := range tests {
		findings, err := st.Query(ctx, store.Filter{Account: tt.account, CheckID: iampasswordpolicy.Meta.ID})
		if err != nil {
			t.Fatalf("%s: query: %v", tt.name, err)
		}
		if len(findings) != 1 {
			t.Errorf("%s: %d findings stored, want 1: %+v", tt.name, len(findings), findings)
			continue
		}
		f := findings[0]
		if f.Status != tt.wantStatus || f.ResourceID != tt.wantResource || f.AccountName != tt.accountName {
			t.Errorf("%s: stored %s %s %q (%s), want %s %s %q", tt.name, f.Status, f.ResourceID, f.AccountName, f.Reason, tt.wantStatus, tt.wantResource, tt.accountName)
		}
		for _, want := range tt.wantReason {
			if !strings.Contains(f.Reason, want) {
				t.Errorf("%s: reason %q does not name %q", tt.name, f.Reason, want)
			}
		}
	}

	policy, err := org.SessionPolicy(iampasswordpolicy.Meta.IAMActions)
	if err != nil {
		t.Fatal(err)
	}
	byRole := map[string]int{}
	for _, c := range calls.calls {
		byRole[aws.ToString(c.RoleArn)]++
		if aws.ToString(c.Policy) != policy || aws.ToString(c.RoleSessionName) != member.SessionName || c.ExternalId != nil {
			t.Errorf("AssumeRole %s: policy %s, session %q, external ID %v; want policy %s, session %q, no external ID",
				aws.ToString(c.RoleArn), aws.ToString(c.Policy), aws.ToString(c.RoleSessionName), c.ExternalId, policy, member.SessionName)
		}
	}
	if byRole[roleOf(withRole)] != 1 || byRole[roleOf(own)] != 0 {
		t.Errorf("AssumeRole calls by role = %v, want one for the member's two jobs and none for the own account", byRole)
	}
}

// TestNewReadsTheMemberRoleSettings: MEMBER_ROLE_NAME and EXTERNAL_ID reach
// AssumeRole; the role is in the caller's partition.
func TestNewReadsTheMemberRoleSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := emutest.Server(t).URL
	own, member := emutest.Account(), emutest.Account()
	if _, err := iam.NewFromConfig(emulator.Config(url, member)).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("audit-reader"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`),
	}); err != nil {
		t.Fatalf("create role: %v", err)
	}
	var calls assumeCalls
	env := map[string]string{pipeline.EnvTableName: "t", pipeline.EnvMemberRoleName: " audit-reader ", pipeline.EnvExternalID: "ext-123"}
	w, err := New(ctx, calls.record(emulator.Config(url, own)), iampasswordpolicy.Check, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := w.Accounts.Enter(ctx, member); err != nil {
		t.Fatalf("enter %s: %v", member, err)
	}
	if len(calls.calls) != 1 || aws.ToString(calls.calls[0].RoleArn) != "arn:aws:iam::"+member+":role/audit-reader" || aws.ToString(calls.calls[0].ExternalId) != "ext-123" {
		t.Errorf("AssumeRole calls = %+v, want one for audit-reader with the external ID", calls.calls)
	}
}
