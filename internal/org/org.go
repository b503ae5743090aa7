// Package org is what secadvisor knows of an AWS organization's accounts:
// an account, the member role's name and ARN, the session policy that
// narrows a member-role session, and which accounts a scan covers (Scope),
// for the CLI and the orchestrator alike. Package orglist lists the
// accounts and package member enters them (assumes the member role, the
// way Prowler and Cloud Custodian scan many accounts), so that each
// function links only the client it calls.
package org

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// DefaultRoleName is the member role's name unless told otherwise.
const DefaultRoleName = "secadvisor-member"

// ListActions are the IAM actions listing the organization's accounts needs,
// granted to the caller (the management account or a delegated administrator).
var ListActions = []string{"organizations:ListAccounts"}

// AssumeAction is the IAM action entering a member account needs, granted to
// the caller on the member role.
const AssumeAction = "sts:AssumeRole"

// Account is one account of an organization (orglist.ListActive lists them).
type Account struct {
	ID   string
	Name string
}

// RoleARN is the ARN of the role named name in account, in partition.
func RoleARN(partition, account, name string) string {
	return arn.ARN{Partition: partition, Service: "iam", AccountID: account, Resource: "role/" + name}.String()
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SessionPolicy returns the session policy that limits a member-role session
// to actions: with it, a check's function keeps its least privilege in every
// account although the member role allows every check's actions.
func SessionPolicy(actions []string) (string, error) {
	if len(actions) == 0 {
		return "", fmt.Errorf("session policy: no action")
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect":   "Allow",
			"Action":   slices.Sorted(slices.Values(actions)),
			"Resource": "*",
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("session policy: %w", err)
	}
	return string(b), nil
}
