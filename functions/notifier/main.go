// Command notifier is the Lambda function on the findings table's stream: it
// publishes findings that turned red to the alert topic.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/notifier"
)

func main() {
	lambdastart.Start(func(_ context.Context, cfg aws.Config) (any, error) {
		n, err := notifier.New(cfg, os.Getenv)
		if err != nil {
			return nil, err
		}
		return n.Handle, nil
	})
}
