// Package faultinject is an http.RoundTripper that makes a working endpoint
// (the emulator) behave like AWS on a bad day: it answers a share of requests
// with throttling in the calling service's own wire protocol, with HTTP 500
// or 503 and an empty body, or with a connection reset, and it delays others.
// It exists to prove that transient faults, retried by the production
// retryer, change nothing in a scan's findings.
//
// Faults are drawn from a seeded generator, so a run is reproducible up to
// the order in which concurrent requests arrive.
package faultinject

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Kind is one kind of injected fault.
type Kind string

// The kinds of fault, in the order Options.Kinds defaults to.
const (
	// Throttle answers with the service's throttling error, in its protocol.
	Throttle Kind = "throttle"
	// ServerError answers HTTP 500 with an empty body.
	ServerError Kind = "http-500"
	// Unavailable answers HTTP 503 with an empty body.
	Unavailable Kind = "http-503"
	// Reset fails the round trip as a connection reset by the peer.
	Reset Kind = "connection-reset"
	// Latency delays the request, then lets it through.
	Latency Kind = "latency"
)

// AllKinds lists every kind of fault.
var AllKinds = []Kind{Throttle, ServerError, Unavailable, Reset, Latency}

// Options configure a Transport.
type Options struct {
	// Rate is the share of requests that get a fault, from 0 to 1.
	Rate float64
	// Seed seeds the generator that picks the faulted requests and the kind.
	Seed uint64
	// Kinds are the faults to draw from, uniformly (AllKinds when empty).
	Kinds []Kind
	// MaxLatency bounds the delay of a Latency fault (50 ms when zero).
	MaxLatency time.Duration
}

// Transport injects faults in front of Base.
type Transport struct {
	base       http.RoundTripper
	rate       float64
	kinds      []Kind
	maxLatency time.Duration

	mu       sync.Mutex
	rand     *rand.Rand
	requests int
	injected map[Kind]int
}

// New returns a Transport in front of base (http.DefaultTransport when nil).
func New(base http.RoundTripper, opts Options) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = AllKinds
	}
	maxLatency := opts.MaxLatency
	if maxLatency <= 0 {
		maxLatency = 50 * time.Millisecond
	}
	return &Transport{
		base: base, rate: opts.Rate, kinds: kinds, maxLatency: maxLatency,
		rand:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		injected: map[Kind]int{},
	}
}

// Client returns an HTTP client that uses t, for aws.Config.HTTPClient.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// Requests returns how many requests reached the transport.
func (t *Transport) Requests() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.requests
}

// Injected returns how many faults of each kind were injected.
func (t *Transport) Injected() map[Kind]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[Kind]int, len(t.injected))
	for k, n := range t.injected {
		out[k] = n
	}
	return out
}

// Total returns how many faults were injected, latency included.
func (t *Transport) Total() int {
	n := 0
	for _, c := range t.Injected() {
		n += c
	}
	return n
}

