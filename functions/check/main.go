// Command check is the Lambda function of one check (CHECK_ID): it runs the
// jobs SQS delivers and writes their findings to the findings table.
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
	worker, err := pipeline.NewWorker(ctx, cfg, os.Getenv)
	if err != nil {
		slog.Error("init", "check_id", os.Getenv(pipeline.EnvCheckID), "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(worker.Handle)
}
