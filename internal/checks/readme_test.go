package checks

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's check table from the catalog")

const (
	readmePath  = "../../README.md"
	tableBegin  = "<!-- checks:begin (generated from internal/checks/all.go: go test ./internal/checks -run TestREADMECheckTable -update) -->"
	tableFinish = "<!-- checks:end -->"
)

// checkTable renders the catalog as the README's markdown table.
func checkTable() string {
	var b strings.Builder
	b.WriteString("| # | Check ID | Slug | Check | Scope | State |\n|---|---|---|---|---|---|\n")
	for i, c := range All() {
		state := "implemented"
		if !c.Implemented() {
			state = "not implemented"
		}
		fmt.Fprintf(&b, "| %d | `%s` | `%s` | %s | %s | %s |\n", i+1, c.Meta.ID, c.Meta.Slug, c.Meta.Name, c.Meta.Scope, state)
	}
	return b.String()
}

// TestREADMECheckTable keeps the README's table of checks true to the catalog.
func TestREADMECheckTable(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	readme := string(raw)
	begin := strings.Index(readme, tableBegin)
	end := strings.Index(readme, tableFinish)
	if begin < 0 || end < begin {
		t.Fatalf("README has no check table between %q and %q", tableBegin, tableFinish)
	}
	got := readme[begin+len(tableBegin) : end]
	want := "\n" + checkTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(readme[:begin+len(tableBegin)]+want+readme[end:]), 0o644); err != nil {
			t.Fatalf("write README: %v", err)
		}
		return
	}
	t.Errorf("README check table is stale; run: go test ./internal/checks -run TestREADMECheckTable -update\ngot:\n%s\nwant:\n%s", got, want)
}
