package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
	"github.com/secadvisor/secadvisor/internal/dev/localpipeline"
	"github.com/secadvisor/secadvisor/internal/pipeline"
	"github.com/secadvisor/secadvisor/internal/report"
	"github.com/secadvisor/secadvisor/internal/store"
)

// runDemo starts the emulator, seeds the demo account and scans it through
// the serverless pipeline as it runs in AWS (orchestrator → SQS → check
// workers → DynamoDB → stream → notifier → SNS), in-process. It prints the
// stored findings as a report and the alerts as they would arrive by email,
// then stops the emulator and the demo's local origin servers.
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
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	regions := []string(f.regions)
	p, err := localpipeline.Setup(ctx, cfg, localpipeline.Options{Name: "secadvisor-demo", Account: emulator.DefaultAccount, Regions: regions, NotifyResolved: true})
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(env.Stderr, "scanning through the pipeline: orchestrator → SQS → check functions → DynamoDB → stream → notifier → SNS...")
	started := time.Now()
	event := localpipeline.Scheduled(started)
	if f.checks != "" {
		detail, _ := json.Marshal(pipeline.RefreshDetail{Checks: splitList(f.checks), Regions: regions})
		event.DetailType, event.Detail = pipeline.RefreshDetailType, detail
	}
	run, err := p.Scan(ctx, event)
	if err != nil {
		return fail(err)
	}
	findings, err := p.Store.Query(ctx, store.Filter{Account: emulator.DefaultAccount})
	if err != nil {
		return fail(err)
	}
	rep := report.New(report.ScanInfo{Accounts: []string{emulator.DefaultAccount}, Regions: regions, StartedAt: started.UTC(), FinishedAt: time.Now().UTC()}, selected, findings)
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
	if f.stats {
		writeStats(env.Stderr, rep.APICalls)
	}
	return ExitOK
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
