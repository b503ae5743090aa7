// Package asff converts secadvisor findings into the AWS Security Finding
// Format (ASFF) that Security Hub's BatchImportFindings accepts, for a custom
// integration (product/<account>/default). The conversion is pure: the
// `asff` report format and the function that imports the findings table's
// changes into Security Hub share it, so that one (check, account, region,
// resource) is one Security Hub finding whichever way it arrived, updated in
// place.
//
// The shape and the limits followed here are those of the Security Hub
// service model (AwsSecurityFinding in BatchImportFindings' input); the
// tests validate the output against an extract of it in testdata.
package asff

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

// SchemaVersion is the ASFF version the findings are written for.
const SchemaVersion = "2018-10-08"

// Provider names secadvisor where ASFF names the product and its maker
// (ProductName, CompanyName, Note.UpdatedBy, ProductFields' keys).
const Provider = "secadvisor"

// TypePrefix is the ASFF finding type namespace and category of every
// finding; the check's name is the classifier.
const TypePrefix = "Software and Configuration Checks/AWS Security Best Practices/"

// The service model's length limits (documented on AwsSecurityFinding's
// members; see testdata/securityhub-model.json) that the conversion relies
// on. Lengths count UTF-16 code units, which is never less than the
// characters the service counts.
const (
	maxID            = 512
	maxTitle         = 256
	maxDescription   = 1024
	maxRecommend     = 512
	maxNote          = 512
	maxAccountName   = 50
	maxFieldKey      = 128
	maxFieldValue    = 2048
	maxProductFields = 50
	maxSeverityOrig  = 64
)

// timeLayout is RFC 3339 in UTC with milliseconds, one of the forms the
// Security Hub API documents for its timestamps.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// ID is the finding's stable Security Hub Id: the same (check, account,
// region, resource) always has it, so a re-import updates the finding in
// place. An Id that would pass the service's 512 characters keeps its start
// and ends with a hash of the whole.
func ID(f check.Finding) string {
	id := strings.Join([]string{Provider, f.CheckID, f.Account, f.Region, f.ResourceID}, "/")
	if utf16Len(id) <= maxID {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	suffix := "/" + hex.EncodeToString(sum[:])
	return cut(id, maxID-len(suffix)) + suffix
}

// ProductARN is the product ARN of a custom integration in account's
// Security Hub in region: arn:<partition>:securityhub:<region>:<account>:product/<account>/default.
func ProductARN(partition, region, account string) string {
	return "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

// Finding converts f (of the check described by entry) into an
// AwsSecurityFinding for Security Hub in region importRegion of account
// hubAccount, observed at now (UpdatedAt), first seen at firstSeen
// (CreatedAt and FirstObservedAt).
func Finding(f check.Finding, entry catalog.Entry, partition, importRegion, hubAccount string, firstSeen, now time.Time) types.AwsSecurityFinding {
	severity, compliance := judge(f.Status)
	af := types.AwsSecurityFinding{
		SchemaVersion:   aws.String(SchemaVersion),
		Id:              aws.String(ID(f)),
		ProductArn:      aws.String(ProductARN(partition, importRegion, hubAccount)),
		ProductName:     aws.String(Provider),
		CompanyName:     aws.String(Provider),
		GeneratorId:     aws.String(f.CheckID),
		AwsAccountId:    aws.String(f.Account),
		Types:           []string{TypePrefix + classifier(title(f, entry))},
		CreatedAt:       aws.String(timestamp(firstSeen)),
		FirstObservedAt: aws.String(timestamp(firstSeen)),
		UpdatedAt:       aws.String(timestamp(now)),
		Severity:        &types.Severity{Label: severity, Original: aws.String(cut(string(f.Status), maxSeverityOrig))},
		Compliance:      &types.Compliance{Status: compliance},
		Title:           aws.String(truncate(title(f, entry), maxTitle)),
		Description:     aws.String(truncate(description(f, entry), maxDescription)),
		Resources:       []types.Resource{resource(f, partition, importRegion)},
		ProductFields:   productFields(f, entry),
		RecordState:     types.RecordStateActive,
		Workflow:        &types.Workflow{Status: types.WorkflowStatusNew},
	}
	if name := strings.TrimSpace(f.AccountName); name != "" {
		af.AwsAccountName = aws.String(truncate(name, maxAccountName))
	}
	if action := strings.TrimSpace(entry.RecommendedAction); action != "" {
		af.Remediation = &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String(truncate(action, maxRecommend))}}
	}
	if note := noteText(f); note != "" {
		af.Note = &types.Note{Text: aws.String(truncate(note, maxNote)), UpdatedBy: aws.String(Provider), UpdatedAt: aws.String(timestamp(now))}
	}
	if f.Suppressed {
		af.Workflow.Status = types.WorkflowStatusSuppressed
	}
	return af
}

