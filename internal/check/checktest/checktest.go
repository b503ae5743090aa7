// Package checktest holds assertions shared by the checks' tests.
package checktest

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Target is a target for evaluator tests (no AWS configuration needed).
func Target(region string) check.Target {
	return check.Target{Account: "111122223333", Region: region}
}

// EmulatorTarget is a target for collector tests on the emulator.
func EmulatorTarget(cfg aws.Config, account, region string) check.Target {
	c := cfg.Copy()
	if region != check.GlobalRegion {
		c.Region = region
	}
	return check.Target{Account: account, Region: region, Config: c}
}

// ColumnsWithin fails t for any finding whose column keys are not among
// meta's report columns, or that carries another check's identity.
func ColumnsWithin(t testing.TB, meta check.Meta, findings []check.Finding) {
	t.Helper()
	for _, f := range findings {
		if f.CheckID != meta.ID || f.Slug != meta.Slug {
			t.Errorf("finding %q has check %s/%s, want %s/%s", f.ResourceID, f.CheckID, f.Slug, meta.ID, meta.Slug)
		}
		for k := range f.Columns {
			if !slices.Contains(meta.Columns, k) {
				t.Errorf("finding %q has column %q, not one of the spec's %q", f.ResourceID, k, meta.Columns)
			}
		}
	}
}

// ByResource indexes findings by resource ID.
func ByResource(findings []check.Finding) map[string]check.Finding {
	out := map[string]check.Finding{}
	for _, f := range findings {
		out[f.ResourceID] = f
	}
	return out
}
