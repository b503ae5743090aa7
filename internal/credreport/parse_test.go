package credreport

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

const header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// parseFile parses testdata/name, failing t when it cannot.
func parseFile(t *testing.T, name string) *Report {
	t.Helper()
	content, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	report, err := Parse(content)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return report
}

// TestParseRecordedAWSReport reads a report shaped exactly like one AWS
// returns (root row, not_supported and no_information values, both key slots).
func TestParseRecordedAWSReport(t *testing.T) {
	t.Parallel()
	report := parseFile(t, "aws-report.csv")
	want := []User{
		// The classic root row: password_enabled not_supported.
		{Name: RootUser, ARN: "arn:aws:iam::111122223333:root", Root: true, PasswordEnabled: Unknown, MFAActive: Yes,
			AccessKeys: [2]AccessKey{{Slot: 1, Active: No}, {Slot: 2, Active: No}}},
		{Name: "alice", ARN: "arn:aws:iam::111122223333:user/alice", PasswordEnabled: Yes, MFAActive: Yes,
			AccessKeys: [2]AccessKey{
				{Slot: 1, Active: Yes, LastRotated: date("2026-04-20T10:00:00Z"), LastUsed: date("2026-05-31T22:10:00Z")},
				{Slot: 2, Active: No}}},
		{Name: "ci-deploy", ARN: "arn:aws:iam::111122223333:user/automation/ci-deploy", PasswordEnabled: No, MFAActive: No,
			AccessKeys: [2]AccessKey{
				{Slot: 1, Active: Yes, LastRotated: date("2020-02-10T15:31:12Z"), LastUsed: date("2026-05-31T23:59:01Z")},
				{Slot: 2, Active: Yes, LastRotated: date("2025-09-01T00:00:00Z")}}},
		{Name: "legacy-backup", ARN: "arn:aws:iam::111122223333:user/legacy-backup", PasswordEnabled: Yes, MFAActive: No,
			AccessKeys: [2]AccessKey{
				{Slot: 1, Active: No, LastRotated: date("2017-08-08T08:10:00Z"), LastUsed: date("2018-01-01T00:00:00Z")},
				{Slot: 2, Active: No}}},
	}
	if got := fmt.Sprintf("%+v", report.Users); got != fmt.Sprintf("%+v", want) {
		t.Errorf("Parse(aws-report.csv) users =\n%s\nwant\n%s", got, fmt.Sprintf("%+v", want))
	}
	root, ok := report.Root()
	if !ok || root.MFAActive != Yes {
		t.Errorf("Root() = %+v, %v; want the root row with MFA active", root, ok)
	}
}

// TestParseRecordedRootRemovedReport reads the report of an organization
// member account whose root credentials are removed (centralized root
// access): the root row says password_enabled false, no active key, no MFA.
func TestParseRecordedRootRemovedReport(t *testing.T) {
	t.Parallel()
	report := parseFile(t, "aws-report-root-removed.csv")
	root, ok := report.Root()
	want := User{Name: RootUser, ARN: "arn:aws:iam::444455556666:root", Root: true, PasswordEnabled: No, MFAActive: No,
		AccessKeys: [2]AccessKey{{Slot: 1, Active: No}, {Slot: 2, Active: No}}}
	if !ok || fmt.Sprintf("%+v", root) != fmt.Sprintf("%+v", want) {
		t.Errorf("Parse(aws-report-root-removed.csv) Root() = %+v, %v; want %+v, true", root, ok, want)
	}
}

