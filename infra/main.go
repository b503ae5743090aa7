// Command infra is the CDK app of secadvisor (`go run ./infra`, see cdk.json).
// Its scanner stack, Secadvisor, holds the findings table, a queue and a
// least-privilege function per implemented check, the orchestrator, the
// notifier, the alert and operations topics and their alarms. Its member
// stack, SecadvisorMember, is the role the scanner assumes in the other
// accounts of an organization; it is synthesized only when the scanner
// account is given (-c scannerAccount=…), so that `cdk synth` and
// `cdk deploy` of the scanner alone need nothing more. The AWS Solutions
// rules of cdk-nag run on every synthesis; a finding that is not suppressed
// with a reason is an error, which fails `cdk synth` and `cdk deploy`.
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
	if err := checkAssets(cfg.LambdaAssets, cfg.Checks); err != nil {
		return err
	}
	if _, _, err := newApp(app, cfg); err != nil {
		return err
	}
	if cfg.ScannerAccount == "" {
		// The CLI alone would only say that no stack matches: say why.
		fmt.Fprintf(os.Stderr, "infra: %s (the member role, for scanning other accounts) is synthesized only with -c %s=<12-digit ID of the scanner stack's account>\n",
			memberStackName, ctxScannerAccount)
	}
	app.Synth(nil)
	return nil
}

// newApp adds the scanner stack, the member stack when cfg names the scanner
// account (member is nil otherwise), and the cdk-nag AWS Solutions checks
// to app.
func newApp(app awscdk.App, cfg Config) (scanner *Stack, member *MemberStack, err error) {
	// Environment-agnostic: the account and region are those of the
	// credentials `cdk deploy` runs with.
	scanner = NewStack(app, stackName, &awscdk.StackProps{
		Description: jsii.String("secadvisor: AWS Trusted Advisor security checks, scheduled, with findings in DynamoDB and alerts on SNS"),
	}, cfg)
	if cfg.ScannerAccount != "" {
		member, err = NewMemberStack(app, memberStackName, &awscdk.StackProps{
			Description: jsii.String("secadvisor member: the read-only role the secadvisor scanner of account " + cfg.ScannerAccount + " assumes in this account"),
		}, cfg)
		if err != nil {
			return nil, nil, err
		}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return scanner, member, nil
}
