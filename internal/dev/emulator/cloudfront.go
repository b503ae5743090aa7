package emulator

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/smithy-go/middleware"
)

// cloudFrontFullSummaries completes ListDistributions' summaries.
//
// Gap: moto 5.2.1 lists each distribution with its ID, ARN, status and
// domain name only; AWS's DistributionSummary also carries the parts of the
// configuration a reader needs without another call (aliases, origins,
// cache behaviors, viewer certificate…). The patch reads each listed
// distribution's configuration with GetDistributionConfig, through base (so
// the call is neither recorded nor denied: it stands for data AWS sends in
// the list itself), and copies into the summary every field the summary
// shares with the configuration.
func cloudFrontFullSummaries(base aws.Config) func(*middleware.Stack) error {
	patchCfg := base.Copy()
	return afterSuccess("emulatorCloudFrontSummaries", func(ctx context.Context, _, result any) error {
		listed, ok := result.(*cloudfront.ListDistributionsOutput)
		if !ok || listed.DistributionList == nil {
			return nil
		}
		client := cloudfront.NewFromConfig(patchCfg, func(o *cloudfront.Options) { o.Region = awsmiddleware.GetRegion(ctx) })
		for i := range listed.DistributionList.Items {
			s := &listed.DistributionList.Items[i]
			cfg, err := client.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: s.Id})
			if err != nil {
				return fmt.Errorf("emulator patch: GetDistributionConfig %s: %w", aws.ToString(s.Id), err)
			}
			if cfg.DistributionConfig != nil {
				completeSummary(s, cfg.DistributionConfig)
			}
		}
		return nil
	})
}

// completeSummary copies into s the fields AWS's summary takes from the
// distribution's configuration c.
func completeSummary(s *cftypes.DistributionSummary, c *cftypes.DistributionConfig) {
	s.Aliases, s.Origins, s.OriginGroups = c.Aliases, c.Origins, c.OriginGroups
	s.DefaultCacheBehavior, s.CacheBehaviors, s.CustomErrorResponses = c.DefaultCacheBehavior, c.CacheBehaviors, c.CustomErrorResponses
	s.ViewerCertificate, s.Restrictions, s.WebACLId = c.ViewerCertificate, c.Restrictions, c.WebACLId
	s.Comment, s.Enabled, s.Staging, s.PriceClass = c.Comment, c.Enabled, c.Staging, c.PriceClass
	s.HttpVersion, s.IsIPV6Enabled = c.HttpVersion, c.IsIPV6Enabled
}
