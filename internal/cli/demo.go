package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/localpipeline"
	"github.com/secadvisor/secadvisor/internal/diff"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/org/orglist"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline/digest"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/store"
)

// runDemo starts the emulator, seeds a small organization — the demo
// account as its management account, a member the scanner enters through
// the member role, and a member without that role — and scans it through
// the serverless pipeline as it runs in AWS with accounts=org (orchestrator
// → SQS → check workers → DynamoDB → stream → notifier → SNS), in-process.
// It prints the stored findings as a report, grouped by account, and the
// alerts as they would arrive by email, then stops the emulator and the
// demo's local origin servers.
func runDemo(ctx context.Context, args []string, env Env) int {
	fs := newFlagSet("demo", env)
	// The demo account is meant to be red: it never fails the make target,
	// so the demo has no --fail-on (nor the flags of a real scan's run).
	var f scanFlags
	f.registerReport(fs)
	if err := fs.Set("regions", strings.Join(demo.Regions, ",")); err != nil {
		return ExitUsage
	}
	if code, done := parseFlags(fs, args, env); done {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "secadvisor demo: %v\n", err)
		return ExitUsage
	}
	selected, listed, err := f.reportChoices()
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(env.Stderr, "starting the AWS emulator (%s)...\n", emulator.Binary)
	// With AWS managed policies loaded, the demo can attach the compromised-
	// key quarantine policy that the exposed-access-keys check looks for.
	server, err := emulator.Start(ctx, "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	if err != nil {
		return fail(err)
	}
	defer server.Stop()
	cfg := emulator.Config(server.URL, emulator.DefaultAccount)
	fmt.Fprintf(env.Stderr, "seeding demo account %s on %s...\n", emulator.DefaultAccount, server.URL)
	stopOrigins, err := demo.Seed(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer stopOrigins()
	members, err := emulator.CreateOrganization(ctx, server.URL, emulator.DefaultAccount, demo.Members(org.DefaultRoleName))
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(env.Stderr, "seeding member account %s (workloads, with the member role); member %s (sandbox) has no member role...\n", members[0], members[1])
	if err := demo.SeedMember(ctx, emulator.Config(server.URL, members[0])); err != nil {
		return fail(err)
	}
	accounts, err := orglist.ListActive(ctx, organizations.NewFromConfig(cfg))
	if err != nil {
		return fail(err)
	}
	recorder := awsx.NewRecorder()
	cfg = recorder.Counting(cfg)
	regions := []string(f.regions)
	p, err := localpipeline.Setup(ctx, cfg, localpipeline.Options{Name: "secadvisor-demo", Account: emulator.DefaultAccount, Regions: regions,
		Accounts: orchestrator.Accounts{Org: true}, NotifyResolved: true, EventWindow: demoEventWindow})
	if err != nil {
		return fail(err)
	}
	// The web team accepts its public website bucket on purpose: a rule in
	// the table, as `secadvisor suppress add` stores it.
	website, err := demo.WebsiteSuppression(time.Now())
	if err != nil {
		return fail(err)
	}
	if err := p.Store.PutSuppression(ctx, website); err != nil {
		return fail(err)
	}
	fmt.Fprintln(env.Stderr, "scanning through the pipeline: orchestrator → SQS → check functions → DynamoDB → stream → notifier → SNS...")
	scanEvent := func(at time.Time) events.EventBridgeEvent {
		event := localpipeline.Scheduled(at)
		if f.checks != "" {
			detail, _ := json.Marshal(pipeline.RefreshDetail{Checks: pipeline.SplitList(f.checks), Regions: regions})
			event.DetailType, event.Detail = pipeline.RefreshDetailType, detail
		}
		return event
	}
	started := time.Now()
	run, err := p.Scan(ctx, scanEvent(started))
	if err != nil {
		return fail(err)
	}
	rep, err := storedReport(ctx, p.Store, accounts, regions, selected, started)
	if err != nil {
		return fail(err)
	}
	if f.stats {
		rep.APICalls = recorder.Counts()
	}
	if err := writeReport(f, rep.Only(listed), selected, env); err != nil {
		return fail(err)
	}
	// Alerts follow the table; with JSON or CSV on stdout they go to stderr.
	alertOut := env.Stderr
	if f.format == "table" && f.output == "" {
		alertOut = env.Stdout
	}
	writeAlerts(alertOut, p.TopicARN, run.Alerts)
	if err := liveStep(ctx, alertOut, p, cfg, regions[len(regions)-1]); err != nil {
		return fail(err)
	}
	// A second scan, after the live change and a fix, and what changed.
	fixed, err := demo.FixPublicSnapshots(ctx, cfg, regions)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(alertOut, "\n══ Second scan: after the live change, and the public EBS snapshots made private (%d) ══\n", fixed)
	second := time.Now()
	if _, err := p.Scan(ctx, scanEvent(second)); err != nil {
		return fail(err)
	}
	rep2, err := storedReport(ctx, p.Store, accounts, regions, selected, second)
	if err != nil {
		return fail(err)
	}
	changes := diff.Compare(rep, rep2)
	writeDiffTable(alertOut, []string{"first scan", "second scan"}, [2]report.Report{rep, rep2}, changes, "red", len(changes.Failing(check.Red)))
	// The weekly digest, as the scheduled digest function would send it now.
	week, err := digest.Collect(ctx, p.Store, time.Now())
	if err != nil {
		return fail(err)
	}
	subject, body := digest.Compose(week, time.Now())
	fmt.Fprintf(alertOut, "\n══ Weekly digest (sent every Monday through %s) ══\nSubject: %s\n\n%s\n", p.TopicARN, subject, body)
	if f.stats {
		writeStats(env.Stderr, rep.APICalls)
	}
	return ExitOK
}

