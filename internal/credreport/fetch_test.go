package credreport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// scriptedAPI answers GenerateCredentialReport with states in turn (the
// last one repeats) and GetCredentialReport with getErrs in turn, then the report.
type scriptedAPI struct {
	states    []types.ReportStateType
	genErr    error
	getErrs   []error
	content   string
	generates int
	gets      int
}

func (s *scriptedAPI) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	s.generates++
	if s.genErr != nil {
		return nil, s.genErr
	}
	state := s.states[min(s.generates, len(s.states))-1]
	return &iam.GenerateCredentialReportOutput{State: state}, nil
}

func (s *scriptedAPI) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	s.gets++
	if s.gets <= len(s.getErrs) {
		return nil, s.getErrs[s.gets-1]
	}
	return &iam.GetCredentialReportOutput{Content: []byte(s.content), ReportFormat: types.ReportFormatTypeTextCsv,
		GeneratedTime: aws.Time(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))}, nil
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "from the test", Fault: smithy.FaultClient}
}

func TestFetchWaits(t *testing.T) {
	t.Parallel()
	const report = "user,arn,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\nu,arn:x,false,true,2026-01-01T00:00:00Z,false,N/A\n"
	fast := backoff{first: time.Millisecond, max: 4 * time.Millisecond, total: time.Second}
	tests := []struct {
		name          string
		api           *scriptedAPI
		b             backoff
		wantGenerates int
		wantGets      int
		wantErr       string
	}{
		{"complete at once", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeComplete}, content: report}, fast, 1, 1, ""},
		{"started, in progress, complete", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeStarted, types.ReportStateTypeInprogress, types.ReportStateTypeComplete}, content: report}, fast, 3, 1, ""},
		{"complete but not yet readable", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeComplete}, getErrs: []error{apiError(codeInProgress), apiError(codeNotPresent)}, content: report}, fast, 3, 3, ""},
		{"generation limit: read the existing report", &scriptedAPI{genErr: apiError(codeGenerationLimit), content: report}, fast, 1, 1, ""},
		{"never completes: bounded", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeInprogress}}, backoff{first: time.Millisecond, max: 2 * time.Millisecond, total: 20 * time.Millisecond}, 0, 0, "not ready within 20ms"},
		{"generate denied", &scriptedAPI{genErr: apiError("AccessDenied")}, fast, 1, 0, "iam GenerateCredentialReport: access denied (AccessDenied"},
		{"get denied", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeComplete}, getErrs: []error{apiError("AccessDenied")}}, fast, 1, 1, "iam GetCredentialReport: access denied (AccessDenied"},
		{"unreadable report", &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeComplete}, content: "user,arn\n"}, fast, 1, 1, "iam GetCredentialReport: credential report header: missing column(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fetch(context.Background(), tt.api, tt.b)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("fetch(%s) error = %v, want one containing %q", tt.name, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("fetch(%s) error = %v, want none", tt.name, err)
			}
			if len(got.Users) != 1 || !got.GeneratedTime.Equal(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)) {
				t.Errorf("fetch(%s) = %+v, want one user generated 2026-06-01T09:00Z", tt.name, got)
			}
			if tt.api.generates != tt.wantGenerates || tt.api.gets != tt.wantGets {
				t.Errorf("fetch(%s) made %d Generate and %d Get calls, want %d and %d", tt.name, tt.api.generates, tt.api.gets, tt.wantGenerates, tt.wantGets)
			}
		})
	}
}

func TestFetchHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	api := &scriptedAPI{states: []types.ReportStateType{types.ReportStateTypeInprogress}}
	_, err := fetch(ctx, api, backoff{first: time.Hour, max: time.Hour, total: 2 * time.Hour})
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("fetch with a 20ms context error = %v, want the context's deadline", err)
	}
}

// TestFetchOnEmulator generates and reads a report on the emulator: a user
// with one active and one inactive key, and a user without keys.
func TestFetchOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	client := iam.NewFromConfig(cfg)
	for _, name := range []string{"deployer", "reader"} {
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().UTC().Add(-time.Minute)
	var keyIDs []string
	for range 2 {
		key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deployer")})
		if err != nil {
			t.Fatal(err)
		}
		keyIDs = append(keyIDs, aws.ToString(key.AccessKey.AccessKeyId))
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("deployer"), AccessKeyId: aws.String(keyIDs[1]), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	report, err := Fetch(ctx, client)
	if err != nil {
		t.Fatalf("Fetch on the emulator: %v", err)
	}
	users := map[string]User{}
	for _, u := range report.Users {
		users[u.Name] = u
	}
	deployer := users["deployer"]
	if k := deployer.AccessKeys[0]; k.Active != Yes || k.LastRotated.Before(before) {
		t.Errorf("deployer key 1 = %+v, want active, rotated after %v", k, before)
	}
	if k := deployer.AccessKeys[1]; k.Active != No || k.LastRotated.IsZero() {
		t.Errorf("deployer key 2 = %+v, want inactive with a rotation date", k)
	}
	if k := users["reader"].AccessKeys; k[0].Active != No || k[1].Active != No || !k[0].LastRotated.IsZero() {
		t.Errorf("reader keys = %+v, want none", k)
	}
	if _, ok := report.Root(); ok {
		t.Errorf("the emulator's report has a root row; docs/development.md says it has none: update the tests that rely on it")
	}
}