// draw decides the fault for one request ("" for none) and, for Latency, the delay.
func (t *Transport) draw() (Kind, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	if t.rand.Float64() >= t.rate {
		return "", 0
	}
	kind := t.kinds[t.rand.IntN(len(t.kinds))]
	t.injected[kind]++
	var delay time.Duration
	if kind == Latency {
		delay = time.Duration(t.rand.Int64N(int64(t.maxLatency)) + 1)
	}
	return kind, delay
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	kind, delay := t.draw()
	switch kind {
	case "":
		return t.base.RoundTrip(req)
	case Latency:
		if err := sleep(req.Context(), delay); err != nil {
			closeBody(req)
			return nil, err
		}
		return t.base.RoundTrip(req)
	case Reset:
		closeBody(req)
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case ServerError:
		closeBody(req)
		return response(req, http.StatusInternalServerError, nil, nil), nil
	case Unavailable:
		closeBody(req)
		return response(req, http.StatusServiceUnavailable, nil, nil), nil
	default: // Throttle
		status, header, body := Throttling(req)
		closeBody(req)
		return response(req, status, header, body), nil
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeBody honours the RoundTripper contract: the request body is closed
// even when the request is not sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

func response(req *http.Request, status int, header http.Header, body []byte) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Length", fmt.Sprint(len(body)))
	header.Set("X-Amzn-Requestid", "faultinject-0000")
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// Protocol is an AWS wire protocol, as far as error responses differ.
type Protocol string

// The protocols the scanner's clients speak.
const (
	// EC2Query is EC2's query protocol: <Response><Errors><Error>.
	EC2Query Protocol = "ec2Query"
	// AWSQuery is the query protocol of IAM, STS, RDS, ELB: <ErrorResponse><Error>.
	AWSQuery Protocol = "awsQuery"
	// AWSJSON is awsJson1.0/1.1 (CloudTrail, SSM): {"__type": ...}.
	AWSJSON Protocol = "awsJson"
	// RPCv2CBOR is Smithy RPC v2 CBOR (CloudWatch): a CBOR map with "__type".
	RPCv2CBOR Protocol = "rpcv2Cbor"
	// RESTJSON is restJson1 (Lambda): X-Amzn-ErrorType and a JSON body.
	RESTJSON Protocol = "restJson1"
	// RESTXML is restXml (Route 53, CloudFront, S3 Control): <ErrorResponse><Error>.
	RESTXML Protocol = "restXml"
	// S3XML is S3's restXml dialect: a bare <Error>.
	S3XML Protocol = "s3"
)

// scopeService finds the signing name in a SigV4 Authorization header:
// Credential=AKID/20250101/us-east-1/ec2/aws4_request.
var scopeService = regexp.MustCompile(`Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request`)

// restXMLServices are the REST services (by signing name) whose errors are XML.
var restXMLServices = map[string]bool{"route53": true, "cloudfront": true}

// ProtocolOf tells the protocol of a signed request from what the SDK put on
// it: the Content-Type and X-Amz-Target headers, the Smithy-Protocol header,
// the signing name in the Authorization header and, for S3 Control, the path.
func ProtocolOf(req *http.Request) Protocol {
	contentType := req.Header.Get("Content-Type")
	service := ""
	if m := scopeService.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	switch {
	case req.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" || strings.HasPrefix(contentType, "application/cbor"):
		return RPCv2CBOR
	case req.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(contentType, "application/x-amz-json"):
		return AWSJSON
	case strings.HasPrefix(contentType, "application/x-www-form-urlencoded"):
		if service == "ec2" {
			return EC2Query
		}
		return AWSQuery
	case service == "s3" && strings.HasPrefix(req.URL.Path, "/v20180820/"):
		return RESTXML // S3 Control signs as s3 but wraps its errors
	case service == "s3":
		return S3XML
	case restXMLServices[service]:
		return RESTXML
	}
	return RESTJSON
}

// Throttling returns the response AWS gives a throttled request in the
// request's protocol: status, headers and body. The codes are the ones each
// service uses and the SDK's retryer treats as throttling.
func Throttling(req *http.Request) (int, http.Header, []byte) {
	const message = "Rate exceeded (injected by faultinject)"
	h := http.Header{}
	switch ProtocolOf(req) {
	case EC2Query:
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		return http.StatusServiceUnavailable, h, fmt.Appendf(nil,
			`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>%s</Message></Error></Errors><RequestID>faultinject-0000</RequestID></Response>`, message)
	case AWSQuery, RESTXML:
		h.Set("Content-Type", "text/xml")
		return http.StatusBadRequest, h, fmt.Appendf(nil,
			`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>%s</Message></Error><RequestId>faultinject-0000</RequestId></ErrorResponse>`, message)
	case S3XML:
		h.Set("Content-Type", "application/xml")
		return http.StatusServiceUnavailable, h, fmt.Appendf(nil,
			`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>%s</Message><RequestId>faultinject-0000</RequestId><HostId>faultinject</HostId></Error>`, message)
	case RPCv2CBOR:
		h.Set("Content-Type", "application/cbor")
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		// Query-compatible services (CloudWatch) also name the query error code.
		h.Set("X-Amzn-Query-Error", "Throttling;Sender")
		return http.StatusBadRequest, h, cborMap("__type", "ThrottlingException", "message", message)
	case RESTJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", "TooManyRequestsException")
		return http.StatusTooManyRequests, h, fmt.Appendf(nil, `{"Type":"User","message":%q}`, message)
	default: // AWSJSON
		h.Set("Content-Type", "application/x-amz-json-1.1")
		return http.StatusBadRequest, h, fmt.Appendf(nil, `{"__type":"ThrottlingException","message":%q}`, message)
	}
}

// cborMap encodes string keys and values as a definite-length CBOR map
// (RFC 8949): major type 5 for the map, 3 for each text string.
func cborMap(kv ...string) []byte {
	var b []byte
	b = cborHead(b, 5, len(kv)/2)
	for _, s := range kv {
		b = cborHead(b, 3, len(s))
		b = append(b, s...)
	}
	return b
}

func cborHead(b []byte, major byte, n int) []byte {
	switch {
	case n < 24:
		return append(b, major<<5|byte(n))
	case n < 256:
		return append(b, major<<5|24, byte(n))
	default:
		return append(b, major<<5|25, byte(n>>8), byte(n))
	}
}
