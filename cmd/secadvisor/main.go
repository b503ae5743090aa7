// Command secadvisor runs the AWS Trusted Advisor security checks against an
// account from the caller's credentials. See `secadvisor -h`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/secadvisor/secadvisor/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
