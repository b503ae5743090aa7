package checks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/docgen"
)

// moduleRoot is where the generated documents' paths start.
const moduleRoot = "../.."

// TestGeneratedDocsAreCurrent keeps every document generated from the
// catalog (the README's check table, docs/checks.md and the embedded
// catalog metadata the Lambda functions read) equal to what `make docs`
// writes from checks.All().
func TestGeneratedDocsAreCurrent(t *testing.T) {
	t.Parallel()
	files, err := docgen.Generate(moduleRoot, checks.All())
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(moduleRoot, f.Path))
		if err != nil {
			t.Errorf("%s: %v; run make docs", f.Path, err)
			continue
		}
		if !bytes.Equal(got, f.Content) {
			line, gotLine, wantLine := firstDifference(string(got), string(f.Content))
			t.Errorf("%s is stale; run make docs\nfirst difference, line %d:\ngot:  %q\nwant: %q", f.Path, line, gotLine, wantLine)
		}
	}
}

// TestEmbeddedCatalogEqualsChecks checks what the Lambda functions see: the
// embedded metadata decodes to exactly the catalog's.
func TestEmbeddedCatalogEqualsChecks(t *testing.T) {
	t.Parallel()
	want, err := catalog.Encode(catalog.FromChecks(checks.All()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := catalog.Encode(catalog.All())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		line, gotLine, wantLine := firstDifference(string(got), string(want))
		t.Errorf("embedded catalog differs from checks.All(); run make docs\nfirst difference, line %d:\ngot:  %q\nwant: %q", line, gotLine, wantLine)
	}
}

// firstDifference returns the first line (1-based) where got and want differ.
func firstDifference(got, want string) (line int, gotLine, wantLine string) {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b || i >= len(g) || i >= len(w) {
			return i + 1, a, b
		}
	}
	return 0, "", ""
}
