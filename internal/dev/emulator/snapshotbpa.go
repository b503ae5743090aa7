package emulator

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The states of block public access for snapshots, as the EC2 API names them.
const (
	snapshotBlockAllSharing = "block-all-sharing"
	snapshotBlockNewSharing = "block-new-sharing"
	snapshotUnblocked       = "unblocked"
)

// snapshotBlockKey says whose setting it is: one emulator (its host:port),
// account and region, as the setting of an AWS account is per region.
type snapshotBlockKey struct {
	host, account, region string
}

var snapshotBlock = struct {
	sync.Mutex
	state map[snapshotBlockKey]string
}{state: map[snapshotBlockKey]string{}}

// snapshotBlockPublicAccess answers EC2 GetSnapshotBlockPublicAccessState,
// EnableSnapshotBlockPublicAccess and DisableSnapshotBlockPublicAccess, so
// that tests set the state through the SDK, as an account owner would. A
// region starts "unblocked", the state of an account that never enabled it.
//
// Gap: moto 5.2.1 does not implement block public access for snapshots. The
// answers follow the EC2 API reference (2016-11-15): Get returns state and
// managedBy ("account"), Enable returns the new state and accepts only
// block-all-sharing or block-new-sharing, Disable returns "unblocked". The
// state lives in this process, keyed by emulator, account and region: an
// emulator reset does not clear it (tests use fresh accounts), and a member
// account reached through AssumeRole, which carries no account header, shares
// the default account's state.
func snapshotBlockPublicAccess() func(*middleware.Stack) error {
	return wireFake("emulatorSnapshotBlockPublicAccess", "EC2", func(ctx context.Context, operation string, req *smithyhttp.Request) *http.Response {
		switch operation {
		case "GetSnapshotBlockPublicAccessState", "EnableSnapshotBlockPublicAccess", "DisableSnapshotBlockPublicAccess":
		default:
			return nil
		}
		key := snapshotBlockKey{host: req.URL.Host, account: req.Header.Get(AccountHeader), region: awsmiddleware.GetRegion(ctx)}
		if key.account == "" {
			key.account = DefaultAccount
		}
		form, err := queryForm(req)
		if err != nil {
			return ec2ErrorResponse(http.StatusBadRequest, "InvalidParameterValue", "could not read the request: "+err.Error())
		}
		snapshotBlock.Lock()
		defer snapshotBlock.Unlock()
		state, ok := snapshotBlock.state[key]
		if !ok {
			state = snapshotUnblocked
		}
		switch operation {
		case "GetSnapshotBlockPublicAccessState":
			return ec2Response(operation, map[string]string{"state": state, "managedBy": "account"})
		case "EnableSnapshotBlockPublicAccess":
			want := form.Get("State")
			if want != snapshotBlockAllSharing && want != snapshotBlockNewSharing {
				return ec2ErrorResponse(http.StatusBadRequest, "InvalidParameterValue",
					"Value ("+want+") for parameter State is invalid. Valid values are: block-all-sharing, block-new-sharing.")
			}
			snapshotBlock.state[key] = want
			return ec2Response(operation, map[string]string{"state": want})
		default: // DisableSnapshotBlockPublicAccess
			snapshotBlock.state[key] = snapshotUnblocked
			return ec2Response(operation, map[string]string{"state": snapshotUnblocked})
		}
	})
}

// queryForm reads an EC2 Query request's form-encoded body. It is read from
// the start (signing has read it already) and not restored: the request is
// never sent.
func queryForm(req *smithyhttp.Request) (url.Values, error) {
	if req.GetStream() == nil {
		return url.Values{}, nil
	}
	if err := req.RewindStream(); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(req.GetStream())
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(string(body))
}

// ec2Response is an EC2 Query answer to operation: an
// <OperationResponse> document with a requestId and the given elements, in
// sorted order (EC2's clients read elements by name, not position).
func ec2Response(operation string, elements map[string]string) *http.Response {
	var body bytes.Buffer
	body.WriteString(xml.Header)
	body.WriteString(`<` + operation + `Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>emulator-fake</requestId>`)
	for _, name := range slices.Sorted(maps.Keys(elements)) {
		body.WriteString("<" + name + ">")
		_ = xml.EscapeText(&body, []byte(elements[name]))
		body.WriteString("</" + name + ">")
	}
	body.WriteString(`</` + operation + `Response>`)
	return xmlResponse(http.StatusOK, body.Bytes())
}

// ec2ErrorResponse is an EC2 Query error, shaped as EC2 sends it.
func ec2ErrorResponse(status int, code, message string) *http.Response {
	var body bytes.Buffer
	body.WriteString(xml.Header)
	body.WriteString("<Response><Errors><Error><Code>")
	_ = xml.EscapeText(&body, []byte(code))
	body.WriteString("</Code><Message>")
	_ = xml.EscapeText(&body, []byte(message))
	body.WriteString("</Message></Error></Errors><RequestID>emulator-fake</RequestID></Response>")
	return xmlResponse(status, body.Bytes())
}

func xmlResponse(status int, body []byte) *http.Response {
	header := http.Header{}
	header.Set("Content-Type", "text/xml;charset=UTF-8")
	return httpResponse(status, header, body)
}
