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
func ssmInventoryEmpty() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("emulatorSSMInventoryEmpty",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if _, ok := in.Parameters.(*ssm.GetInventoryInput); !ok || awsmiddleware.GetOperationName(ctx) != "GetInventory" {
					return next.HandleInitialize(ctx, in)
				}
				return middleware.InitializeOutput{Result: &ssm.GetInventoryOutput{}}, middleware.Metadata{}, nil
			}), middleware.After)
	}
}
