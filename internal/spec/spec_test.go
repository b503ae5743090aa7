package spec

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
)

// TestParseFindsEveryCheck guards the parser on the real text: one check
// for every "Check ID" heading, in order, each complete.
func TestParseFindsEveryCheck(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("trusted-advisor-security-checks.txt")
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	ids := regexp.MustCompile(`(?m)^Check ID\s*\n\s*\n?(\S+)`).FindAllStringSubmatch(string(raw), -1)
	got := All()
	if len(got) != len(ids) || len(ids) == 0 {
		t.Fatalf("parsed %d checks, the spec has %d Check ID headings", len(got), len(ids))
	}
	for i, c := range got {
		if c.ID != ids[i][1] {
			t.Errorf("check %d ID = %q, want %q", i, c.ID, ids[i][1])
		}
		for _, note := range []string{"refreshed", "Note"} {
			if strings.Contains(c.Description, note) {
				t.Errorf("%s description holds a note (%q): %q", c.ID, note, c.Description)
			}
		}
		for _, col := range c.Columns {
			if _, ok := Lookup(col); ok || col == "" || strings.Contains(col, ":") {
				t.Errorf("%s column %q is not a column name", c.ID, col)
			}
		}
	}
}

// TestParse pins what the parser takes from each section, on checks that
// show its cases: bullets and a green criterion, a column named like a
// heading, a note between description and check ID, a check without
// columns, a title with a no-break space, and the last check of the file.
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id          string
		name        string
		description string // its start
		criteria    []check.Criterion
		action      string // its end
		columns     []string
	}{
		{
			id: "HCP4007jGY", name: "Security Groups – Specific Ports Unrestricted",
			description: "Checks security groups for rules that allow unrestricted access (0.0.0.0/0) to specific ports. Unrestricted access",
			criteria: []check.Criterion{
				{Status: check.Green, Text: "Access to port 80, 25, 443, or 465 is unrestricted."},
				{Status: check.Red, Text: "Access to port 20, 21, 1433, 1434, 3306, 3389, 4333, 5432, or 5500 is unrestricted."},
				{Status: check.Yellow, Text: "Access to any other port is unrestricted."},
			},
			action:  "Be sure to delete overly permissive rules after creating rules that are more restrictive.",
			columns: []string{"Status", "Region", "Security Group Name", "Security Group ID", "Protocol", "From Port", "To Port"},
		},
		{
			id: "ePs02jT06w", name: "Amazon EBS Public Snapshots",
			description: "Checks the permission settings for your Amazon Elastic Block Store (Amazon EBS) volume snapshots",
			criteria:    []check.Criterion{{Status: check.Red, Text: "The EBS volume snapshot is marked as public."}},
			action:      "For more information, see AWSSupport-ModifyEBSSnapshotPermission.",
			columns:     []string{"Status", "Region", "Volume ID", "Snapshot ID", "Description"},
		},
		{
			id: "zXCkfM1nI3", name: "IAM Use",
			description: "Checks for your use of IAM.",
			criteria:    []check.Criterion{{Status: check.Yellow, Text: "No IAM users have been created for this account."}},
			action:      "to perform specific tasks in your AWS environment.",
		},
		{
			id: "c9D319e7sG", name: "Amazon Route 53 MX Resource Record Sets and Sender Policy Framework",
			description: "For each MX resource record set, checks that the TXT or SPF resource record set contains a valid SPF record.",
			criteria:    []check.Criterion{{Status: check.Yellow, Text: "An MX resource record set doesn’t have a TXT or SPF resource record that contains a valid SPF value."}},
			action:      "and Creating Resource Record Sets By Using the Amazon Route 53 Console.",
			columns:     []string{"Hosted Zone Name", "Hosted Zone ID", "Resource Record Set Name", "Status"},
		},
		{
			id: "1iG5NDGVre", name: "Security Groups – Unrestricted Access",
			description: "Checks security groups for rules that allow unrestricted access to a resource. Unrestricted access increases opportunities for malicious activity (hacking, denial-of-service attacks, loss of data).",
			criteria:    []check.Criterion{{Status: check.Red, Text: "A security group rule has a source IP address with a /0 suffix for ports other than 25, 80, or 443."}},
			action:      "Be sure to delete overly permissive rules after creating rules that are more restrictive.",
			columns:     []string{"Status", "Region", "Security Group Name", "Security Group ID", "Protocol", "From Port", "To Port", "IP Range"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			got, ok := Lookup(tt.id)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing", tt.id)
			}
			if got.Name != tt.name {
				t.Errorf("name = %q, want %q", got.Name, tt.name)
			}
			if !strings.HasPrefix(got.Description, tt.description) {
				t.Errorf("description = %q, want it to start %q", got.Description, tt.description)
			}
			if !slices.Equal(got.Criteria, tt.criteria) {
				t.Errorf("criteria = %q, want %q", got.Criteria, tt.criteria)
			}
			if !strings.HasSuffix(got.RecommendedAction, tt.action) {
				t.Errorf("recommended action = %q, want it to end %q", got.RecommendedAction, tt.action)
			}
			if !slices.Equal(got.Columns, tt.columns) {
				t.Errorf("columns = %q, want %q", got.Columns, tt.columns)
			}
		})
	}
}

// TestParseRejectsIncompleteChecks: a check missing a section is an error
// naming it, not a check with empty text.
func TestParseRejectsIncompleteChecks(t *testing.T) {
	t.Parallel()
	complete := "Title\n\nDescription\n\nChecks x.\n\nCheck ID\n\nABC\n\nAlert Criteria\n\nRed: bad.\n\nRecommended Action\n\nFix it.\n\nReport columns\n  • Status\n"
	if got, err := Parse(complete); err != nil || len(got) != 1 || got[0].ID != "ABC" || !slices.Equal(got[0].Columns, []string{"Status"}) {
		t.Fatalf("Parse(complete) = %+v, %v; want one check ABC with column Status", got, err)
	}
	for _, drop := range []string{"Checks x.", "ABC", "Red: bad.", "Fix it."} {
		if _, err := Parse(strings.Replace(complete, drop, "", 1)); err == nil || !strings.Contains(err.Error(), "Title") {
			t.Errorf("Parse without %q: error = %v, want one naming the check", drop, err)
		}
	}
	if _, err := Parse("no checks here"); err == nil {
		t.Error("Parse of a text without checks: no error")
	}
}

// TestMeta: a check of the specification gets its text and columns from
// it and keeps its own fields; an ID the specification lacks panics.
func TestMeta(t *testing.T) {
	t.Parallel()
	got := Meta("zXCkfM1nI3", check.Meta{Slug: "iam-use", Scope: check.Global, IAMActions: []string{"iam:ListUsers"}, Name: "overridden"})
	want, _ := Lookup("zXCkfM1nI3")
	if got.ID != "zXCkfM1nI3" || got.Name != want.Name || got.Description != want.Description || got.RecommendedAction != want.RecommendedAction ||
		!slices.Equal(got.Criteria, want.Criteria) || got.Slug != "iam-use" || got.Scope != check.Global || !slices.Equal(got.IAMActions, []string{"iam:ListUsers"}) {
		t.Errorf("Meta = %+v, want the spec's text with slug, scope and IAM actions kept", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "NotInSpec") {
			t.Errorf("Meta of an unknown ID: recover() = %v, want a panic naming it", r)
		}
	}()
	Meta("NotInSpec", check.Meta{})
}
