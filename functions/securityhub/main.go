// Command securityhub is the optional Lambda function on the findings
// table's stream (-c securityHub=true): it imports every change of a
// finding of its own account into AWS Security Hub as ASFF.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/securityhub"
)

func main() {
	lambdastart.Start(func(_ context.Context, cfg aws.Config) (any, error) {
		e, err := securityhub.New(cfg, os.Getenv)
		if err != nil {
			return nil, err
		}
		return e.Handle, nil
	})
}
