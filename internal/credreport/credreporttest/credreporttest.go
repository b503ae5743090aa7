// Package credreporttest helps the tests of checks that read the IAM
// credential report: report content shaped as AWS writes it, a fake of the
// two report operations that serves it, and its parsing. The emulator's
// report has no root row and cannot hold backdated keys, so these tests need
// AWS-shaped content (IAM User Guide, "Generate credential reports for your
// AWS account").
package credreporttest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/credreport"
)

// Header is the credential report's header row, as AWS documents it.
const Header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

// Content returns a report of the given rows under Header, as
// GetCredentialReport's decoded Content holds it.
func Content(rows ...string) string {
	return Header + "\n" + strings.Join(rows, "\n") + "\n"
}

// Parse reads content with credreport.Parse, as a collector reads what
// GetCredentialReport returns, or fails t.
func Parse(t testing.TB, content string) *credreport.Report {
	t.Helper()
	report, err := credreport.Parse([]byte(content))
	if err != nil {
		t.Fatalf("credreport.Parse(%q): %v", content, err)
	}
	return report
}

// Date writes t as the report writes dates (2026-06-01T12:00:00+00:00).
func Date(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// Reports is a fake of credreport.API: GenerateCredentialReport answers
// COMPLETE (or GenerateErr), GetCredentialReport answers Content as text/csv,
// generated at Generated.
type Reports struct {
	Content     string
	Generated   time.Time
	GenerateErr error
}

var _ credreport.API = Reports{}

// GenerateCredentialReport answers COMPLETE, or GenerateErr when set.
func (r Reports) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	if r.GenerateErr != nil {
		return nil, r.GenerateErr
	}
	return &iam.GenerateCredentialReportOutput{State: types.ReportStateTypeComplete}, nil
}

// GetCredentialReport answers Content.
func (r Reports) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	return &iam.GetCredentialReportOutput{Content: []byte(r.Content), ReportFormat: types.ReportFormatTypeTextCsv, GeneratedTime: aws.Time(r.Generated)}, nil
}
