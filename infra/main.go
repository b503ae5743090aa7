// Command infra is the CDK app of secadvisor (`go run ./infra`, see cdk.json):
// one stack with the findings table, a queue and a least-privilege function
// per implemented check, the orchestrator, the notifier, the alert and
// operations topics and their alarms. The AWS Solutions rules of cdk-nag
// run on every synthesis; a finding that is not suppressed with a reason is
// an error, which fails `cdk synth` and `cdk deploy`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// stackName is the CloudFormation stack's name.
const stackName = "Secadvisor"

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
	newApp(app, cfg)
	app.Synth(nil)
	return nil
}

// newApp adds the stack and the cdk-nag AWS Solutions checks to app.
func newApp(app awscdk.App, cfg Config) *Stack {
	// Environment-agnostic: the account and region are those of the
	// credentials `cdk deploy` runs with.
	stack := NewStack(app, stackName, &awscdk.StackProps{
		Description: jsii.String("secadvisor: AWS Trusted Advisor security checks, scheduled, with findings in DynamoDB and alerts on SNS"),
	}, cfg)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack
}
