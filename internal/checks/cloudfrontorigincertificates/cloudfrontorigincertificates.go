// Package cloudfrontorigincertificates checks the SSL certificates served by
// the origins of CloudFront distributions. When an origin certificate is
// expired, missing or unreachable, CloudFront answers viewers with 502 errors.
package cloudfrontorigincertificates

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "N430c450f2",
	Slug:        "cloudfront-origin-certificates",
	Name:        "CloudFront SSL Certificate on the Origin Server",
	Description: "Checks your origin server for SSL certificates that are expired, about to expire, missing, or that use outdated encryption. If a certificate has one of these issues, CloudFront responds to requests for your content with HTTP status code 502, Bad Gateway.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "An SSL certificate on your origin has expired or is missing."},
		{Status: check.Yellow, Text: "An SSL certificate on your origin expires in the next thirty days."},
		{Status: check.Yellow, Text: "An SSL certificate on your origin was encrypted by using the SHA-1 hashing algorithm."},
		{Status: check.Yellow, Text: "An SSL certificate on your origin can't be located. The connection might have failed due to timeout, or other HTTPS connection problems."},
	},
	RecommendedAction: "Renew the certificate on your origin if it has expired or is about to expire. Add a certificate if one does not exist. Replace a certificate that was encrypted by using the SHA-1 hashing algorithm with a certificate that is encrypted by using the SHA-256 hashing algorithm.",
	Columns:           []string{"Status", "Distribution ID", "Distribution Domain Name", "Origin", "Reason"},
	IAMActions:        []string{"cloudfront:ListDistributions"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
