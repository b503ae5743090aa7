package awsx

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Retryer returns the retryer every client of a scan uses: adaptive mode
// (client-side rate limiting once AWS throttles) with MaxAttempts attempts.
// Load installs it; tests that inject faults install it too, so they prove
// the production retry behaviour. It has the signature of aws.Config.Retryer:
// each client gets its own retryer, and so its own retry quota.
func Retryer() aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = MaxAttempts
		})
	})
}
