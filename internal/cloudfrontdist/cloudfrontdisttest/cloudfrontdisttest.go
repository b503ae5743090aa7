// Package cloudfrontdisttest holds what the CloudFront checks' tests share: a
// fake of ListDistributions, the target their evaluators judge for, and
// distributions created on the emulator.
package cloudfrontdisttest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// Target is an evaluator test's target for a CloudFront check (a global
// one), scanned at scanTime.
func Target(scanTime time.Time) check.Target {
	return checktest.TargetAt(check.GlobalRegion, scanTime)
}

// Pages answers ListDistributions with Summaries, PageSize at a time, paged
// as AWS pages them: Marker in, NextMarker and IsTruncated out.
type Pages struct {
	Summaries []cftypes.DistributionSummary
	PageSize  int
}

// ListDistributions returns the page that starts at in.Marker.
func (p *Pages) ListDistributions(_ context.Context, in *cloudfront.ListDistributionsInput, _ ...func(*cloudfront.Options)) (*cloudfront.ListDistributionsOutput, error) {
	start, _ := strconv.Atoi(aws.ToString(in.Marker))
	end := min(start+max(p.PageSize, 1), len(p.Summaries))
	list := &cftypes.DistributionList{Items: p.Summaries[start:end], Quantity: aws.Int32(int32(end - start)), IsTruncated: aws.Bool(end < len(p.Summaries))}
	if end < len(p.Summaries) {
		list.NextMarker = aws.String(strconv.Itoa(end))
	}
	return &cloudfront.ListDistributionsOutput{DistributionList: list}, nil
}

// CustomOrigin is the origin id at domain, reached with policy on HTTPS port
// port over TLS 1.2, as a distribution's configuration holds it.
func CustomOrigin(id, domain string, policy cftypes.OriginProtocolPolicy, port int32) cftypes.Origin {
	return cftypes.Origin{Id: aws.String(id), DomainName: aws.String(domain), CustomOriginConfig: &cftypes.CustomOriginConfig{
		HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(port), OriginProtocolPolicy: policy,
		OriginSslProtocols: &cftypes.OriginSslProtocols{Quantity: aws.Int32(1), Items: []cftypes.SslProtocol{cftypes.SslProtocolTLSv12}},
	}}
}

// Create creates, with client, the enabled distribution ref with origins,
// its default cache behavior on the first (CloudFront's managed
// CachingOptimized policy, HTTP redirected to HTTPS), the aliases given and
// viewer (nil: CloudFront's default certificate), and returns its ID.
func Create(t testing.TB, client *cloudfront.Client, ref string, aliases []string, viewer *cftypes.ViewerCertificate, origins ...cftypes.Origin) string {
	t.Helper()
	cfg := &cftypes.DistributionConfig{
		CallerReference: aws.String(ref), Comment: aws.String(ref), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(int32(len(origins))), Items: origins},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: origins[0].Id, ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
		ViewerCertificate: viewer,
	}
	if len(aliases) > 0 {
		cfg.Aliases = &cftypes.Aliases{Quantity: aws.Int32(int32(len(aliases))), Items: aliases}
	}
	out, err := client.CreateDistribution(context.Background(), &cloudfront.CreateDistributionInput{DistributionConfig: cfg})
	if err != nil {
		t.Fatalf("create distribution %s: %v", ref, err)
	}
	return aws.ToString(out.Distribution.Id)
}
