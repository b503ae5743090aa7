// Package cloudtraillogging checks that each region has a CloudTrail trail
// that is logging and delivering its log files. Without it there is no record
// of who called which AWS API, which blinds audits and incident response.
package cloudtraillogging

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "vjafUGJ9H0",
	Slug:        "cloudtrail-logging",
	Name:        "AWS CloudTrail Logging",
	Description: "Checks your use of AWS CloudTrail. CloudTrail provides increased visibility into activity in your AWS account by recording information about AWS API calls made on the account. You can use these logs to determine, for example, what actions a particular user has taken during a specified time period, or which users have taken actions on a particular resource during a specified time period. Because CloudTrail delivers log files to an Amazon Simple Storage Service (Amazon S3) bucket, CloudTrail must have write permissions for the bucket. If a trail applies to all Regions (the default when creating a new trail), the trail appears multiple times in the Trusted Advisor report.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "CloudTrail reports log delivery errors for a trail."},
		{Status: check.Red, Text: "A trail has not been created for a Region, or logging is turned off for a trail."},
	},
	RecommendedAction: "To create a trail and start logging from the console, go to the AWS CloudTrail console. To start logging, see Stopping and Starting Logging for a Trail. If you receive log delivery errors, check to make sure that the bucket exists and that the necessary policy is attached to the bucket. See Amazon S3 Bucket Policy.",
	Columns:           []string{"Status", "Region", "Trail Name", "Logging Status", "Bucket Name", "Last Delivery Date"},
	IAMActions:        []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"},
	Scope:             check.Regional,
}

// Check is the catalog entry. Not implemented yet (issue 4): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
