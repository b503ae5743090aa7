package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/demo"
	"github.com/secadvisor/secadvisor/internal/emulator"
)

// runDemo starts the emulator, seeds the demo account, scans it with the
// scan flags given and stops the emulator it started.
func runDemo(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f scanFlags
	f.register(fs, false)
	if err := fs.Set("regions", strings.Join(demo.Regions, ",")); err != nil {
		return ExitUsage
	}
	// The demo account is meant to be red: do not fail the make target for it.
	if err := fs.Set("fail-on", "never"); err != nil {
		return ExitUsage
	}
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	fmt.Fprintf(env.Stderr, "starting the AWS emulator (%s)...\n", emulator.Binary)
	server, err := emulator.Start(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor demo: %v\n", err)
		return ExitUsage
	}
	defer server.Stop()
	if err := server.Configure(ctx, `{"lambda":{"use_docker":false}}`); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor demo: %v\n", err)
		return ExitUsage
	}
	cfg := emulator.Config(server.URL, emulator.DefaultAccount)
	fmt.Fprintf(env.Stderr, "seeding demo account %s on %s...\n", emulator.DefaultAccount, server.URL)
	if err := demo.Seed(ctx, cfg); err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor demo: %v\n", err)
		return ExitUsage
	}
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	return scanAndReport(ctx, cfg, recorder, f, env)
}
