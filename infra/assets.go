package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkAssets fails clearly when a function's bootstrap is missing (a check
// added to the catalog since the last `make build-lambdas`, say): the CDK
// would otherwise stop at the first one with a bare "cannot find asset".
func checkAssets(dir string, cfg Config) error {
	var missing []string
	for _, name := range functionNames(cfg) {
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
