// Package docgen renders the documents generated from the check catalog:
// the README's check table, docs/checks.md ("How each check decides") and
// the embedded catalog metadata (internal/catalog/catalog.json). `make docs`
// writes them (cmd/secadvisor-docs); a test in internal/checks compares
// them with the files, so that a stale document fails the tests with "run
// make docs" and never needs a hand edit.
package docgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Paths of the generated documents, from the module root.
const (
	ReadmePath = "README.md"
	ChecksPath = "docs/checks.md"
)

// The README's generated check table sits between these markers; the rest
// of the README is written by hand.
const (
	tableBegin = "<!-- checks:begin"
	tableEnd   = "<!-- checks:end -->"
	beginLine  = tableBegin + " (generated from internal/checks/all.go by make docs) -->"
)

// File is one generated document: its path from the module root and what it
// must contain.
type File struct {
	Path    string
	Content []byte
}

// Generate returns every generated document for the catalog all
// (internal/checks.All()). root is the module root: the README is read from
// it, since only its check table is generated.
func Generate(root string, all []check.Check) ([]File, error) {
	readme, err := os.ReadFile(filepath.Join(root, ReadmePath))
	if err != nil {
		return nil, fmt.Errorf("read README: %w", err)
	}
	withTable, err := replaceTable(string(readme), CheckTable(all))
	if err != nil {
		return nil, err
	}
	meta, err := catalog.Encode(catalog.FromChecks(all))
	if err != nil {
		return nil, err
	}
	return []File{
		{Path: ReadmePath, Content: []byte(withTable)},
		{Path: ChecksPath, Content: []byte(ChecksPage(all))},
		{Path: catalog.File, Content: meta},
	}, nil
}

// replaceTable puts table between the README's markers.
func replaceTable(readme, table string) (string, error) {
	begin := strings.Index(readme, tableBegin)
	end := strings.Index(readme, tableEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("%s has no check table between %q and %q", ReadmePath, tableBegin+" … -->", tableEnd)
	}
	return readme[:begin] + beginLine + "\n" + table + readme[end:], nil
}

// CheckTable renders the catalog as the README's markdown table.
func CheckTable(all []check.Check) string {
	var b strings.Builder
	b.WriteString("| # | Check ID | Slug | Check | Scope | State | Re-checked on |\n|---|---|---|---|---|---|---|\n")
	for i, c := range all {
		fmt.Fprintf(&b, "| %d | `%s` | `%s` | %s | %s | %s | %s |\n", i+1, c.Meta.ID, c.Meta.Slug, cell(c.Meta.Name), c.Meta.Scope, state(c), eventCount(c.Meta))
	}
	return b.String()
}

// ChecksPage renders docs/checks.md: for each check, what the specification
// says, where the check goes beyond it, and what it needs.
func ChecksPage(all []check.Check) string {
	var b strings.Builder
	b.WriteString("# How each check decides\n\n")
	b.WriteString("<!-- Generated from internal/checks/all.go by `make docs`: do not edit by hand. -->\n\n")
	b.WriteString("The specification's alert criteria decide every status. Where a check goes further, ")
	b.WriteString("\"Beyond the specification\" says how, and the finding's reason says so. ")
	b.WriteString("Greens are findings too; a check that could not look reports `error`, never green. ")
	b.WriteString("\"Re-checked on\" names the CloudTrail events (successful API calls, by event source) after which ")
	b.WriteString("the deployed stack re-checks the check for the event's account (and region) within minutes, ")
	b.WriteString("instead of waiting for the next scheduled scan.\n\n")
	for i, c := range all {
		fmt.Fprintf(&b, "%d. [%s](#%s)\n", i+1, c.Meta.Name, c.Meta.Slug)
	}
	for _, c := range all {
		m := c.Meta
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n## %s\n\n", m.Slug, m.Name)
		b.WriteString("| | |\n|---|---|\n")
		fmt.Fprintf(&b, "| Check ID | `%s` |\n| Slug | `%s` |\n| Scope | %s |\n| State | %s |\n\n", m.ID, m.Slug, m.Scope, state(c))
		if m.Description != "" {
			fmt.Fprintf(&b, "%s\n\n", m.Description)
		}
		b.WriteString("**Alert criteria** (from the specification)\n\n")
		for _, c := range m.Criteria {
			fmt.Fprintf(&b, "- %s: %s\n", c.Status.StatusText(), c.Text)
		}
		fmt.Fprintf(&b, "\n**Report columns**: %s\n\n", strings.Join(m.Columns, ", "))
		fmt.Fprintf(&b, "**Recommended action**: %s\n\n", orNone(m.RecommendedAction))
		beyond := m.BeyondSpec
		if beyond == "" {
			beyond = "nothing: the check does what the specification says."
		}
		fmt.Fprintf(&b, "**Beyond the specification**: %s\n\n", beyond)
		b.WriteString("**IAM actions**: ")
		if len(m.IAMActions) == 0 {
			b.WriteString("none\n")
		} else {
			b.WriteString("`" + strings.Join(m.IAMActions, "`, `") + "`\n")
		}
		fmt.Fprintf(&b, "\n**Re-checked on**: %s\n", recheckedOn(m))
		if len(m.Data) > 0 {
			b.WriteString("\n**Data files**\n\n| data | source | as of |\n|---|---|---|\n")
			for _, d := range m.Data {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(d.Name), cell(d.Source), d.AsOf)
			}
		}
	}
	return b.String()
}

// scheduleOnly is said of a check without triggers: no API call can change
// its result in a way a re-check would see.
const scheduleOnly = "the schedule only"

// recheckedOn lists m's trigger events for docs/checks.md, source by source:
// "`ec2.amazonaws.com`: `AuthorizeSecurityGroupIngress`, …".
func recheckedOn(m check.Meta) string {
	if len(m.Triggers) == 0 {
		return scheduleOnly
	}
	sources := make([]string, 0, len(m.Triggers))
	for _, t := range m.Triggers {
		sources = append(sources, "`"+t.Source+"`: `"+strings.Join(t.Names, "`, `")+"`")
	}
	return strings.Join(sources, "; ")
}

// eventCount is the README's short form of recheckedOn: how many events.
func eventCount(m check.Meta) string {
	n := 0
	for _, t := range m.Triggers {
		n += len(t.Names)
	}
	switch n {
	case 0:
		return scheduleOnly
	case 1:
		return "1 CloudTrail event"
	}
	return fmt.Sprintf("%d CloudTrail events", n)
}

func state(c check.Check) string {
	if c.Implemented() {
		return "implemented"
	}
	return "not implemented"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// cell escapes text for a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
