package rulesfile

import (
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/suppress"
)

var today = time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC)

const validFile = `rules:
  - check: s3-bucket-permissions
    account: "*"
    region: "*"
    resource: www.example.com
    reason: public website, reviewed
    owner: web-team
    expires: 2027-03-31
  - check: HCP4007jGY
    account: "111122223333"
    region: eu-west-1
    resource: "sg-0bastion*"
    reason: bastion SSH from the office
    owner: platform
    expires: 2026-12-01
`

func TestParse(t *testing.T) {
	t.Parallel()
	rules, err := Parse("s.yaml", []byte(validFile), today, suppress.DefaultMaxAhead)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if len(rules) != 2 || rules[0].ID != "s.yaml:2" || rules[1].ID != "s.yaml:9" {
		t.Fatalf("rules = %+v, want two with IDs s.yaml:2 and s.yaml:9 (file and line)", rules)
	}
	r := rules[0]
	if r.Check != "s3-bucket-permissions" || r.Account != suppress.Any || r.Region != suppress.Any || r.Resource != "www.example.com" ||
		r.Reason != "public website, reviewed" || r.Owner != "web-team" || r.Expires.Format(suppress.DateLayout) != "2027-03-31" {
		t.Errorf("first rule = %+v", r)
	}
}

// TestParseFileErrors: every problem is a usage error naming the file and
// the line it is on.
func TestParseFileErrors(t *testing.T) {
	t.Parallel()
	rule := func(extra string, drop string) string {
		lines := []string{"rules:", "  - check: iam-password-policy", "    account: \"*\"", "    region: global",
			"    resource: password-policy", "    reason: accepted", "    owner: sec", "    expires: 2027-01-31"}
		var out []string
		for _, l := range lines {
			if drop != "" && strings.Contains(l, drop+":") {
				continue
			}
			out = append(out, l)
		}
		if extra != "" {
			out = append(out, extra)
		}
		return strings.Join(out, "\n") + "\n"
	}
	tests := []struct {
		name, file, want string
	}{
		{"unknown top-level key", "rules: []\nmutes: []\n", "s.yaml:2: unknown key \"mutes\""},
		{"no rules key", "{}\n", "no rules key"},
		{"rules not a list", "rules: x\n", "s.yaml:1: rules: want a list"},
		{"unknown rule key", rule("    ticket: SEC-1", ""), "s.yaml:9: unknown key \"ticket\""},
		{"missing reason", rule("", "reason"), "s.yaml:2: reason is required"},
		{"missing owner", rule("", "owner"), "owner is required"},
		{"missing expires", rule("", "expires"), "expires is required"},
		{"missing resource", rule("", "resource"), "resource is required"},
		{"bad date", strings.Replace(rule("", ""), "2027-01-31", "31/01/2027", 1), "want a date YYYY-MM-DD"},
		{"too far ahead", strings.Replace(rule("", ""), "2027-01-31", "2027-12-02", 1), "more than 365 days ahead"},
		{"bad glob", strings.Replace(rule("", ""), "resource: password-policy", "resource: \"sg-[abc\"", 1), "bad glob"},
		{"unknown check", strings.Replace(rule("", ""), "iam-password-policy", "no-such-check", 1), "check \"no-such-check\""},
		{"bad account", strings.Replace(rule("", ""), "\"*\"", "\"1234\"", 1), "12-digit account ID"},
		{"bad region", strings.Replace(rule("", ""), "region: global", "region: Europe", 1), "want a region name"},
		{"not YAML", "rules: [\n", "s.yaml"},
		{"key twice", rule("    owner: other", ""), "key \"owner\" given twice"},
	}
	for _, tt := range tests {
		_, err := Parse("s.yaml", []byte(tt.file), today, suppress.DefaultMaxAhead)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseFile error = %v, want one containing %q\nfile:\n%s", tt.name, err, tt.want, tt.file)
		}
	}
	// The last day that is allowed.
	if _, err := Parse("s.yaml", []byte(strings.Replace(rule("", ""), "2027-01-31", "2027-12-01", 1)), today, suppress.DefaultMaxAhead); err != nil {
		t.Errorf("an expiry exactly 365 days ahead: %v, want accepted", err)
	}
}
