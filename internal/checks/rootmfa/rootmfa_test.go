package rootmfa

import (
	"context"
	"fmt"
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
	"github.com/secadvisor/secadvisor/internal/credreport/credreporttest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// summary is a SummaryMap shaped like GetAccountSummary's real answer (the
// emulator always says AccountMFAEnabled 0, so MFA-on is tested here).
func summary(mfa int32) map[string]int32 {
	return map[string]int32{"AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": mfa,
		"AccountSigningCertificatesPresent": 0, "Users": 4, "UsersQuota": 5000, "MFADevices": 2, "MFADevicesInUse": 1}
}

// reportWithRoot is a credential report as credreport.Parse returns AWS's
// classic one (root password_enabled not_supported, no root key), whose root
// row says mfa; withRoot false is a report without a root row (the emulator's).
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

// rootRow is a report whose root row has no MFA and the given password and
// key states, as credreport.Parse returns it.
func rootRow(password, key1, key2 credreport.Flag) *credreport.Report {
	return &credreport.Report{Users: []credreport.User{{Name: credreport.RootUser, ARN: "arn:aws:iam::444455556666:root", Root: true,
		PasswordEnabled: password, MFAActive: credreport.No,
		AccessKeys: [2]credreport.AccessKey{{Slot: 1, Active: key1}, {Slot: 2, Active: key2}}}}}
}

// accessDenied is IAM's answer to a caller without the permission.
var accessDenied = &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized", Fault: smithy.FaultClient}

var (
	denied       = check.WrapOp("iam GetAccountSummary", accessDenied)
	reportDenied = check.WrapOp("iam GenerateCredentialReport", accessDenied)
)

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
		{"report denied, summary off: error, not red (the report could show the root credentials removed)", Input{Summary: summary(0), ReportErr: reportDenied},
			map[string]check.Status{ResourceID: check.Error}, "could not evaluate: MFA is not enabled on the root account (per the account summary (AccountMFAEnabled)), but whether the root credentials are removed could not be read: iam GenerateCredentialReport: access denied (AccessDenied"},
		{"summary off, classic root row without MFA: red, naming the root password", Input{Summary: summary(0), Report: reportWithRoot(credreport.No, true)},
			map[string]check.Status{ResourceID: check.Red}, "still has a password (password_enabled not false: the classic report says not_supported"},
		{"summary off, root row without password but key 1 of unknown status: red", Input{Summary: summary(0), Report: rootRow(credreport.No, credreport.Unknown, credreport.No)},
			map[string]check.Status{ResourceID: check.Red}, "possibly an active access key (access_key_1_active not true or false)"},
		{"summary off, root row without password but key 2 active: red", Input{Summary: summary(0), Report: rootRow(credreport.No, credreport.No, credreport.Yes)},
			map[string]check.Status{ResourceID: check.Red}, "still has an active access key (access_key_2_active true)"},
		{"summary denied, root credentials removed: green, and an error for the summary", Input{SummaryErr: denied, Report: rootRow(credreport.No, credreport.No, credreport.No)},
			map[string]check.Status{ResourceID: check.Green, summaryResource: check.Error}, "The root credentials are removed"},
		{"summary on, stale report shows the root credentials removed: green", Input{Summary: summary(1), Report: rootRow(credreport.No, credreport.No, credreport.No)},
			map[string]check.Status{ResourceID: check.Green}, "The root credentials are removed"},
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
			checktest.WantStatuses(t, "evaluate("+tt.name+")", findings, tt.want)
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

// fakeAPI answers GetAccountSummary with summary (or summaryErr) and the
// credential report operations as credreporttest.Reports does.
type fakeAPI struct {
	credreporttest.Reports
	summary    map[string]int32
	summaryErr error
}

func (f fakeAPI) GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error) {
	if f.summaryErr != nil {
		return nil, f.summaryErr
	}
	return &iam.GetAccountSummaryOutput{SummaryMap: f.summary}, nil
}

