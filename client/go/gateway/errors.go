package gateway

import (
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Domain is the google.rpc.ErrorInfo domain of the gateway's own errors.
const Domain = "providergateway"

// ErrorDetails is what the gateway says about a failed call, decoded from the status details.
type ErrorDetails struct {
	// Code is the gRPC status code, for example codes.ResourceExhausted.
	Code codes.Code
	// Message is the server's human-readable message.
	Message string
	// Reason is ErrorInfo.reason, for example "PROVIDER_RATE_LIMIT"; empty without ErrorInfo.
	Reason string
	// Domain is ErrorInfo.domain ("providergateway" for the gateway's errors).
	Domain string
	// Metadata is ErrorInfo.metadata: "provider", "model" and, for upstream HTTP failures,
	// "http_status".
	Metadata map[string]string
	// RetryDelay is RetryInfo.retry_delay: how long to wait before retrying. Zero (with
	// HasRetryDelay false) when the server gave no hint.
	RetryDelay    time.Duration
	HasRetryDelay bool
	// FieldViolations are the invalid fields of a rejected request, from BadRequest.
	FieldViolations []*errdetails.BadRequest_FieldViolation
}

// ErrorDetailsOf decodes err's gRPC status (status.FromError, so wrapped errors work too).
// ok is false when err is nil or carries no gRPC status.
func ErrorDetailsOf(err error) (details ErrorDetails, ok bool) {
	if err == nil {
		return ErrorDetails{}, false
	}
	st, ok := status.FromError(err)
	if !ok {
		return ErrorDetails{}, false
	}
	return detailsOf(st), true
}

// Reason returns the gateway's ErrorInfo.reason of err, or "" if it has none.
func Reason(err error) string {
	details, _ := ErrorDetailsOf(err)
	return details.Reason
}

// RetryDelay returns the RetryInfo delay of err; ok is false when the server gave none.
func RetryDelay(err error) (delay time.Duration, ok bool) {
	details, _ := ErrorDetailsOf(err)
	return details.RetryDelay, details.HasRetryDelay
}

// IsRetryable tells whether the same request may succeed later: true for Unavailable (gateway
// or provider unreachable, or a provider's circuit open), DeadlineExceeded, and
// ResourceExhausted with a retry delay (a rate limit rather than a hard quota). The client
// never retries by itself: model calls cost money and are not idempotent.
func IsRetryable(err error) bool {
	details, ok := ErrorDetailsOf(err)
	if !ok {
		return false
	}
	switch details.Code {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	case codes.ResourceExhausted:
		return details.HasRetryDelay
	default:
		return false
	}
}

func detailsOf(st *status.Status) ErrorDetails {
	d := ErrorDetails{Code: st.Code(), Message: st.Message(), Metadata: map[string]string{}}
	var info *errdetails.ErrorInfo
	for _, detail := range st.Details() {
		switch v := detail.(type) {
		case *errdetails.ErrorInfo:
			if info == nil || (info.GetDomain() != Domain && v.GetDomain() == Domain) {
				info = v
			}
		case *errdetails.RetryInfo:
			if !d.HasRetryDelay && v.GetRetryDelay() != nil {
				d.RetryDelay, d.HasRetryDelay = v.GetRetryDelay().AsDuration(), true
			}
		case *errdetails.BadRequest:
			d.FieldViolations = append(d.FieldViolations, v.GetFieldViolations()...)
		}
	}
	if info != nil {
		d.Reason, d.Domain = info.GetReason(), info.GetDomain()
		for k, v := range info.GetMetadata() {
			d.Metadata[k] = v
		}
	}
	return d
}

// errClosed is returned by a Converse session that was closed or has ended.
var errClosed = errors.New("gateway: the Converse session is closed")
