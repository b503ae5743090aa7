// Package cloudtraillogging checks that each region has a CloudTrail trail
// that is logging and delivering its log files. Without it there is no record
// of who called which AWS API, which blinds audits and incident response.
package cloudtraillogging

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("vjafUGJ9H0", check.Meta{
	Slug:       "cloudtrail-logging",
	IAMActions: []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"},
	Scope:      check.Regional,
	// Triggers: creating, updating or deleting a trail and starting or
	// stopping its logging decide the result; a log delivery error shows only
	// in the trail's status, so it waits for the schedule.
	Triggers: []check.Trigger{
		{Source: "cloudtrail.amazonaws.com", Names: []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the CloudTrail client the check calls.
type API interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
}

var _ API = (*cloudtrail.Client)(nil)

// noTrail is the resource ID of the finding for a region no trail covers.
const noTrail = "(no trail)"

// collectFrom collects for target with a CloudTrail client of its account
// and region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	return collect(ctx, cloudtrail.NewFromConfig(target.Config), target.Config.Region)
}

// TrailState is one trail that applies to the scanned region and its status.
type TrailState struct {
	Trail  types.Trail
	Status *cloudtrail.GetTrailStatusOutput
	// StatusErr is set when GetTrailStatus failed for this trail.
	StatusErr error
}

// Input is what the check evaluates: the trails that apply to the region.
type Input struct {
	Trails []TrailState
}

// collect asks the scanned region for the trails that apply to it:
// includeShadowTrails makes DescribeTrails (one request, the API has no
// paging) return the multi-region trails whose home is another region and
// the organization's trails too. GetTrailStatus is called once per trail
// with its ARN, which is how a shadow trail's status is read outside its
// home region.
func collect(ctx context.Context, api API, region string) (Input, error) {
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return Input{}, check.WrapOp("cloudtrail DescribeTrails", err)
	}
	var in Input
	for _, trail := range out.TrailList {
		if !covers(trail, region) {
			continue
		}
		state := TrailState{Trail: trail}
		state.Status, state.StatusErr = api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: trail.TrailARN})
		in.Trails = append(in.Trails, state)
	}
	return in, nil
}

// covers reports whether trail records the region's events: a multi-region
// trail covers every region, a single-region trail only its home region.
func covers(trail types.Trail, region string) bool {
	return aws.ToBool(trail.IsMultiRegionTrail) || aws.ToString(trail.HomeRegion) == region
}

// evaluate reports one row per trail that applies to the region, as Trusted
// Advisor lists a multi-region trail once per region: red when it is not
// logging, yellow when CloudTrail reports an S3 log delivery error, green
// otherwise. A region no trail covers gets one red row with no trail name.
func evaluate(target check.Target, in Input) []check.Finding {
	if len(in.Trails) == 0 {
		return []check.Finding{Meta.NewFinding(target, noTrail, check.Red,
			"No trail has been created for this region: its API activity is not recorded.",
			map[string]string{"Trail Name": "", "Logging Status": "", "Bucket Name": "", "Last Delivery Date": ""})}
	}
	findings := make([]check.Finding, 0, len(in.Trails))
	for _, t := range in.Trails {
		id := aws.ToString(t.Trail.TrailARN)
		columns := map[string]string{
			"Trail Name":  aws.ToString(t.Trail.Name),
			"Bucket Name": aws.ToString(t.Trail.S3BucketName),
		}
		if t.StatusErr != nil {
			f := Meta.ErrorFinding(target, id, "cloudtrail GetTrailStatus", t.StatusErr)
			f.Columns = columns
			findings = append(findings, f)
			continue
		}
		columns["Logging Status"] = "Off"
		if aws.ToBool(t.Status.IsLogging) {
			columns["Logging Status"] = "On"
		}
		if d := t.Status.LatestDeliveryTime; d != nil {
			columns["Last Delivery Date"] = d.UTC().Format(time.RFC3339)
		}
		scope := "This single-region trail"
		if aws.ToBool(t.Trail.IsMultiRegionTrail) {
			scope = "This multi-region trail"
		}
		if aws.ToBool(t.Trail.IsOrganizationTrail) {
			scope += " (an organization trail)"
		}
		switch {
		case !aws.ToBool(t.Status.IsLogging):
			findings = append(findings, Meta.NewFinding(target, id, check.Red,
				scope+" has logging turned off: the region's API activity is not recorded by it.", columns))
		case aws.ToString(t.Status.LatestDeliveryError) != "":
			findings = append(findings, Meta.NewFinding(target, id, check.Yellow,
				scope+" reports a log delivery error: "+aws.ToString(t.Status.LatestDeliveryError)+
					". Check that the bucket exists and its policy lets CloudTrail write.", columns))
		default:
			findings = append(findings, Meta.NewFinding(target, id, check.Green,
				scope+" is logging and delivering log files.", columns))
		}
	}
	return findings
}
