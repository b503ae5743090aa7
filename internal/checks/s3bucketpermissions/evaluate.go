package s3bucketpermissions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Column values.
const (
	yes     = "Yes"
	no      = "No"
	unknown = "Unknown"
)

// The spec's wording for its yellow cases, used at the start of reasons.
const (
	restrictedPolicyText = "Bucket policy has statements that grant public access. The Block public and cross-account access to buckets that have public policies setting is turned on and has restricted access to only authorized users of that account until public statements are removed"
	notEvaluatedText     = "Trusted Advisor does not have permission to check the policy, or the policy could not be evaluated for other reasons"
)

// evaluate reports each bucket, one finding per bucket.
func evaluate(target check.Target, in Input) []check.Finding {
	findings := make([]check.Finding, 0, len(in.Buckets))
	for _, b := range in.Buckets {
		findings = append(findings, evaluateBucket(target, in.Account, b))
	}
	return findings
}

// verdict accumulates a bucket's status and the sentences of its reason.
type verdict struct {
	status   check.Status
	problems []string
	notes    []string
}

func (v *verdict) raise(s check.Status, problem string) {
	if s.Severity() > v.status.Severity() {
		v.status = s
	}
	v.problems = append(v.problems, problem)
}

// evaluateBucket judges one bucket: red when a stranger can upload or
// delete; yellow when a stranger can list, when the policy grants open
// access (restricted by Block Public Access or not), when a public ACL grant
// is neutralized by IgnorePublicAcls, or when the ACL or policy could not be
// read or evaluated; error when a read failed for a reason other than
// permission; green otherwise.
func evaluateBucket(target check.Target, account blockConfig, b Bucket) check.Finding {
	columns := map[string]string{
		"Region Name":          regionName(b.Region),
		"Region API Parameter": b.Region,
		"Bucket Name":          b.Name,
	}
	if b.Err != nil {
		if b.Region == "" {
			delete(columns, "Region Name")
			delete(columns, "Region API Parameter")
		}
		return Meta.Unevaluated(target, b.Name, b.Err.Error(), columns)
	}
	v := verdict{status: check.Green}
	judgeACL(&v, columns, account, b)
	judgePolicy(&v, columns, account, b)

	reason := strings.Join(v.problems, " ")
	if v.status == check.Green {
		reason = "Neither the bucket ACL nor the bucket policy grants access to everyone or to any authenticated AWS user."
	}
	if len(v.notes) > 0 {
		reason += " Note: " + strings.Join(v.notes, " ")
	}
	return Meta.NewFinding(target, b.Name, v.status, reason, columns)
}

// unreadable records a failed read: the spec's yellow when the scanner lacks
// permission, an error otherwise (throttling, server errors: the scanner
// failed, not the bucket).
func unreadable(v *verdict, what string, err error) {
	if awsx.Is(err, awsx.KindAccessDenied) {
		v.raise(check.Yellow, fmt.Sprintf("%s: no permission to read the %s (%v).", notEvaluatedText, what, err))
		return
	}
	v.raise(check.Error, fmt.Sprintf("Could not evaluate the %s: %v.", what, err))
}

func judgeACL(v *verdict, columns map[string]string, account blockConfig, b Bucket) {
	if b.ACLErr != nil {
		columns["ACL Allows List"], columns["ACL Allows Upload/Delete"] = unknown, unknown
		unreadable(v, "bucket ACL", b.ACLErr)
		return
	}
	e := evaluateACL(b.Grants)
	columns["ACL Allows List"], columns["ACL Allows Upload/Delete"] = yesNo(e.List), yesNo(e.UploadDelete)
	if !e.Public() {
		return
	}
	grants := strings.Join(e.Grants, ", ")
	if !e.List && !e.UploadDelete {
		v.notes = append(v.notes, fmt.Sprintf("The bucket ACL grants %s: it reveals the ACL (owner and grantees) but neither object names nor data.", grants))
		return
	}
	ignoredBy := levels(account.Settings.IgnorePublicAcls, b.Block.Settings.IgnorePublicAcls)
	if ignoredBy != "" {
		v.raise(check.Yellow, fmt.Sprintf("The bucket ACL grants %s, which would allow %s, but Block Public Access IgnorePublicAcls (%s) makes S3 ignore public ACL grants; they take effect again if that setting is turned off.",
			grants, aclAccess(e), ignoredBy))
		return
	}
	blockUnknown(v, account, b)
	if e.UploadDelete {
		v.raise(check.Red, fmt.Sprintf("The bucket ACL allows upload and delete access for Everyone or Any Authenticated AWS User: %s.", grants))
		return
	}
	v.raise(check.Yellow, fmt.Sprintf("The bucket ACL allows List access for Everyone or Any Authenticated AWS User: %s.", grants))
}

