// Package awsx holds the AWS plumbing shared by the CLI, the Lambda functions
// and the tests: configuration from the standard credential chain, an
// endpoint override for the local emulator, adaptive retries, the API-call
// recorder and error classification.
package awsx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
)

// DefaultRegion is used for global services and region discovery when the
// credential chain names no region.
const DefaultRegion = "us-east-1"

// MaxAttempts bounds the adaptive retryer: enough to ride out throttling
// during a scan, small enough that a persistent fault becomes an error finding.
const MaxAttempts = 8

// ConnectTimeout bounds opening a connection to an endpoint (TCP connect and
// TLS handshake): an endpoint that does not answer fails that attempt
// instead of hanging it.
const ConnectTimeout = 10 * time.Second

// AttemptTimeout bounds one attempt of one API call, from sending the
// request to reading the whole response. The slowest answers a check reads
// (a page of DescribeSnapshots, a credential report) take seconds; an
// endpoint that accepts a connection and never answers costs at most this
// per attempt, and the job's or the discovery's own deadline bounds the retries.
const AttemptTimeout = 60 * time.Second

// HTTPClient returns the HTTP client every AWS client uses: the SDK's
// defaults plus ConnectTimeout and AttemptTimeout.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(AttemptTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = ConnectTimeout }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = ConnectTimeout
			tr.ResponseHeaderTimeout = AttemptTimeout
		})
}

// Options selects how to reach AWS.
type Options struct {
	// Profile is a named profile from the shared config files ("" = default chain).
	Profile string
	// EndpointURL sends every call to this endpoint (the local emulator).
	EndpointURL string
	// Recorder, when set, counts every API call.
	Recorder *Recorder
	// APIOptions are extra middleware for every client (tests use it to inject faults).
	APIOptions []func(*middleware.Stack) error
}

// Load builds an aws.Config from the standard chain (environment, shared
// profile, SSO, instance or task role) with adaptive retries. AWS_ENDPOINT_URL
// is honoured by the SDK itself; Options.EndpointURL overrides it.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	loaders := []func(*config.LoadOptions) error{config.WithRetryer(Retryer), config.WithHTTPClient(HTTPClient())}
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
		cfg.Region = DefaultRegion
	}
	if opts.Recorder != nil {
		cfg.APIOptions = append(cfg.APIOptions, opts.Recorder.Middleware)
	}
	cfg.APIOptions = append(cfg.APIOptions, opts.APIOptions...)
	return cfg, nil
}

// InRegion returns a copy of cfg that calls region.
func InRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	c.Region = region
	return c
}
