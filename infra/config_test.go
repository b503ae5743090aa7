package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	orchestratorfn "github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
)

func TestConfigFromContext(t *testing.T) {
	t.Parallel()
	def := DefaultConfig()
	with := func(f func(*Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		context map[string]any
		want    Config
		wantErr []string // substrings of the error
	}{
		{name: "no context: defaults", context: nil, want: def},
		{name: "the default event window is a minute", context: nil, want: with(func(c *Config) { c.EventWindow = time.Minute })},
		{name: "the member role's default name is the CLI's", context: nil, want: with(func(c *Config) { c.MemberRoleName = org.DefaultRoleName })},
		{
			name: "cdk deploy -c strings",
			context: map[string]any{
				ctxAlertEmail: "security@example.com", ctxSchedule: "rate(1 day)", ctxRegions: " eu-west-1, us-east-1,eu-west-1 ",
				ctxTableRemovalPolicy: "DESTROY", ctxNotifyResolved: "false", ctxLogRetentionDays: "90", ctxCheckConcurrency: "4",
				ctxLambdaAssets: "dist/lambda",
			},
			want: with(func(c *Config) {
				c.AlertEmail, c.OpsEmail = "security@example.com", "security@example.com"
				c.Schedule, c.Regions, c.TableRemovalPolicy = "rate(1 day)", []string{"eu-west-1", "us-east-1"}, removalDestroy
				c.NotifyResolved, c.LogRetentionDays, c.CheckConcurrency, c.LambdaAssets = false, 90, 4, "dist/lambda"
			}),
		},
		{
			name: "cdk.json typed values",
			context: map[string]any{
				ctxAlertEmail: "security@example.com", ctxOpsEmail: "ops@example.com", ctxRegions: []any{"ap-southeast-2"},
				ctxNotifyResolved: true, ctxLogRetentionDays: float64(365), ctxCheckConcurrency: float64(2), ctxSchedule: "cron(0 6 * * ? *)",
			},
			want: with(func(c *Config) {
				c.AlertEmail, c.OpsEmail, c.Regions = "security@example.com", "ops@example.com", []string{"ap-southeast-2"}
				c.LogRetentionDays, c.Schedule, c.CheckConcurrency = 365, "cron(0 6 * * ? *)", 2
			}),
		},
		{name: "empty strings are unset", context: map[string]any{ctxAlertEmail: "", ctxRegions: "", ctxSchedule: " "}, want: def},
		{name: "bad email", context: map[string]any{ctxAlertEmail: "Security <sec@example.com>"}, wantErr: []string{ctxAlertEmail, "plain email"}},
		{name: "bad ops email", context: map[string]any{ctxOpsEmail: "nobody"}, wantErr: []string{ctxOpsEmail}},
		{name: "bad schedule", context: map[string]any{ctxSchedule: "every 12 hours"}, wantErr: []string{ctxSchedule, "rate(12 hours)"}},
		{name: "bad region", context: map[string]any{ctxRegions: "eu-west-1,Europe"}, wantErr: []string{ctxRegions, `"Europe"`}},
		{name: "bad removal policy", context: map[string]any{ctxTableRemovalPolicy: "snapshot"}, wantErr: []string{ctxTableRemovalPolicy, "retain"}},
		{name: "bad bool", context: map[string]any{ctxNotifyResolved: "maybe"}, wantErr: []string{ctxNotifyResolved}},
		{name: "retention CloudWatch does not offer", context: map[string]any{ctxLogRetentionDays: "31"}, wantErr: []string{ctxLogRetentionDays, "31"}},
		{name: "fractional retention", context: map[string]any{ctxLogRetentionDays: 30.5}, wantErr: []string{ctxLogRetentionDays, "whole"}},
		{name: "concurrency below the SQS minimum", context: map[string]any{ctxCheckConcurrency: "1"}, wantErr: []string{ctxCheckConcurrency, "2..1000"}},
		{name: "concurrency above the SQS maximum", context: map[string]any{ctxCheckConcurrency: float64(1001)}, wantErr: []string{ctxCheckConcurrency}},
		{name: "wrong type", context: map[string]any{ctxAlertEmail: float64(3)}, wantErr: []string{ctxAlertEmail, "not a string"}},
		{
			name:    "accounts: the organization",
			context: map[string]any{ctxAccounts: " ORG ", ctxOrganizationID: "o-exampleorg1"},
			want:    with(func(c *Config) { c.Accounts, c.OrganizationID = pipeline.AccountsOrg, "o-exampleorg1" }),
		},
		{
			name:    "accounts: a list, trimmed and deduplicated",
			context: map[string]any{ctxAccounts: " 111122223333, 444455556666,111122223333 "},
			want:    with(func(c *Config) { c.Accounts = "111122223333,444455556666" }),
		},
		{
			name:    "accounts: a cdk.json list",
			context: map[string]any{ctxAccounts: []any{"444455556666"}},
			want:    with(func(c *Config) { c.Accounts = "444455556666" }),
		},
		{name: "accounts: empty is the own account", context: map[string]any{ctxAccounts: " "}, want: def},
		{
			name: "member role, external ID and scanner account at their bounds",
			context: map[string]any{
				ctxMemberRoleName: strings.Repeat("r", 64), ctxExternalID: "ab", ctxScannerAccount: "111122223333", ctxScannerRegion: "ap-southeast-2",
			},
			want: with(func(c *Config) {
				c.MemberRoleName, c.ExternalID, c.ScannerAccount, c.ScannerRegion = strings.Repeat("r", 64), "ab", "111122223333", "ap-southeast-2"
			}),
		},
		{
			name:    "every character IAM and STS accept, external ID at 1224",
			context: map[string]any{ctxMemberRoleName: "Audit_role+=,.@-1", ctxExternalID: strings.Repeat("x", 1220) + ":/@="},
			want: with(func(c *Config) {
				c.MemberRoleName, c.ExternalID = "Audit_role+=,.@-1", strings.Repeat("x", 1220)+":/@="
			}),
		},
		{name: "accounts: org among IDs", context: map[string]any{ctxAccounts: "org,111122223333"}, wantErr: []string{ctxAccounts, `"org"`}},
		{name: "accounts: not 12 digits", context: map[string]any{ctxAccounts: "111122223333,12345,abcdefghijkl"}, wantErr: []string{ctxAccounts, `"12345", "abcdefghijkl"`, "12-digit"}},
		{name: "accounts: wrong type", context: map[string]any{ctxAccounts: float64(111122223333)}, wantErr: []string{ctxAccounts}},
		{name: "member role name too long", context: map[string]any{ctxMemberRoleName: strings.Repeat("r", 65)}, wantErr: []string{ctxMemberRoleName, "64"}},
		{name: "member role name with a path", context: map[string]any{ctxMemberRoleName: "team/secadvisor"}, wantErr: []string{ctxMemberRoleName, `"team/secadvisor"`}},
		{name: "external ID too short", context: map[string]any{ctxExternalID: "a"}, wantErr: []string{ctxExternalID, "2 to 1224"}},
		{name: "external ID too long", context: map[string]any{ctxExternalID: strings.Repeat("x", 1225)}, wantErr: []string{ctxExternalID}},
		{name: "external ID with a space", context: map[string]any{ctxExternalID: "my id"}, wantErr: []string{ctxExternalID, `"my id"`}},
		{name: "scanner account not 12 digits", context: map[string]any{ctxScannerAccount: "11112222333", ctxScannerRegion: "eu-west-1"}, wantErr: []string{ctxScannerAccount, "12-digit"}},
		{
			name:    "the organization, its ID, the scanner account and region",
			context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "o-abcdefghij", ctxScannerAccount: "111122223333", ctxScannerRegion: "eu-west-1"},
			want: with(func(c *Config) {
				c.Accounts, c.OrganizationID, c.ScannerAccount, c.ScannerRegion = pipeline.AccountsOrg, "o-abcdefghij", "111122223333", "eu-west-1"
			}),
		},
		{
			name:    "organization ID at its longest, GovCloud region",
			context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "o-" + strings.Repeat("a1", 16), ctxScannerAccount: "111122223333", ctxScannerRegion: "us-gov-west-1"},
			want: with(func(c *Config) {
				c.Accounts, c.OrganizationID, c.ScannerAccount, c.ScannerRegion = pipeline.AccountsOrg, "o-"+strings.Repeat("a1", 16), "111122223333", "us-gov-west-1"
			}),
		},
		{name: "accounts=org without the organization ID", context: map[string]any{ctxAccounts: "org"}, wantErr: []string{ctxOrganizationID, "required with accounts=org"}},
		{name: "organization ID with an account list", context: map[string]any{ctxAccounts: "111122223333", ctxOrganizationID: "o-abcdefghij"}, wantErr: []string{ctxOrganizationID, "only with accounts=org"}},
		{name: "organization ID too short", context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "o-abcdefghi"}, wantErr: []string{ctxOrganizationID, `"o-abcdefghi"`}},
		{name: "organization ID too long", context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "o-" + strings.Repeat("a", 33)}, wantErr: []string{ctxOrganizationID}},
		{name: "organization ID in capitals", context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "o-ABCDEFGHIJ"}, wantErr: []string{ctxOrganizationID}},
		{name: "organization ID without o-", context: map[string]any{ctxAccounts: "org", ctxOrganizationID: "r-abcdefghij"}, wantErr: []string{ctxOrganizationID}},
		{name: "scanner account without region", context: map[string]any{ctxScannerAccount: "111122223333"}, wantErr: []string{ctxScannerRegion, "together"}},
		{name: "scanner region without account", context: map[string]any{ctxScannerRegion: "eu-west-1"}, wantErr: []string{ctxScannerRegion, "together"}},
		{name: "scanner region not a region", context: map[string]any{ctxScannerAccount: "111122223333", ctxScannerRegion: "Ireland"}, wantErr: []string{ctxScannerRegion, `"Ireland"`}},
		{name: "event window at its bounds: 1s", context: map[string]any{ctxEventWindow: "1s"}, want: with(func(c *Config) { c.EventWindow = time.Second })},
		{name: "event window at its bounds: 15m", context: map[string]any{ctxEventWindow: "15m"}, want: with(func(c *Config) { c.EventWindow = 15 * time.Minute })},
		{name: "event window in minutes and seconds", context: map[string]any{ctxEventWindow: " 1m30s "}, want: with(func(c *Config) { c.EventWindow = 90 * time.Second })},
		{name: "event window below 1s", context: map[string]any{ctxEventWindow: "500ms"}, wantErr: []string{ctxEventWindow, "whole seconds from 1s to 15m0s"}},
		{name: "event window above SQS's delay", context: map[string]any{ctxEventWindow: "901s"}, wantErr: []string{ctxEventWindow, "15m0s"}},
		{name: "event window not whole seconds", context: map[string]any{ctxEventWindow: "1.5s"}, wantErr: []string{ctxEventWindow, "whole seconds"}},
		{name: "event window without a unit", context: map[string]any{ctxEventWindow: "60"}, wantErr: []string{ctxEventWindow, "60s or 2m"}},
		{name: "event window as a number", context: map[string]any{ctxEventWindow: float64(60)}, wantErr: []string{ctxEventWindow, "not a string"}},
		{name: "the digest's default: Mondays at 08:00 UTC", context: nil, want: with(func(c *Config) { c.DigestSchedule = "cron(0 8 ? * MON *)" })},
		{name: "digest off", context: map[string]any{ctxDigestSchedule: " Off "}, want: with(func(c *Config) { c.DigestSchedule = "" })},
		{name: "digest on another schedule", context: map[string]any{ctxDigestSchedule: "rate(7 days)"}, want: with(func(c *Config) { c.DigestSchedule = "rate(7 days)" })},
		{name: "digest schedule empty: the default", context: map[string]any{ctxDigestSchedule: " "}, want: def},
		{name: "bad digest schedule", context: map[string]any{ctxDigestSchedule: "weekly"}, wantErr: []string{ctxDigestSchedule, `"weekly"`, "off", "cron(0 8 ? * MON *)"}},
		{name: "security hub off by default", context: nil, want: with(func(c *Config) { c.SecurityHub = false })},
		{name: "security hub on from -c", context: map[string]any{ctxSecurityHub: "true"}, want: with(func(c *Config) { c.SecurityHub = true })},
		{name: "security hub on from cdk.json", context: map[string]any{ctxSecurityHub: true}, want: with(func(c *Config) { c.SecurityHub = true })},
		{name: "bad security hub", context: map[string]any{ctxSecurityHub: "yes please"}, wantErr: []string{ctxSecurityHub, "true or false"}},
		{name: "digest schedule as a boolean", context: map[string]any{ctxDigestSchedule: false}, wantErr: []string{ctxDigestSchedule, "not a string"}},
		{
			name:    "every error is reported at once",
			context: map[string]any{ctxSchedule: "x", ctxCheckConcurrency: "0"},
			wantErr: []string{ctxSchedule, ctxCheckConcurrency},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ConfigFromContext(func(key string) any { return tt.context[key] })
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ConfigFromContext(%v) = %+v, want an error mentioning %q", tt.context, got, tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("ConfigFromContext(%v) error = %q, want it to mention %q", tt.context, err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromContext(%v): %v", tt.context, err)
			}
			if len(got.Checks) != len(checks.All()) {
				t.Errorf("ConfigFromContext(%v) has %d checks, want the catalog's %d", tt.context, len(got.Checks), len(checks.All()))
			}
			// What the stack gives the orchestrator, it reads as meant.
			if parsed, err := orchestratorfn.ParseAccounts(got.Accounts); err != nil {
				t.Errorf("ConfigFromContext(%v).Accounts = %q, which the orchestrator rejects: %v", tt.context, got.Accounts, err)
			} else if parsed.Org != (got.Accounts == pipeline.AccountsOrg) || (!parsed.Org && strings.Join(parsed.IDs, ",") != got.Accounts) {
				t.Errorf("ConfigFromContext(%v).Accounts = %q, which the orchestrator reads as %+v", tt.context, got.Accounts, parsed)
			}
			if w, err := orchestratorfn.ParseEventWindow(got.EventWindow.String()); err != nil || w != got.EventWindow {
				t.Errorf("ConfigFromContext(%v).EventWindow = %v, which the orchestrator reads as %v (%v)", tt.context, got.EventWindow, w, err)
			}
			// The catalog's runners need not be comparable; the rest must be equal.
			got.Checks, tt.want.Checks = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ConfigFromContext(%v)\n got %+v\nwant %+v", tt.context, got, tt.want)
			}
		})
	}
}
