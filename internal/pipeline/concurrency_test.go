package pipeline

import (
	"testing"

	"github.com/secadvisor/secadvisor/internal/checks"
)

// TestCheckConcurrency: every share names a check of the catalog (a renamed
// check must not silently fall back to OtherCheckConcurrency), each is a
// MaximumConcurrency Lambda accepts, and together they stay inside the 800
// of the account's default 1,000 concurrent executions the budget gives the
// measured checks (a check added later takes OtherCheckConcurrency from the
// 200 left).
func TestCheckConcurrency(t *testing.T) {
	t.Parallel()
	slugs := map[string]bool{}
	for _, c := range checks.All() {
		if c.Implemented() {
			slugs[c.Meta.Slug] = true
		}
	}
	total := 0
	for slug, n := range CheckConcurrency {
		total += n
		if !slugs[slug] {
			t.Errorf("CheckConcurrency names %q, which is no implemented check", slug)
		}
		if n < 2 || n > 1000 {
			t.Errorf("CheckConcurrency[%q] = %d, want 2..1000 (the SQS event source's range)", slug, n)
		}
	}
	if total > 800 {
		t.Errorf("the checks' concurrency adds up to %d, want at most 800 of the account's 1,000", total)
	}
	if got := CheckConcurrencyOf("a-check-added-later"); got != OtherCheckConcurrency {
		t.Errorf("CheckConcurrencyOf(unlisted) = %d, want %d", got, OtherCheckConcurrency)
	}
}
