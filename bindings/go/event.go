package sockjs

import (
	"fmt"
	"net/http"
)

// ConnID identifies one session within a server; ids are never reused.
type ConnID uint64

// EventType says what an Event reports (the SOCKJS_EVENT_* values).
type EventType int

const (
	// EventOpen: a session opened; Event.Session describes it.
	EventOpen EventType = 1
	// EventMessage: Event.Data holds one message (UTF-8) from the client.
	EventMessage EventType = 2
	// EventClose: the session ended; Event.Code and Event.Reason say why.
	// Exactly one per EventOpen.
	EventClose EventType = 3
	// EventDrain: the session's send buffer fell below half its limit
	// after Send returned ErrBufferFull.
	EventDrain EventType = 4
	// EventServerClosed: Shutdown finished; no event follows.
	EventServerClosed EventType = 5
	// EventRequest: an HTTP request that matched no service, reported
	// because Options.ForwardUnmatched is on; Event.Request describes it
	// and must be answered with Request.Respond.
	EventRequest EventType = 6
)

func (t EventType) String() string {
	switch t {
	case EventOpen:
		return "open"
	case EventMessage:
		return "message"
	case EventClose:
		return "close"
	case EventDrain:
		return "drain"
	case EventServerClosed:
		return "server-closed"
	case EventRequest:
		return "request"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// Event is one application event. Every field is a copy the caller owns.
type Event struct {
	Type    EventType
	Service int      // id of the service (AddService order); -1 for EventServerClosed and EventRequest
	Session *Session // nil for EventServerClosed and EventRequest
	Data    []byte   // EventMessage: the message
	Code    int      // EventClose: the close code
	Reason  string   // EventClose: the close reason
	Request *Request // EventRequest: the forwarded request
}

func (e Event) String() string {
	id := ConnID(0)
	if e.Session != nil {
		id = e.Session.id
	}
	switch e.Type {
	case EventMessage:
		return fmt.Sprintf("message(%d, %q)", id, e.Data)
	case EventClose:
		return fmt.Sprintf("close(%d, %d %q)", id, e.Code, e.Reason)
	case EventRequest:
		if e.Request != nil {
			return fmt.Sprintf("request(%d, %s %q)", e.Request.id, e.Request.method, e.Request.url)
		}
	}
	return fmt.Sprintf("%v(%d)", e.Type, id)
}

// rawEvent is what the C layer hands over, already copied into Go memory.
type rawEvent struct {
	typ     EventType
	service int
	conn    uint64
	data    []byte
	code    int
	info    *sessionInfo
}

type sessionInfo struct {
	service                   int
	prefix, transport, remote string
	method, url               string
	header                    http.Header
	query, client             string
}
