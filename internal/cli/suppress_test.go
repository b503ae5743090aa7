package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/store/storetest"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// day is a date n days from today, as --expires takes it.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(suppress.DateLayout) }

// TestSuppressUsageErrors: bad commands, flags, rules and files are usage
// errors (exit 2) naming the problem, before any AWS call (the endpoint
// never answers).
func TestSuppressUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(badFile, []byte("rules:\n  - check: ebs-public-snapshots\n    acount: \"*\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conn := []string{"--table", "t", "--endpoint-url", "http://127.0.0.1:1"}
	add := func(change ...string) []string {
		values := map[string]string{"check": "ebs-public-snapshots", "account": "*", "region": "*", "resource": "snap-1",
			"reason": "accepted", "owner": "ops", "expires": day(30)}
		for i := 0; i+1 < len(change); i += 2 {
			values[change[i]] = change[i+1]
		}
		args := append([]string{"suppress", "add"}, conn...)
		for _, f := range ruleFlags {
			if v := values[f.name]; v != "-" {
				args = append(args, "--"+f.name, v)
			}
		}
		return args
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"suppress"}, "want add, list, remove or import"},
		{[]string{"suppress", "mute"}, `unknown command "mute"`},
		{[]string{"suppress", "list"}, "--table is required"},
		{[]string{"suppress", "list", "--table", "t", "--emulator"}, "--emulator needs --endpoint-url"},
		{append([]string{"suppress", "list", "--format", "yaml"}, conn...), `--format "yaml"`},
		{append([]string{"suppress", "list", "extra"}, conn...), `unexpected argument "extra"`},
		{append([]string{"suppress", "remove"}, conn...), "want one ID"},
		{append([]string{"suppress", "import"}, conn...), "want one FILE"},
		{append([]string{"suppress", "import", filepath.Join(dir, "missing.yaml")}, conn...), "no such file"},
		{append([]string{"suppress", "import", badFile}, conn...), badFile + `:3: unknown key "acount"`},
		{add("reason", "-", "owner", "-"), "missing --reason, --owner"},
		{add("reason", " "), "missing --reason"},
		{add("check", "no-such-check"), `check "no-such-check"`},
		{add("account", "12345"), `account "12345"`},
		{add("region", "moon-1"), `region "moon-1"`},
		{add("resource", "snap-[1"), "bad glob"},
		{add("expires", "31/12/2026"), `expires "31/12/2026"`},
		{add("expires", day(400)), "more than 365 days ahead"},
		{add("expires", day(-1)), "is past"},
		{append(add(), "--format", "json"), "flag provided but not defined: -format"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("secadvisor %q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, ExitUsage, tt.want)
		}
	}
	if code, stdout, _ := run(t, "suppress", "add", "-h"); code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "-expires day") {
		t.Errorf("suppress add -h: exit %d, stdout:\n%s\nwant exit 0, examples and the --expires flag", code, stdout)
	}
}

