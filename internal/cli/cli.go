// Package cli is the secadvisor command line: `scan`, `findings`, `checks` and `demo`.
// cmd/secadvisor only calls Main; everything here is testable in-process.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1 // findings at or above --fail-on (or error findings)
	ExitUsage    = 2 // bad flags, or the scan could not start
)

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Terminal says Stderr is a terminal, so progress is shown.
	Terminal bool
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	terminal := false
	if fi, err := os.Stderr.Stat(); err == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0
	}
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Terminal: terminal}
}

const usage = `secadvisor: the AWS Trusted Advisor security checks, run from your own credentials.

Usage:
  secadvisor scan   [flags]   scan the account and print the report (secadvisor scan -h)
  secadvisor findings [flags] list what the findings table holds (secadvisor findings -h)
  secadvisor checks [flags]   list the checks; --iam-policy prints the IAM policy a scan needs
  secadvisor demo   [flags]   start the local emulator, seed a demo account and scan it
`

// Main runs the command named by args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], env)
	case "findings":
		return runFindings(ctx, args[1:], env)
	case "checks":
		return runChecks(args[1:], env)
	case "demo":
		return runDemo(ctx, args[1:], env)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "secadvisor: unknown command %q\n\n%s", args[0], usage)
	return ExitUsage
}

// splitList parses a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
