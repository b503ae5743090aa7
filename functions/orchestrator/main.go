// Command orchestrator is the scheduled Lambda function that plans a scan
// and sends one SQS message per (account, region, check) job; on a
// CloudTrail event it sends the re-check jobs the API call asks for.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
)

func main() {
	lambdastart.Start(func(_ context.Context, cfg aws.Config) (any, error) {
		o, err := orchestrator.New(cfg, os.Getenv)
		if err != nil {
			return nil, err
		}
		return o.Handle, nil
	})
}
