package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkAssets fails clearly when a function's bootstrap is missing: the CDK
// would otherwise stop at the first one with a bare "cannot find asset".
func checkAssets(dir string) error {
	var missing []string
	for _, name := range functionNames {
		p := filepath.Join(dir, name, "bootstrap")
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, p)
		case err != nil:
			return fmt.Errorf("lambda asset %s: %w", p, err)
		case !info.Mode().IsRegular():
			return fmt.Errorf("lambda asset %s is not a file", p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("lambda assets missing: %s; build them with `make build-lambdas` (or set -c %s=<folder of <function>/bootstrap>)",
			strings.Join(missing, ", "), ctxLambdaAssets)
	}
	return nil
}
