// Command orchestrator is the scheduled Lambda function that plans a scan
// and sends one SQS message per (account, region, check) job.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx := context.Background()
	cfg, err := pipeline.LoadConfig(ctx)
	if err != nil {
		slog.Error("init", "err", err.Error())
		os.Exit(1)
	}
	orchestrator, err := pipeline.NewOrchestrator(cfg, os.Getenv)
	if err != nil {
		slog.Error("init", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(orchestrator.Handle)
}