func aclAccess(e aclExposure) string {
	if e.UploadDelete {
		return "anyone to upload and delete objects"
	}
	return "anyone to list the bucket"
}

func judgePolicy(v *verdict, columns map[string]string, account blockConfig, b Bucket) {
	if b.PolicyStatusErr != nil {
		v.notes = append(v.notes, fmt.Sprintf("S3's own policy status could not be read (%v); the policy was judged from its document alone.", b.PolicyStatusErr))
	}
	switch {
	case b.PolicyErr != nil:
		columns["Policy Allows Access"] = unknown
		unreadable(v, "bucket policy", b.PolicyErr)
		return
	case b.Policy == nil:
		columns["Policy Allows Access"] = no
		return
	}
	policy, err := evaluatePolicy(*b.Policy)
	awsPublic := aws.ToBool(b.PolicyPublic)
	var open string
	switch {
	case err == nil && policy.Public():
		open = strings.Join(policy.Open, "; ")
	case awsPublic && err != nil:
		open = fmt.Sprintf("S3's policy status reports the policy as public (this check could not read the document: %v)", err)
	case awsPublic:
		open = "S3's policy status reports the policy as public, although no statement here grants access to everyone without a confining condition"
	case err != nil:
		columns["Policy Allows Access"] = unknown
		v.raise(check.Yellow, fmt.Sprintf("%s: %v.", notEvaluatedText, err))
		return
	default:
		columns["Policy Allows Access"] = no
		v.notes = append(v.notes, policyNotes(policy)...)
		return
	}
	columns["Policy Allows Access"] = yes
	v.notes = append(v.notes, policyNotes(policy)...)
	if restrictedBy := levels(account.Settings.RestrictPublicBuckets, b.Block.Settings.RestrictPublicBuckets); restrictedBy != "" {
		v.raise(check.Yellow, fmt.Sprintf("%s (Block Public Access RestrictPublicBuckets, %s): %s.", restrictedPolicyText, restrictedBy, open))
		return
	}
	blockUnknown(v, account, b)
	v.raise(check.Yellow, fmt.Sprintf("A bucket policy allows open access: %s.", open))
}

func policyNotes(p policyVerdict) []string {
	out := make([]string, 0, len(p.Notes))
	for _, n := range p.Notes {
		out = append(out, "Bucket policy "+n+".")
	}
	return out
}

// blockUnknown notes, once per bucket, that Block Public Access could not be
// read, so a public grant is reported as effective.
func blockUnknown(v *verdict, account blockConfig, b Bucket) {
	for _, err := range []error{account.Err, b.Block.Err} {
		if err == nil {
			continue
		}
		note := fmt.Sprintf("Block Public Access could not be read (%v); public grants are reported as effective.", err)
		if !slices.Contains(v.notes, note) {
			v.notes = append(v.notes, note)
		}
	}
}

// levels names the Block Public Access levels where a setting is on.
func levels(accountOn, bucketOn bool) string {
	switch {
	case accountOn && bucketOn:
		return "account and bucket level"
	case accountOn:
		return "account level"
	case bucketOn:
		return "bucket level"
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return yes
	}
	return no
}
