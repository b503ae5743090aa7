// Command digest is the Lambda function on the weekly schedule: it
// publishes the week's digest of the findings table to the alert topic.
package main

import (
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/digest"
)

func main() {
	lambdastart.Serve(digest.New, func(h *digest.Handler) any { return h.Handle })
}
