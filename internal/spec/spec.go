// Package spec is the Trusted Advisor security checks specification as the
// checks use it: each check's name, description, alert criteria,
// recommended action and report columns, read from a verbatim copy of the
// specification's text. A check of the specification takes these from here
// (Meta) instead of repeating them, so its metadata says what the
// specification says, to the letter, and the text has one home.
package spec

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/secadvisor/secadvisor/internal/check"
)

// File is the specification's copy, from the module root: a verbatim copy
// of the project's shared spec/trusted-advisor-security-checks.txt.
const File = "internal/spec/trusted-advisor-security-checks.txt"

//go:embed trusted-advisor-security-checks.txt
var text string

// Check is what the specification says of one check.
type Check struct {
	ID   string
	Name string
	// Description is the description's paragraphs, joined by spaces. The
	// notes beside it (how often Trusted Advisor refreshes, what its console
	// can exclude) are about Trusted Advisor, not the check, and are left out.
	Description string
	Criteria    []check.Criterion
	// RecommendedAction is the recommended action's paragraphs, joined by spaces.
	RecommendedAction string
	// Columns are the report columns; IAM Use has none.
	Columns []string
}

// The specification's section headings. The line before "Description" is
// a check's title.
const (
	headDescription = "Description"
	headNote        = "Note"
	headCheckID     = "Check ID"
	headCriteria    = "Alert Criteria"
	headAction      = "Recommended Action"
	headResources   = "Additional Resources"
	headColumns     = "Report columns"
)

var criterionLine = regexp.MustCompile(`^(Red|Yellow|Green): (.+)$`)

// Parse reads the checks out of the specification's text, in its order.
func Parse(text string) ([]Check, error) {
	// The specification writes "Route 53" with a no-break space.
	lines := strings.Split(strings.ReplaceAll(text, "\u00a0", " "), "\n")
	var out []Check
	var cur *Check
	section := ""
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		bullet := strings.HasPrefix(line, "•")
		line = strings.TrimSpace(strings.TrimPrefix(line, "•"))
		if line == "" {
			continue
		}
		if !bullet && isHeading(line) {
			if line == headDescription {
				title := previousLine(lines, i)
				if cur != nil && section == headColumns {
					// The next check's title follows the last column.
					cur.Columns = cur.Columns[:len(cur.Columns)-1]
				}
				out = append(out, Check{Name: title})
				cur = &out[len(out)-1]
			}
			section = line
			continue
		}
		if cur == nil {
			continue
		}
		switch section {
		case headDescription:
			cur.Description = joinParagraph(cur.Description, line)
		case headCheckID:
			cur.ID = line
			section = ""
		case headCriteria:
			if m := criterionLine.FindStringSubmatch(line); m != nil {
				cur.Criteria = append(cur.Criteria, check.Criterion{Status: check.Status(strings.ToLower(m[1])), Text: m[2]})
			}
		case headAction:
			cur.RecommendedAction = joinParagraph(cur.RecommendedAction, line)
		case headColumns:
			cur.Columns = append(cur.Columns, line)
		}
	}
	for _, c := range out {
		if c.ID == "" || c.Name == "" || c.Description == "" || len(c.Criteria) == 0 || c.RecommendedAction == "" {
			return nil, fmt.Errorf("parse specification: check %q (%s) lacks an ID, description, criteria or recommended action", c.Name, c.ID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parse specification: no checks")
	}
	return out, nil
}

func isHeading(line string) bool {
	switch line {
	case headDescription, headNote, headCheckID, headCriteria, headAction, headResources, headColumns:
		return true
	}
	return false
}

// previousLine returns the last non-blank line before lines[i].
func previousLine(lines []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if l := strings.TrimSpace(strings.ReplaceAll(lines[j], "\u00a0", " ")); l != "" {
			return l
		}
	}
	return ""
}

func joinParagraph(text, paragraph string) string {
	if text == "" {
		return paragraph
	}
	return text + " " + paragraph
}

var parsed = sync.OnceValues(func() ([]Check, error) { return Parse(text) })

// All returns the specification's checks, in its order. The embedded copy
// is tested, so it always parses; if it did not, this panics at the first
// use, naming the file.
func All() []Check {
	checks, err := parsed()
	if err != nil {
		panic(fmt.Sprintf("%s: %v", File, err))
	}
	return checks
}

// Lookup returns what the specification says of the check with id.
func Lookup(id string) (Check, bool) {
	for _, c := range All() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Meta returns m as the check with id: the specification's name,
// description, criteria, recommended action and columns, and m's own
// fields (slug, IAM actions, scope, triggers, data). It panics when the
// specification has no such check: a check beyond the specification writes
// its whole check.Meta itself.
func Meta(id string, m check.Meta) check.Meta {
	c, ok := Lookup(id)
	if !ok {
		panic(fmt.Sprintf("spec.Meta: %s is not a check of %s", id, File))
	}
	m.ID = id
	m.Name = c.Name
	m.Description = c.Description
	m.Criteria = c.Criteria
	m.RecommendedAction = c.RecommendedAction
	m.Columns = c.Columns
	return m
}
