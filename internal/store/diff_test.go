package store

import (
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
)

// TestDiffKeepsTheMostSevereOfTwoFindings: should a check emit two findings
// for one resource, the one written is the most severe (error over red over
// yellow over unavailable over green), whatever their order.
func TestDiffKeepsTheMostSevereOfTwoFindings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first, second, want check.Status
	}{
		{check.Green, check.Red, check.Red},
		{check.Red, check.Green, check.Red},
		{check.Red, check.Error, check.Error},
		{check.Error, check.Red, check.Error},
		{check.Yellow, check.Red, check.Red},
		{check.Unavailable, check.Yellow, check.Yellow},
		{check.Green, check.Unavailable, check.Unavailable},
	}
	for _, tt := range tests {
		r := JobResult{Account: "111122223333", CheckID: "CCCCCCCCCC", Region: "eu-west-1", ScanID: "s", ScanTime: time.Unix(0, 0),
			Findings: []check.Finding{
				{CheckID: "CCCCCCCCCC", ResourceID: "thing", Status: tt.first, Reason: string(tt.first)},
				{CheckID: "CCCCCCCCCC", ResourceID: "thing", Status: tt.second, Reason: string(tt.second)},
			}}
		puts, _, _ := diff(r, map[string]findingItem{}, "t")
		if len(puts) != 1 || puts[0].Status != string(tt.want) {
			t.Errorf("diff(%s then %s) puts %+v, want one item with status %s", tt.first, tt.second, puts, tt.want)
		}
	}
}
