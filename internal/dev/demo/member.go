package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
)

// Members are the member accounts of the demo organization: "workloads"
// has the member role the scanner assumes, "sandbox" was never given it, so
// its checks are error findings naming the role.
func Members(roleName string) []emulator.Member {
	return []emulator.Member{{Name: "workloads", Role: roleName}, {Name: "sandbox"}}
}

// SeedMember seeds a member account of the demo organization with a few of
// the demo account's misconfigurations, so that its findings show under its
// own account ID.
func SeedMember(ctx context.Context, cfg aws.Config) error {
	return seed(ctx, cfg, []seeder{
		{"weak IAM password policy", seedPasswordPolicy},
		{"EBS snapshots, one public", seedSnapshots},
		{"security groups and Classic Load Balancers", seedSecurityGroups},
	})
}
