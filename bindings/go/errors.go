package sockjs

import (
	"errors"
	"fmt"
)

// Status is a libsockjs status code (the sockjs_status values of sockjs.h).
type Status int

// The status codes of sockjs.h. StatusNoCgo is Go-only: the package was
// built without cgo and cannot reach the C library.
const (
	StatusOK              Status = 0
	StatusInvalidArgument Status = -1
	StatusNoMem           Status = -2
	StatusAgain           Status = -3
	StatusUnknownConn     Status = -4
	StatusClosed          Status = -5
	StatusState           Status = -6
	StatusProtocol        Status = -7
	StatusIO              Status = -8
	StatusLimit           Status = -9
	StatusFatal           Status = -100
	StatusInternal        Status = -101
	StatusNoCgo           Status = -1000
)

var statusNames = map[Status]string{
	StatusOK:              "SOCKJS_OK",
	StatusInvalidArgument: "SOCKJS_E_INVALID_ARGUMENT",
	StatusNoMem:           "SOCKJS_E_NOMEM",
	StatusAgain:           "SOCKJS_E_AGAIN",
	StatusUnknownConn:     "SOCKJS_E_UNKNOWN_CONN",
	StatusClosed:          "SOCKJS_E_CLOSED",
	StatusState:           "SOCKJS_E_STATE",
	StatusProtocol:        "SOCKJS_E_PROTOCOL",
	StatusIO:              "SOCKJS_E_IO",
	StatusLimit:           "SOCKJS_E_LIMIT",
	StatusFatal:           "SOCKJS_E_FATAL",
	StatusInternal:        "SOCKJS_E_INTERNAL",
	StatusNoCgo:           "NO_CGO",
}

var statusTexts = map[Status]string{
	StatusOK:              "success",
	StatusInvalidArgument: "invalid argument",
	StatusNoMem:           "out of memory",
	StatusAgain:           "send buffer full",
	StatusUnknownConn:     "unknown session",
	StatusClosed:          "closed",
	StatusState:           "not allowed in the current state",
	StatusProtocol:        "protocol error",
	StatusIO:              "I/O error",
	StatusLimit:           "limit exceeded",
	StatusFatal:           "fatal error",
	StatusInternal:        "internal error",
	StatusNoCgo:           "libsockjs needs cgo (built with CGO_ENABLED=0)",
}

// String gives the C enum name, e.g. "SOCKJS_E_CLOSED".
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("SOCKJS_E_UNKNOWN(%d)", int(s))
}

// Error is every error this package returns from the library. Compare with
// errors.Is against the sentinels (ErrClosed, ErrBufferFull, ...): two
// *Error values match when their codes are equal, whatever Op and Detail say.
type Error struct {
	Code   Status
	Op     string // the operation, e.g. "send", "listen"
	Detail string // extra text from the library (listen, new), may be empty
	// Err is a more precise cause when there is one (ErrListenOnly), so
	// that errors.Is matches both it and the sentinel of Code.
	Err error
}

func (e *Error) Error() string {
	msg := statusTexts[e.Code]
	if msg == "" {
		msg = e.Code.String()
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Op != "" {
		return "sockjs: " + e.Op + ": " + msg
	}
	return "sockjs: " + msg
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Sentinels for errors.Is.
var (
	ErrInvalidArgument = &Error{Code: StatusInvalidArgument}
	ErrNoMem           = &Error{Code: StatusNoMem}
	// ErrBufferFull: the session's send buffer is full; nothing was queued.
	// Wait for an EventDrain for that session and send again.
	ErrBufferFull = &Error{Code: StatusAgain}
	// ErrUnknownSession: no such session, or it is gone.
	ErrUnknownSession = &Error{Code: StatusUnknownConn}
	// ErrClosed: the session or the server is closing or closed.
	ErrClosed   = &Error{Code: StatusClosed}
	ErrState    = &Error{Code: StatusState}
	ErrProtocol = &Error{Code: StatusProtocol}
	ErrIO       = &Error{Code: StatusIO}
	ErrLimit    = &Error{Code: StatusLimit}
	ErrFatal    = &Error{Code: StatusFatal}
	ErrInternal = &Error{Code: StatusInternal}
	// ErrNoCgo: this build has no cgo, so there is no library to call.
	ErrNoCgo = &Error{Code: StatusNoCgo}
)

// ErrListenOnly: NewHandler (or Handler, which panics with it) on a server
// configured with Options.Backplane, which runs on the library's own I/O
// loop and so needs Listen. The *Error it comes in has StatusState, so it
// matches ErrState too.
var ErrListenOnly = errors.New("sockjs: needs Listen mode")

// ErrUnknownConn is another name for ErrUnknownSession (the C name).
var ErrUnknownConn = ErrUnknownSession

// statusError turns a C return code into nil or an *Error.
func statusError(op string, rc int) error {
	if rc >= 0 {
		return nil
	}
	return &Error{Code: Status(rc), Op: op}
}
