package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update rewrites the golden files of the tests that run, e.g.
// go test ./internal/report -run TestOCSFGolden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata of the tests that run")

// checkGolden compares got with the golden file at path, first rewriting it
// with got under -update, and shows the first line where they part.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (rewrite it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rewrite it with -update if the change is meant, and review the diff):\n%s", path, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows where got and want part, with some context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			line := func(lines []string) string {
				if i < len(lines) {
					return lines[i]
				}
				return "(end)"
			}
			return "line " + strconv.Itoa(i+1) + ":\n got  " + line(g) + "\n want " + line(w)
		}
	}
	return "(no difference in lines)"
}
