package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/wellarchitected"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks/exposedaccesskeys"
	wacheck "github.com/secadvisor/secadvisor/internal/checks/wellarchitected"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestHealthAnswersNoEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	client := health.NewFromConfig(cfg)
	events, err := client.DescribeEvents(ctx, &health.DescribeEventsInput{
		Filter:     &healthtypes.EventFilter{EventStatusCodes: []healthtypes.EventStatusCode{healthtypes.EventStatusCodeOpen}},
		MaxResults: aws.Int32(100),
	})
	if err != nil || len(events.Events) != 0 || events.NextToken != nil {
		t.Fatalf("DescribeEvents = %+v, %v; want no events and no error", events, err)
	}
	arn := "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_x1"
	details, err := client.DescribeEventDetails(ctx, &health.DescribeEventDetailsInput{EventArns: []string{arn}})
	if err != nil || len(details.SuccessfulSet) != 0 || len(details.FailedSet) != 1 || aws.ToString(details.FailedSet[0].EventArn) != arn {
		t.Fatalf("DescribeEventDetails(%s) = %+v, %v; want it in the failed set", arn, details, err)
	}
	// The fake answers in place of the wire: one call, one attempt each.
	for _, c := range recorder.Counts() {
		if c.Calls != 1 || c.Attempts != 1 {
			t.Errorf("recorded %+v, want 1 call and 1 attempt", c)
		}
	}
}

func TestWellArchitectedServesSeededWorkloads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := wellarchitected.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
	empty, err := client.ListWorkloads(ctx, &wellarchitected.ListWorkloadsInput{MaxResults: aws.Int32(50)})
	if err != nil || len(empty.WorkloadSummaries) != 0 {
		t.Fatalf("ListWorkloads before seeding = %+v, %v; want none, as in a new account", empty, err)
	}
	if err := emulator.SeedWellArchitected(ctx, cfg, "eu-west-1",
		emulator.WellArchitectedWorkload{Name: "shop", ReviewOwner: "alice", Environment: "PRODUCTION", SecurityRisks: map[string]int32{"HIGH": 2, "NONE": 9}},
		emulator.WellArchitectedWorkload{Name: "blog", ReviewOwner: "bob", Environment: "PREPRODUCTION", SecurityRisks: map[string]int32{"NONE": 11}},
	); err != nil {
		t.Fatalf("SeedWellArchitected: %v", err)
	}
	var names []string
	pages := wellarchitected.NewListWorkloadsPaginator(client, &wellarchitected.ListWorkloadsInput{MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListWorkloads: %v", err)
		}
		for _, s := range page.WorkloadSummaries {
			names = append(names, aws.ToString(s.WorkloadName))
			if !strings.HasPrefix(aws.ToString(s.WorkloadArn), "arn:aws:wellarchitected:eu-west-1:"+account+":workload/") {
				t.Errorf("workload ARN = %s, want one in eu-west-1 of account %s", aws.ToString(s.WorkloadArn), account)
			}
		}
	}
	if strings.Join(names, ",") != "shop,blog" {
		t.Errorf("workloads over pages of one = %v, want [shop blog]", names)
	}

	// The whole check, as the scanner runs it, reads the seeded review.
	findings := runCheck(t, cfg, wacheck.Check, account, "eu-west-1")
	statuses := map[string]check.Status{}
	for _, f := range findings {
		statuses[f.Columns["Workload Name"]] = f.Status
	}
	if statuses["shop"] != check.Red || statuses["blog"] != check.Green || len(findings) != 2 {
		t.Errorf("check findings = %+v, want shop red and blog green", findings)
	}

	// Other regions and other accounts have none.
	otherAccount, _ := emutest.Config(t)
	for _, c := range []aws.Config{awsx.InRegion(cfg, "us-east-1"), awsx.InRegion(otherAccount, "eu-west-1")} {
		out, err := wellarchitected.NewFromConfig(c).ListWorkloads(ctx, &wellarchitected.ListWorkloadsInput{})
		if err != nil || len(out.WorkloadSummaries) != 0 {
			t.Errorf("ListWorkloads in %s elsewhere = %+v, %v; want none", c.Region, out, err)
		}
	}
	_, err = client.GetWorkload(ctx, &wellarchitected.GetWorkloadInput{WorkloadId: aws.String("0123456789abcdef0123456789abcdef")})
	if !awsx.Is(err, awsx.KindNotFound) {
		t.Errorf("GetWorkload of an unknown workload: err = %v, want ResourceNotFoundException", err)
	}
}

func runCheck(t *testing.T, cfg aws.Config, c check.Check, account, region string) []check.Finding {
	t.Helper()
	return scan.RunJob(context.Background(), cfg, scan.Job{Check: c, Account: account, Region: region}, 0)
}

// TestDenyWinsOverTheFakes: emutest.Deny fails a call at Initialize, before
// the fakes answer at the end of Deserialize, so a denied call is an error
// finding, never a green "nothing found".
func TestDenyWinsOverTheFakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		check     check.Check
		region    string
		operation string
		resource  string
	}{
		{"Well-Architected ListWorkloads", wacheck.Check, "us-east-1", "ListWorkloads", "(all)"},
		{"Health DescribeEvents", exposedaccesskeys.Check, check.GlobalRegion, "DescribeEvents", "health-events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, account := emutest.Config(t)
			allowed := runCheck(t, cfg, tt.check, account, tt.region)
			for _, f := range allowed {
				if f.Status == check.Error {
					t.Errorf("without Deny: %s is an error: %s", f.ResourceID, f.Reason)
				}
			}
			denied := runCheck(t, emutest.Deny(cfg, tt.operation), tt.check, account, tt.region)
			found := false
			for _, f := range denied {
				if f.ResourceID == tt.resource {
					found = true
					if f.Status != check.Error || !strings.Contains(f.Reason, tt.operation) || !strings.Contains(f.Reason, "AccessDenied") {
						t.Errorf("with %s denied: %s = %s %q, want an error naming the operation and AccessDenied", tt.operation, tt.resource, f.Status, f.Reason)
					}
				}
			}
			if !found {
				t.Errorf("with %s denied: no finding for %s in %+v", tt.operation, tt.resource, denied)
			}
		})
	}
}

// TestDenyWinsOnEveryFake calls each operation a fake answers, denied: the
// call must fail with AccessDenied, never get the fake's answer.
func TestDenyWinsOnEveryFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		operation string
		call      func(aws.Config) error
	}{
		{"ListWorkloads", func(c aws.Config) error {
			_, err := wellarchitected.NewFromConfig(c).ListWorkloads(ctx, &wellarchitected.ListWorkloadsInput{})
			return err
		}},
		{"DescribeEvents", func(c aws.Config) error {
			_, err := health.NewFromConfig(c).DescribeEvents(ctx, &health.DescribeEventsInput{})
			return err
		}},
		{"GetInventory", func(c aws.Config) error {
			_, err := ssm.NewFromConfig(c).GetInventory(ctx, &ssm.GetInventoryInput{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.operation, func(t *testing.T) {
			t.Parallel()
			cfg, _ := emutest.Config(t)
			if err := tt.call(cfg); err != nil {
				t.Fatalf("%s allowed: %v, want the fake's answer", tt.operation, err)
			}
			if err := tt.call(emutest.Deny(cfg, tt.operation)); awsx.Classify(err) != awsx.KindAccessDenied {
				t.Errorf("%s denied: err = %v, want AccessDenied", tt.operation, err)
			}
		})
	}
}
