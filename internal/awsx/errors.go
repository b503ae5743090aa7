package awsx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// Kind classifies an AWS error by what it means for a check.
type Kind string

// The kinds of error a check tells apart.
const (
	KindAccessDenied  Kind = "access denied"
	KindThrottled     Kind = "throttled"
	KindNotSubscribed Kind = "not subscribed"
	KindNotFound      Kind = "not found"
	KindOther         Kind = "error"
)

// Error codes by kind, as the services return them in smithy.APIError.ErrorCode.
var kindByCode = map[string]Kind{
	"AccessDenied":                         KindAccessDenied,
	"AccessDeniedException":                KindAccessDenied,
	"UnauthorizedOperation":                KindAccessDenied,
	"AuthorizationError":                   KindAccessDenied,
	"AuthFailure":                          KindAccessDenied,
	"UnrecognizedClientException":          KindAccessDenied,
	"InvalidClientTokenId":                 KindAccessDenied,
	"ExpiredToken":                         KindAccessDenied,
	"ExpiredTokenException":                KindAccessDenied,
	"AllAccessDisabled":                    KindAccessDenied,
	"Throttling":                           KindThrottled,
	"ThrottlingException":                  KindThrottled,
	"ThrottledException":                   KindThrottled,
	"RequestLimitExceeded":                 KindThrottled,
	"RequestThrottled":                     KindThrottled,
	"RequestThrottledException":            KindThrottled,
	"TooManyRequestsException":             KindThrottled,
	"ProvisionedThroughputExceeded":        KindThrottled,
	"SlowDown":                             KindThrottled,
	"SubscriptionRequiredException":        KindNotSubscribed,
	"OptInRequired":                        KindNotSubscribed,
	"NotSubscribed":                        KindNotSubscribed,
	"NoSuchEntity":                         KindNotFound,
	"NoSuchEntityException":                KindNotFound,
	"NoSuchBucket":                         KindNotFound,
	"NoSuchBucketPolicy":                   KindNotFound,
	"NoSuchPublicAccessBlockConfiguration": KindNotFound,
	"ResourceNotFoundException":            KindNotFound,
	"NotFoundException":                    KindNotFound,
	"NotFound":                             KindNotFound,
	"TrailNotFoundException":               KindNotFound,
}

// Classify returns the kind of err, judged by the API error code only (never
// by message text). Codes ending in "NotFound" count as not found.
func Classify(err error) Kind {
	code := Code(err)
	if code == "" {
		return KindOther
	}
	if k, ok := kindByCode[code]; ok {
		return k
	}
	if strings.HasSuffix(code, "NotFound") || strings.HasSuffix(code, ".NotFound") {
		return KindNotFound
	}
	return KindOther
}

// Code returns the AWS error code of err, or "" when err is no API error.
func Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && Classify(err) == k }

// Describe renders err for a finding's reason: its kind, code and message,
// without request IDs or other noise.
func Describe(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.ErrorMessage()
		if msg == "" {
			return fmt.Sprintf("%s (%s)", Classify(err), apiErr.ErrorCode())
		}
		return fmt.Sprintf("%s (%s: %s)", Classify(err), apiErr.ErrorCode(), msg)
	}
	return err.Error()
}
