package localpipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots"
	"github.com/secadvisor/secadvisor/internal/checks/ebspublicsnapshots/ebspublicsnapshotstest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
	"github.com/secadvisor/secadvisor/internal/store"
)

// TestPipelineAcrossAnOrganization scans an emulated organization through
// the pipeline, as the stack with accounts=org runs it: the management
// account with the functions' own credentials, a member through the member
// role (its public snapshot is red under its own account, and the alert
// names the account), and a member whose AssumeRole is denied (every job of
// it is an error naming the role, stored like any finding).
func TestPipelineAcrossAnOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, management := emutest.Config(t)
	members := emutest.Organization(t, management,
		emulator.Member{Name: "workloads", Role: org.DefaultRoleName},
		emulator.Member{Name: "locked", Role: org.DefaultRoleName},
	)
	workloads, locked := members[0], members[1]
	region := "eu-west-1"
	snap := ebspublicsnapshotstest.Public(t, emulator.Config(emutest.Server(t).URL, workloads), region)

	// The functions' credentials may not assume the role in "locked".
	functions := emutest.DenyAssumeRole(cfg, locked)
	p, err := Setup(ctx, functions, Options{Name: "org", Account: management, Regions: []string{region}, Accounts: orchestrator.Accounts{Org: true}})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	// An account that cannot be entered is an error finding, not a failed job.
	run := runScan(t, p, Scheduled(time.Now()), "scan")

	red, err := p.Store.Query(ctx, store.Filter{Status: check.Red, Account: workloads, CheckID: ebspublicsnapshots.Meta.ID})
	if err != nil || len(red) != 1 || red[0].ResourceID != snap || red[0].AccountName != "workloads" {
		t.Errorf("the member's red snapshots = %+v, %v; want %s, named workloads", red, err, snap)
	}
	if mine, err := p.Store.Query(ctx, store.Filter{Status: check.Red, Account: management, CheckID: ebspublicsnapshots.Meta.ID}); err != nil || len(mine) != 0 {
		t.Errorf("the management account's red snapshots = %+v, %v; want none (the snapshot is the member's)", mine, err)
	}
	alerts := alertsFor(run.Alerts, ebspublicsnapshots.Meta.ID)
	if len(alerts) != 1 || alerts[0].Attributes["account"] != workloads || !strings.Contains(alerts[0].Subject, "workloads ("+workloads+")") {
		t.Errorf("EBS alerts = %+v, want one for account %s whose subject names \"workloads (%s)\"", alerts, workloads, workloads)
	}

	lockedFindings, err := p.Store.Query(ctx, store.Filter{Account: locked, Status: check.Error})
	if err != nil {
		t.Fatalf("query the locked account: %v", err)
	}
	byCheck := map[string]int{}
	roleARN := org.RoleARN("aws", locked, org.DefaultRoleName)
	for _, f := range lockedFindings {
		byCheck[f.CheckID]++
		if f.ResourceID != check.WholeScope || !strings.Contains(f.Reason, roleARN) || !strings.Contains(f.Reason, "AccessDenied") {
			t.Errorf("locked account finding = %s %s/%s %q; want an (all) error naming %s and AccessDenied", f.Slug, f.Region, f.ResourceID, f.Reason, roleARN)
		}
	}
	for _, c := range checks.All() {
		if c.Implemented() && byCheck[c.Meta.ID] == 0 {
			t.Errorf("check %s has no error finding for the account that could not be entered", c.Meta.Slug)
		}
	}
	if all, err := p.Store.Query(ctx, store.Filter{Account: locked}); err != nil || len(all) != len(lockedFindings) {
		t.Errorf("the locked account has %d findings, %d of them errors (%v): want errors only, never green", len(all), len(lockedFindings), err)
	}
}
