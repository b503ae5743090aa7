package cloudtraillogging

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

func trail(name, home string, multiRegion, organization bool) types.Trail {
	return types.Trail{
		Name:                aws.String(name),
		TrailARN:            aws.String("arn:aws:cloudtrail:" + home + ":111122223333:trail/" + name),
		HomeRegion:          aws.String(home),
		IsMultiRegionTrail:  aws.Bool(multiRegion),
		IsOrganizationTrail: aws.Bool(organization),
		S3BucketName:        aws.String("audit-logs"),
	}
}

// status is shaped like GetTrailStatus's answer. The emulator never returns
// LatestDeliveryError (docs/development.md), so the yellow case is tested only here,
// with the message AWS gives when the bucket policy denies CloudTrail.
func status(logging bool, deliveryError string) *cloudtrail.GetTrailStatusOutput {
	out := &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(logging), LatestDeliveryTime: aws.Time(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))}
	if deliveryError != "" {
		out.LatestDeliveryError = aws.String(deliveryError)
	}
	return out
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	const accessDenied = "AccessDenied"
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}
	multi := trail("org-audit", "us-east-1", true, false)
	single := trail("eu-app", "eu-west-1", false, false)
	org := trail("o-123/management", "us-east-1", true, true)
	tests := []struct {
		name string
		in   Input
		want map[string]check.Status // by trail name; "" is the no-trail row
	}{
		{"no trail covers the region", Input{}, map[string]check.Status{"": check.Red}},
		{"multi-region trail logging", Input{Trails: []TrailState{{Trail: multi, Status: status(true, "")}}}, map[string]check.Status{"org-audit": check.Green}},
		{"multi-region trail not logging", Input{Trails: []TrailState{{Trail: multi, Status: status(false, "")}}}, map[string]check.Status{"org-audit": check.Red}},
		{"single-region trail logging", Input{Trails: []TrailState{{Trail: single, Status: status(true, "")}}}, map[string]check.Status{"eu-app": check.Green}},
		{"delivery error", Input{Trails: []TrailState{{Trail: multi, Status: status(true, accessDenied)}}}, map[string]check.Status{"org-audit": check.Yellow}},
		{"logging off beats delivery error", Input{Trails: []TrailState{{Trail: multi, Status: status(false, accessDenied)}}}, map[string]check.Status{"org-audit": check.Red}},
		{"one trail on, another off: each row on its own", Input{Trails: []TrailState{{Trail: multi, Status: status(true, "")}, {Trail: single, Status: status(false, "")}}},
			map[string]check.Status{"org-audit": check.Green, "eu-app": check.Red}},
		{"organization trail logging counts", Input{Trails: []TrailState{{Trail: org, Status: status(true, "")}}}, map[string]check.Status{"o-123/management": check.Green}},
		{"status unreadable is an error, never green", Input{Trails: []TrailState{{Trail: multi, StatusErr: denied}}}, map[string]check.Status{"org-audit": check.Error}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target("eu-west-1"), tt.in)
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != len(tt.want) {
				t.Fatalf("evaluate(%s) = %d findings %+v, want %d", tt.name, len(got), got, len(tt.want))
			}
			for _, f := range got {
				name := f.Columns["Trail Name"]
				want, ok := tt.want[name]
				if !ok || f.Status != want {
					t.Errorf("evaluate(%s) trail %q = %s (%s), want %s", tt.name, name, f.Status, f.Reason, want)
				}
				if want == check.Yellow && !strings.Contains(f.Reason, accessDenied) {
					t.Errorf("evaluate(%s) reason = %q, want the delivery error", tt.name, f.Reason)
				}
				if f.Status != check.Error && name != "" && (f.Columns["Bucket Name"] != "audit-logs" || f.Columns["Last Delivery Date"] != "2025-03-01T12:00:00Z" || f.Columns["Logging Status"] == "") {
					t.Errorf("evaluate(%s) columns = %v, want bucket, logging status and last delivery date", tt.name, f.Columns)
				}
			}
		})
	}
}

// seedTrail creates a bucket and a trail named name in home region, starting
// its logging when logging is set.
func seedTrail(t *testing.T, cfg aws.Config, home, name string, multiRegion, logging bool) {
	t.Helper()
	ctx := context.Background()
	// Bucket names are global in the emulator as in AWS: make them unique per test.
	bucket := fmt.Sprintf("%s-logs-%d", name, bucketSeq.Add(1))
	s3c := s3.NewFromConfig(awsx.InRegion(cfg, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	ct := cloudtrail.NewFromConfig(awsx.InRegion(cfg, home))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(multiRegion)}); err != nil {
		t.Fatalf("create trail %s: %v", name, err)
	}
	if logging {
		if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
			t.Fatalf("start logging %s: %v", name, err)
		}
	}
}

