package sockjs

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsIs(t *testing.T) {
	err := statusError("send", int(StatusAgain))
	if !errors.Is(err, ErrBufferFull) || errors.Is(err, ErrClosed) {
		t.Fatalf("errors.Is on %v", err)
	}
	wrapped := fmt.Errorf("app: %w", statusError("close", int(StatusClosed)))
	if !errors.Is(wrapped, ErrClosed) {
		t.Fatal("wrapped ErrClosed not matched")
	}
	var e *Error
	if !errors.As(wrapped, &e) || e.Code != StatusClosed || e.Op != "close" {
		t.Fatalf("errors.As: %#v", e)
	}
	if statusError("x", 0) != nil || statusError("x", 5) != nil {
		t.Fatal("non-negative codes are not errors")
	}
	if got := err.Error(); got != "sockjs: send: send buffer full" {
		t.Fatalf("message %q", got)
	}
	if StatusUnknownConn.String() != "SOCKJS_E_UNKNOWN_CONN" || Status(-55).String() != "SOCKJS_E_UNKNOWN(-55)" {
		t.Fatal("status names")
	}
	if ErrUnknownConn != ErrUnknownSession {
		t.Fatal("alias")
	}
	// A precise cause is matched along with the sentinel of the code.
	lo := fmt.Errorf("app: %w", &Error{Code: StatusState, Op: "handler", Err: ErrListenOnly})
	if !errors.Is(lo, ErrListenOnly) || !errors.Is(lo, ErrState) || errors.Is(lo, ErrIO) {
		t.Fatalf("errors.Is on %v", lo)
	}
	if errors.Is(statusError("listen", int(StatusState)), ErrListenOnly) {
		t.Fatal("a plain state error matched ErrListenOnly")
	}
}
