package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// wireAnswer is a fake's answer to one request: an HTTP response as the real
// service would send it, or nil to send the request to the emulator.
type wireAnswer func(ctx context.Context, operation string, req *smithyhttp.Request) *http.Response

// wireFake answers calls to the service (its SDK service ID, e.g. "Health")
// with the HTTP responses answer makes, instead of sending them.
//
// It is the last middleware of the Deserialize step, where the request is
// built and signed and would go on the wire. Everything before it runs as for
// a call to AWS: middleware that fails a call early (emutest.Deny, at
// Initialize) still wins, retries and the call recorder still count, and the
// SDK deserializes the answer as it would the service's.
func wireFake(name, serviceID string, answer wireAnswer) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(name,
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				service, operation := awsx.Operation(ctx)
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok || service != serviceID {
					return next.HandleDeserialize(ctx, in)
				}
				resp := answer(ctx, operation, req)
				if resp == nil {
					return next.HandleDeserialize(ctx, in)
				}
				resp.Request = req.Request
				return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: resp}}, middleware.Metadata{}, nil
			}), middleware.After)
	}
}

// jsonResponse is an HTTP response with v as its JSON body. errorType, when
// set, names the error the way AWS JSON protocols do (X-Amzn-ErrorType).
func jsonResponse(status int, errorType string, v any) *http.Response {
	body, err := json.Marshal(v)
	if err != nil {
		// The fakes marshal plain values only; should one ever fail, the
		// client sees a server error, as from a broken service.
		status, errorType = http.StatusInternalServerError, "InternalFailure"
		body = []byte(`{"__type":"InternalFailure","message":"emulator fake could not encode its answer"}`)
	}
	header := http.Header{}
	header.Set("Content-Type", "application/json")
	if errorType != "" {
		header.Set("X-Amzn-ErrorType", errorType)
	}
	return httpResponse(status, header, body)
}

// httpResponse is a fake's HTTP/1.1 answer: status, header and body, with
// the body's Content-Length.
func httpResponse(status int, header http.Header, body []byte) *http.Response {
	header.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: header, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
	}
}

// requestBody reads a request's JSON body, if any, into v. It is read from
// the start (signing has read it already) and not restored: the request is
// never sent.
func requestBody(req *smithyhttp.Request, v any) error {
	if req.GetStream() == nil {
		return nil
	}
	if err := req.RewindStream(); err != nil {
		return err
	}
	if err := json.NewDecoder(req.GetStream()).Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
