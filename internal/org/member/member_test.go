package member

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/org"
)

// TestEnterMemberAccounts runs against an emulated organization: a member
// with the role is entered and calls act in its own account; a member
// without it cannot be entered, and the error names the role and the code.
func TestEnterMemberAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base, management := emutest.Config(t)
	members := emutest.Organization(t, management,
		emulator.Member{Name: "workloads", Role: org.DefaultRoleName},
		emulator.Member{Name: "sandbox"}, // no member role
	)
	accounts := NewAccounts(Entry{Base: base, Own: management, Partition: "aws"})
	if err := accounts.Enter(ctx, members[0]); err != nil {
		t.Fatalf("Enter(%s) with the member role: %v", members[0], err)
	}
	member := accounts.Config(members[0])
	who, err := sts.NewFromConfig(member).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != members[0] {
		t.Fatalf("GetCallerIdentity in the member = %v, %v; want account %s", who, err, members[0])
	}
	if _, err := iam.NewFromConfig(member).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("only-in-member")}); err != nil {
		t.Fatalf("iam CreateUser in the member: %v", err)
	}
	if _, err := iam.NewFromConfig(base).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("only-in-member")}); !awsx.Is(err, awsx.KindNotFound) {
		t.Errorf("the member's user is visible from the management account (err %v): calls with the role did not act in the member", err)
	}
	if err := accounts.Enter(ctx, management); err != nil {
		t.Errorf("Enter(own account) = %v, want nil: the caller's own credentials need no role", err)
	}
	if who, err := sts.NewFromConfig(accounts.Config(management)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(who.Account) != management {
		t.Errorf("GetCallerIdentity in the own account = %v, %v; want account %s", who, err, management)
	}

	err = accounts.Enter(ctx, members[1])
	if err == nil {
		t.Fatalf("Enter(%s) without the member role: no error", members[1])
	}
	for _, want := range []string{org.RoleARN("aws", members[1], org.DefaultRoleName), "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Enter error = %q, want it to name %q", err, want)
		}
	}
}
