// Command digest is the Lambda function on the weekly schedule: it
// publishes the week's digest of the findings table to the alert topic.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/digest"
)

func main() {
	lambdastart.Start(func(_ context.Context, cfg aws.Config) (any, error) {
		h, err := digest.New(cfg, os.Getenv)
		if err != nil {
			return nil, err
		}
		return h.Handle, nil
	})
}
