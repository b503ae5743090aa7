package emulator

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// s3ControlKeepBaseHost undoes the account-ID host prefix on S3 Control
// requests to the emulator.
//
// Gap: S3 Control's endpoint rules put the account ID in front of the host
// ("123456789012.s3-control.us-east-1.amazonaws.com"). Against the emulator
// that makes "123456789012.127.0.0.1", which does not resolve. moto routes
// S3 Control by its "/v20180820/" path and reads the account from the
// x-amz-account-id header, so sending the request to the base URL is all it
// needs. The rewrite runs just before the request goes on the wire, after
// endpoint resolution, the host prefix and signing (moto checks no signatures).
func s3ControlKeepBaseHost(base aws.Config) func(*middleware.Stack) error {
	baseHost := ""
	if u, err := url.Parse(aws.ToString(base.BaseEndpoint)); err == nil {
		baseHost = u.Host
	}
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("emulatorS3ControlBaseHost",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if ok && baseHost != "" && awsmiddleware.GetServiceID(ctx) == "S3 Control" && strings.HasSuffix(req.URL.Host, "."+baseHost) {
					req.URL.Host = baseHost
					req.Host = ""
				}
				return next.HandleDeserialize(ctx, in)
			}), middleware.Before)
	}
}
