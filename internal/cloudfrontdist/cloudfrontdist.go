// Package cloudfrontdist holds what the two CloudFront certificate checks
// share: listing the distributions, the events that change them, the report
// columns both specifications name, and how a certificate's problems become
// a status.
//
// ListDistributions' summaries carry each distribution's aliases, origins
// and viewer certificate, so one paginated call gives the checks all they
// read of CloudFront.
package cloudfrontdist

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/certs"
	"github.com/secadvisor/secadvisor/internal/check"
)

// DistributionTrigger holds the CloudTrail events that create, change or
// delete a distribution, for the Triggers of the checks that read it: each
// can add, change or remove the certificate or origins a check judges.
// CloudFront records unversioned event names ("UpdateDistribution" in the
// CloudTrail example of the CloudFront Developer Guide, 2024), although its
// API paths and some SDKs carry the version (UpdateDistribution2020_05_31).
var DistributionTrigger = check.Trigger{Source: "cloudfront.amazonaws.com", Names: []string{
	"CreateDistribution", "CreateDistributionWithTags", "CopyDistribution", "UpdateDistribution", "UpdateDistributionWithStagingConfig", "DeleteDistribution",
}}

// API is the part of the CloudFront client List calls.
type API = cloudfront.ListDistributionsAPIClient

var _ API = (*cloudfront.Client)(nil)

// pageSize is ListDistributions' largest page.
const pageSize = 100

// List returns every distribution's summary.
func List(ctx context.Context, api API) ([]cftypes.DistributionSummary, error) {
	pages := cloudfront.NewListDistributionsPaginator(api, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(pageSize)},
		func(o *cloudfront.ListDistributionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	out, err := awsx.AllPages(ctx, pages, func(p *cloudfront.ListDistributionsOutput) []cftypes.DistributionSummary {
		if p.DistributionList == nil {
			return nil
		}
		return p.DistributionList.Items
	})
	return out, check.WrapOp("cloudfront ListDistributions", err)
}

// Describe returns f with the report columns of the distribution it is
// about: its ID and domain name, the check's own column (column, value) and
// the finding's reason.
func Describe(f check.Finding, id, domain, column, value string) check.Finding {
	f.Columns = map[string]string{"Distribution ID": id, "Distribution Domain Name": domain, column: value, "Reason": f.Reason}
	return f
}

// JudgeCertificate judges cert at now as both specifications do: red when
// it has expired, yellow when it expires within soon or is signed with
// SHA-1, green otherwise. It returns one sentence per problem.
func JudgeCertificate(cert *x509.Certificate, now time.Time, soon time.Duration) (check.Status, []string) {
	a := certs.Assess(cert, now, soon)
	status := check.Green
	switch {
	case a.Has(certs.Expired):
		status = check.Red
	case len(a.Problems) > 0:
		status = check.Yellow
	}
	sentences := make([]string, len(a.Details))
	for i, d := range a.Details {
		sentences[i] = capitalize(d)
	}
	return status, sentences
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
