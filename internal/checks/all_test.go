package checks

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// TestCatalogMatchesSpec checks that every check of the Trusted Advisor
// specification is in the catalog, in the specification's order, with its
// ID, name, description, criteria, recommended action and columns (which
// spec.Meta gives; this catches a check that overrides them). The catalog
// may hold checks beyond the specification, anywhere.
func TestCatalogMatchesSpec(t *testing.T) {
	t.Parallel()
	all := All()
	position := map[string]int{}
	for i, c := range all {
		position[c.Meta.ID] = i
	}
	last := -1
	for _, want := range spec.All() {
		i, ok := position[want.ID]
		if !ok {
			t.Errorf("the spec's %s (%s) is not in the catalog", want.ID, want.Name)
			continue
		}
		if i < last {
			t.Errorf("%s (%s) is catalog entry %d, before a check the spec lists earlier (entry %d)", want.ID, want.Name, i, last)
		}
		last = i
		got := all[i].Meta
		if got.Name != want.Name || got.Description != want.Description || got.RecommendedAction != want.RecommendedAction {
			t.Errorf("%s name, description or recommended action differ from the spec's:\n got %q\n     %q\n     %q\nwant %q\n     %q\n     %q",
				got.ID, got.Name, got.Description, got.RecommendedAction, want.Name, want.Description, want.RecommendedAction)
		}
		if !slices.Equal(got.Columns, want.Columns) {
			t.Errorf("%s columns = %q, want the spec's %q", got.ID, got.Columns, want.Columns)
		}
		if !slices.Equal(got.Criteria, want.Criteria) {
			t.Errorf("%s criteria = %q, want the spec's %q", got.ID, got.Criteria, want.Criteria)
		}
	}
}

// TestCatalogEntriesAreComplete checks what every check needs, in the
// specification or not.
func TestCatalogEntriesAreComplete(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	slugs := map[string]bool{}
	for _, c := range All() {
		got := c.Meta
		if ids[got.ID] || slugs[got.Slug] {
			t.Errorf("duplicate ID %q or slug %q", got.ID, got.Slug)
		}
		ids[got.ID], slugs[got.Slug] = true, true
		if got.ID == "" || got.Slug == "" || got.Name == "" || got.Description == "" || got.RecommendedAction == "" {
			t.Errorf("%s (%s): ID, slug, name, description and recommended action must be set", got.ID, got.Slug)
		}
		if len(got.Criteria) == 0 {
			t.Errorf("%s has no alert criteria", got.ID)
		}
		if got.Scope != check.Global && got.Scope != check.Regional {
			t.Errorf("%s scope = %q, want global or regional", got.ID, got.Scope)
		}
	}
}

// readOnlyPrefixes are the verbs of IAM actions that only read.
var readOnlyPrefixes = []string{"Get", "List", "Describe"}

// readOnlyExceptions are actions that do not start with a read verb but
// change nothing a user owns: GenerateCredentialReport only builds a report.
var readOnlyExceptions = []string{"iam:GenerateCredentialReport"}

var iamAction = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)

func TestIAMActionsAreReadOnly(t *testing.T) {
	t.Parallel()
	for _, c := range All() {
		if len(c.Meta.IAMActions) == 0 {
			t.Errorf("%s declares no IAM actions", c.Meta.ID)
		}
		for _, a := range c.Meta.IAMActions {
			if !iamAction.MatchString(a) {
				t.Errorf("%s: %q is not of the form service:Action", c.Meta.ID, a)
				continue
			}
			verb := a[strings.Index(a, ":")+1:]
			readOnly := slices.Contains(readOnlyExceptions, a)
			for _, p := range readOnlyPrefixes {
				readOnly = readOnly || strings.HasPrefix(verb, p)
			}
			if !readOnly {
				t.Errorf("%s: IAM action %q is not read-only", c.Meta.ID, a)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names   []string
		want    []string
		wantErr bool
	}{
		{names: nil, want: idsOf(All())},
		{names: []string{"Yw2K9puPzl"}, want: []string{"Yw2K9puPzl"}},
		{names: []string{"iam-password-policy", "EBS-PUBLIC-SNAPSHOTS"}, want: []string{"ePs02jT06w", "Yw2K9puPzl"}},
		{names: []string{"no-such-check"}, wantErr: true},
		{names: []string{"yw2k9puPzl"}, wantErr: true}, // IDs are case-sensitive
	}
	for _, tt := range tests {
		got, err := Select(tt.names)
		if (err != nil) != tt.wantErr {
			t.Errorf("Select(%q) error = %v, want error %v", tt.names, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !slices.Equal(idsOf(got), tt.want) {
			t.Errorf("Select(%q) = %q, want %q", tt.names, idsOf(got), tt.want)
		}
	}
}

func TestReadOnlyPolicyHasOnlyImplementedChecksActions(t *testing.T) {
	t.Parallel()
	policy := ReadOnlyPolicy(All(), "sts:GetCallerIdentity")
	got := policy.Statement[0].Action
	want := []string{"sts:GetCallerIdentity"}
	for _, c := range All() {
		if c.Implemented() {
			want = append(want, c.Meta.IAMActions...)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if !slices.Equal(got, want) {
		t.Errorf("policy actions = %q, want %q", got, want)
	}
	if policy.Statement[0].Effect != "Allow" || policy.Statement[0].Resource != "*" {
		t.Errorf("statement = %+v, want Allow on *", policy.Statement[0])
	}
}

func idsOf(cs []check.Check) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Meta.ID)
	}
	return ids
}
