package sockjs

import (
	"net/http"
	"strconv"
	"strings"
)

// Request is an HTTP request that matched no service, forwarded to the
// application because Options.ForwardUnmatched is on (EventRequest). It
// lets a program serve its own pages on the listening port. Answer each
// one exactly once with Respond; its methods are safe from any goroutine.
type Request struct {
	srv    *Server
	id     ConnID
	method string
	url    string
	remote string
	header http.Header
}

// ID is the request's id (from the same sequence as session ids).
func (r *Request) ID() ConnID { return r.id }

// Method is the request method, e.g. "GET".
func (r *Request) Method() string { return r.method }

// URL is the request target: path and query.
func (r *Request) URL() string { return r.url }

// RemoteAddr is the peer address as "ip:port".
func (r *Request) RemoteAddr() string { return r.remote }

// Header holds every request header. Treat it as read-only.
func (r *Request) Header() http.Header { return r.header }

// Respond answers the request with status (100..599, not 101), header and
// body. A Content-Type in header becomes the response's content type (none
// is sent without one); the library adds Content-Length and the
// connection headers. It returns ErrUnknownSession when the request was
// already answered or its connection dropped, ErrInvalidArgument for a bad
// status or a header containing CR or LF.
func (r *Request) Respond(status int, header http.Header, body []byte) error {
	var contentType string
	var lines strings.Builder
	for name, values := range header {
		// One header per line: CR or LF would let a value add others.
		if strings.ContainsAny(name, "\r\n: ") || name == "" {
			return &Error{Code: StatusInvalidArgument, Op: "respond", Detail: "bad header name " + strconv.Quote(name)}
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n") {
				return &Error{Code: StatusInvalidArgument, Op: "respond", Detail: "CR or LF in header " + name}
			}
		}
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			if len(values) > 0 {
				contentType = values[0]
			}
			continue
		}
		for _, v := range values {
			lines.WriteString(name)
			lines.WriteString(": ")
			lines.WriteString(v)
			lines.WriteString("\r\n")
		}
	}
	return r.srv.respond(r.id, status, contentType, lines.String(), body)
}
