package awsx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want Kind
	}{
		{&smithy.GenericAPIError{Code: "AccessDenied"}, KindAccessDenied},
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, KindAccessDenied},
		{&smithy.GenericAPIError{Code: "UnauthorizedOperation"}, KindAccessDenied},
		{&smithy.GenericAPIError{Code: "Throttling"}, KindThrottled},
		{&smithy.GenericAPIError{Code: "RequestLimitExceeded"}, KindThrottled},
		{&smithy.GenericAPIError{Code: "SlowDown"}, KindThrottled},
		{&smithy.GenericAPIError{Code: "SubscriptionRequiredException"}, KindNotSubscribed},
		{&smithy.GenericAPIError{Code: "NoSuchEntity"}, KindNotFound},
		{&smithy.GenericAPIError{Code: "InvalidSnapshot.NotFound"}, KindNotFound},
		{&smithy.GenericAPIError{Code: "DBSnapshotNotFound"}, KindNotFound},
		{&smithy.GenericAPIError{Code: "InternalError"}, KindOther},
		{fmt.Errorf("iam GetUser: %w", &smithy.GenericAPIError{Code: "AccessDenied"}), KindAccessDenied},
		{errors.New("connection reset"), KindOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"})
	if got, want := Describe(err), "access denied (AccessDenied: not allowed)"; got != want {
		t.Errorf("Describe(%v) = %q, want %q", err, got, want)
	}
}

const callerIdentityXML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`

// TestRetriesAndRecorder checks that transient server errors are retried and
// that the recorder counts one call with every attempt it took.
func TestRetriesAndRecorder(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	var requests atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, callerIdentityXML)
	}))
	defer server.Close()

	recorder := NewRecorder()
	cfg, err := Load(context.Background(), Options{EndpointURL: server.URL, Recorder: recorder})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity after two 503s: %v", err)
	}
	if *out.Account != "111122223333" {
		t.Errorf("account = %q, want 111122223333", *out.Account)
	}
	counts := recorder.Counts()
	if len(counts) != 1 {
		t.Fatalf("recorder counts = %+v, want one operation", counts)
	}
	want := OpCount{OpKey: OpKey{Service: "STS", Operation: "GetCallerIdentity"}, Calls: 1, Attempts: 3}
	if counts[0] != want {
		t.Errorf("recorder = %+v, want %+v", counts[0], want)
	}
}
