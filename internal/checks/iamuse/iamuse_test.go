package iamuse

import (
	"context"
	"strings"
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
	tests := []struct {
		hasUser    bool
		wantStatus check.Status
		wantReason string
	}{
		{false, check.Yellow, "IAM Identity Center"},
		{true, check.Green, "At least one IAM user"},
	}
	for _, tt := range tests {
		got := evaluate(checktest.Target(check.GlobalRegion), tt.hasUser)
		checktest.ColumnsWithin(t, Meta, got)
		if len(got) != 1 || got[0].Status != tt.wantStatus || got[0].ResourceID != ResourceID || !strings.Contains(got[0].Reason, tt.wantReason) {
			t.Errorf("evaluate(hasUser=%v) = %+v, want one %s finding on %s mentioning %q", tt.hasUser, got, tt.wantStatus, ResourceID, tt.wantReason)
		}
	}
}

// pagedUsers answers ListUsers the way IAM may: empty truncated pages
// before the page holding a user.
type pagedUsers struct {
	emptyPages int
	calls      int
	maxItems   []int32
}

func (p *pagedUsers) ListUsers(_ context.Context, in *iam.ListUsersInput, _ ...func(*iam.Options)) (*iam.ListUsersOutput, error) {
	p.calls++
	p.maxItems = append(p.maxItems, aws.ToInt32(in.MaxItems))
	if p.calls <= p.emptyPages {
		return &iam.ListUsersOutput{IsTruncated: true, Marker: aws.String("m" + string(rune('0'+p.calls)))}, nil
	}
	return &iam.ListUsersOutput{Users: []types.User{{UserName: aws.String("alice")}}, IsTruncated: true, Marker: aws.String("more")}, nil
}

// TestCollectFollowsEmptyTruncatedPages: IAM documents that a page may hold
// fewer items than MaxItems while IsTruncated is true; an empty first page
// must not read as "no users". The emulator never answers that way.
func TestCollectFollowsEmptyTruncatedPages(t *testing.T) {
	t.Parallel()
	api := &pagedUsers{emptyPages: 2}
	hasUser, err := collect(context.Background(), api)
	if err != nil || !hasUser {
		t.Fatalf("collect(two empty truncated pages, then a user) = %v, %v; want true, nil", hasUser, err)
	}
	if api.calls != 3 {
		t.Errorf("collect made %d ListUsers calls, want 3 (stop at the first user)", api.calls)
	}
	for _, m := range api.maxItems {
		if m != 1 {
			t.Errorf("collect asked for MaxItems %d, want 1", m)
		}
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		users      []string
		wantStatus check.Status
	}{
		{"no IAM user (roles only)", nil, check.Yellow},
		{"one IAM user", []string{"alice"}, check.Green},
		{"several IAM users", []string{"alice", "bob", "ci-deploy"}, check.Green},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg, account := emutest.Config(t)
			client := iam.NewFromConfig(cfg)
			// A role, as an account federated through an identity provider has: roles are not users.
			if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("AWSReservedSSO_AdministratorAccess_0123456789abcdef"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + account + `:saml-provider/AWSSSO"},"Action":"sts:AssumeRoleWithSAML"}]}`)}); err != nil {
				t.Fatal(err)
			}
			for _, u := range tt.users {
				if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
					t.Fatal(err)
				}
			}
			findings := scan.RunJob(ctx, cfg, scan.Job{Check: Check, Account: account, Region: check.GlobalRegion}, 0)
			checktest.ColumnsWithin(t, Meta, findings)
			if len(findings) != 1 || findings[0].Status != tt.wantStatus {
				t.Errorf("%s: findings = %+v, want one %s finding", tt.name, findings, tt.wantStatus)
			}
		})
	}
}
