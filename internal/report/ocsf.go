package report

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/check"
)

// OCSFVersion is the version of the Open Cybersecurity Schema Framework the
// ocsf formats follow. 1.1.0 is the version Amazon Security Lake takes from
// custom sources; its Detection Finding class is the one Prowler writes.
const OCSFVersion = "1.1.0"

// The OCSF classification of every event the ocsf formats write: a
// Detection Finding (category Findings) being created.
const (
	ocsfCategoryUID = 2
	ocsfClassUID    = 2004
	ocsfActivityID  = 1 // Create
	ocsfTypeUID     = ocsfClassUID*100 + ocsfActivityID
)

// OCSF finding status_id values (Finding class, OCSF 1.1.0).
const (
	ocsfStatusNew        = 1
	ocsfStatusSuppressed = 3
	ocsfStatusResolved   = 4
	ocsfStatusOther      = 99
)

// OCSF severity_id values (base event, OCSF 1.1.0).
const (
	ocsfSeverityInformational = 1
	ocsfSeverityMedium        = 3
	ocsfSeverityHigh          = 4
)

// ocsfFinding is one OCSF 1.1.0 Detection Finding, limited to the
// attributes secadvisor fills. Captions (activity_name, severity, …) sit
// beside their IDs as the schema's sibling attributes, so that a reader
// needs no schema to read them.
type ocsfFinding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`

	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	StatusCode   string `json:"status_code"`
	StatusDetail string `json:"status_detail,omitempty"`
	Message      string `json:"message"`
	// Time is when the scan finished, in milliseconds since the epoch.
	Time int64 `json:"time"`

	Metadata    ocsfMetadata     `json:"metadata"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Cloud       ocsfCloud        `json:"cloud"`
	Resources   []ocsfResource   `json:"resources"`
	Remediation *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped    ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Product  ocsfProduct `json:"product"`
	Profiles []string    `json:"profiles"`
	// EventCode is the check ID: what the product calls this kind of event.
	EventCode string `json:"event_code"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

type ocsfFindingInfo struct {
	UID   string   `json:"uid"`
	Title string   `json:"title"`
	Desc  string   `json:"desc"`
	Types []string `json:"types"`
	// Analytic is the check, as the rule that made the finding.
	Analytic ocsfAnalytic `json:"analytic"`
}

type ocsfAnalytic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Account  ocsfAccount `json:"account"`
	Region   string      `json:"region,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfResource struct {
	UID            string `json:"uid"`
	Region         string `json:"region,omitempty"`
	CloudPartition string `json:"cloud_partition"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

// ocsfUnmapped holds what OCSF has no attribute for: the specification's
// report columns and, for a suppressed finding, the rule that accepts it.
type ocsfUnmapped struct {
	Columns     map[string]string  `json:"columns"`
	Suppression *check.Suppression `json:"suppression,omitempty"`
}

// writeOCSF writes r's findings as OCSF Detection Findings: one JSON array,
// or one object per line when lines is set (what Security Lake and most
// SIEM collectors read).
func writeOCSF(w io.Writer, r Report, checks []check.Check, lines bool) error {
	return encodeOCSF(w, ocsfFindings(r, checks, productVersion()), lines)
}

func encodeOCSF(w io.Writer, findings []ocsfFinding, lines bool) error {
	enc := json.NewEncoder(w)
	if lines {
		for _, f := range findings {
			if err := enc.Encode(f); err != nil {
				return fmt.Errorf("write ocsf finding %s: %w", f.FindingInfo.UID, err)
			}
		}
		return nil
	}
	enc.SetIndent("", "  ")
	if err := enc.Encode(findings); err != nil {
		return fmt.Errorf("write ocsf findings: %w", err)
	}
	return nil
}

// productVersion is secadvisor's module version when the binary was built
// from a tagged module (go install …@v1.2.0), else "dev".
func productVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// ocsfFindings maps each of r's findings to a Detection Finding.
func ocsfFindings(r Report, checks []check.Check, version string) []ocsfFinding {
	metas := map[string]check.Meta{}
	for _, c := range checks {
		metas[c.Meta.ID] = c.Meta
	}
	// A global finding has no region of its own: its partition is the
	// scan's.
	defaultPartition := "aws"
	if len(r.Scan.Regions) > 0 {
		if p, ok := awsregions.PartitionOf(r.Scan.Regions[0]); ok {
			defaultPartition = p.ID
		}
	}
	out := make([]ocsfFinding, 0, len(r.Findings))
	for _, f := range r.Findings {
		meta := metas[f.CheckID]
		statusID, status, detail := ocsfStatus(f)
		severityID, severity := ocsfSeverity(f.Status)
		region := ocsfRegion(f.Region)
		partition := defaultPartition
		if p, ok := awsregions.PartitionOf(region); ok && region != "" {
			partition = p.ID
		}
		title := f.CheckName
		if title == "" {
			title = meta.Name
		}
		desc := meta.Description
		if desc == "" {
			desc = f.Reason
		}
		accountName := f.AccountName
		if accountName == "" {
			accountName = r.Scan.AccountNames[f.Account]
		}
		columns := f.Columns
		if columns == nil {
			columns = map[string]string{}
		}
		o := ocsfFinding{
			ActivityID:   ocsfActivityID,
			ActivityName: "Create",
			CategoryUID:  ocsfCategoryUID,
			CategoryName: "Findings",
			ClassUID:     ocsfClassUID,
			ClassName:    "Detection Finding",
			TypeUID:      ocsfTypeUID,
			TypeName:     "Detection Finding: Create",
			SeverityID:   severityID,
			Severity:     severity,
			StatusID:     statusID,
			Status:       status,
			StatusCode:   string(f.Status),
			StatusDetail: detail,
			Message:      f.Reason,
			Time:         r.Scan.FinishedAt.UnixMilli(),
			Metadata: ocsfMetadata{
				Version:   OCSFVersion,
				Product:   ocsfProduct{Name: "secadvisor", VendorName: "secadvisor", Version: version},
				Profiles:  []string{"cloud"},
				EventCode: f.CheckID,
			},
			FindingInfo: ocsfFindingInfo{
				UID:      ocsfUID(f),
				Title:    title,
				Desc:     desc,
				Types:    []string{"Trusted Advisor Security Check/" + f.Slug},
				Analytic: ocsfAnalytic{UID: f.CheckID, Name: f.Slug, TypeID: 1, Type: "Rule"},
			},
			Cloud: ocsfCloud{
				Provider: "AWS",
				Account:  ocsfAccount{UID: f.Account, Name: accountName, TypeID: 10, Type: "AWS Account"},
				Region:   region,
			},
			Resources: []ocsfResource{{UID: f.ResourceID, Region: region, CloudPartition: partition}},
			Unmapped:  ocsfUnmapped{Columns: columns, Suppression: f.Suppression},
		}
		if meta.RecommendedAction != "" {
			o.Remediation = &ocsfRemediation{Desc: meta.RecommendedAction}
		}
		out = append(out, o)
	}
	return out
}

// ocsfUID identifies a finding across scans, so that a consumer updates it
// in place: the check, account, region and resource, which is also how the
// findings table keys it.
func ocsfUID(f check.Finding) string {
	return strings.Join([]string{"secadvisor", f.CheckID, f.Account, f.Region, f.ResourceID}, ":")
}

// ocsfRegion is the region of a finding, or "" for a global finding and for
// one standing for every region: OCSF's region is an AWS region name.
func ocsfRegion(region string) string {
	if region == check.GlobalRegion || region == check.AllRegions {
		return ""
	}
	return region
}

// ocsfStatus maps a finding to the OCSF finding status: a red, yellow or
// error finding is New (error too: it may hide a red, so it stays open
// until the check can look), a green one Resolved, a suppressed one
// Suppressed. Unavailable is Other: the data cannot exist, nothing is to be
// reviewed or resolved. detail says what the status alone does not.
func ocsfStatus(f check.Finding) (id int, caption, detail string) {
	switch {
	case f.Suppressed:
		detail = "suppressed: the risk was accepted on purpose"
		if s := f.Suppression; s != nil {
			detail = fmt.Sprintf("suppressed by rule %s: %s (%s, until %s)", s.Rule, s.Reason, s.Owner, s.Expires)
		}
		return ocsfStatusSuppressed, "Suppressed", detail
	case f.Status == check.Green:
		return ocsfStatusResolved, "Resolved", ""
	case f.Status == check.Unavailable:
		return ocsfStatusOther, "Unavailable", "the data cannot exist for this account or region; nothing to fix"
	case f.Status == check.Error:
		return ocsfStatusNew, "New", "the check could not evaluate the resource: its real severity is unknown until it can"
	}
	return ocsfStatusNew, "New", ""
}

// ocsfSeverity maps a status to the OCSF severity: red is High, yellow
// Medium, and the rest Informational (an error finding's status_detail says
// its severity is unknown).
func ocsfSeverity(s check.Status) (id int, caption string) {
	switch s {
	case check.Red:
		return ocsfSeverityHigh, "High"
	case check.Yellow:
		return ocsfSeverityMedium, "Medium"
	}
	return ocsfSeverityInformational, "Informational"
}
