package org

import (
	"encoding/json"
	"slices"
	"testing"
)

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
