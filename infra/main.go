// Command infra is the CDK app of secadvisor (`go run ./infra`, see cdk.json).
// Its scanner stack, Secadvisor, holds the findings table, a queue and a
// least-privilege function per implemented check, the orchestrator (with
// the rules that re-check on CloudTrail events), the notifier, the weekly
// digest, the Security Hub export (with -c securityHub=true), the alert and
// operations topics and their alarms. Its member stack,
// SecadvisorMember, is the role the scanner assumes in the other accounts
// of an organization, and its events stack, SecadvisorEvents, forwards
// their CloudTrail events to the scanner; both are synthesized only when
// the scanner account and region are given (-c scannerAccount=…
// -c scannerRegion=…), so that `cdk synth` and `cdk deploy` of the scanner
// alone need nothing more. The AWS Solutions rules of cdk-nag run on every
// synthesis; a finding that is not suppressed with a reason is an error,
// which fails `cdk synth` and `cdk deploy`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Stack names (CloudFormation's, and the CDK CLI's stack selectors).
const (
	stackName       = "Secadvisor"
	memberStackName = "SecadvisorMember"
	eventsStackName = "SecadvisorEvents"
)

func main() {
	defer jsii.Close()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)
	cfg, err := ConfigFromContext(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	if err := checkAssets(cfg.LambdaAssets, cfg); err != nil {
		return err
	}
	if _, err := newApp(app, cfg); err != nil {
		return err
	}
	if cfg.ScannerAccount == "" {
		// The CLI alone would only say that no stack matches: say why.
		fmt.Fprintf(os.Stderr, "infra: %s (the member role) and %s (the CloudTrail event forwarder), for scanning other accounts, are synthesized only with "+
			"-c %s=<12-digit ID of the scanner stack's account> -c %s=<its region>\n",
			memberStackName, eventsStackName, ctxScannerAccount, ctxScannerRegion)
	}
	app.Synth(nil)
	return nil
}

// stacks are the stacks of the app: the scanner, and the member and events
// stacks (nil unless the config names the scanner account).
type stacks struct {
	scanner *Stack
	member  *MemberStack
	events  *EventsStack
}

// newApp adds the scanner stack, the member and events stacks when cfg
// names the scanner account, and the cdk-nag AWS Solutions checks to app.
func newApp(app awscdk.App, cfg Config) (stacks, error) {
	var s stacks
	var err error
	// Environment-agnostic: the account and region are those of the
	// credentials `cdk deploy` runs with.
	s.scanner, err = NewStack(app, stackName, &awscdk.StackProps{
		Description: jsii.String("secadvisor: AWS Trusted Advisor security checks, scheduled and re-checked on CloudTrail events, with findings in DynamoDB and alerts on SNS"),
	}, cfg)
	if err != nil {
		return stacks{}, err
	}
	if cfg.ScannerAccount != "" {
		s.member, err = NewMemberStack(app, memberStackName, &awscdk.StackProps{
			Description: jsii.String("secadvisor member: the read-only role the secadvisor scanner of account " + cfg.ScannerAccount + " assumes in this account"),
		}, cfg)
		if err != nil {
			return stacks{}, err
		}
		s.events, err = NewEventsStack(app, eventsStackName, &awscdk.StackProps{
			Description: jsii.String("secadvisor events: forwards the CloudTrail events that can change a check's result to the secadvisor scanner's event bus in account " +
				cfg.ScannerAccount + ", " + cfg.ScannerRegion),
		}, cfg)
		if err != nil {
			return stacks{}, err
		}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return s, nil
}
