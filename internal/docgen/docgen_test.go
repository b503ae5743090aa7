package docgen

import (
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
)

func TestReplaceTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, readme, want, wantErr string
	}{
		{"replaced, hand-written text kept", "intro\n<!-- checks:begin (old note) -->\nold table\n<!-- checks:end -->\nafter\n",
			"intro\n" + beginLine + "\nnew table\n<!-- checks:end -->\nafter\n", ""},
		{"no markers", "intro\n", "", "no check table"},
		{"end before begin", "<!-- checks:end -->\n<!-- checks:begin -->\n", "", "no check table"},
	}
	for _, tt := range tests {
		got, err := replaceTable(tt.readme, "new table\n")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: replaceTable = %q, %v;\nwant %q", tt.name, got, err, tt.want)
		}
	}
}

func TestRecheckedOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		triggers         []check.Trigger
		wantPage, wantRM string
	}{
		{"none", nil, "the schedule only", "the schedule only"},
		{"one event", []check.Trigger{{Source: "iam.amazonaws.com", Names: []string{"CreateUser"}}},
			"`iam.amazonaws.com`: `CreateUser`", "1 CloudTrail event"},
		{"two sources", []check.Trigger{
			{Source: "rds.amazonaws.com", Names: []string{"ModifyDBInstance", "DeleteDBInstance"}},
			{Source: "ec2.amazonaws.com", Names: []string{"AuthorizeSecurityGroupIngress"}},
		}, "`rds.amazonaws.com`: `ModifyDBInstance`, `DeleteDBInstance`; `ec2.amazonaws.com`: `AuthorizeSecurityGroupIngress`", "3 CloudTrail events"},
	}
	for _, tt := range tests {
		m := check.Meta{Triggers: tt.triggers}
		if got := recheckedOn(m); got != tt.wantPage {
			t.Errorf("%s: recheckedOn(%+v) = %q, want %q", tt.name, tt.triggers, got, tt.wantPage)
		}
		if got := eventCount(m); got != tt.wantRM {
			t.Errorf("%s: eventCount(%+v) = %q, want %q", tt.name, tt.triggers, got, tt.wantRM)
		}
	}
}

// TestChecksPageNamesTriggers: every check's section says what re-checks it.
func TestChecksPageNamesTriggers(t *testing.T) {
	t.Parallel()
	with := check.Meta{ID: "A", Slug: "with", Name: "With", Triggers: []check.Trigger{{Source: "s3.amazonaws.com", Names: []string{"PutBucketPolicy"}}}}
	without := check.Meta{ID: "B", Slug: "without", Name: "Without"}
	page := ChecksPage([]check.Check{{Meta: with}, {Meta: without}})
	for _, want := range []string{
		"**Re-checked on**: `s3.amazonaws.com`: `PutBucketPolicy`\n",
		"**Re-checked on**: the schedule only\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("ChecksPage(with, without) lacks %q:\n%s", want, page)
		}
	}
	table := CheckTable([]check.Check{{Meta: with}, {Meta: without}})
	for _, want := range []string{"| 1 CloudTrail event |\n", "| the schedule only |\n"} {
		if !strings.Contains(table, want) {
			t.Errorf("CheckTable(with, without) lacks %q:\n%s", want, table)
		}
	}
}
