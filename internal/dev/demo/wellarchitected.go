package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
)

// seedWellArchitected gives the demo account reviewed Well-Architected
// workloads: in us-east-1 a production shop whose security review found
// three high risk issues (red) and an internal wiki without any (green); in
// eu-west-1 a payments workload whose review is under way, no HRI yet
// (green). moto has no Well-Architected API: the emulator's fake serves these
// (emulator.SeedWellArchitected).
func seedWellArchitected(ctx context.Context, cfg aws.Config) error {
	workloads := map[string][]emulator.WellArchitectedWorkload{
		"us-east-1": {
			{Name: "checkout", ReviewOwner: "platform-team@example.com", Environment: "PRODUCTION",
				SecurityRisks: map[string]int32{"HIGH": 3, "MEDIUM": 2, "NONE": 6}},
			{Name: "internal-wiki", ReviewOwner: "it-ops@example.com", Environment: "PREPRODUCTION",
				SecurityRisks: map[string]int32{"MEDIUM": 1, "NONE": 9, "NOT_APPLICABLE": 1}},
		},
		"eu-west-1": {
			{Name: "payments-eu", ReviewOwner: "payments-team@example.com", Environment: "PRODUCTION",
				SecurityRisks: map[string]int32{"NONE": 5, "UNANSWERED": 6}},
		},
	}
	for _, region := range Regions {
		if err := emulator.SeedWellArchitected(ctx, cfg, region, workloads[region]...); err != nil {
			return err
		}
	}
	return nil
}
