// Command notifier is the Lambda function on the findings table's stream: it
// publishes findings that turned red to the alert topic.
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
	notifier, err := pipeline.NewNotifier(cfg, os.Getenv)
	if err != nil {
		slog.Error("init", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(notifier.Handle)
}
