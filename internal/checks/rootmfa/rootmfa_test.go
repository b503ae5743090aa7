package rootmfa

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/credreport"
	"github.com/secadvisor/secadvisor/internal/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// summary is a SummaryMap shaped like GetAccountSummary's real answer (the
// emulator always says AccountMFAEnabled 0, so MFA-on is tested here).
func summary(mfa int32) map[string]int32 {
	return map[string]int32{"AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": mfa,
		"AccountSigningCertificatesPresent": 0, "Users": 4, "UsersQuota": 5000, "MFADevices": 2, "MFADevicesInUse": 1}
}

// reportWithRoot is a credential report as credreport.Parse returns AWS's,
// whose root row says mfa; nil mfa means a report without a root row (the emulator's).
func reportWithRoot(mfa credreport.Flag, withRoot bool) *credreport.Report {
	r := &credreport.Report{GeneratedTime: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), Users: []credreport.User{
		{Name: "alice", ARN: "arn:aws:iam::111122223333:user/alice", MFAActive: credreport.Yes,
			AccessKeys: [2]credreport.AccessKey{{Slot: 1, Active: credreport.No}, {Slot: 2, Active: credreport.No}}},
	}}
	if withRoot {
		r.Users = append([]credreport.User{{Name: credreport.RootUser, ARN: "arn:aws:iam::111122223333:root", Root: true, MFAActive: mfa,
			AccessKeys: [2]credreport.AccessKey{{Slot: 1, Active: credreport.No}, {Slot: 2, Active: credreport.No}}}}, r.Users...)
	}
	return r
}

var denied = check.WrapOp("iam GetAccountSummary", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized", Fault: smithy.FaultClient})
var reportDenied = check.WrapOp("iam GenerateCredentialReport", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized", Fault: smithy.FaultClient})

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Input
		// want maps resource ID to status.
		want       map[string]check.Status
		wantReason string
	}{
		{"both say on", Input{Summary: summary(1), Report: reportWithRoot(credreport.Yes, true)},
			map[string]check.Status{ResourceID: check.Green}, "MFA is enabled on the root account (per the account summary (AccountMFAEnabled) and the credential report"},
		{"both say off", Input{Summary: summary(0), Report: reportWithRoot(credreport.No, true)},
			map[string]check.Status{ResourceID: check.Red}, "MFA is not enabled on the root account (per the account summary"},
		{"summary on, no root row (the emulator's report)", Input{Summary: summary(1), Report: reportWithRoot(0, false)},
			map[string]check.Status{ResourceID: check.Green}, "no <root_account> row"},
		{"summary off, no root row", Input{Summary: summary(0), Report: reportWithRoot(0, false)},
			map[string]check.Status{ResourceID: check.Red}, "MFA is not enabled"},
		{"summary on, stale report says off: red (fail closed)", Input{Summary: summary(1), Report: reportWithRoot(credreport.No, true)},
			map[string]check.Status{ResourceID: check.Red}, "according to the credential report (<root_account> mfa_active, generated 2026-06-01T08:00:00Z), while the account summary"},
		{"summary off, report says on: red", Input{Summary: summary(0), Report: reportWithRoot(credreport.Yes, true)},
			map[string]check.Status{ResourceID: check.Red}, "according to the account summary"},
		{"summary denied, report on: green from the report, and an error for the summary", Input{SummaryErr: denied, Report: reportWithRoot(credreport.Yes, true)},
			map[string]check.Status{ResourceID: check.Green, summaryResource: check.Error}, "per the credential report"},
		{"summary denied, report off", Input{SummaryErr: denied, Report: reportWithRoot(credreport.No, true)},
			map[string]check.Status{ResourceID: check.Red, summaryResource: check.Error}, "per the credential report"},
		{"report denied, summary on: green, and an error for the report", Input{Summary: summary(1), ReportErr: reportDenied},
			map[string]check.Status{ResourceID: check.Green, reportResource: check.Error}, "per the account summary"},
		{"summary denied, no root row: error, never green", Input{SummaryErr: denied, Report: reportWithRoot(0, false)},
			map[string]check.Status{ResourceID: check.Error}, "could not evaluate: iam GetAccountSummary: access denied (AccessDenied"},
		{"both denied: error", Input{SummaryErr: denied, ReportErr: reportDenied},
			map[string]check.Status{ResourceID: check.Error}, "iam GenerateCredentialReport: access denied"},
		{"summary without the key, root row unknown: error", Input{Summary: map[string]int32{"Users": 1}, Report: reportWithRoot(credreport.Unknown, true)},
			map[string]check.Status{ResourceID: check.Error}, "no AccountMFAEnabled value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := evaluate(checktest.Target(check.GlobalRegion), tt.in)
			checktest.ColumnsWithin(t, Meta, findings)
			got := map[string]check.Status{}
			for _, f := range findings {
				got[f.ResourceID] = f.Status
			}
			if len(got) != len(tt.want) {
				t.Errorf("evaluate(%s) = %v, want %v", tt.name, got, tt.want)
			}
			for id, status := range tt.want {
				if got[id] != status {
					t.Errorf("evaluate(%s) %s = %s, want %s (findings %+v)", tt.name, id, got[id], status, findings)
				}
			}
			main := checktest.ByResource(findings)[ResourceID]
			if !strings.Contains(main.Reason, tt.wantReason) {
				t.Errorf("evaluate(%s) reason = %q, want it to contain %q", tt.name, main.Reason, tt.wantReason)
			}
		})
	}
}

