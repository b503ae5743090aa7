// Package lambdastart is the start-up every Lambda function of secadvisor
// shares: JSON logs on stdout, the AWS configuration from Lambda's
// environment, the handler built once outside it, then lambda.Start.
package lambdastart

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// Build makes a function's handler from its AWS configuration, once per cold
// start; the handler is any function lambda.Start accepts.
type Build func(ctx context.Context, cfg aws.Config) (handler any, err error)

// Start sets up logging, reads the configuration from Lambda's environment
// (Config), builds the handler and serves invocations. A start-up failure is
// logged with logAttrs (slog key-value pairs) and exits 1, so Lambda reports
// an init error.
func Start(build Build, logAttrs ...any) {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	cfg, err := Config(os.Getenv)
	if err != nil {
		exit(err, logAttrs)
	}
	handler, err := build(context.Background(), cfg)
	if err != nil {
		exit(err, logAttrs)
	}
	lambda.Start(handler)
}

// Serve starts a pipeline function: newHandler (the package's New) builds
// its value once per cold start from the configuration and os.Getenv, and
// handle picks the method that serves the invocations, e.g.
// lambdastart.Serve(digest.New, func(h *digest.Handler) any { return h.Handle }).
func Serve[H any](newHandler func(aws.Config, pipeline.Getenv) (H, error), handle func(H) any) {
	Start(func(_ context.Context, cfg aws.Config) (any, error) {
		h, err := newHandler(cfg, os.Getenv)
		if err != nil {
			return nil, err
		}
		return handle(h), nil
	})
}

func exit(err error, logAttrs []any) {
	slog.Error("init", append(logAttrs, "err", err.Error())...)
	os.Exit(1)
}

// The variables Lambda sets in every function's environment: the execution
// role's temporary credentials and the function's region.
const (
	envAccessKeyID     = "AWS_ACCESS_KEY_ID"
	envSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	envSessionToken    = "AWS_SESSION_TOKEN"
	envRegion          = "AWS_REGION"
	// envEndpointURL sends every client to another endpoint, as the SDK's
	// standard chain does (the RIE tests point the functions at the emulator).
	envEndpointURL = "AWS_ENDPOINT_URL"
)

// Config is the AWS configuration of a function: the execution role's
// credentials and the region from the variables Lambda always sets, with the
// HTTP client and the retryer every client of secadvisor uses (awsx's, as
// awsconfig.Load sets them for the CLI). It deliberately does not call
// config.LoadDefaultConfig: in Lambda the standard chain always ends at these
// variables, and its other sources (SSO, sign-in, web identity through STS,
// shared files, container and instance metadata) cost about 1.4 MB of every
// bootstrap and their set-up at every cold start. A missing variable is an
// error at init, naming it.
func Config(getenv func(string) string) (aws.Config, error) {
	var missing []string
	required := func(name string) string {
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	keyID, secret, region := required(envAccessKeyID), required(envSecretAccessKey), required(envRegion)
	if len(missing) > 0 {
		return aws.Config{}, fmt.Errorf("lambda environment: %s not set (Lambda sets them for every function)", strings.Join(missing, ", "))
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, getenv(envSessionToken)),
		Retryer:     awsx.Retryer,
		HTTPClient:  awsx.HTTPClient(),
	}
	if endpoint := getenv(envEndpointURL); endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}
