package checks

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
)

// specFile is a verbatim copy of ../shared/spec/trusted-advisor-security-checks.txt,
// kept here so the registry test runs from a clone alone.
const specFile = "testdata/trusted-advisor-security-checks.txt"

// specCheck is what the specification says of one check.
type specCheck struct {
	name     string
	id       string
	criteria []check.Criterion
	columns  []string
}

var criterionLine = regexp.MustCompile(`^(Red|Yellow|Green): (.+)$`)

// parseSpec reads the checks out of the specification's text: a title line
// before "Description", then "Check ID", "Alert Criteria" and "Report columns".
func parseSpec(t *testing.T) []specCheck {
	t.Helper()
	f, err := os.Open(specFile)
	if err != nil {
		t.Fatalf("open spec: %v", err)
	}
	defer f.Close()
	var lines []string
	var bullet []bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// The spec writes "Route 53" with a no-break space.
		line := strings.TrimSpace(strings.ReplaceAll(sc.Text(), "\u00a0", " "))
		bullet = append(bullet, strings.HasPrefix(line, "•"))
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(line, "•")))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var out []specCheck
	var cur *specCheck
	section := ""
	for i, line := range lines {
		if line == "Description" && !bullet[i] && i > 0 {
			title := ""
			for j := i - 1; j >= 0 && title == ""; j-- {
				title = lines[j]
			}
			out = append(out, specCheck{name: title})
			cur = &out[len(out)-1]
			section = ""
			continue
		}
		if cur == nil || line == "" {
			continue
		}
		switch {
		case bullet[i]:
		case line == "Check ID", line == "Alert Criteria", line == "Report columns", line == "Recommended Action", line == "Additional Resources", line == "Note":
			section = line
			continue
		}
		switch section {
		case "Check ID":
			cur.id = line
			section = ""
		case "Alert Criteria":
			if m := criterionLine.FindStringSubmatch(line); m != nil {
				cur.criteria = append(cur.criteria, check.Criterion{Status: check.Status(strings.ToLower(m[1])), Text: m[2]})
			}
		case "Report columns":
			cur.columns = append(cur.columns, line)
		}
	}
	// The title of the next check follows the last column: drop it.
	for i := range out {
		if i+1 < len(out) && len(out[i].columns) > 0 && out[i].columns[len(out[i].columns)-1] == out[i+1].name {
			out[i].columns = out[i].columns[:len(out[i].columns)-1]
		}
	}
	return out
}

// TestParseSpec guards the parser: it must find one check for every
// "Check ID" heading of the specification, each with an ID, a name and
// criteria.
func TestParseSpec(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	headings := len(regexp.MustCompile(`(?m)^Check ID\s*$`).FindAll(text, -1))
	spec := parseSpec(t)
	if len(spec) != headings || headings == 0 {
		t.Fatalf("parsed %d checks from the spec, which has %d Check ID headings", len(spec), headings)
	}
	for _, c := range spec {
		if c.id == "" || c.name == "" || len(c.criteria) == 0 {
			t.Errorf("parsed %+v: want an ID, a name and criteria", c)
		}
	}
}

// TestCatalogMatchesSpec checks that every check of the Trusted Advisor
// specification is in the catalog, in the specification's order, with its
// ID, name, criteria and columns. The catalog may hold checks beyond the
// specification, anywhere.
func TestCatalogMatchesSpec(t *testing.T) {
	t.Parallel()
	all := All()
	position := map[string]int{}
	for i, c := range all {
		position[c.Meta.ID] = i
	}
	last := -1
	for _, want := range parseSpec(t) {
		i, ok := position[want.id]
		if !ok {
			t.Errorf("the spec's %s (%s) is not in the catalog", want.id, want.name)
			continue
		}
		if i < last {
			t.Errorf("%s (%s) is catalog entry %d, before a check the spec lists earlier (entry %d)", want.id, want.name, i, last)
		}
		last = i
		got := all[i].Meta
		if got.Name != want.name {
			t.Errorf("%s name = %q, want %q", got.ID, got.Name, want.name)
		}
		if !slices.Equal(got.Columns, want.columns) {
			t.Errorf("%s columns = %q, want the spec's %q", got.ID, got.Columns, want.columns)
		}
		if !slices.Equal(got.Criteria, want.criteria) {
			t.Errorf("%s criteria = %q, want the spec's %q", got.ID, got.Criteria, want.criteria)
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
