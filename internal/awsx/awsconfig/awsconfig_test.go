package awsconfig

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

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

	recorder := awsx.NewRecorder()
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
	want := awsx.OpCount{OpKey: awsx.OpKey{Service: "STS", Operation: "GetCallerIdentity"}, Calls: 1, Attempts: 3}
	if counts[0] != want {
		t.Errorf("recorder = %+v, want %+v", counts[0], want)
	}
}

// TestRecorderTellsNotFoundFromErrors: a "no such thing" answer (IAM's
// NoSuchEntity for an account without a password policy) is what a check
// expects to read, so --stats counts it apart from real errors.
func TestRecorderTellsNotFoundFromErrors(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	tests := []struct {
		name       string
		status     int
		code       string
		wantCounts awsx.OpCount
	}{
		{"not found", http.StatusNotFound, "NoSuchEntity", awsx.OpCount{Calls: 1, Attempts: 1, NotFound: 1}},
		{"access denied", http.StatusForbidden, "AccessDenied", awsx.OpCount{Calls: 1, Attempts: 1, Errors: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`, tt.code)
			}))
			defer server.Close()
			recorder := awsx.NewRecorder()
			cfg, err := Load(context.Background(), Options{EndpointURL: server.URL, Recorder: recorder})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if _, err := iam.NewFromConfig(cfg).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{}); err == nil {
				t.Fatal("GetAccountPasswordPolicy: no error, want one")
			}
			want := tt.wantCounts
			want.OpKey = awsx.OpKey{Service: "IAM", Operation: "GetAccountPasswordPolicy"}
			if got := recorder.Counts(); len(got) != 1 || got[0] != want {
				t.Errorf("recorder = %+v, want [%+v]", got, want)
			}
		})
	}
}
