// Package awsconfig loads an AWS configuration from the standard credential
// chain (environment, shared profile, SSO, instance or task role) with
// secadvisor's retries and timeouts: what the CLI needs. It is its own
// package so that the Lambda functions, which take their credentials from
// their environment, do not link the chain's providers.
package awsconfig

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// Options selects how to reach AWS.
type Options struct {
	// Profile is a named profile from the shared config files ("" = default chain).
	Profile string
	// EndpointURL sends every call to this endpoint (the local emulator).
	EndpointURL string
	// Recorder, when set, counts every API call.
	Recorder *awsx.Recorder
	// APIOptions are extra middleware for every client (tests use it to inject faults).
	APIOptions []func(*middleware.Stack) error
}

// Load builds an aws.Config from the standard chain (environment, shared
// profile, SSO, instance or task role) with adaptive retries. AWS_ENDPOINT_URL
// is honoured by the SDK itself; Options.EndpointURL overrides it.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	loaders := []func(*config.LoadOptions) error{config.WithRetryer(awsx.Retryer), config.WithHTTPClient(awsx.HTTPClient())}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.EndpointURL != "" {
		loaders = append(loaders, config.WithBaseEndpoint(opts.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = awsx.DefaultRegion
	}
	if opts.Recorder != nil {
		cfg = opts.Recorder.Counting(cfg)
	}
	cfg.APIOptions = append(cfg.APIOptions, opts.APIOptions...)
	return cfg, nil
}
