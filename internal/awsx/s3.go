package awsx

import (
	"github.com/aws/aws-sdk-go-v2/aws"
)

// CustomEndpoint reports whether cfg sends calls to an endpoint other than
// AWS's own (the local emulator, or another S3-compatible store). Such
// endpoints need path-style S3 addressing: bucket.127.0.0.1 does not resolve.
func CustomEndpoint(cfg aws.Config) bool {
	return aws.ToString(cfg.BaseEndpoint) != ""
}