// TestCollectReadsBothSources: one source failing does not stop the other,
// and the verdict stands on the one that answered, beside an error finding
// for the other. The report is AWS's classic one (the emulator's has no root
// row, so only a fake can show a root user with MFA). Denials that leave
// nothing to judge are covered by internal/failclosed.
func TestCollectReadsBothSources(t *testing.T) {
	t.Parallel()
	content, err := os.ReadFile("../../credreport/testdata/aws-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	withMFA := credreporttest.Reports{Content: string(content)}
	tests := []struct {
		name string
		api  fakeAPI
		// want maps resource ID to status; wantText must appear in the error findings' reasons.
		want     map[string]check.Status
		wantText string
	}{
		{"summary denied: green from the report", fakeAPI{Reports: withMFA, summaryErr: accessDenied},
			map[string]check.Status{ResourceID: check.Green, summaryResource: check.Error}, "iam GetAccountSummary: access denied (AccessDenied"},
		{"report denied: green from the summary", fakeAPI{Reports: credreporttest.Reports{GenerateErr: accessDenied}, summary: summary(1)},
			map[string]check.Status{ResourceID: check.Green, reportResource: check.Error}, "iam GenerateCredentialReport: access denied (AccessDenied"},
		{"report denied, summary says off: error, not red", fakeAPI{Reports: credreporttest.Reports{GenerateErr: accessDenied}, summary: summary(0)},
			map[string]check.Status{ResourceID: check.Error}, "whether the root credentials are removed could not be read: iam GenerateCredentialReport: access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := evaluate(checktest.Target(check.GlobalRegion), collect(context.Background(), tt.api))
			checktest.WantStatuses(t, tt.name, findings, tt.want)
			var errorText string
			for _, f := range findings {
				if f.Status == check.Error {
					errorText += f.Reason + "\n"
				}
			}
			if !strings.Contains(errorText, tt.wantText) {
				t.Errorf("%s: error reasons %q, want them to contain %q", tt.name, errorText, tt.wantText)
			}
		})
	}
}

// parseReport parses report content with the credential report parser, as
// collect does with what GetCredentialReport returns.
func parseReport(t *testing.T, content string) *credreport.Report {
	t.Helper()
	report := credreporttest.Parse(t, content)
	report.GeneratedTime = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	return report
}

