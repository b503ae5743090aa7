package cloudfrontdist

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/smithy-go"
)

// fakeAPI pages its summaries two at a time; GetDistributionConfig answers
// from configs, or AccessDenied for IDs not there.
type fakeAPI struct {
	summaries []cftypes.DistributionSummary
	configs   map[string]*cftypes.DistributionConfig
	asked     []string
}

func (f *fakeAPI) ListDistributions(_ context.Context, in *cloudfront.ListDistributionsInput, _ ...func(*cloudfront.Options)) (*cloudfront.ListDistributionsOutput, error) {
	start, _ := strconv.Atoi(aws.ToString(in.Marker))
	end := min(start+2, len(f.summaries))
	list := &cftypes.DistributionList{Items: f.summaries[start:end], IsTruncated: aws.Bool(end < len(f.summaries))}
	if end < len(f.summaries) {
		list.NextMarker = aws.String(strconv.Itoa(end))
	}
	return &cloudfront.ListDistributionsOutput{DistributionList: list}, nil
}

func (f *fakeAPI) GetDistributionConfig(_ context.Context, in *cloudfront.GetDistributionConfigInput, _ ...func(*cloudfront.Options)) (*cloudfront.GetDistributionConfigOutput, error) {
	id := aws.ToString(in.Id)
	f.asked = append(f.asked, id)
	if c, ok := f.configs[id]; ok {
		return &cloudfront.GetDistributionConfigOutput{DistributionConfig: c}, nil
	}
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
}

func TestList(t *testing.T) {
	t.Parallel()
	origins := &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("app"), DomainName: aws.String("app.example.com")}}}
	summary := func(id string, o *cftypes.Origins) cftypes.DistributionSummary {
		return cftypes.DistributionSummary{Id: aws.String(id), DomainName: aws.String(id + ".cloudfront.net"), Origins: o}
	}
	api := &fakeAPI{
		// E1 is complete, as AWS's summaries are; E2 and E3 lack their origins, as the emulator's do.
		summaries: []cftypes.DistributionSummary{summary("E1", origins), summary("E2", nil), summary("E3", nil)},
		configs:   map[string]*cftypes.DistributionConfig{"E2": {Origins: origins}},
	}
	got, err := List(context.Background(), api, func(s cftypes.DistributionSummary) bool { return s.Origins == nil })
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("List = %+v, want 3 distributions over two pages", got)
	}
	if strings.Join(api.asked, ",") != "E2,E3" {
		t.Errorf("GetDistributionConfig asked for %v, want [E2 E3] (only the incomplete summaries)", api.asked)
	}
	for i, want := range []struct {
		id      string
		origins bool
		err     string
	}{{"E1", true, ""}, {"E2", true, ""}, {"E3", false, "cloudfront GetDistributionConfig"}} {
		d := got[i]
		errText := ""
		if d.Err != nil {
			errText = d.Err.Error()
		}
		if d.ID != want.id || d.DomainName != want.id+".cloudfront.net" || (d.Origins != nil) != want.origins ||
			(want.err == "") != (d.Err == nil) || !strings.Contains(errText, want.err) {
			t.Errorf("distribution %d = %+v (err %q), want %s with origins %v and error containing %q", i, d, errText, want.id, want.origins, want.err)
		}
	}
}
