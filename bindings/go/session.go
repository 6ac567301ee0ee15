package sockjs

import (
	"net/http"
	"unsafe"
)

// Session is one SockJS connection, whatever its transport. It arrives with
// EventOpen; its methods are safe from any goroutine.
type Session struct {
	srv       *Server
	id        ConnID
	service   int
	prefix    string
	transport string
	remote    string
	method    string
	url       string
	header    http.Header
	query     string
	client    string
}

// ID is the session's id, unique within its server.
func (c *Session) ID() ConnID { return c.id }

// Service is the id of the service the session belongs to.
func (c *Session) Service() int { return c.service }

// Prefix is the service's URL prefix.
func (c *Session) Prefix() string { return c.prefix }

// Transport is the transport name: "websocket", "websocket-raw",
// "xhr-polling", "xhr-streaming", "eventsource", "htmlfile", "jsonp-polling".
func (c *Session) Transport() string { return c.transport }

// RemoteAddr is the peer address as "ip:port".
func (c *Session) RemoteAddr() string { return c.remote }

// URL is the request target (path and query) that opened the session.
func (c *Session) URL() string { return c.url }

// Header holds the exposed request headers of the request that opened the
// session (a whitelist as in sockjs-node; Cookie only with ExposeCookies).
// Treat it as read-only.
func (c *Session) Header() http.Header { return c.header }

// Query is the URL's query string without '?' ("" when none).
func (c *Session) Query() string { return c.query }

// ClientAddr is the client's IP address: the peer's, or the one a trusted
// proxy (Options.TrustedProxies) reported in X-Forwarded-For / X-Real-IP.
func (c *Session) ClientAddr() string { return c.client }

// Accept lets a session of a service with Authorize open: "o" goes out,
// then what was sent meanwhile; the client's messages that arrived
// meanwhile follow as EventMessage. ErrState (an *Error with StatusState)
// when it is not waiting for a decision.
func (c *Session) Accept() error {
	return c.srv.op(func(h unsafe.Pointer) error { return cAccept(h, uint64(c.id)) })
}

// Reject refuses a session of a service with Authorize: the client gets
// c[code,"reason"] instead of "o", nothing it sent is reported, and one
// EventClose with this code and reason follows. Code is 1000 or
// 3000..4999 (4401, 4403 read well); "" reason means "Rejected".
func (c *Session) Reject(code int, reason string) error {
	return c.srv.op(func(h unsafe.Pointer) error { return cReject(h, uint64(c.id), code, reason) })
}

// Send queues one UTF-8 message. It returns ErrBufferFull when the send
// buffer is full (nothing was queued: wait for EventDrain and retry),
// ErrClosed when the session is closing, ErrUnknownSession when it is gone.
func (c *Session) Send(msg []byte) error { return c.srv.Send(c.id, msg) }

// SendString is Send for a string, without a copy on the Go side.
func (c *Session) SendString(msg string) error { return c.srv.SendString(c.id, msg) }

// Close closes the session with a close frame c[code,"reason"]. Code is
// 1000 or 3000..4999; EventClose follows.
func (c *Session) Close(code int, reason string) error {
	return c.srv.CloseConn(c.id, code, reason)
}
