package emulator

import (
	"context"

	"github.com/aws/smithy-go/middleware"
)

// afterSuccess is a patch that lets every call run and then, when it
// succeeded, hands fix the call's input parameters and its output to
// correct in place. An error from fix fails the call; the output is
// returned with it as fix left it. The patch is added at the end of the
// Initialize step.
func afterSuccess(name string, fix func(ctx context.Context, params, result any) error) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(name,
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				return out, md, fix(ctx, in.Parameters, out.Result)
			}), middleware.After)
	}
}
