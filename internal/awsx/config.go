// Package awsx holds the AWS plumbing shared by the CLI, the Lambda functions
// and the tests: adaptive retries, timeouts, the API-call recorder and error
// classification. Loading a configuration from the standard credential chain
// is in awsconfig, which only the CLI needs: the Lambda functions read their
// credentials from their environment (lambdastart) and do not link it.
package awsx

import (
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

// InRegion returns a copy of cfg that calls region.
func InRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	c.Region = region
	return c
}
