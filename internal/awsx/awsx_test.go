package awsx

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
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

// TestCountingLeavesTheOriginalAlone: recorders installed on two copies of
// one configuration land each in its own copy, even when the original's
// APIOptions has spare capacity that a plain append would share.
func TestCountingLeavesTheOriginalAlone(t *testing.T) {
	t.Parallel()
	var base aws.Config
	base.APIOptions = make([]func(*middleware.Stack) error, 0, 4)
	a := NewRecorder().Counting(base)
	b := NewRecorder().Counting(base)
	if len(base.APIOptions) != 0 || len(a.APIOptions) != 1 || len(b.APIOptions) != 1 {
		t.Fatalf("APIOptions lengths: base %d, a %d, b %d; want 0, 1, 1", len(base.APIOptions), len(a.APIOptions), len(b.APIOptions))
	}
	if &a.APIOptions[0] == &b.APIOptions[0] {
		t.Error("the two copies share one backing array: the second recorder replaced the first's")
	}
}
