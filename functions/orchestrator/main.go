// Command orchestrator is the scheduled Lambda function that plans a scan
// and sends one SQS message per (account, region, check) job; on a
// CloudTrail event it sends the re-check jobs the API call asks for.
package main

import (
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/orchestrator"
)

func main() {
	lambdastart.Serve(orchestrator.New, func(o *orchestrator.Orchestrator) any { return o.Handle })
}
