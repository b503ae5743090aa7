package emulator_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestCloudFrontSummariesCarryTheConfiguration: ListDistributions' summaries
// carry the aliases, origins and viewer certificate the distribution was
// created with, as AWS's do, with one recorded call and nothing else, even
// when GetDistributionConfig is denied to the caller.
func TestCloudFrontSummariesCarryTheConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	client := cloudfront.NewFromConfig(cfg)
	created, err := client.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("shop"), Comment: aws.String("shop"), Enabled: aws.Bool(true),
		Aliases: &cftypes.Aliases{Quantity: aws.Int32(1), Items: []string{"shop.example.com"}},
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("app"), DomainName: aws.String("app.example.com"),
			CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(8443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("app"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
		ViewerCertificate: &cftypes.ViewerCertificate{IAMCertificateId: aws.String("ASCAEXAMPLE0000000001"), SSLSupportMethod: cftypes.SSLSupportMethodSniOnly},
	}})
	if err != nil {
		t.Fatalf("create distribution: %v", err)
	}

	recorder := awsx.NewRecorder()
	listCfg := emutest.Deny(cfg, "GetDistributionConfig")
	listCfg.APIOptions = append(listCfg.APIOptions, recorder.Middleware)
	out, err := cloudfront.NewFromConfig(listCfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	if err != nil {
		t.Fatalf("ListDistributions: %v", err)
	}
	if out.DistributionList == nil || len(out.DistributionList.Items) != 1 {
		t.Fatalf("ListDistributions = %+v, want the one distribution", out.DistributionList)
	}
	s := out.DistributionList.Items[0]
	if aws.ToString(s.Id) != aws.ToString(created.Distribution.Id) {
		t.Errorf("summary ID = %s, want %s", aws.ToString(s.Id), aws.ToString(created.Distribution.Id))
	}
	if s.Aliases == nil || !slices.Equal(s.Aliases.Items, []string{"shop.example.com"}) {
		t.Errorf("summary aliases = %+v, want [shop.example.com]", s.Aliases)
	}
	if s.Origins == nil || len(s.Origins.Items) != 1 || s.Origins.Items[0].CustomOriginConfig == nil || aws.ToInt32(s.Origins.Items[0].CustomOriginConfig.HTTPSPort) != 8443 {
		t.Errorf("summary origins = %+v, want the custom origin app on port 8443", s.Origins)
	}
	if s.ViewerCertificate == nil || aws.ToString(s.ViewerCertificate.IAMCertificateId) != "ASCAEXAMPLE0000000001" {
		t.Errorf("summary viewer certificate = %+v, want IAM certificate ASCAEXAMPLE0000000001", s.ViewerCertificate)
	}
	var ops []string
	for _, c := range recorder.Counts() {
		ops = append(ops, c.Operation)
	}
	if !slices.Equal(ops, []string{"ListDistributions"}) {
		t.Errorf("recorded operations = %v, want [ListDistributions] (the patch's own reads are not the caller's)", ops)
	}
}
