package sockjs

import "time"

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
