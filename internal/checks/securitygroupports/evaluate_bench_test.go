package securitygroupports

import (
	"testing"

	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// BenchmarkEvaluate evaluates one reference region's 3,500 rules.
func BenchmarkEvaluate(b *testing.B) { sgrulestest.BenchmarkEvaluate(b, evaluate) }
