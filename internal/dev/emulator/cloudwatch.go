package emulator

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// cloudWatchQueryProtocol makes CloudWatch clients speak the Query protocol.
//
// Gap: the current Go SDK's CloudWatch client speaks Smithy RPCv2 CBOR,
// which moto 5.2.1 does not understand (it answers 404); CloudWatch also
// serves the Query protocol, which moto does. Against AWS the client keeps
// its default protocol: this option is set only on configurations made for
// the emulator (Adapt).
func cloudWatchQueryProtocol(_ string, options any) {
	if o, ok := options.(*cloudwatch.Options); ok {
		o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
	}
}
