// Package cloudfrontdist lists CloudFront distributions with the parts of
// their configuration a check needs, for the checks that judge distributions
// (their viewer certificates, their origins).
//
// ListDistributions' summaries carry aliases, origins and viewer certificate
// on AWS, in the fewest requests. The emulator (moto 5.2.1) leaves them out,
// so a summary that lacks what the caller needs is completed with
// GetDistributionConfig: against AWS that call is never made, and a check
// lists cloudfront:GetDistributionConfig in its IAM actions only for it.
package cloudfrontdist

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/check"
)

// API is the part of the CloudFront client List calls.
type API interface {
	cloudfront.ListDistributionsAPIClient
	GetDistributionConfig(context.Context, *cloudfront.GetDistributionConfigInput, ...func(*cloudfront.Options)) (*cloudfront.GetDistributionConfigOutput, error)
}

var _ API = (*cloudfront.Client)(nil)

// pageSize is ListDistributions' largest page.
const pageSize = 100

// Distribution is one distribution: its summary's fields, or its
// configuration's where the summary lacked what was needed.
type Distribution struct {
	ID, DomainName    string
	Aliases           *cftypes.Aliases
	Origins           *cftypes.Origins
	ViewerCertificate *cftypes.ViewerCertificate
	// Err is set when the configuration was needed and could not be read
	// (wrapped with "cloudfront GetDistributionConfig"); the distribution
	// has then only its ID and domain name.
	Err error
}

// List returns every distribution. incomplete says whether a summary lacks
// what the caller needs; for those only, GetDistributionConfig supplies the
// configuration. A failure to list is returned; a failure to read one
// distribution's configuration is kept with that distribution.
func List(ctx context.Context, api API, incomplete func(cftypes.DistributionSummary) bool) ([]Distribution, error) {
	var out []Distribution
	pages := cloudfront.NewListDistributionsPaginator(api, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(pageSize)},
		func(o *cloudfront.ListDistributionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, check.WrapOp("cloudfront ListDistributions", err)
		}
		if page.DistributionList == nil {
			continue
		}
		for _, s := range page.DistributionList.Items {
			d := Distribution{ID: aws.ToString(s.Id), DomainName: aws.ToString(s.DomainName),
				Aliases: s.Aliases, Origins: s.Origins, ViewerCertificate: s.ViewerCertificate}
			if incomplete(s) {
				cfg, err := api.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: s.Id})
				switch {
				case err != nil:
					d = Distribution{ID: d.ID, DomainName: d.DomainName, Err: check.WrapOp("cloudfront GetDistributionConfig", err)}
				case cfg.DistributionConfig != nil:
					c := cfg.DistributionConfig
					d.Aliases, d.Origins, d.ViewerCertificate = c.Aliases, c.Origins, c.ViewerCertificate
				}
			}
			out = append(out, d)
		}
	}
	return out, nil
}
