// Command securityhub is the optional Lambda function on the findings
// table's stream (-c securityHub=true): it imports every change of a
// finding of its own account into AWS Security Hub as ASFF.
package main

import (
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/securityhub"
)

func main() {
	lambdastart.Serve(securityhub.New, func(e *securityhub.Exporter) any { return e.Handle })
}
