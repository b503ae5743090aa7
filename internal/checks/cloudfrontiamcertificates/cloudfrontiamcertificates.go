// Package cloudfrontiamcertificates checks the custom SSL certificates that
// CloudFront distributions use from the IAM certificate store. An expired,
// SHA-1 or mismatched certificate breaks HTTPS or makes browsers warn viewers.
package cloudfrontiamcertificates

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "N425c450f2",
	Slug:        "cloudfront-iam-certificates",
	Name:        "CloudFront Custom SSL Certificates in the IAM Certificate Store",
	Description: "Checks the SSL certificates for CloudFront alternate domain names in the IAM certificate store. This check alerts you if a certificate is expired, will expire soon, uses outdated encryption, or is not configured correctly for the distribution.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "A custom SSL certificate is expired."},
		{Status: check.Yellow, Text: "A custom SSL certificate expires in the next seven days."},
		{Status: check.Yellow, Text: "A custom SSL certificate was encrypted by using the SHA-1 hashing algorithm."},
		{Status: check.Yellow, Text: "One or more of the alternate domain names in the distribution don't appear either in the Common Name field or the Subject Alternative Names field of the custom SSL certificate."},
	},
	RecommendedAction: "Renew an expired certificate or a certificate that is about to expire. Replace a certificate that was encrypted by using the SHA-1 hashing algorithm with a certificate that is encrypted by using the SHA-256 hashing algorithm. Replace the certificate with a certificate that contains the applicable values in the Common Name or Subject Alternative Domain Names fields.",
	Columns:           []string{"Status", "Distribution ID", "Distribution Domain Name", "Certificate Name", "Reason"},
	IAMActions:        []string{"cloudfront:ListDistributions", "iam:ListServerCertificates", "iam:GetServerCertificate"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 6): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
