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
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		// A second signal ends the process at once, the default way.
		signal.Stop(signals)
		cancel(&cli.Interrupt{Signal: sig})
	}()
	code := cli.Main(ctx, os.Args[1:], cli.OSEnv())
	cancel(nil)
	os.Exit(code)
}
