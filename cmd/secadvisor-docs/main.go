// Command secadvisor-docs regenerates every document derived from the check
// catalog (internal/checks/all.go): the README's check table, docs/checks.md
// and the embedded catalog metadata. `make docs` runs it from the module root.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/docgen"
)

func main() {
	if err := run("."); err != nil {
		fmt.Fprintln(os.Stderr, "secadvisor-docs:", err)
		os.Exit(1)
	}
}

// run writes each generated document under root that differs from what the
// catalog says, and names it.
func run(root string) error {
	files, err := docgen.Generate(root, checks.All())
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(root, f.Path)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", f.Path)
	}
	return nil
}
