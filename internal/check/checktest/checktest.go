// Package checktest holds assertions shared by the checks' tests.
package checktest

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Target is a target for evaluator tests (no AWS configuration needed).
func Target(region string) check.Target {
	return check.Target{Account: "111122223333", Region: region}
}

// TargetAt is Target for a scan started at scanTime.
func TargetAt(region string, scanTime time.Time) check.Target {
	t := Target(region)
	t.ScanTime = scanTime
	return t
}

// Page answers a paginated fake API call from pages: the page that token
// names ("page-N"; nil is the first), and the token of the next page, nil
// after the last. Two-page fakes built on it show that a collector reads
// past the first page.
func Page[T any](pages [][]T, token *string) ([]T, *string) {
	i, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(token), "page-"))
	if i+1 < len(pages) {
		return pages[i], aws.String("page-" + strconv.Itoa(i+1))
	}
	return pages[i], nil
}

// Statuses maps each finding's resource ID to its status.
func Statuses(findings []check.Finding) map[string]check.Status {
	out := map[string]check.Status{}
	for _, f := range findings {
		out[f.ResourceID] = f.Status
	}
	return out
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