// TestParseRecordedEmulatorReport reads a report as moto 5.2.1 writes it:
// no root row, not_supported in the last-used region and service.
func TestParseRecordedEmulatorReport(t *testing.T) {
	t.Parallel()
	report := parseFile(t, "emulator-report.csv")
	if _, ok := report.Root(); ok {
		t.Errorf("Parse(emulator-report.csv) has a root row, want none")
	}
	if len(report.Users) != 1 || report.Users[0].AccessKeys[0].Active != Yes ||
		!report.Users[0].AccessKeys[0].LastRotated.Equal(date("2026-06-01T10:00:01Z")) || report.Users[0].AccessKeys[1].Active != No {
		t.Errorf("Parse(emulator-report.csv) users = %+v, want bob with key 1 active, rotated 2026-06-01T10:00:01Z", report.Users)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	minimal := "user,arn,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n"
	tests := []struct {
		name      string
		content   string
		wantUsers int
		wantErr   string // substring; "" = no error
	}{
		{"header only", header + "\n", 0, ""},
		{"no trailing newline", minimal + "u,arn:x,false,true,2026-01-01T00:00:00+00:00,false,N/A", 1, ""},
		{"CRLF line ends", strings.ReplaceAll(minimal+"u,arn:x,false,true,2026-01-01T00:00:00+00:00,false,N/A\n", "\n", "\r\n"), 1, ""},
		{"byte order mark", "\uFEFF" + minimal + "u,arn:x,false,false,N/A,false,N/A\n", 1, ""},
		{"columns in another order", "access_key_2_last_rotated,access_key_2_active,access_key_1_last_rotated,access_key_1_active,mfa_active,arn,user\nN/A,false,2026-01-01T00:00:00Z,true,true,arn:x,u\n", 1, ""},
		{"unknown extra column is ignored", "user,arn,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated,passkey_count\nu,arn:x,false,false,N/A,false,N/A,3\n", 1, ""},
		{"no_information and not_supported", minimal + "u,arn:x,not_supported,no_information,no_information,false,not_supported\n", 1, ""},
		{"uppercase booleans", minimal + "u,arn:x,TRUE,TRUE,2026-01-01T00:00:00Z,FALSE,N/A\n", 1, ""},
		{"empty content", "", 0, "empty"},
		{"missing required column", "user,arn,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active\n", 0, "missing column(s) access_key_2_last_rotated"},
		{"missing several columns", "user,arn\n", 0, "missing column(s) mfa_active, access_key_1_active"},
		{"duplicated column", "user,arn,mfa_active,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n", 0, `column "mfa_active" appears twice`},
		{"row with an extra field", minimal + "u,arn:x,false,false,N/A,false,N/A,extra\n", 0, "line 2: 8 fields, the header has 7"},
		{"row with a missing field", minimal + "u,arn:x,false,false,N/A,false\n", 0, "line 2: 6 fields, the header has 7"},
		{"bad flag", minimal + "u,arn:x,yes,false,N/A,false,N/A\n", 0, `line 2: column mfa_active: "yes" is not true`},
		{"bad password_enabled", "user,arn,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\nu,arn:x,maybe,false,false,N/A,false,N/A\n", 0, `line 2: column password_enabled: "maybe" is not true`},
		{"bad date", minimal + "u,arn:x,false,true,01/02/2026,false,N/A\n", 0, `line 2: column access_key_1_last_rotated: "01/02/2026" is not an RFC 3339 date`},
		{"bad date on a later line", minimal + "u,arn:x,false,false,N/A,false,N/A\nv,arn:y,false,false,N/A,true,2026-13-01T00:00:00Z\n", 0, "line 3: column access_key_2_last_rotated"},
		{"empty user name", minimal + ",arn:x,false,false,N/A,false,N/A\n", 0, "line 2: empty user name"},
		{"bare quote", minimal + "u\"x,arn:x,false,false,N/A,false,N/A\n", 0, "credential report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			report, err := Parse([]byte(tt.content))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want one containing %q", tt.content, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v, want none", tt.content, err)
			}
			if len(report.Users) != tt.wantUsers {
				t.Errorf("Parse(%q) = %d users, want %d", tt.content, len(report.Users), tt.wantUsers)
			}
		})
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and what it
// accepts must be self-consistent.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/aws-report.csv", "testdata/aws-report-root-removed.csv", "testdata/emulator-report.csv"} {
		content, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(content)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		report, err := Parse(content)
		if err != nil {
			if report != nil {
				t.Fatalf("Parse(%q) returned a report with error %v", content, err)
			}
			return
		}
		for _, u := range report.Users {
			if u.Name == "" {
				t.Errorf("Parse(%q) accepted a user without a name", content)
			}
			if u.Root != (u.Name == RootUser) {
				t.Errorf("Parse(%q): user %q has Root = %v", content, u.Name, u.Root)
			}
			for i, k := range u.AccessKeys {
				if k.Slot != i+1 {
					t.Errorf("Parse(%q): user %q slot %d numbered %d", content, u.Name, i+1, k.Slot)
				}
				if !k.LastRotated.IsZero() && k.LastRotated.Location() != time.UTC {
					t.Errorf("Parse(%q): user %q key %d rotated at %v, not in UTC", content, u.Name, k.Slot, k.LastRotated)
				}
			}
		}
	})
}

// BenchmarkParse parses a report of 5,000 users, each with two keys.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(header + "\n")
	for i := range 5000 {
		fmt.Fprintf(&buf, "user-%d,arn:aws:iam::111122223333:user/user-%d,2020-01-01T00:00:00+00:00,true,no_information,2020-01-01T00:00:00+00:00,N/A,true,true,2025-01-01T00:00:00+00:00,2026-05-01T00:00:00+00:00,us-east-1,s3,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n", i, i)
	}
	content := buf.Bytes()
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(content); err != nil {
			b.Fatal(err)
		}
	}
}