var bucketSeq atomic.Int64

type row struct {
	region, trail string
	status        check.Status
}

func rows(findings []check.Finding) map[row]bool {
	out := map[row]bool{}
	for _, f := range findings {
		out[row{f.Region, f.Columns["Trail Name"], f.Status}] = true
	}
	return out
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	tests := []struct {
		name string
		seed func(t *testing.T, cfg aws.Config)
		want map[row]bool
	}{
		{"multi-region trail logging covers every region; a stopped regional trail is red beside it",
			func(t *testing.T, cfg aws.Config) {
				seedTrail(t, cfg, "us-east-1", "org-audit", true, true)
				seedTrail(t, cfg, "eu-west-1", "eu-app", false, false)
			},
			map[row]bool{
				{"us-east-1", "org-audit", check.Green}: true, {"eu-west-1", "org-audit", check.Green}: true, {"ap-southeast-2", "org-audit", check.Green}: true,
				{"eu-west-1", "eu-app", check.Red}: true,
			}},
		{"single-region trail only: the other regions have no trail",
			func(t *testing.T, cfg aws.Config) { seedTrail(t, cfg, "eu-west-1", "eu-app", false, true) },
			map[row]bool{{"eu-west-1", "eu-app", check.Green}: true, {"us-east-1", "", check.Red}: true, {"ap-southeast-2", "", check.Red}: true}},
		{"multi-region trail with logging off is red in every region",
			func(t *testing.T, cfg aws.Config) { seedTrail(t, cfg, "eu-west-1", "all-regions", true, false) },
			map[row]bool{{"us-east-1", "all-regions", check.Red}: true, {"eu-west-1", "all-regions", check.Red}: true, {"ap-southeast-2", "all-regions", check.Red}: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, account := emutest.Config(t)
			tt.seed(t, cfg)
			findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, regions...)
			got := rows(findings)
			if len(findings) != len(tt.want) || len(got) != len(tt.want) {
				t.Errorf("findings = %+v, want rows %v", findings, tt.want)
			}
			for r := range tt.want {
				if !got[r] {
					t.Errorf("missing row %+v in %+v", r, findings)
				}
			}
			for _, f := range findings {
				if f.Columns["Trail Name"] != "" && (f.Columns["Bucket Name"] == "" || f.Columns["Logging Status"] == "") {
					t.Errorf("finding %+v lacks bucket or logging status", f)
				}
				if f.Status == check.Green && f.Columns["Last Delivery Date"] == "" {
					t.Errorf("logging trail %+v lacks its last delivery date", f)
				}
			}
			checktest.WantCalls(t, recorder, checktest.Call("CloudTrail", "DescribeTrails", len(regions), "one per region"))
		})
	}
}

// trailsAPI answers DescribeTrails with trails and GetTrailStatus with
// statuses by trail ARN, shaped like CloudTrail's answers; a trail without a
// status fails with a throttling error.
type trailsAPI struct {
	trails   []types.Trail
	statuses map[string]*cloudtrail.GetTrailStatusOutput
}

func (f trailsAPI) DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	return &cloudtrail.DescribeTrailsOutput{TrailList: f.trails}, nil
}

func (f trailsAPI) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	if s, ok := f.statuses[aws.ToString(in.Name)]; ok {
		return s, nil
	}
	return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}

// TestCollectTrailStatusFailsForOneTrail: a trail whose status cannot be
// read is an error finding naming the operation; the other trails of the
// region are still judged, and a trail of another region is not asked about.
func TestCollectTrailStatusFailsForOneTrail(t *testing.T) {
	t.Parallel()
	multi, single, elsewhere := trail("org-audit", "us-east-1", true, false), trail("eu-app", "eu-west-1", false, false), trail("us-app", "us-east-1", false, false)
	api := trailsAPI{
		trails:   []types.Trail{multi, single, elsewhere},
		statuses: map[string]*cloudtrail.GetTrailStatusOutput{aws.ToString(single.TrailARN): status(false, "")},
	}
	in, err := collect(context.Background(), api, "eu-west-1")
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	got := map[string]check.Status{}
	for _, f := range evaluate(checktest.Target("eu-west-1"), in) {
		got[f.Columns["Trail Name"]] = f.Status
		if f.Status == check.Error && (!strings.Contains(f.Reason, "cloudtrail GetTrailStatus") || !strings.Contains(f.Reason, "ThrottlingException")) {
			t.Errorf("trail %s reason = %q, want the operation and the error code", f.Columns["Trail Name"], f.Reason)
		}
	}
	want := map[string]check.Status{"org-audit": check.Error, "eu-app": check.Red}
	if !maps.Equal(got, want) {
		t.Errorf("statuses by trail = %v, want %v", got, want)
	}
}
