package suppress

import (
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

var today = time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC)

func finding(checkID, slug, account, region, resource string, status check.Status) check.Finding {
	return check.Finding{CheckID: checkID, Slug: slug, Account: account, Region: region, ResourceID: resource, Status: status}
}

func TestMatchesEachField(t *testing.T) {
	t.Parallel()
	base := finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "www.example.com", check.Red)
	rule := func(checkName, account, region, resource string) Rule {
		r, err := New("t", checkName, account, region, resource, "why", "who", "2027-01-01", today, DefaultMaxAhead)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return r
	}
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"all any", rule(Any, Any, Any, "*"), true},
		{"check by slug", rule("s3-bucket-permissions", Any, Any, "*"), true},
		{"check by ID", rule("Pfx0RwqBli", Any, Any, "*"), true},
		{"other check", rule("iam-password-policy", Any, Any, "*"), false},
		{"account", rule(Any, "111122223333", Any, "*"), true},
		{"other account", rule(Any, "444455556666", Any, "*"), false},
		{"region global", rule(Any, Any, check.GlobalRegion, "*"), true},
		{"other region", rule(Any, Any, "eu-west-1", "*"), false},
		{"exact resource", rule(Any, Any, Any, "www.example.com"), true},
		{"resource prefix is not a match", rule(Any, Any, Any, "www.example"), false},
		{"glob star", rule(Any, Any, Any, "www.*.com"), true},
		{"glob question mark", rule(Any, Any, Any, "www.exampl?.com"), true},
		{"glob set", rule(Any, Any, Any, "[vw]ww.example.com"), true},
		{"glob negated set", rule(Any, Any, Any, "[!w]ww.example.com"), false},
		{"dots are literal", rule(Any, Any, Any, "www?example?com"), true},
		{"dot does not match any", rule(Any, Any, Any, "wwwxexample.com"), false},
	}
	for _, tt := range tests {
		if got := tt.rule.Matches(base); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A star spans slashes: a rule can cover every rule of a group, or an ARN's path.
	arn := base
	arn.ResourceID = "sg-0bastion/sgr-0123"
	if !rule(Any, Any, Any, "sg-0bastion*").Matches(arn) {
		t.Error("sg-0bastion* does not match sg-0bastion/sgr-0123")
	}
}

// TestApply: red and yellow findings an active rule covers are suppressed;
// errors and greens never are; an expired rule applies to nothing and is
// reported; an active rule that matched nothing is stale, unless the scan
// did not cover its check.
func TestApply(t *testing.T) {
	t.Parallel()
	mk := func(id, expires, resource string) Rule {
		r, err := New(id, Any, Any, Any, resource, "accepted", "team", expires, today, DefaultMaxAhead)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rules := []Rule{
		mk("active", "2026-12-01", "bucket-*"), // its last day is today: still active
		mk("expired", "2026-11-30", "old-*"),
		mk("stale", "2027-06-01", "gone"),
	}
	findings := []check.Finding{
		finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "bucket-red", check.Red),
		finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "bucket-yellow", check.Yellow),
		finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "bucket-green", check.Green),
		finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "bucket-error", check.Error),
		finding("Pfx0RwqBli", "s3-bucket-permissions", "111122223333", check.GlobalRegion, "old-red", check.Red),
	}
	out := Apply(findings, rules, today, nil)
	want := map[string]bool{"bucket-red": true, "bucket-yellow": true, "bucket-green": false, "bucket-error": false, "old-red": false}
	for _, f := range findings {
		if f.Suppressed != want[f.ResourceID] {
			t.Errorf("%s (%s): suppressed = %v, want %v", f.ResourceID, f.Status, f.Suppressed, want[f.ResourceID])
		}
		if f.Suppressed && (f.Suppression == nil || f.Suppression.Rule != "active" || f.Suppression.Expires != "2026-12-01" || f.Suppression.Owner != "team") {
			t.Errorf("%s: suppression = %+v, want rule active, owner team, expires 2026-12-01", f.ResourceID, f.Suppression)
		}
	}
	if out.Suppressed != 2 || len(out.Expired) != 1 || out.Expired[0].ID != "expired" || len(out.Stale) != 1 || out.Stale[0].ID != "stale" {
		t.Errorf("outcome = %+v, want 2 suppressed, expired [expired], stale [stale]", out)
	}
	// The day after its expiry the active rule stops applying.
	again := Apply(findings, rules, today.Add(24*time.Hour), nil)
	if again.Suppressed != 0 || findings[0].Suppressed || len(again.Expired) != 2 {
		t.Errorf("next day: outcome %+v, first finding suppressed %v; want nothing suppressed, two expired", again, findings[0].Suppressed)
	}
	// A scan that did not cover a rule's check does not call it stale.
	if out := Apply(findings, rules, today, func(Rule) bool { return false }); len(out.Stale) != 0 {
		t.Errorf("stale = %+v for a scan that covered none of the rules' checks, want none", out.Stale)
	}
}
