package member

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// fakeIdentity answers GetCallerIdentity with arn, or fails with err.
type fakeIdentity struct {
	arn string
	err error
}

func (f fakeIdentity) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &sts.GetCallerIdentityOutput{Account: aws.String("111122223333"), Arn: aws.String(f.arn)}, nil
}

// TestCallerIdentity: the member role's partition is the caller's.
func TestCallerIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		api           fakeIdentity
		wantPartition string
		wantErr       string
	}{
		{"aws", fakeIdentity{arn: "arn:aws:sts::111122223333:assumed-role/secadvisor-check-iam-use/fn"}, "aws", ""},
		{"China", fakeIdentity{arn: "arn:aws-cn:sts::111122223333:assumed-role/r/fn"}, "aws-cn", ""},
		{"GovCloud", fakeIdentity{arn: "arn:aws-us-gov:sts::111122223333:assumed-role/r/fn"}, "aws-us-gov", ""},
		{"no ARN", fakeIdentity{arn: ""}, "", "caller ARN"},
		{"denied", fakeIdentity{err: &smithy.GenericAPIError{Code: "AccessDenied"}}, "", "sts GetCallerIdentity"},
	}
	for _, tt := range tests {
		caller, err := Identify(context.Background(), tt.api)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: Identify(%q) error = %v, want %q", tt.name, tt.api.arn, err, tt.wantErr)
			}
			continue
		}
		if err != nil || caller.Account != "111122223333" || caller.Partition != tt.wantPartition {
			t.Errorf("%s: Identify(%q) = %s, %s, %v; want 111122223333, %s", tt.name, tt.api.arn, caller.Account, caller.Partition, err, tt.wantPartition)
		}
	}
}

func TestCallerOfOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	got, err := CallerOf(context.Background(), cfg)
	if err != nil || got.Account != account || got.Partition != "aws" {
		t.Fatalf("CallerOf = %+v, %v; want account %s in partition aws", got, err, account)
	}
	if _, err := CallerOf(context.Background(), emutest.Deny(cfg, "GetCallerIdentity")); err == nil {
		t.Error("CallerOf with GetCallerIdentity denied: want an error")
	}
}
