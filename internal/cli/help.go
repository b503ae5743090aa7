package cli

import (
	"errors"
	"flag"
	"fmt"
)

// subcommandHelp is what `secadvisor <command> -h` prints above the flags:
// what the command does, and examples to copy.
var subcommandHelp = map[string]string{
	"scan": `Usage: secadvisor scan [flags]

Scans the account of the current AWS credentials with the Trusted Advisor
security checks and prints the report. Exit codes: 0 nothing at or above
--fail-on, 1 findings at or above it (or error findings), 2 usage error or
the account cannot be reached, 130/143 interrupted by SIGINT/SIGTERM.

Examples:
  secadvisor scan --regions eu-west-1,us-east-1
  secadvisor scan --checks iam-password-policy,mfa-on-root-account --format json --output report.json
  secadvisor scan --fail-on yellow --format csv > findings.csv
  secadvisor scan --only-failing --progress 2> progress.log
  secadvisor scan --endpoint-url http://127.0.0.1:5000 --emulator --regions us-east-1

Flags:
`,
	"findings": `Usage: secadvisor findings --table TABLE [flags]

Lists what the deployed scanner's DynamoDB findings table holds now.

Examples:
  secadvisor findings --table secadvisor-findings --status red
  secadvisor findings --table secadvisor-findings --check s3-bucket-permissions --account 111122223333 --format json

Flags:
`,
	"checks": `Usage: secadvisor checks [flags]

Lists the checks (ID, slug, scope, state) and the data files they judge by,
with the date each was read.

Examples:
  secadvisor checks
  secadvisor checks --iam-policy > secadvisor-policy.json

Flags:
`,
	"demo": `Usage: secadvisor demo [flags]

Starts the local AWS emulator (moto_server must be on PATH), seeds a demo
account with misconfigurations, scans it through the serverless pipeline
in-process and prints the report and the alerts.

Examples:
  secadvisor demo
  secadvisor demo --format json --checks ebs-public-snapshots

Flags:
`,
}

// newFlagSet returns the flag set of a subcommand whose -h prints the
// command's help to stdout.
func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), subcommandHelp[name])
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. It returns done when the command must
// stop with code: 0 after -h (help goes to stdout), 2 on a bad flag.
func parseFlags(fs *flag.FlagSet, args []string, env Env) (code int, done bool) {
	fs.SetOutput(discard{})
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(env.Stdout)
		fs.Usage()
		return ExitOK, true
	}
	fs.SetOutput(env.Stderr)
	if err != nil {
		fmt.Fprintf(env.Stderr, "secadvisor %s: %v (see secadvisor %s -h)\n", fs.Name(), err, fs.Name())
		return ExitUsage, true
	}
	return 0, false
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
