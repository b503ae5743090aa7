// Package cli is the secadvisor command line: `scan`, `findings`, `checks` and `demo`.
// cmd/secadvisor only calls Main; everything here is testable in-process.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/term"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1 // findings at or above --fail-on (or error findings)
	ExitUsage    = 2 // bad flags, or the scan could not start
	// ExitInterrupted and ExitTerminated follow the shell's 128+signal
	// convention for SIGINT and SIGTERM.
	ExitInterrupted = 130
	ExitTerminated  = 143
)

// Interrupt is the cause of a context cancelled by a signal: cmd/secadvisor
// cancels the command's context with it, and commands tell an interrupted
// run from a finished one by it.
type Interrupt struct {
	Signal os.Signal
}

func (i *Interrupt) Error() string { return "interrupted by " + i.Signal.String() }

// ExitCode is the process exit code for the signal: 143 for SIGTERM, 130
// otherwise (SIGINT).
func (i *Interrupt) ExitCode() int {
	if i.Signal == syscall.SIGTERM {
		return ExitTerminated
	}
	return ExitInterrupted
}

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Terminal says Stderr is a terminal, so a live progress line is shown.
	Terminal bool
	// Width is the width in columns the table report must fit: the
	// terminal's when Stdout is one, else $COLUMNS; 0 leaves it to the
	// report's default.
	Width int
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	env := Env{Stdout: os.Stdout, Stderr: os.Stderr, Terminal: term.IsTerminal(int(os.Stderr.Fd()))}
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		env.Width = w
	} else if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		env.Width = w
	}
	return env
}

const usage = `secadvisor: the AWS Trusted Advisor security checks, run from your own credentials.

Usage:
  secadvisor scan   [flags]   scan the account and print the report (secadvisor scan -h)
  secadvisor findings [flags] list what the findings table holds (secadvisor findings -h)
  secadvisor suppress add|list|remove|import   the suppression rules stored in the findings table (secadvisor suppress -h)
  secadvisor diff OLD.json NEW.json   compare two JSON scan reports: new, resolved, changed (secadvisor diff -h)
  secadvisor checks [flags]   list the checks; --iam-policy prints the IAM policy a scan needs
  secadvisor demo   [flags]   start the local emulator, seed a demo account and scan it
  secadvisor version          the version, commit, Go version and the data files' dates (also --version)
`

// ExitWriteFailed is the exit code when the output could not be written
// (a full disk, a closed pipe): the command's result is lost, so it must not
// exit as if it had reported.
const ExitWriteFailed = ExitUsage

// Main runs the command named by args (without the program name) and
// returns the process exit code. A failure to write standard output is
// reported and makes the exit code non-zero, whatever the command returned.
func Main(ctx context.Context, args []string, env Env) int {
	out := &stickyWriter{w: env.Stdout}
	env.Stdout = out
	code := dispatch(ctx, args, env)
	// A command that failed has said why (a failed write included); one
	// that succeeded must not hide that its output was lost.
	if out.err != nil && (code == ExitOK || code == ExitFindings) {
		fmt.Fprintf(env.Stderr, "secadvisor: write output: %v\n", out.err)
		return ExitWriteFailed
	}
	return code
}

// stickyWriter remembers the first write error, so that a command's many
// small writes are checked once, at the end.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

func dispatch(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], env)
	case "findings":
		return runFindings(ctx, args[1:], env)
	case "suppress":
		return runSuppress(ctx, args[1:], env)
	case "diff":
		return runDiff(args[1:], env)
	case "checks":
		return runChecks(args[1:], env)
	case "demo":
		return runDemo(ctx, args[1:], env)
	case "version", "--version", "-version":
		return runVersion(env)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "secadvisor: unknown command %q\n\n%s", args[0], usage)
	return ExitUsage
}
