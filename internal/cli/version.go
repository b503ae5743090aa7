package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/secadvisor/secadvisor/internal/checks"
)

// runVersion prints what a bug report needs: the module version, the commit
// it was built from, the Go version, and how fresh the data files are.
func runVersion(env Env) int {
	version, commit := "(devel)", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					commit += " (modified)"
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "secadvisor %s\ncommit %s\n%s %s/%s\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, d := range checks.Datasets(checks.All()) {
		fmt.Fprintf(&b, "data: %s as of %s\n", d.Name, d.AsOf)
	}
	if _, err := io.WriteString(env.Stdout, b.String()); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor version: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}