// Resolved marks a finding's conversion as resolved: the resource is gone or
// fixed, so Security Hub archives it (RecordState ARCHIVED), it passes
// (Compliance PASSED) and its investigation is over (Workflow RESOLVED). af
// is not modified.
func Resolved(af types.AwsSecurityFinding) types.AwsSecurityFinding {
	af.RecordState = types.RecordStateArchived
	compliance := types.Compliance{}
	if af.Compliance != nil {
		compliance = *af.Compliance
	}
	compliance.Status = types.ComplianceStatusPassed
	af.Compliance = &compliance
	af.Workflow = &types.Workflow{Status: types.WorkflowStatusResolved}
	return af
}

// judge maps a status to its severity and compliance: red and yellow fail;
// error (the check could not look) and unavailable (the data cannot exist
// here) are informational and not available, never passed; green passes.
func judge(s check.Status) (types.SeverityLabel, types.ComplianceStatus) {
	switch s {
	case check.Red:
		return types.SeverityLabelHigh, types.ComplianceStatusFailed
	case check.Yellow:
		return types.SeverityLabelMedium, types.ComplianceStatusFailed
	case check.Green:
		return types.SeverityLabelInformational, types.ComplianceStatusPassed
	}
	// Error, unavailable, and any status this code does not know: never a pass.
	return types.SeverityLabelInformational, types.ComplianceStatusNotAvailable
}

// title is the finding's title: its check's name.
func title(f check.Finding, entry catalog.Entry) string {
	for _, name := range []string{entry.Name, f.CheckName, entry.Slug, f.Slug, f.CheckID} {
		if strings.TrimSpace(name) != "" {
			return strings.TrimSpace(name)
		}
	}
	return Provider + " check"
}

// classifier makes a check name one ASFF type classifier: "/" separates the
// type's parts, so it cannot appear in one.
func classifier(name string) string {
	return strings.ReplaceAll(name, "/", "-")
}

// description is the finding's reason; an error finding says that the
// check could not look, whatever its reason's wording.
func description(f check.Finding, entry catalog.Entry) string {
	reason := strings.TrimSpace(f.Reason)
	if f.Status == check.Error && !strings.HasPrefix(reason, check.CouldNotEvaluate("")) {
		reason = check.CouldNotEvaluate(reason)
	}
	if reason == "" {
		return title(f, entry) + ": " + string(f.Status) + " for " + f.ResourceID + "."
	}
	return reason
}

// noteText says why a finding is not what its severity suggests: an error
// finding's status is unknown, not passed; a suppressed finding is
// accepted on purpose by a named rule.
func noteText(f check.Finding) string {
	switch {
	case f.Suppressed && f.Suppression != nil:
		s := f.Suppression
		text := "Suppressed by secadvisor rule " + s.Rule
		if s.Reason != "" {
			text += ": " + s.Reason
		}
		var who []string
		if s.Owner != "" {
			who = append(who, "owner "+s.Owner)
		}
		if s.Expires != "" {
			who = append(who, "until "+s.Expires)
		}
		if len(who) > 0 {
			text += " (" + strings.Join(who, ", ") + ")"
		}
		return text + "."
	case f.Suppressed:
		return "Suppressed by a secadvisor suppression rule."
	case f.Status == check.Error:
		return "secadvisor could not look at this resource: its state is unknown, not passed. Fix the cause in the description and scan again."
	}
	return ""
}

// productFields holds what ASFF has no member for: secadvisor's own status
// and identifiers, then the spec's report columns in the spec's order. The
// service takes at most 50 fields, keys of up to 128 characters and
// non-blank values of up to 2048; blank values are left out.
func productFields(f check.Finding, entry catalog.Entry) map[string]string {
	fields := map[string]string{}
	add := func(key, value string) {
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" || value == "" || len(fields) >= maxProductFields {
			return
		}
		key = cut(key, maxFieldKey)
		if _, taken := fields[key]; taken {
			return
		}
		fields[key] = truncate(value, maxFieldValue)
	}
	add("ProviderName", Provider)
	add(Provider+"/CheckId", f.CheckID)
	add(Provider+"/Slug", f.Slug)
	add(Provider+"/Status", string(f.Status))
	add(Provider+"/Region", f.Region)
	add(Provider+"/ResourceId", f.ResourceID)
	if f.Suppression != nil {
		add(Provider+"/SuppressionRule", f.Suppression.Rule)
	}
	for _, column := range entry.Columns {
		add(column, f.Columns[column])
	}
	return fields
}

// timestamp renders t as the Security Hub API takes it.
func timestamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// truncate shortens s to at most max UTF-16 code units, cleanly: at a word
// boundary when one is near, ending with an ellipsis.
func truncate(s string, max int) string {
	if utf16Len(s) <= max {
		return s
	}
	const ellipsis = "…"
	head := cut(s, max-utf16Len(ellipsis))
	// Back up to the last space if it does not lose more than a fifth.
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)*4/5 {
		head = head[:i]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' }) + ellipsis
}

// cut returns the longest prefix of s of at most max UTF-16 code units that
// ends on a character boundary.
func cut(s string, max int) string {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > max {
			return s[:i]
		}
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
