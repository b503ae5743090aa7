package localpipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/store"
	"github.com/secadvisor/secadvisor/internal/suppress"
)

// TestSuppressionRulesThroughThePipeline: two public snapshots, one per
// region; a rule stored in the findings table before the scan accepts the
// second. The scan alerts on the first only and stores the second red and
// suppressed. Removing the rule updates the stored finding at once
// (Resuppress, as `secadvisor suppress remove` does), and the stream makes
// the notifier alert on it: red, no longer suppressed.
func TestSuppressionRulesThroughThePipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	first, second := "eu-west-1", "us-east-1"
	alerting := ebspublicsnapshotstest.Public(t, cfg, first)
	accepted := ebspublicsnapshotstest.Public(t, cfg, second)
	p, err := Setup(ctx, cfg, Options{Name: "suppress", Account: account, Regions: []string{first, second}})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}

	today := time.Now().UTC()
	rule, err := suppress.New("sup-test-accepted", ebspublicsnapshots.Meta.Slug, account, second, accepted,
		"restored by the partner's account, reviewed", "data-team", today.AddDate(0, 1, 0).Format(suppress.DateLayout), today, suppress.DefaultMaxAhead)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Store.PutSuppression(ctx, rule); err != nil {
		t.Fatalf("PutSuppression: %v", err)
	}

	run := runScan(t, p, refreshPublicSnapshots(), "scan")
	alerts := alertsFor(run.Alerts, ebspublicsnapshots.Meta.ID)
	if len(alerts) != 1 || !strings.Contains(alerts[0].Body, alerting) || strings.Contains(alerts[0].Body, accepted) {
		t.Fatalf("scan alerts = %+v, want one naming %s and not the suppressed %s", alerts, alerting, accepted)
	}
	red, err := p.Store.Query(ctx, store.Filter{Status: check.Red, Account: account, CheckID: ebspublicsnapshots.Meta.ID, Region: second})
	if err != nil || len(red) != 1 || red[0].ResourceID != accepted || !red[0].Suppressed || red[0].Suppression == nil || red[0].Suppression.Rule != rule.ID {
		t.Fatalf("stored red findings of %s = %+v, %v; want %s red and suppressed by %s", second, red, err, accepted, rule.ID)
	}

	// The rule is removed: the stored finding is unsuppressed without a scan, and alerts.
	if err := p.Store.DeleteSuppression(ctx, rule.ID); err != nil {
		t.Fatalf("DeleteSuppression: %v", err)
	}
	rules, err := p.Store.Suppressions(ctx)
	if err != nil {
		t.Fatalf("Suppressions: %v", err)
	}
	if changed, err := p.Store.Resuppress(ctx, rules, today); err != nil || changed != 1 {
		t.Fatalf("Resuppress = %d, %v; want 1 finding changed", changed, err)
	}
	alerts = alertsFor(streamAlerts(t, p), ebspublicsnapshots.Meta.ID)
	if len(alerts) != 1 || alerts[0].Attributes["status"] != "red" || !strings.Contains(alerts[0].Body, accepted) ||
		!strings.Contains(alerts[0].Body, "no longer suppressed: rule "+rule.ID) || strings.Contains(alerts[0].Body, alerting) {
		t.Errorf("alerts after the rule was removed = %+v, want one red alert for %s, no longer suppressed by %s", alerts, accepted, rule.ID)
	}
}
