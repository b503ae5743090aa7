package org

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

func TestIsAccountID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"111122223333", true}, {"11112222333", false}, {"1111222233334", false}, {"11112222333a", false}, {"", false},
	} {
		if got := IsAccountID(tt.in); got != tt.want {
			t.Errorf("IsAccountID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRoleARN(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ partition, want string }{
		{"aws", "arn:aws:iam::111122223333:role/secadvisor-member"},
		{"aws-us-gov", "arn:aws-us-gov:iam::111122223333:role/secadvisor-member"},
	} {
		if got := RoleARN(tt.partition, "111122223333", DefaultRoleName); got != tt.want {
			t.Errorf("RoleARN(%s) = %q, want %q", tt.partition, got, tt.want)
		}
	}
}

func TestSessionPolicyAllowsOnlyTheActions(t *testing.T) {
	t.Parallel()
	doc, err := SessionPolicy([]string{"iam:ListUsers", "ec2:DescribeSnapshots"})
	if err != nil {
		t.Fatalf("SessionPolicy: %v", err)
	}
	var policy struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		t.Fatalf("session policy is not JSON: %v\n%s", err, doc)
	}
	want := []string{"ec2:DescribeSnapshots", "iam:ListUsers"}
	if len(policy.Statement) != 1 || policy.Statement[0].Effect != "Allow" || !slices.Equal(policy.Statement[0].Action, want) || policy.Statement[0].Resource != "*" {
		t.Errorf("session policy = %s, want one Allow of %v on *", doc, want)
	}
	// AWS limits a session policy to 2,048 characters (packed).
	if len(doc) > 2048 {
		t.Errorf("session policy is %d characters, AWS accepts 2,048", len(doc))
	}
	if _, err := SessionPolicy(nil); err == nil {
		t.Error("SessionPolicy(nil): no error, want one (a session policy without actions allows nothing)")
	}
}

// TestEnterMemberAccounts runs against an emulated organization: a member
// with the role is entered and calls act in its own account; a member
// without it cannot be entered, and the error names the role and the code.
func TestEnterMemberAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base, management := emutest.Config(t)
	url := emutest.Server(t).URL
	members, err := emulator.CreateOrganization(ctx, url, management, []emulator.Member{
		{Name: "workloads", Role: DefaultRoleName},
		{Name: "sandbox"}, // no member role
	})
	if err != nil {
		t.Fatal(err)
	}
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
	for _, want := range []string{RoleARN("aws", members[1], DefaultRoleName), "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Enter error = %q, want it to name %q", err, want)
		}
	}
}
