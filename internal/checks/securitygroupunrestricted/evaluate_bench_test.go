package securitygroupunrestricted

import (
	"testing"

	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// BenchmarkEvaluate evaluates one reference region's 3,500 rules, with and
// without the seven 0-65535 rules (to show what wide port ranges cost).
func BenchmarkEvaluate(b *testing.B) {
	for _, tc := range []struct {
		name     string
		allPorts bool
	}{{"reference", true}, {"without-all-port-rules", false}} {
		b.Run(tc.name, func(b *testing.B) {
			groups := sgrulestest.BenchmarkGroups(tc.allPorts)
			target := checktest.Target("eu-west-1")
			b.ReportAllocs()
			for b.Loop() {
				if got := evaluate(target, groups); len(got) < len(groups) {
					b.Fatalf("evaluate returned %d findings, want at least one per group (%d)", len(got), len(groups))
				}
			}
		})
	}
}
