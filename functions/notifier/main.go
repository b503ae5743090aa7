// Command notifier is the Lambda function on the findings table's stream: it
// publishes findings that turned red to the alert topic.
package main

import (
	"github.com/secadvisor/secadvisor/internal/lambdastart"
	"github.com/secadvisor/secadvisor/internal/pipeline/notifier"
)

func main() {
	lambdastart.Serve(notifier.New, func(n *notifier.Notifier) any { return n.Handle })
}