// TestCollectOnEmulator: the emulator's root user has no MFA (its summary
// always says 0, and its report has no root row), even with an IAM user
// holding an MFA device: red. The green path is covered above.
func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	device, err := client.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: device.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}); err != nil {
		t.Fatal(err)
	}
	findings := scan.RunJob(ctx, cfg, scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
	checktest.ColumnsWithin(t, Meta, findings)
	if len(findings) != 1 || findings[0].Status != check.Red || findings[0].ResourceID != ResourceID {
		t.Fatalf("findings = %+v, want one red finding on %s", findings, ResourceID)
	}
	if !strings.Contains(findings[0].Reason, "AccountMFAEnabled") || !strings.Contains(findings[0].Reason, "no <root_account> row") {
		t.Errorf("reason = %q, want it to name the account summary and the missing root row", findings[0].Reason)
	}
}

func TestAccessDeniedIsAnErrorFinding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deny []string
		// want maps resource ID to status; wantText must appear in an error finding's reason.
		want     map[string]check.Status
		wantText string
	}{
		{[]string{"GetAccountSummary"}, map[string]check.Status{ResourceID: check.Error}, "iam GetAccountSummary: access denied (AccessDenied"},
		{[]string{"GenerateCredentialReport"}, map[string]check.Status{ResourceID: check.Red, reportResource: check.Error}, "iam GenerateCredentialReport: access denied (AccessDenied"},
		{[]string{"GetCredentialReport"}, map[string]check.Status{ResourceID: check.Red, reportResource: check.Error}, "iam GetCredentialReport: access denied (AccessDenied"},
		{[]string{"GetAccountSummary", "GetCredentialReport"}, map[string]check.Status{ResourceID: check.Error}, "iam GetCredentialReport: access denied"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.deny, "+"), func(t *testing.T) {
			t.Parallel()
			cfg, account := emutest.Config(t)
			findings := scan.RunJob(context.Background(), emutest.Deny(cfg, tt.deny...), scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
			got := map[string]check.Status{}
			var errorText string
			for _, f := range findings {
				got[f.ResourceID] = f.Status
				if f.Status == check.Error {
					errorText += f.Reason + "\n"
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("denying %v: findings = %+v, want %v", tt.deny, findings, tt.want)
			}
			for id, status := range tt.want {
				if got[id] != status {
					t.Errorf("denying %v: %s = %s, want %s (findings %+v)", tt.deny, id, got[id], status, findings)
				}
			}
			if !strings.Contains(errorText, tt.wantText) {
				t.Errorf("denying %v: error reasons %q, want them to contain %q", tt.deny, errorText, tt.wantText)
			}
		})
	}
}
