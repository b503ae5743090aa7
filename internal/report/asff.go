package report

import (
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/secadvisor/secadvisor/internal/asff"
	// Aliased: the package's tests declare a catalog() of their own.
	checkcatalog "github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/check"
)

// ASFF placement of a report's findings: a scan reads no Security Hub, so
// each finding is imported into its own account's Security Hub, in its own
// region (a global check's in asffGlobalRegion), in the aws partition.
const (
	asffPartition    = "aws"
	asffGlobalRegion = "us-east-1"
)

// writeASFF writes r's findings as a JSON array of AWS Security Finding
// Format findings: the Findings input of securityhub:BatchImportFindings
// (send it in batches of 100). A report does not know when a resource was
// first seen, so every finding is created and updated at the scan's end
// (FinishedAt); the stable Ids let a later import update them in place.
func writeASFF(w io.Writer, r Report, checks []check.Check) error {
	entries := map[string]checkcatalog.Entry{}
	for _, e := range checkcatalog.FromChecks(checks) {
		entries[e.ID] = e
	}
	at := r.Scan.FinishedAt
	findings := make([]types.AwsSecurityFinding, 0, len(r.Findings))
	for _, f := range r.Findings {
		entry, ok := entries[f.CheckID]
		if !ok {
			entry = checkcatalog.Entry{ID: f.CheckID, Slug: f.Slug, Name: f.CheckName}
		}
		region := f.Region
		if region == check.GlobalRegion || region == check.AllRegions || region == "" {
			region = asffGlobalRegion
		}
		findings = append(findings, asff.Finding(f, entry, asffPartition, region, f.Account, at, at))
	}
	out, err := asff.Marshal(findings)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}
