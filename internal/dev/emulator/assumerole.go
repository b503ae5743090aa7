package emulator

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// assumeOnlyExistingRoles makes sts AssumeRole fail, as AWS does, when the
// role does not exist in its account.
//
// Gap: moto 5.2.1 hands out credentials for any role ARN ("the role does not
// need to exist"), so an account of an organization that lacks the member
// role would look enterable. AWS answers AccessDenied ("is not authorized to
// perform: sts:AssumeRole on resource"); the patch asks the role's account
// for the role (iam GetRole, through a configuration of the same emulator)
// and answers the same way when it is missing.
func assumeOnlyExistingRoles(base aws.Config) func(*middleware.Stack) error {
	url := aws.ToString(base.BaseEndpoint)
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("emulatorAssumeExistingRoles",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				params, ok := in.Parameters.(*sts.AssumeRoleInput)
				if !ok {
					return next.HandleInitialize(ctx, in)
				}
				roleARN := aws.ToString(params.RoleArn)
				role, err := arn.Parse(roleARN)
				if err != nil || !strings.HasPrefix(role.Resource, "role/") {
					return next.HandleInitialize(ctx, in)
				}
				name := role.Resource[strings.LastIndex(role.Resource, "/")+1:]
				_, err = iam.NewFromConfig(Config(url, role.AccountID)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
				switch {
				case awsx.Is(err, awsx.KindNotFound):
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{
						Code:    "AccessDenied",
						Message: fmt.Sprintf("User is not authorized to perform: sts:AssumeRole on resource: %s", roleARN),
						Fault:   smithy.FaultClient,
					}
				case err != nil:
					return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("emulator patch: iam GetRole %s: %w", roleARN, err)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}
