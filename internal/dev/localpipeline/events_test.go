package localpipeline

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secadvisor/secadvisor/internal/catalog"
	"github.com/secadvisor/secadvisor/internal/checks/securitygroupports"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestCloudTrailEventReChecksEndToEnd: after a scheduled scan, RDP is opened
// to the world and a burst of the matching CloudTrail event arrives (a
// Terraform apply retried, several rules): one job per (account, region,
// check) the event triggers runs after the window, and the port check's
// alert names the new group. An event of a failed call changes nothing.
func TestCloudTrailEventReChecksEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	region := "eu-west-1"
	p, err := Setup(ctx, cfg, Options{Name: "events", Account: account, Regions: []string{region}, NotifyResolved: true, EventWindow: 3 * time.Second})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	runScan(t, p, Scheduled(time.Now()), "scheduled scan")

	event, err := demo.OpenRDP(ctx, cfg, account, region)
	if err != nil {
		t.Fatal(err)
	}
	failed := event
	failed.Detail = []byte(strings.Replace(string(event.Detail), `"eventCategory"`, `"errorCode":"Client.UnauthorizedOperation","eventCategory"`, 1))
	if summary, err := p.Orchestrator.Handle(ctx, failed); err != nil || len(summary.Jobs) != 0 {
		t.Errorf("event of a failed call: jobs %v, err %v; want none", summary.Jobs, err)
	}

	// The burst: the same event 50 times at once.
	const burst = 50
	jobs := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			summary, err := p.Orchestrator.Handle(ctx, event)
			if err != nil {
				t.Errorf("Handle: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for id, n := range summary.Jobs {
				jobs[id] += n
			}
		}()
	}
	wg.Wait()
	var want []string
	for _, e := range catalog.All() {
		for _, tr := range e.Triggers {
			if e.Implemented && tr.Source == "ec2.amazonaws.com" && slices.Contains(tr.Names, "AuthorizeSecurityGroupIngress") {
				want = append(want, e.ID)
			}
		}
	}
	if len(jobs) != len(want) {
		t.Errorf("a burst of %d events sent jobs %v, want one for each of the %d checks it triggers %v", burst, jobs, len(want), want)
	}
	for _, id := range want {
		if jobs[id] != 1 {
			t.Errorf("check %s: %d jobs for a burst of %d events, want 1", id, jobs[id], burst)
		}
	}

	started := time.Now()
	run, err := p.Settle(ctx)
	if err != nil {
		t.Fatalf("drain the re-check: %v", err)
	}
	t.Logf("re-check drained and alerted %s after the burst", time.Since(started).Round(time.Millisecond))
	var detail struct {
		RequestParameters struct {
			GroupID string `json:"groupId"`
		} `json:"requestParameters"`
	}
	if err := json.Unmarshal(event.Detail, &detail); err != nil || detail.RequestParameters.GroupID == "" {
		t.Fatalf("the event names no group: %v %s", err, event.Detail)
	}
	alerts := alertsFor(run.Alerts, securitygroupports.Meta.ID)
	if len(alerts) != 1 || !strings.Contains(alerts[0].Body, detail.RequestParameters.GroupID) {
		t.Errorf("port check alerts after the re-check = %+v, want one naming the opened group %s", alerts, detail.RequestParameters.GroupID)
	}
}
