package member

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Caller is who cfg's credentials are: the Own and Partition of the Entry
// that enters the other accounts.
type Caller struct {
	Account string
	// Partition is the partition of the caller's ARN: aws, aws-cn or
	// aws-us-gov. The ARNs of roles in other accounts are built in it.
	Partition string
}

// CallerOf asks STS who cfg's credentials are.
func CallerOf(ctx context.Context, cfg aws.Config) (Caller, error) {
	return Identify(ctx, sts.NewFromConfig(cfg))
}

// IdentityAPI is the part of the STS client Identify calls.
type IdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var _ IdentityAPI = (*sts.Client)(nil)

// Identify asks STS, through api, who the caller is. A caller ARN that does
// not parse is an error rather than a guess of partition "aws": the member
// role's ARN is built in the caller's partition, and a wrong guess (in
// aws-cn or aws-us-gov) would fail every account later, far from the cause.
func Identify(ctx context.Context, api IdentityAPI) (Caller, error) {
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, check.WrapOp("sts GetCallerIdentity", err)
	}
	caller, err := arn.Parse(aws.ToString(out.Arn))
	if err != nil {
		return Caller{}, fmt.Errorf("sts GetCallerIdentity: caller ARN %q: %w", aws.ToString(out.Arn), err)
	}
	return Caller{Account: aws.ToString(out.Account), Partition: caller.Partition}, nil
}
