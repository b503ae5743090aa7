package emulator

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/middleware"
)

// ssmInventoryEmpty answers Systems Manager GetInventory with an empty
// inventory.
//
// Gap: moto 5.2.1 implements no SSM inventory operation (neither
// PutInventory nor GetInventory), so no emulated instance can have inventory;
// an empty answer is exactly the emulator's state, where moto itself would
// fail the call. Tests of inventory contents use a wire-level fake instead
// (internal/checks/sqlserverendofsupport).
//
// The answer is given at the end of the Finalize step, where the request
// would go on the wire: whatever the Initialize step decides first (a test's
// injected AccessDenied, the API-call recorder) still sees the call.
func ssmInventoryEmpty() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("emulatorSSMInventoryEmpty",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if awsmiddleware.GetServiceID(ctx) != ssm.ServiceID || middleware.GetOperationName(ctx) != "GetInventory" {
					return next.HandleFinalize(ctx, in)
				}
				return middleware.FinalizeOutput{Result: &ssm.GetInventoryOutput{}}, middleware.Metadata{}, nil
			}), middleware.After)
	}
}
