// Package cloudfrontdisttest holds what the CloudFront checks' tests share: a
// fake of ListDistributions and the target their evaluators judge for.
package cloudfrontdisttest

import (
	"context"
	"strconv"
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
