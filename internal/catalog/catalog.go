// Package catalog is the checks' metadata without their code: what the
// orchestrator and the notifier need (IDs, slugs, names, scopes, columns,
// recommended actions) without linking the checks' collectors and the AWS
// service clients they call. catalog.json is generated from
// internal/checks.All by `make docs`; a test in internal/checks keeps it
// equal to the catalog.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/jsondoc"
)

// Entry is what the functions that do not run checks need of one: the
// metadata that plans a scan (ID, slug, scope) and that names a finding in
// an alert (name, columns, recommended action), and whether it can run. The
// rest of check.Meta (criteria, IAM actions, data files) stays out: every
// byte here is in the orchestrator's and the notifier's bootstraps.
type Entry struct {
	ID                string      `json:"id"`
	Slug              string      `json:"slug"`
	Name              string      `json:"name"`
	Scope             check.Scope `json:"scope"`
	Columns           []string    `json:"columns"`
	RecommendedAction string      `json:"recommendedAction"`
	Implemented       bool        `json:"implemented"`
	// Triggers are the CloudTrail events that re-check the check (check.Meta.Triggers).
	Triggers []check.Trigger `json:"triggers,omitempty"`
}

// EntryOf returns the entry of a check described by meta.
func EntryOf(meta check.Meta, implemented bool) Entry {
	return Entry{
		ID: meta.ID, Slug: meta.Slug, Name: meta.Name, Scope: meta.Scope,
		Columns: meta.Columns, RecommendedAction: meta.RecommendedAction, Implemented: implemented,
		Triggers: meta.Triggers,
	}
}

// File is where the generated catalog lives, from the module root.
const File = "internal/catalog/catalog.json"

//go:embed catalog.json
var embedded []byte

var decoded = sync.OnceValues(func() ([]Entry, error) { return Decode(embedded) })

// All returns the embedded catalog, in the order of internal/checks.All.
// The file is generated and tested, so it always decodes; if it did not,
// this panics at the first use, naming the fix.
func All() []Entry {
	entries, err := decoded()
	if err != nil {
		panic(fmt.Sprintf("%s: %v (run make docs)", File, err))
	}
	return slices.Clone(entries)
}

// FromChecks returns the catalog entries of checks, in their order.
func FromChecks(checks []check.Check) []Entry {
	out := make([]Entry, 0, len(checks))
	for _, c := range checks {
		out = append(out, EntryOf(c.Meta, c.Implemented()))
	}
	return out
}

// Encode renders entries as the generated catalog file, a document people
// read and diff (jsondoc).
func Encode(entries []Entry) ([]byte, error) {
	out, err := jsondoc.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("encode catalog: %w", err)
	}
	return out, nil
}

// Decode parses a catalog file written by Encode.
func Decode(raw []byte) ([]Entry, error) {
	var entries []Entry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("decode catalog: %w", err)
	}
	return entries, nil
}

// Lookup returns the entry of the check with id.
func Lookup(id string) (Entry, bool) {
	for _, e := range All() {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// EntryFor is the entry of the check id that a stored finding names; a check
// the catalog does not know (a finding written by a newer version) gets an
// entry of id and the name the finding carries.
func EntryFor(id, name string) Entry {
	if e, ok := Lookup(id); ok {
		return e
	}
	return Entry{ID: id, Name: name}
}

// Select returns the items of all named by IDs or slugs (case-sensitive
// IDs, case-insensitive slugs), in the order of all; no names selects all.
// names gives an item's ID and slug, so that one rule serves the catalog's
// entries and the checks themselves.
func Select[T any](all []T, names func(T) (id, slug string), selected []string) ([]T, error) {
	if len(selected) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range selected {
		found := false
		for _, item := range all {
			if id, slug := names(item); id == n || strings.EqualFold(slug, n) {
				want[id] = true
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown check %q: see `secadvisor checks` for IDs and slugs", n)
		}
	}
	var out []T
	for _, item := range all {
		if id, _ := names(item); want[id] {
			out = append(out, item)
		}
	}
	return out, nil
}

// Names returns the entry's ID and slug, for Select.
func (e Entry) Names() (id, slug string) { return e.ID, e.Slug }