// TestRootCredentialsRemoved: an organization member account under
// centralized root access has no root password, no root key and no MFA
// device. Its report (testdata of credreport, shaped as AWS documents it,
// since the emulator's report has no root row) makes it green, beyond the
// spec, even though the account summary says MFA is off.
func TestRootCredentialsRemoved(t *testing.T) {
	t.Parallel()
	content, err := os.ReadFile("../../credreport/testdata/aws-report-root-removed.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Summary: summary(0), Report: parseReport(t, string(content))}
	findings := evaluate(checktest.Target(check.GlobalRegion), in)
	checktest.ColumnsWithin(t, Meta, findings)
	if len(findings) != 1 || findings[0].ResourceID != ResourceID || findings[0].Status != check.Green {
		t.Fatalf("evaluate(aws-report-root-removed.csv, AccountMFAEnabled 0) = %+v, want one green finding on %s", findings, ResourceID)
	}
	for _, want := range []string{"root credentials are removed", "generated 2026-06-01T08:00:00Z", "password_enabled false",
		"no active access key", "Beyond the Trusted Advisor spec"} {
		if !strings.Contains(findings[0].Reason, want) {
			t.Errorf("evaluate(aws-report-root-removed.csv) reason = %q, want it to contain %q", findings[0].Reason, want)
		}
	}
}

// TestReportWithoutRootRowIsNotRemoved: the emulator's report has no root
// row. It must not read as "credentials removed": the verdict falls back to
// the account summary, and the reason says the row is missing.
func TestReportWithoutRootRowIsNotRemoved(t *testing.T) {
	t.Parallel()
	content, err := os.ReadFile("../../credreport/testdata/emulator-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mfa  int32
		want check.Status
	}{
		{0, check.Red},
		{1, check.Green},
	}
	for _, tt := range tests {
		in := Input{Summary: summary(tt.mfa), Report: parseReport(t, string(content))}
		findings := evaluate(checktest.Target(check.GlobalRegion), in)
		if len(findings) != 1 || findings[0].Status != tt.want {
			t.Errorf("evaluate(emulator-report.csv, AccountMFAEnabled %d) = %+v, want one %s finding", tt.mfa, findings, tt.want)
			continue
		}
		if r := findings[0].Reason; !strings.Contains(r, "no <root_account> row") || strings.Contains(r, "root credentials are removed") {
			t.Errorf("evaluate(emulator-report.csv, AccountMFAEnabled %d) reason = %q, want it to name the missing root row and not claim removal", tt.mfa, r)
		}
	}
}

// TestRootRowBoundaries evaluates root rows written as AWS writes them and
// parsed by credreport.Parse: password_enabled true, false or not_supported
// (the classic report's value for the root user) × each access key active
// or not × MFA, with the account summary agreeing with mfa_active. Green
// only with MFA, or with no password and no active key (removed).
func TestRootRowBoundaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password   string // password_enabled
		key1, key2 bool   // access_key_N_active
		mfa        bool   // mfa_active and AccountMFAEnabled
		want       check.Status
		wantReason string
	}{
		{"false", false, false, false, check.Green, "root credentials are removed"},
		{"false", false, false, true, check.Green, "root credentials are removed"},
		{"false", true, false, false, check.Red, "access_key_1_active true"},
		{"false", true, false, true, check.Green, "MFA is enabled"},
		{"false", false, true, false, check.Red, "access_key_2_active true"},
		{"false", false, true, true, check.Green, "MFA is enabled"},
		{"false", true, true, false, check.Red, "access_key_1_active true) and an active access key (access_key_2_active true"},
		{"false", true, true, true, check.Green, "MFA is enabled"},
		{"true", false, false, false, check.Red, "a password (password_enabled true)"},
		{"true", false, false, true, check.Green, "MFA is enabled"},
		{"true", true, false, false, check.Red, "a password (password_enabled true) and an active access key (access_key_1_active true)"},
		{"true", true, false, true, check.Green, "MFA is enabled"},
		{"true", false, true, false, check.Red, "access_key_2_active true"},
		{"true", false, true, true, check.Green, "MFA is enabled"},
		{"true", true, true, false, check.Red, "MFA is not enabled"},
		{"true", true, true, true, check.Green, "MFA is enabled"},
		{"not_supported", false, false, false, check.Red, "password_enabled not false"},
		{"not_supported", false, false, true, check.Green, "MFA is enabled"},
		{"not_supported", true, false, false, check.Red, "access_key_1_active true"},
		{"not_supported", true, false, true, check.Green, "MFA is enabled"},
		{"not_supported", false, true, false, check.Red, "access_key_2_active true"},
		{"not_supported", false, true, true, check.Green, "MFA is enabled"},
		{"not_supported", true, true, false, check.Red, "MFA is not enabled"},
		{"not_supported", true, true, true, check.Green, "MFA is enabled"},
	}
	key := func(active bool, rotated string) string {
		if !active {
			return "false,N/A,N/A,N/A,N/A"
		}
		return "true," + rotated + ",N/A,N/A,N/A"
	}
	for _, tt := range tests {
		name := fmt.Sprintf("password_enabled=%s,key1=%t,key2=%t,mfa=%t", tt.password, tt.key1, tt.key2, tt.mfa)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// The root row's password dates are not_supported in both shapes.
			row := fmt.Sprintf("<root_account>,arn:aws:iam::111122223333:root,2016-03-14T09:12:01+00:00,%s,N/A,not_supported,not_supported,%t,%s,%s,false,N/A,false,N/A",
				tt.password, tt.mfa, key(tt.key1, "2019-01-01T00:00:00+00:00"), key(tt.key2, "2020-01-01T00:00:00+00:00"))
			var mfa int32
			if tt.mfa {
				mfa = 1
			}
			findings := evaluate(checktest.Target(check.GlobalRegion), Input{Summary: summary(mfa), Report: parseReport(t, credreporttest.Content(row))})
			if len(findings) != 1 || findings[0].Status != tt.want {
				t.Fatalf("evaluate(%s) = %+v, want one %s finding", row, findings, tt.want)
			}
			if !strings.Contains(findings[0].Reason, tt.wantReason) {
				t.Errorf("evaluate(%s) reason = %q, want it to contain %q", row, findings[0].Reason, tt.wantReason)
			}
		})
	}
}
