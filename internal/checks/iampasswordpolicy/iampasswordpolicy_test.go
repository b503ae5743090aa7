package iampasswordpolicy

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	all := types.PasswordPolicy{RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, RequireNumbers: true, RequireSymbols: true}
	without := func(f func(*types.PasswordPolicy)) *types.PasswordPolicy {
		p := all
		f(&p)
		return &p
	}
	tests := []struct {
		name        string
		policy      *types.PasswordPolicy
		wantStatus  check.Status
		wantColumns map[string]string
	}{
		{"no policy", nil, check.Red,
			map[string]string{"Password Policy": "Disabled", "Uppercase": "Disabled", "Lowercase": "Disabled", "Number": "Disabled", "Non-alphanumeric": "Disabled"}},
		{"all four requirements", &all, check.Green,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Enabled", "Lowercase": "Enabled", "Number": "Enabled", "Non-alphanumeric": "Enabled"}},
		{"no uppercase", without(func(p *types.PasswordPolicy) { p.RequireUppercaseCharacters = false }), check.Yellow,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Disabled", "Lowercase": "Enabled", "Number": "Enabled", "Non-alphanumeric": "Enabled"}},
		{"no lowercase", without(func(p *types.PasswordPolicy) { p.RequireLowercaseCharacters = false }), check.Yellow,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Enabled", "Lowercase": "Disabled", "Number": "Enabled", "Non-alphanumeric": "Enabled"}},
		{"no number", without(func(p *types.PasswordPolicy) { p.RequireNumbers = false }), check.Yellow,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Enabled", "Lowercase": "Enabled", "Number": "Disabled", "Non-alphanumeric": "Enabled"}},
		{"no symbols", without(func(p *types.PasswordPolicy) { p.RequireSymbols = false }), check.Yellow,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Enabled", "Lowercase": "Enabled", "Number": "Enabled", "Non-alphanumeric": "Disabled"}},
		// A policy with only a length rule is a policy without content requirements: yellow, not red.
		{"length only", &types.PasswordPolicy{MinimumPasswordLength: aws.Int32(14)}, check.Yellow,
			map[string]string{"Password Policy": "Enabled", "Uppercase": "Disabled", "Lowercase": "Disabled", "Number": "Disabled", "Non-alphanumeric": "Disabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target(check.GlobalRegion), tt.policy)
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) returned %d findings, want 1", tt.name, len(got))
			}
			checktest.ColumnsWithin(t, Meta, got)
			if got[0].Status != tt.wantStatus {
				t.Errorf("evaluate(%s) status = %s, want %s (reason %q)", tt.name, got[0].Status, tt.wantStatus, got[0].Reason)
			}
			if !maps.Equal(got[0].Columns, tt.wantColumns) {
				t.Errorf("evaluate(%s) columns = %v, want %v", tt.name, got[0].Columns, tt.wantColumns)
			}
		})
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		seed       *iam.UpdateAccountPasswordPolicyInput
		wantStatus check.Status
	}{
		{"no policy", nil, check.Red},
		{"weak policy", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireUppercaseCharacters: true}, check.Yellow},
		{"strong policy", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14),
			RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, RequireNumbers: true, RequireSymbols: true}, check.Green},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg, account := emutest.Config(t)
			if tt.seed != nil {
				if _, err := iam.NewFromConfig(cfg).UpdateAccountPasswordPolicy(ctx, tt.seed); err != nil {
					t.Fatalf("seed password policy: %v", err)
				}
			}
			findings := scan.RunJob(ctx, cfg, scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
			if len(findings) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(findings), findings)
			}
			checktest.ColumnsWithin(t, Meta, findings)
			if got := findings[0]; got.Status != tt.wantStatus || got.Account != account || got.Region != check.GlobalRegion {
				t.Errorf("finding = %s in %s/%s (%q), want %s in %s/global", got.Status, got.Account, got.Region, got.Reason, tt.wantStatus, account)
			}
		})
	}
}
