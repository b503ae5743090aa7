// Package s3bucketpermissions finds S3 buckets whose ACL or bucket policy
// opens them to everyone or to any authenticated AWS user. Open buckets can
// leak or lose data and run up request charges.
package s3bucketpermissions

import "github.com/secadvisor/secadvisor/internal/check"

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "Pfx0RwqBli",
	Slug:        "s3-bucket-permissions",
	Name:        "Amazon S3 Bucket Permissions",
	Description: "Checks buckets in Amazon Simple Storage Service (Amazon S3) that have open access permissions, or that allow access to any authenticated AWS user. This check examines explicit bucket permissions, as well as bucket policies that might override those permissions. Granting list access permissions to all users for an Amazon S3 bucket is not recommended. These permissions can lead to unintended users listing objects in the bucket at high frequency, which can result in higher than expected charges. Permissions that grant upload and delete access to everyone can lead to security vulnerabilities in your bucket.",
	Criteria: []check.Criterion{
		{Status: check.Yellow, Text: "The bucket ACL allows List access for Everyone or Any Authenticated AWS User."},
		{Status: check.Yellow, Text: "A bucket policy allows any kind of open access."},
		{Status: check.Yellow, Text: "Bucket policy has statements that grant public access. The Block public and cross-account access to buckets that have public policies setting is turned on and has restricted access to only authorized users of that account until public statements are removed."},
		{Status: check.Yellow, Text: "Trusted Advisor does not have permission to check the policy, or the policy could not be evaluated for other reasons."},
		{Status: check.Red, Text: "The bucket ACL allows upload and delete access for Everyone or Any Authenticated AWS User."},
	},
	RecommendedAction: "If a bucket allows open access, determine if open access is truly needed. If not, update the bucket permissions to restrict access to the owner or specific users. Use Amazon S3 Block Public Access to control the settings that allow public access to your data. See Setting Bucket and Object Access Permissions.",
	Columns:           []string{"Status", "Region Name", "Region API Parameter", "Bucket Name", "ACL Allows List", "ACL Allows Upload/Delete", "Policy Allows Access"},
	IAMActions:        []string{"s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock", "sts:GetCallerIdentity"},
	Scope:             check.Global,
}

// Check is the catalog entry. Not implemented yet (issue 4): the scanner reports it as "not implemented", never as green.
var Check = check.Check{Meta: Meta}
