package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/report"
)

// TestScanOrganization scans an emulated organization: the management
// account with its own credentials, a member through the member role, and a
// member without the role, which gets one error finding per check.
func TestScanOrganization(t *testing.T) {
	t.Parallel()
	cfg, management := emutest.Config(t)
	members := emutest.Organization(t, management,
		emulator.Member{Name: "workloads", Role: org.DefaultRoleName},
		emulator.Member{Name: "sandbox"}, // the member role was never deployed here
	)
	workloads, sandbox := members[0], members[1]
	_, public := ebspublicsnapshotstest.PrivateAndPublic(t, emulator.Config(emutest.Server(t).URL, workloads), "us-east-1")

	var flags scanFlags
	flags.regions = regionList{"us-east-1"}
	flags.checks = "ebs-public-snapshots,iam-password-policy"
	flags.regionConcurrency = 2
	flags.org = orgFlags{org: true, roleName: org.DefaultRoleName}
	rep, code, stderr := scanReport(t, cfg, flags)
	if code != ExitFindings {
		t.Errorf("exit = %d, want %d (a red snapshot and an account that cannot be entered); stderr:\n%s", code, ExitFindings, stderr)
	}
	for _, want := range []string{management, workloads, sandbox} {
		if !strings.Contains(strings.Join(rep.Scan.Accounts, ","), want) {
			t.Errorf("scanned accounts = %v, want %s among them", rep.Scan.Accounts, want)
		}
	}
	if got := rep.Scan.AccountNames[workloads]; got != "workloads" {
		t.Errorf("account name of %s = %q, want workloads (from Organizations)", workloads, got)
	}

	type key struct{ account, slug, resource string }
	byKey := map[key]check.Finding{}
	for _, f := range rep.Findings {
		byKey[key{f.Account, f.Slug, f.ResourceID}] = f
	}
	if f, ok := byKey[key{workloads, "ebs-public-snapshots", public}]; !ok || f.Status != check.Red || f.AccountName != "workloads" {
		t.Errorf("the member's public snapshot = %+v (found %v), want red under account %s named workloads", f, ok, workloads)
	}
	for k := range byKey {
		if k.resource == public && k.account != workloads {
			t.Errorf("the member's snapshot %s is reported under account %s", public, k.account)
		}
	}
	// The management account is scanned with its own credentials: its
	// password policy is judged (it has none: red), not an error.
	if f := byKey[key{management, "iam-password-policy", "password-policy"}]; f.Status != check.Red {
		t.Errorf("management account's password policy = %q (%s), want red (it has none)", f.Status, f.Reason)
	}

	roleARN := org.RoleARN("aws", sandbox, org.DefaultRoleName)
	for _, tt := range []struct{ slug, region string }{
		{"ebs-public-snapshots", check.AllRegions},
		{"iam-password-policy", check.GlobalRegion},
	} {
		var got []check.Finding
		for _, f := range rep.Findings {
			if f.Account == sandbox && f.Slug == tt.slug {
				got = append(got, f)
			}
		}
		if len(got) != 1 {
			t.Errorf("%s findings of the account without the role = %d (%+v), want one error", tt.slug, len(got), got)
			continue
		}
		f := got[0]
		if f.Status != check.Error || f.ResourceID != check.WholeScope || f.Region != tt.region ||
			!strings.Contains(f.Reason, roleARN) || !strings.Contains(f.Reason, "AccessDenied") {
			t.Errorf("%s finding of the account without the role = %s %s/%s %q; want error, region %s, resource (all), a reason naming %s and AccessDenied",
				tt.slug, f.Status, f.Region, f.ResourceID, f.Reason, tt.region, roleARN)
		}
	}
	// Summaries are per check and account.
	seen := map[[2]string]bool{}
	for _, s := range rep.Summaries {
		seen[[2]string{s.Account, s.Slug}] = true
	}
	for _, account := range []string{management, workloads, sandbox} {
		for _, slug := range []string{"ebs-public-snapshots", "iam-password-policy"} {
			if !seen[[2]string{account, slug}] {
				t.Errorf("no summary of %s for account %s; summaries: %v", slug, account, seen)
			}
		}
	}
}

func TestOrgFlagsValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		flags   orgFlags
		wantErr string
	}{
		{"own account", orgFlags{roleName: org.DefaultRoleName}, ""},
		{"org", orgFlags{org: true, roleName: org.DefaultRoleName, exclude: "111122223333"}, ""},
		{"list", orgFlags{accounts: "111122223333,444455556666", roleName: "r"}, ""},
		{"both", orgFlags{org: true, accounts: "111122223333", roleName: "r"}, "use one"},
		{"exclude alone", orgFlags{exclude: "111122223333", roleName: "r"}, "needs --org or --accounts"},
		{"short ID", orgFlags{accounts: "11112222333", roleName: "r"}, "not a 12-digit"},
		{"bad exclude", orgFlags{org: true, exclude: "x", roleName: "r"}, "not a 12-digit"},
		{"role with slash", orgFlags{org: true, roleName: "a/b"}, "--role-name"},
		{"role too long", orgFlags{org: true, roleName: strings.Repeat("r", 65)}, "--role-name"},
		{"external ID too short", orgFlags{org: true, roleName: "r", externalID: "x"}, "--external-id"},
		{"external ID with space", orgFlags{org: true, roleName: "r", externalID: "a b"}, "--external-id"},
		{"external ID longest", orgFlags{org: true, roleName: "r", externalID: strings.Repeat("e", 1224)}, ""},
		{"external ID too long", orgFlags{org: true, roleName: "r", externalID: strings.Repeat("e", 1225)}, "--external-id"},
	} {
		err := tt.flags.validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: validate() = %v, want error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestScanOrgCommand runs `secadvisor scan --org --emulator --endpoint-url
// URL` as a user would, with the emulator's default account as the
// management account: each member's findings under its own account ID, the
// member without the role as error findings.
func TestScanOrgCommand(t *testing.T) {
	t.Parallel()
	url := emutest.Server(t).URL
	members := emutest.Organization(t, emulator.DefaultAccount,
		emulator.Member{Name: "cmd-workloads", Role: org.DefaultRoleName}, emulator.Member{Name: "cmd-sandbox"})
	_, public := ebspublicsnapshotstest.PrivateAndPublic(t, emulator.Config(url, members[0]), "us-east-1")
	code, out, stderr := run(t, "scan", "--org", "--emulator", "--endpoint-url", url, "--regions", "us-east-1",
		"--checks", "ebs-public-snapshots", "--format", "json")
	if code != ExitFindings {
		t.Errorf("scan --org exit = %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, out)
	}
	status := map[[2]string]check.Status{}
	for _, f := range rep.Findings {
		status[[2]string{f.Account, f.ResourceID}] = f.Status
	}
	if got := status[[2]string{members[0], public}]; got != check.Red {
		t.Errorf("member %s's public snapshot = %q, want red under its account; findings: %v", members[0], got, status)
	}
	if got := status[[2]string{members[1], check.WholeScope}]; got != check.Error {
		t.Errorf("member %s without the role = %q, want one error finding; findings: %v", members[1], got, status)
	}
	if !slices.Contains(rep.Scan.Accounts, emulator.DefaultAccount) {
		t.Errorf("scanned accounts = %v, want the management account %s too", rep.Scan.Accounts, emulator.DefaultAccount)
	}
}