// storedReport is the report of what the findings table holds after a scan
// started at started: every account's findings, with the table's
// suppressions as the check functions applied them.
func storedReport(ctx context.Context, s *store.Store, accounts []org.Account, regions []string, selected []check.Check, started time.Time) (report.Report, error) {
	info := report.ScanInfo{Regions: regions, StartedAt: started.UTC(), AccountNames: map[string]string{}}
	var findings []check.Finding
	for _, a := range accounts {
		info.Accounts = append(info.Accounts, a.ID)
		info.AccountNames[a.ID] = a.Name
		stored, err := queryRecords(ctx, s, store.Filter{Account: a.ID})
		if err != nil {
			return report.Report{}, err
		}
		for _, r := range stored {
			findings = append(findings, r.Finding)
		}
	}
	info.FinishedAt = time.Now().UTC()
	return report.New(info, selected, findings), nil
}

func writeAlerts(w io.Writer, topic string, alerts []localpipeline.Alert) {
	fmt.Fprintf(w, "\n%d alert(s) published to %s, as they arrive by email:\n", len(alerts), topic)
	for _, a := range alerts {
		fmt.Fprintf(w, "\n──────────────────────────────────────────────────────────────────────\n")
		fmt.Fprintf(w, "Subject: %s\n", a.Subject)
		fmt.Fprintf(w, "Attributes: checkId=%s account=%s status=%s\n\n", a.Attributes["checkId"], a.Attributes["account"], a.Attributes["status"])
		fmt.Fprintln(w, a.Body)
	}
}

// demoEventWindow is the demo's re-check window: short, so that the live
// step does not wait the deployed default (pipeline.DefaultEventWindow).
const demoEventWindow = 2 * time.Second

// liveStep is the demo's last act: RDP opened to the world in the demo
// account, the CloudTrail event AWS would deliver fed to the pipeline as the
// stack's rule does, and the alert that results, with the time it took.
func liveStep(ctx context.Context, w io.Writer, p *localpipeline.Pipeline, cfg aws.Config, region string) error {
	fmt.Fprintf(w, "\n══ Live: someone opens RDP (3389) to the world in %s of account %s ══\n", region, emulator.DefaultAccount)
	event, err := demo.OpenRDP(ctx, cfg, emulator.DefaultAccount, region)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "CloudTrail → EventBridge: %s %s (on AWS, typically within a minute of the call)\n", event.Source, pipeline.CloudTrailDetailType)
	started := time.Now()
	run, err := p.Scan(ctx, event)
	if err != nil {
		return err
	}
	elapsed := time.Since(started)
	fmt.Fprintf(w, "re-checked %d (account, region, check) scopes of that event; alert out %s after the event came in "+
		"(%s of it the re-check window, %s on AWS by default; the pipeline's own part %s)\n",
		len(run.Summary.Jobs), elapsed.Round(100*time.Millisecond), demoEventWindow, pipeline.DefaultEventWindow,
		(elapsed - demoEventWindow).Round(100*time.Millisecond))
	writeAlerts(w, p.TopicARN, run.Alerts)
	return nil
}
