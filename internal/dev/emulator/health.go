package emulator

import (
	"context"
	"net/http"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// healthNoEvents answers AWS Health DescribeEvents and DescribeEventDetails
// as the API does for an account that has no Health events: an empty event
// list, and every event ARN asked about in the failed set.
//
// Gap: moto 5.2.1 does not implement AWS Health (it answers HTTP 500). An
// emulated account has no Health events, so "none" is exactly its state,
// where moto itself would fail the call. It says nothing about the support
// plan: real AWS answers SubscriptionRequiredException without a Business
// plan, which the checks' own wire-level fakes test
// (internal/checks/exposedaccesskeys).
func healthNoEvents() func(*middleware.Stack) error {
	return wireFake("emulatorHealthNoEvents", "Health", func(_ context.Context, operation string, req *smithyhttp.Request) *http.Response {
		switch operation {
		case "DescribeEvents":
			return jsonResponse(http.StatusOK, "", map[string]any{"events": []any{}})
		case "DescribeEventDetails":
			var in struct {
				EventArns []string `json:"eventArns"`
			}
			if err := requestBody(req, &in); err != nil {
				return jsonResponse(http.StatusBadRequest, "ValidationException", map[string]string{"message": err.Error()})
			}
			failed := make([]map[string]string, 0, len(in.EventArns))
			for _, arn := range in.EventArns {
				failed = append(failed, map[string]string{"eventArn": arn, "errorMessage": "No event with this ARN in the account."})
			}
			return jsonResponse(http.StatusOK, "", map[string]any{"successfulSet": []any{}, "failedSet": failed})
		}
		return nil
	})
}
