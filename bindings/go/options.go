package sockjs

import (
	"log/slog"
	"time"
)

// Options are server-wide settings. The zero value means the library's
// defaults everywhere.
type Options struct {
	// Services to add at once, in order (their ids are 0, 1, ...). More
	// can be added with AddService until the server starts.
	Services []ServiceOptions
	// Largest request line plus headers (default 16384 bytes).
	MaxRequestHeadSize int
	// Time for a request head to arrive (default 30s).
	RequestTimeout time.Duration
	// How long Shutdown waits for queued output (default 2s).
	ShutdownTimeout time.Duration
	// Report requests outside every service as EventRequest events, to be
	// answered with Request.Respond, instead of answering them 404.
	ForwardUnmatched bool
	// Most header lines in one request (default 100); more get 431.
	MaxRequestHeaders int
	// Most sessions open at once, all services counted (default: no
	// limit). At the limit a new session gets 503, WebSocket upgrades too;
	// existing sessions are served as usual.
	MaxSessions int
	// Listen mode: most TCP connections open at once (default: no limit);
	// excess accepted connections are closed at once. Keep it below the
	// process's file-descriptor limit.
	MaxConnections int
	// Listen mode: TCP keepalive idle time on accepted connections, whole
	// seconds (default 60s; negative turns keepalive off), so that peers
	// that vanished without a FIN end in EventClose.
	TCPKeepAlive time.Duration
	// Reverse proxies ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8") whose
	// X-Forwarded-For / X-Real-IP headers give Session.ClientAddr. From any
	// other peer those headers are ignored.
	TrustedProxies []string
	// Where the library's log lines go (nil: nowhere, the default). Lines
	// are handled inside Next/Events and never appear as events.
	Logger *slog.Logger
	// Lowest level reported to Logger: slog.LevelDebug (one line per HTTP
	// request), LevelInfo (sessions opened, closed, rejected), LevelWarn
	// (limit hits, protocol errors), LevelError. nil: the lowest level
	// Logger's handler is enabled for.
	LogLevel slog.Leveler
	// This node's number in a cluster (default 0). It is the top 16 bits
	// of every session id the server hands out (ConnID.Node reads it
	// back), so ids stay unique across nodes and PublishTo can route an
	// id to its node. Give every node of a cluster its own number.
	NodeID uint16
	// Join a cluster through Redis (nil: no backplane, the default).
	// Listen mode only; see BackplaneOptions.
	Backplane *BackplaneOptions
}

// ServiceOptions configure one SockJS endpoint. The zero value of every
// field means the library's default (sockjs-node 0.3.24's).
type ServiceOptions struct {
	// URL prefix, e.g. "/echo" ("" is the root). With Server.Handler, it
	// must be the full path the request arrives with (do not strip it).
	Prefix string
	// URL of sockjs-client loaded by the iframe page.
	SockJSURL string
	// Bytes per streaming response before the client reconnects (131072).
	ResponseLimit int
	// Turn off both WebSocket endpoints.
	DisableWebSocket bool
	// Transports to turn off: "websocket", "websocket-raw", "xhr-polling",
	// "xhr-streaming", "eventsource", "htmlfile", "jsonp-polling".
	DisabledTransports []string
	// Set a JSESSIONID cookie (for sticky load balancers).
	JSessionID bool
	// Idle time before a heartbeat (25s); negative disables heartbeats.
	HeartbeatDelay time.Duration
	// Lifetime of a session without a receiving request (5s).
	DisconnectDelay time.Duration
	// Send no CORS headers.
	DisableCORS bool
	// Base URL reported by /info.
	BaseURL string
	// Largest message accepted from a client, in bytes (1 MiB).
	MaxMessageSize int
	// Bytes a session may hold unsent before Send returns ErrBufferFull
	// (1 MiB).
	SendBufferLimit int
	// Include the Cookie header in Session.Header.
	ExposeCookies bool
	// Origin allow-list against cross-site WebSocket hijacking (default
	// empty: every origin). Patterns: "https://app.example",
	// "*.example.com", "http://localhost:*", "null", "*". A request whose
	// Origin matches none gets 403, WebSocket upgrades included; requests
	// without an Origin, and same-origin ones, always pass.
	AllowedOrigins []string
	// Report each new session with EventOpen before the client gets "o";
	// the application answers with Session.Accept or Session.Reject
	// (the client then gets c[code,"reason"] and EventClose follows).
	Authorize bool
	// How long a session may wait for that decision before it is rejected
	// with 3000 "Authorization timed out" (default 5s).
	AuthorizeTimeout time.Duration
	// Offer permessage-deflate (RFC 7692) on both WebSocket endpoints.
	PermessageDeflate bool
	// With deflate negotiated, messages shorter than this many bytes go
	// out uncompressed (128); negative compresses everything.
	DeflateThreshold int
}

func millis(d time.Duration) uint32 {
	ms := d.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	if ms > 1<<32-1 {
		ms = 1<<32 - 1
	}
	return uint32(ms)
}

// keepAliveSeconds maps Options.TCPKeepAlive to the C option: negative is
// off (0), positive rounds up to whole seconds.
func keepAliveSeconds(d time.Duration) uint32 {
	if d < 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	if s > 1<<32-1 {
		s = 1<<32 - 1
	}
	return uint32(s)
}
