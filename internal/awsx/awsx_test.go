package awsx

import (
	"errors"
	"fmt"
	"testing"

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