// TestSuppressOnEmulator adds, imports, lists and removes rules in a
// findings table as a user would, and checks after each that the stored
// findings' suppression follows the rules at once.
func TestSuppressOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server := emutest.Server(t)
	const (
		table   = "secadvisor-findings-suppress-test"
		account = "111122223333"
		region  = "eu-west-1"
	)
	cfg := emulator.Config(server.URL, emulator.DefaultAccount)
	st := storetest.Table(t, cfg, table)
	var seed []check.Finding
	for _, id := range []string{"snap-web", "snap-vendor-1", "snap-private"} {
		status := check.Red
		if id == "snap-private" {
			status = check.Green
		}
		seed = append(seed, check.Finding{CheckID: "ePs02jT06w", Slug: "ebs-public-snapshots", Account: account, Region: region, ResourceID: id, Status: status, Reason: "r"})
	}
	if _, err := st.Apply(ctx, store.JobResult{Account: account, CheckID: "ePs02jT06w", Region: region, ScanID: "s", ScanTime: time.Now(), Findings: seed}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	// suppressedBy returns the rule suppressing each stored finding ("" for none).
	suppressedBy := func() map[string]string {
		t.Helper()
		records, err := st.Records(ctx, store.Filter{Account: account, CheckID: "ePs02jT06w"})
		if err != nil {
			t.Fatalf("Records: %v", err)
		}
		out := map[string]string{}
		for _, r := range records {
			out[r.ResourceID] = ""
			if r.Suppressed && r.Suppression != nil {
				out[r.ResourceID] = r.Suppression.Rule
			}
		}
		return out
	}
	conn := []string{"--table", table, "--endpoint-url", server.URL, "--emulator"}
	cmd := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, append(append([]string{"suppress"}, args...), conn...)...)
	}
	ruleID := regexp.MustCompile(`sup-[0-9]{8}-[0-9a-f]{6}`)

	// add: the web snapshot is suppressed at once.
	expires := day(90)
	code, out, stderr := cmd("add", "--check", "ebs-public-snapshots", "--account", account, "--region", "*", "--resource", "snap-web",
		"--reason", "public website, reviewed", "--owner", "web-team", "--expires", expires)
	webRule := ruleID.FindString(out)
	if code != ExitOK || webRule == "" || !strings.Contains(out, "1 stored findings changed") {
		t.Fatalf("suppress add: exit %d, stdout:\n%s\nstderr:\n%s\nwant a new rule ID and 1 finding changed", code, out, stderr)
	}
	if got, want := suppressedBy(), map[string]string{"snap-web": webRule, "snap-vendor-1": "", "snap-private": ""}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after add, suppressing rules = %v, want %v", got, want)
	}

	// import: the same rule again is skipped, an expired one too, the new one is stored and applied.
	file := filepath.Join(t.TempDir(), "rules.yaml")
	rules := fmt.Sprintf(`rules:
  - check: ebs-public-snapshots
    account: "%[1]s"
    region: "*"
    resource: snap-web
    reason: public website, reviewed
    owner: web-team
    expires: %[2]s
  - check: "*"
    account: "*"
    region: %[3]s
    resource: snap-vendor-*
    reason: shared with the vendor
    owner: data-team
    expires: %[2]s
  - check: "*"
    account: "*"
    region: "*"
    resource: snap-private
    reason: old exception
    owner: data-team
    expires: %[4]s
`, account, expires, region, day(-3))
	if err := os.WriteFile(file, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = cmd("import", file)
	vendorRule := ""
	if m := regexp.MustCompile(`added (sup-\S+) from ` + regexp.QuoteMeta(file) + `:9:`).FindStringSubmatch(out); m != nil {
		vendorRule = m[1]
	}
	if code != ExitOK || vendorRule == "" || !strings.Contains(out, "imported 1 rules (1 already stored, 1 expired)") ||
		!strings.Contains(out, "stored as "+webRule) || !strings.Contains(out, "1 stored findings changed") {
		t.Fatalf("suppress import: exit %d, stdout:\n%s\nstderr:\n%s\nwant the vendor rule (line 9) added, the web rule and the expired one skipped, 1 finding changed", code, out, stderr)
	}
	if code, out, _ = cmd("import", file); code != ExitOK || !strings.Contains(out, "imported 0 rules (2 already stored, 1 expired)") || !strings.Contains(out, "0 stored findings changed") {
		t.Errorf("suppress import again: exit %d, stdout:\n%s\nwant nothing added or changed", code, out)
	}
	if got, want := suppressedBy(), map[string]string{"snap-web": webRule, "snap-vendor-1": vendorRule, "snap-private": ""}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after import, suppressing rules = %v, want %v", got, want)
	}

	// list, as a table and as JSON.
	code, out, _ = cmd("list")
	flat := strings.Join(strings.Fields(out), " ")
	if code != ExitOK || !strings.Contains(flat, "ID CHECK ACCOUNT REGION RESOURCE OWNER EXPIRES STATE") ||
		!strings.Contains(flat, webRule+" ebs-public-snapshots "+account+" * snap-web web-team "+expires+" active") ||
		!strings.Contains(flat, "2 rules (2 active, 0 expired)") {
		t.Errorf("suppress list: exit %d, stdout:\n%s\nwant both rules, active", code, out)
	}
	code, out, _ = cmd("list", "--format", "json")
	var listed struct {
		SchemaVersion int        `json:"schemaVersion"`
		Suppressions  []ruleView `json:"suppressions"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || code != ExitOK || len(listed.Suppressions) != 2 {
		t.Fatalf("suppress list --format json: exit %d, %v:\n%s", code, err, out)
	}
	want := ruleView{Rule: suppress.Rule{ID: vendorRule, Check: "*", Account: "*", Region: region, Resource: "snap-vendor-*", Reason: "shared with the vendor", Owner: "data-team"},
		Expires: expires, State: "active"}
	if got := listed.Suppressions; got[0] != want && got[1] != want {
		t.Errorf("suppress list --format json = %+v, want among them %+v", got, want)
	}

	// remove: the web snapshot is red and unsuppressed again at once.
	code, out, stderr = cmd("remove", webRule)
	if code != ExitOK || !strings.Contains(out, "removed "+webRule) || !strings.Contains(out, "1 stored findings changed") {
		t.Errorf("suppress remove: exit %d, stdout:\n%s\nstderr:\n%s\nwant 1 finding changed", code, out, stderr)
	}
	if got, want := suppressedBy(), map[string]string{"snap-web": "", "snap-vendor-1": vendorRule, "snap-private": ""}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after remove, suppressing rules = %v, want %v", got, want)
	}
	if code, _, stderr = cmd("remove", webRule); code != ExitUsage || !strings.Contains(stderr, "no such suppression rule: "+webRule) {
		t.Errorf("suppress remove of a removed rule: exit %d, stderr %q; want %d naming it", code, stderr, ExitUsage)
	}
}
