// Command secadvisor-lambdas builds every Lambda bootstrap the CDK stack
// deploys into <dir>/<function>/bootstrap (`make build-lambdas`): the
// orchestrator, the notifier, the digest and one function per implemented check, each
// linking only its own check (see internal/lambdabuild). Run it from the
// module root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secadvisor/secadvisor/internal/lambdabuild"
)

func main() {
	dir := flag.String("o", "bin/lambda", "folder of the `<function>/bootstrap` files")
	goarch := flag.String("goarch", "arm64", "the functions' architecture (the stack deploys arm64)")
	flag.Parse()
	if err := run(*dir, *goarch); err != nil {
		fmt.Fprintln(os.Stderr, "secadvisor-lambdas:", err)
		os.Exit(1)
	}
}

func run(dir, goarch string) error {
	fns, err := lambdabuild.Generate(".")
	if err != nil {
		return err
	}
	if err := lambdabuild.Build(".", dir, goarch, fns); err != nil {
		return err
	}
	for _, fn := range fns {
		info, err := os.Stat(fmt.Sprintf("%s/%s/bootstrap", dir, fn.Name))
		if err != nil {
			return err
		}
		fmt.Printf("%s/%s/bootstrap\t%d bytes\n", dir, fn.Name, info.Size())
	}
	return nil
}
